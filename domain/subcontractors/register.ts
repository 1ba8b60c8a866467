import { titledCodes } from '../declarations';

/**
 * CONTRACT-3 (spec 9, 特記7): no subcontracting without the city's prior written approval. A
 * subcontractor (再委託先: the print house, a call-centre vendor, hosting) is registered with its
 * name, reason, work, the data passed and the safeguards; personal data goes to it only while the
 * city's approval is recorded, not revoked, and covers that kind of data.
 */
export const { codes: DATA_KINDS, titles: DATA_KIND_NAMES } = titledCodes({ donor_personal: '寄附者の個人情報 (氏名・住所等)', my_number: '特定個人情報 (個人番号)' });
export type DataKind = (typeof DATA_KINDS)[number];

export interface SubcontractorEntry {
  code: string;
  name: string;
  dataPassed: DataKind[];
  /** YYYY-MM-DD (JST); null until the city's written approval is recorded. */
  cityApprovedOn: string | null;
  revokedOn: string | null;
}

export type HandoffClearance = { cleared: true } | { cleared: false; reason: string };

/** Whether `kind` of data may be handed to the subcontractor `code` on `today` (YYYY-MM-DD, JST). */
export function handoffClearance(code: string, entry: SubcontractorEntry | undefined, kind: DataKind, today: string): HandoffClearance {
  const refuse = (reason: string): HandoffClearance => ({ cleared: false, reason: `${code}: ${reason} (CONTRACT-3)` });
  if (!entry) return refuse('再委託先として登録されていません');
  if (entry.revokedOn && entry.revokedOn <= today) return refuse(`市の承認は ${entry.revokedOn} に取り消されています`);
  if (!entry.cityApprovedOn || entry.cityApprovedOn > today) return refuse('市の事前の書面承認が記録されていません');
  if (!entry.dataPassed.includes(kind)) return refuse(`${DATA_KIND_NAMES[kind]} を渡すことは承認されていません`);
  return { cleared: true };
}
