/**
 * 番号法第16条: whoever receives a document bearing a 個人番号 confirms both the
 * number (番号確認) and the person (身元確認). Which copies count comes from
 * 番号法施行規則; the operator records what was enclosed, we decide.
 */

export const NUMBER_CHECK_KINDS = ['my_number_card', 'notification_card', 'juminhyo_with_number'] as const;

/** 施行規則第1条第1項第1号: photo documents issued by a public body. */
export const PRIMARY_IDENTITY_KINDS = [
  'my_number_card',
  'drivers_license',
  'driving_history_certificate',
  'passport',
  'physical_disability_certificate',
  'mental_disability_certificate',
  'rehabilitation_certificate',
  'residence_card',
  'special_permanent_resident_certificate',
] as const;

/** 第2号: other official photo documents the city (個人番号利用事務実施者) deems appropriate. */
export const OTHER_PHOTO_IDENTITY_KINDS = ['other_official_photo_id'] as const;

/** Non-photo documents: two of them together stand in for a photo ID. */
export const SECONDARY_IDENTITY_KINDS = ['health_insurance_card', 'pension_book', 'other_secondary_document'] as const;

export const ATTACHMENT_KINDS = [
  ...new Set([...NUMBER_CHECK_KINDS, ...PRIMARY_IDENTITY_KINDS, ...OTHER_PHOTO_IDENTITY_KINDS, ...SECONDARY_IDENTITY_KINDS]),
] as readonly string[];

export type AttachmentKind =
  | (typeof NUMBER_CHECK_KINDS)[number]
  | (typeof PRIMARY_IDENTITY_KINDS)[number]
  | (typeof OTHER_PHOTO_IDENTITY_KINDS)[number]
  | (typeof SECONDARY_IDENTITY_KINDS)[number];

export interface Attachment {
  kind: AttachmentKind;
  /** マイナンバーカード: the front proves identity, the back carries the number. Default: both. */
  sides?: ('front' | 'back')[];
  /** 通知カード: do its 氏名 and 住所 match the application (it is never updated after a move)? */
  matchesApplication?: boolean;
  /** 運転経歴証明書: only those issued on or after 2012-04-01 count. */
  issuedOn?: string;
}

export interface DocumentCheck {
  numberChecked: boolean;
  identityChecked: boolean;
  problems: { code: string; reason: string }[];
  notes: { code: string; reason: string }[];
}

const has = <T extends string>(list: readonly T[], kind: string): kind is T => (list as readonly string[]).includes(kind);

export function checkAttachments(attachments: Attachment[]): DocumentCheck {
  const problems: DocumentCheck['problems'] = [];
  const notes: DocumentCheck['notes'] = [];
  let numberChecked = false;
  let identityChecked = false;
  let secondaries = 0;
  let mismatchedCard = false;

  for (const a of attachments) {
    if (a.kind === 'my_number_card') {
      const sides = a.sides ?? ['front', 'back'];
      if (sides.includes('back')) numberChecked = true;
      if (sides.includes('front')) identityChecked = true;
      continue;
    }
    if (a.kind === 'notification_card') {
      if (a.matchesApplication === true) numberChecked = true;
      else mismatchedCard = true;
      continue;
    }
    if (a.kind === 'juminhyo_with_number') {
      numberChecked = true;
      continue;
    }
    if (a.kind === 'driving_history_certificate') {
      if (a.issuedOn && a.issuedOn >= '2012-04-01') identityChecked = true;
      else problems.push({ code: 'driving_history_certificate_too_old', reason: '運転経歴証明書 proves identity only when issued on or after 2012-04-01 (番号法施行規則第1条第1項第1号)' });
      continue;
    }
    if (has(PRIMARY_IDENTITY_KINDS, a.kind)) identityChecked = true;
    else if (has(OTHER_PHOTO_IDENTITY_KINDS, a.kind)) {
      identityChecked = true;
      notes.push({ code: 'identity_by_other_photo_id', reason: 'identity accepted on another official photo document (番号法施行規則第1条第1項第2号); the operator judged it appropriate' });
    } else if (has(SECONDARY_IDENTITY_KINDS, a.kind)) secondaries += 1;
  }

  if (!identityChecked && secondaries >= 2) {
    identityChecked = true;
    notes.push({ code: 'identity_by_two_documents', reason: 'identity accepted on two non-photo documents' });
  }

  // A stale 通知カード is harmless once another document proves the number (e.g. a 住民票 sent later).
  if (!numberChecked) {
    problems.push(
      mismatchedCard
        ? { code: 'notification_card_mismatch', reason: '通知カード proves the number only when its 氏名・住所 match the application; send a copy of the マイナンバーカード or a 個人番号記載の住民票の写し' }
        : { code: 'number_check_document_missing', reason: '番号確認書類 is missing: a copy of the マイナンバーカード (back), the 通知カード or a 個人番号記載の住民票の写し' },
    );
  }
  if (!identityChecked) {
    const onlyNumberDocs = attachments.length > 0 && attachments.every((a) => a.kind === 'notification_card' || a.kind === 'juminhyo_with_number');
    problems.push(
      onlyNumberDocs
        ? { code: 'identity_document_not_acceptable', reason: '通知カード and 住民票 prove the number, not the person: 身元確認書類 (運転免許証, パスポート, …) is missing' }
        : secondaries === 1
          ? { code: 'identity_document_missing', reason: '身元確認書類: one non-photo document is not enough; send a photo ID (運転免許証, パスポート, …) or a second document' }
          : { code: 'identity_document_missing', reason: '身元確認書類 is missing: a copy of the マイナンバーカード (front), 運転免許証, パスポート or another photo ID' },
    );
  }
  return { numberChecked, identityChecked, problems, notes };
}
