import { DOCUMENT_TITLES, warekiDate } from '../documents';

/**
 * DOCS-5 and the deficiency follow-up: what each one-stop notice is called on
 * paper and by email, and how a finding is put to the donor. Findings name
 * fields, never values, so nothing here can carry personal data. The wording
 * is for the city to review (plain Japanese, one A4 page on paper).
 */

export type OneStopNoticeKind = 'accepted' | 'deficiency' | 'reminder' | 'late_rejection' | 'closed_deficient';
export const ONESTOP_NOTICE_KINDS: readonly OneStopNoticeKind[] = ['accepted', 'deficiency', 'reminder', 'late_rejection', 'closed_deficient'];

/** The printed document of each kind: one page, in its own envelope. */
export const NOTICE_DOCUMENT = {
  accepted: 'onestop_accepted_notice',
  deficiency: 'onestop_deficiency_notice',
  reminder: 'onestop_reminder_notice',
  late_rejection: 'onestop_late_rejection_notice',
  closed_deficient: 'onestop_closed_deficient_notice',
} as const satisfies Record<OneStopNoticeKind, string>;
export type OneStopNoticeDocument = (typeof NOTICE_DOCUMENT)[OneStopNoticeKind];

/** Titles for the print manifest (the accepted notice is one of domain/documents.ts's kinds and keeps its title there). */
export const NOTICE_DOCUMENT_TITLES: Record<OneStopNoticeDocument, string> = {
  onestop_accepted_notice: DOCUMENT_TITLES.onestop_accepted_notice,
  onestop_deficiency_notice: '申告特例申請 不備のお知らせ',
  onestop_reminder_notice: '申告特例申請 不備書類ご提出のお願い',
  onestop_late_rejection_notice: '申告特例申請 期限後到着のお知らせ',
  onestop_closed_deficient_notice: '申告特例申請 不備未解消のお知らせ',
};

/** The plain-text email template of each kind (templates/mail/<name>.txt.hbs). */
export const NOTICE_MAIL_TEMPLATE = {
  accepted: 'onestop-accepted-notice',
  deficiency: 'onestop-deficiency-notice',
  reminder: 'onestop-reminder-notice',
  late_rejection: 'onestop-late-rejection-notice',
  closed_deficient: 'onestop-closed-deficient-notice',
} as const satisfies Record<OneStopNoticeKind, string>;

/** What a donor is told for each deficiency code (domain/onestop/review.ts, documents.ts). */
const ITEM_TEXT: Record<string, string> = {
  my_number_missing: '個人番号（マイナンバー）が記入されていません。',
  my_number_format: '個人番号（マイナンバー）の桁数が正しくありません（12桁でご記入ください）。',
  my_number_check_digit: '記入された個人番号（マイナンバー）に誤りがあります。',
  number_check_document_missing:
    '番号確認書類の写しが添付されていません（マイナンバーカードの裏面、通知カード、個人番号が記載された住民票の写しのいずれか）。',
  notification_card_mismatch:
    '通知カードの氏名・住所が申請書と一致しないため、番号確認書類として使用できません（マイナンバーカードの裏面、または個人番号が記載された住民票の写しをお送りください）。',
  identity_document_missing:
    '本人確認書類の写しが添付されていません（マイナンバーカードの表面、運転免許証、パスポートなど顔写真付きのもの1点、または顔写真のない公的書類2点）。',
  identity_document_not_acceptable:
    '通知カードや住民票の写しは本人確認書類になりません。運転免許証、パスポートなど本人確認書類の写しを添付してください。',
  driving_history_certificate_too_old:
    '運転経歴証明書は平成24年4月1日以降に交付されたものに限り本人確認書類として使用できます。ほかの本人確認書類の写しをお送りください。',
  checkbox_1_unticked: '申請書のチェック欄①（申告特例対象寄附者であること）にチェックがありません。',
  checkbox_2_unticked: '申請書のチェック欄②（この年の寄附先が5団体以内であると見込まれること）にチェックがありません。',
  name_mismatch: '申請書の氏名が、寄附のお申し込み時の氏名と一致しません。',
  nameKana_mismatch: '申請書のフリガナが、寄附のお申し込み時のフリガナと一致しません。',
  address_mismatch: '申請書の住所が、寄附のお申し込み時の住所と一致しません（転居された場合は申告特例申請事項変更届出書もご提出ください）。',
  donation_date_missing: '寄附年月日が記入されていません。',
  donation_date_mismatch: '寄附年月日が寄附金受領証明書の日付と一致しません。',
  amount_missing: '寄附金額が記入されていません。',
  amount_mismatch: '寄附金額が寄附金受領証明書の金額と一致しません。',
  arrived_after_deadline: '申請書が提出期限を過ぎてから到着しました。',
};

const FIELD_LABELS: Record<string, string> = {
  myNumber: '個人番号',
  attachments: '添付書類',
  'checkboxes.first': 'チェック欄①',
  'checkboxes.second': 'チェック欄②',
  name: '氏名',
  nameKana: 'フリガナ',
  address: '住所',
  donationDate: '寄附年月日',
  amountYen: '寄附金額',
};

/** One line for the donor about one deficiency; an unknown code still names the field (never its value). */
export function deficiencyItemText(finding: { code: string; field?: string }): string {
  return ITEM_TEXT[finding.code] ?? `申請書の記載または添付書類に不備があります（${(finding.field && FIELD_LABELS[finding.field]) || '記載事項'}）。`;
}

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

/** 令和9年1月12日(火): deadlines are printed with the weekday, since they move with holidays. */
export function warekiDateWithWeekday(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `${warekiDate(isoDate)}(${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]})`;
}

/** 令和8年分: the tax year whose 確定申告 has to claim the deduction (the year of the donation). */
export function taxYearLabel(donationDate: string): string {
  return `${warekiDate(`${donationDate.slice(0, 4)}-12-31`).replace(/\d+月\d+日$/, '')}分`;
}

/**
 * Who a notice is addressed to: the donor as in the donation ledger (the address the receipt went
 * to, corrected by DOCS-4), unless a 変更届出書 gave a new name or address — then that one, as the
 * donor wrote it (prefecture included).
 */
export function noticeAddressee<T extends { name: string; nameKana: string; postalCode: string; prefecture: string; address: string }>(
  donor: T,
  changed: { name?: string; nameKana?: string; address?: string; postalCode?: string } | null | undefined,
): T {
  if (!changed) return donor;
  return {
    ...donor,
    ...(changed.name ? { name: changed.name } : {}),
    ...(changed.nameKana ? { nameKana: changed.nameKana } : {}),
    ...(changed.address ? { prefecture: '', address: changed.address } : {}),
    ...(changed.postalCode ? { postalCode: changed.postalCode } : {}),
  };
}
