import { titledCodes } from '../declarations';

/**
 * MYNUM-1 (特記事項: 作業責任者・作業従事者): who may handle 特定個人情報. A person is cleared to read
 * or export a 個人番号 only while on the register with the city told, a signed pledge (誓約書) and
 * training, before the entry's expiry; the person responsible (作業責任者) also needs the city's
 * recorded approval. The refusal names the missing piece and never the number.
 */
export const { codes: HANDLER_KINDS, titles: HANDLER_KIND_NAMES } = titledCodes({ responsible: '作業責任者', handler: '作業従事者' });
export type HandlerKind = (typeof HANDLER_KINDS)[number];

export interface HandlerEntry {
  actor: string;
  kind: HandlerKind;
  /** YYYY-MM-DD (JST) each; null where not yet done. */
  cityNotifiedOn: string | null;
  cityApprovedOn: string | null;
  pledgeSignedOn: string | null;
  trainedOn: string | null;
  validUntil: string | null;
  removedOn: string | null;
}

export type Clearance = { cleared: true } | { cleared: false; reason: string };

/** Whether `entry` (undefined: not on the register) may handle a 個人番号 on `today` (YYYY-MM-DD, JST). */
export function handlerClearance(entry: HandlerEntry | undefined, today: string): Clearance {
  const refuse = (reason: string): Clearance => ({ cleared: false, reason });
  if (!entry) return refuse('特定個人情報の取扱者名簿に登録されていません (MYNUM-1)');
  if (entry.removedOn && entry.removedOn <= today) return refuse(`取扱者名簿から ${entry.removedOn} に外れています`);
  if (!entry.cityNotifiedOn || entry.cityNotifiedOn > today) return refuse('市への報告が記録されていません');
  if (entry.kind === 'responsible' && (!entry.cityApprovedOn || entry.cityApprovedOn > today)) return refuse('作業責任者の市の承認が記録されていません');
  if (!entry.pledgeSignedOn || entry.pledgeSignedOn > today) return refuse('誓約書が記録されていません');
  if (!entry.trainedOn || entry.trainedOn > today) return refuse('研修の受講が記録されていません');
  if (entry.validUntil && entry.validUntil < today) return refuse(`登録の有効期限 (${entry.validUntil}) が過ぎています`);
  return { cleared: true };
}
