import { titledCodes } from './declarations';

/**
 * What goes into a donor's envelope, and how the documents write dates,
 * amounts and receipt numbers. Shared by the print batch activities and tests.
 * Each kind with its title on the print manifest, in envelope order.
 */
export const { codes: DOCUMENT_KINDS, titles: DOCUMENT_TITLES } = titledCodes({
  thank_you_letter: 'お礼状',
  donation_receipt: '寄附金受領証明書',
  onestop_form: '申告特例申請書', // 寄附金税額控除に係る申告特例申請書
  onestop_example: '申告特例申請書 記載例',
  return_envelope: '返信用封筒', // 表面
  postal_transfer_form: '郵便振替 払込取扱票',
  onestop_accepted_notice: '申告特例申請 受付済み通知', // DOCS-5
});
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Why an envelope is in a batch: its first mailing, a reissue on request, or a resend after returned mail. */
export type MailingReason = 'initial' | 'reissue' | 'returned_mail';

/** DOCS-1/DOCS-2: letter and receipt for everyone; the one-stop set only for donors who asked for it. */
export function receiptPacket(wantsOneStop: boolean, reason: MailingReason): DocumentKind[] {
  // A reissued receipt travels alone with a covering letter; the one-stop set was already sent.
  if (reason === 'reissue') return ['thank_you_letter', 'donation_receipt'];
  return wantsOneStop
    ? ['thank_you_letter', 'donation_receipt', 'onestop_form', 'onestop_example', 'return_envelope']
    : ['thank_you_letter', 'donation_receipt'];
}

/** 長3 window envelope for everything we post; the return envelope travels inside it. */
export const ENVELOPE = '長3窓付';

/** R2026-000123 for the first issue; R2026-000123-2 for the second (再発行). */
export function receiptNumber(fiscalYear: number, serial: number, issue: number): string {
  const base = `R${fiscalYear}-${String(serial).padStart(6, '0')}`;
  return issue > 1 ? `${base}-${issue}` : base;
}

/** Japanese fiscal year (April–March) of a JST date. */
export function fiscalYearOf(jstDate: string): number {
  const [y, m] = jstDate.split('-').map(Number);
  return m >= 4 ? y : y - 1;
}

/** 令和8年4月1日: documents to donors use the Japanese era. */
export function warekiDate(jstDate: string): string {
  const [y, m, d] = jstDate.split('-').map(Number);
  if (jstDate < '2019-05-01') throw new RangeError(`dates before 令和 are not printed: ${jstDate}`);
  const year = y - 2018;
  return `令和${year === 1 ? '元' : year}年${m}月${d}日`;
}

export function yen(amount: number): string {
  return `${amount.toLocaleString('ja-JP')}円`;
}
