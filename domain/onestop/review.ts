import type { MyNumberVerdict } from './my-number';
import { checkAttachments, type Attachment } from './documents';
import { arrivedInTime } from './deadline';
import { compareWith, normalizeAddress, normalizeKana, normalizeName } from './kana';

export type FindingSeverity = 'deficiency' | 'note' | 'rejection';

/** One named outcome of one rule; `reason` is shown to operators and printed on notices, so it never holds personal data. */
export interface Finding {
  code: string;
  severity: FindingSeverity;
  field?: string;
  reason: string;
}

export type FormVersion = 'current' | 'old_with_gender';
export type ReviewOutcome = 'accepted' | 'deficient' | 'late';

/** What the donor wrote on the 申請書 (or sent online); the 個人番号 is represented by its verdict only. */
export interface ApplicationContent {
  formVersion: FormVersion;
  name: string;
  nameKana: string;
  address: string;
  donationDate?: string;
  amountYen?: number;
  /** ① 申告特例対象寄附者 (no tax return needed) and ② at most five municipalities this year. */
  checkboxes: { first: boolean; second: boolean };
  attachments: Attachment[];
  /** Online applications signed with the マイナンバーカード (公的個人認証) need no copies. */
  verifiedByJpki?: boolean;
}

/** The ledger's side of the comparison. */
export interface DonationFacts {
  donorName: string;
  donorKana: string;
  prefecture: string;
  address: string;
  amountYen: number;
  /** 寄附年月日 as printed on the 寄附金受領証明書 (payment date, or application date for cards). */
  receivedOn: string;
  appliedOn: string;
}

export interface ReviewInput {
  content: ApplicationContent;
  myNumber: MyNumberVerdict;
  arrivedOn: string;
  deadline: string;
  donation: DonationFacts;
}

export interface Review {
  outcome: ReviewOutcome;
  findings: Finding[];
}

const deficiency = (code: string, field: string | undefined, reason: string): Finding => ({ code, severity: 'deficiency', field, reason });
const note = (code: string, field: string | undefined, reason: string): Finding => ({ code, severity: 'note', field, reason });

function compareField(findings: Finding[], field: string, label: string, written: string, recorded: string, normalize: (s: string) => string): void {
  const c = compareWith(normalize, written, recorded);
  if (c === 'notation') findings.push(note(`${field}_notation`, field, `${label} differs from the donation record only in notation (kana size, width or spacing)`));
  if (c === 'different') findings.push(deficiency(`${field}_mismatch`, field, `${label} does not match the donation record`));
}

/** ONESTOP-2 review: every rule yields a named finding; the outcome follows from their severities. */
export function reviewApplication({ content, myNumber, arrivedOn, deadline, donation }: ReviewInput): Review {
  const findings: Finding[] = [];

  if (!arrivedInTime(arrivedOn, deadline)) {
    findings.push({ code: 'arrived_after_deadline', severity: 'rejection', field: 'arrivedOn', reason: `arrived after the deadline (${deadline}); the donor must claim the deduction in a tax return (確定申告)` });
  }

  if (myNumber === 'missing') findings.push(deficiency('my_number_missing', 'myNumber', '個人番号 is not written'));
  if (myNumber === 'bad_format') findings.push(deficiency('my_number_format', 'myNumber', '個人番号 must be 12 digits'));
  if (myNumber === 'bad_check_digit') findings.push(deficiency('my_number_check_digit', 'myNumber', '個人番号 is not a valid number (check digit)'));

  if (content.verifiedByJpki) {
    findings.push(note('identity_by_jpki', 'attachments', '番号確認 and 身元確認 done online with the マイナンバーカード (公的個人認証)'));
  } else {
    const docs = checkAttachments(content.attachments);
    for (const p of docs.problems) findings.push(deficiency(p.code, 'attachments', p.reason));
    for (const n of docs.notes) findings.push(note(n.code, 'attachments', n.reason));
  }

  if (!content.checkboxes.first) findings.push(deficiency('checkbox_1_unticked', 'checkboxes.first', 'チェック欄① (申告特例対象寄附者である) is not ticked'));
  if (!content.checkboxes.second) findings.push(deficiency('checkbox_2_unticked', 'checkboxes.second', 'チェック欄② (寄附先が5団体以内の見込み) is not ticked'));

  compareField(findings, 'name', '氏名', content.name, donation.donorName, normalizeName);
  compareField(findings, 'nameKana', 'フリガナ', content.nameKana, donation.donorKana, normalizeKana);

  // Donors write the prefecture or leave it out; both are the same place.
  const full = `${donation.prefecture}${donation.address}`;
  const withPrefecture = normalizeAddress(content.address).startsWith(normalizeAddress(donation.prefecture));
  compareField(findings, 'address', '住所', content.address, withPrefecture ? full : donation.address, normalizeAddress);

  if (!content.donationDate) findings.push(deficiency('donation_date_missing', 'donationDate', '寄附年月日 is not written'));
  else if (content.donationDate !== donation.receivedOn) {
    if (content.donationDate === donation.appliedOn) {
      findings.push(note('donation_date_is_application_date', 'donationDate', '寄附年月日 is the application date, not the date on the 寄附金受領証明書; same donation'));
    } else findings.push(deficiency('donation_date_mismatch', 'donationDate', '寄附年月日 does not match the 寄附金受領証明書'));
  }
  if (content.amountYen === undefined) findings.push(deficiency('amount_missing', 'amountYen', '寄附金額 is not written'));
  else if (content.amountYen !== donation.amountYen) findings.push(deficiency('amount_mismatch', 'amountYen', '寄附金額 does not match the 寄附金受領証明書'));

  if (content.formVersion === 'old_with_gender') findings.push(note('old_form_with_gender', 'formVersion', '旧様式 (性別欄あり): accepted; 性別 is not used'));

  const outcome: ReviewOutcome = findings.some((f) => f.severity === 'rejection')
    ? 'late'
    : findings.some((f) => f.severity === 'deficiency')
      ? 'deficient'
      : 'accepted';
  return { outcome, findings };
}

export const deficiencies = (findings: Finding[]) => findings.filter((f) => f.severity === 'deficiency');
