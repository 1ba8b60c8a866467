import type { PrintItemReason } from '../printed-documents';

/**
 * BILL-5: who bears the postage of each envelope we post, by why it is in a print batch, each a
 * named rule with its clause. The city pays at actual cost what it bears (13(4) 受領証明書等発送費,
 * 7(4)カ); the contractor's postage is in the base fee (13(1)イ 通信運搬費) and never billed. A new
 * print reason does not compile until it has a rule here; a reason the ledger holds that this code does
 * not know is treated as the contractor's (never billed).
 */
export type PostageBearer = 'city' | 'contractor';

export interface PostageRule {
  bearer: PostageBearer;
  /** What the envelope carries, as printed on the invoice. */
  label: string;
  /** The specification's clause that puts the postage on the bearer. */
  clause: string;
}

export const POSTAGE_RULES: Record<PrintItemReason, PostageRule> = {
  initial: { bearer: 'city', label: '受領証明書・お礼状', clause: '13(4) 受領証明書等発送費（実費）' },
  reissue: { bearer: 'city', label: '受領証明書（再発行）', clause: '13(4) 受領証明書等発送費（実費）' },
  returned_mail: { bearer: 'city', label: '受領証明書等（返戻後の再送）', clause: '13(4) 受領証明書等発送費（実費）' },
  payment_form: { bearer: 'city', label: '郵便振替用紙', clause: '7(4)カ 郵便料金は本市が負担' },
  onestop_notice: { bearer: 'contractor', label: 'ワンストップ特例 受付済み通知等', clause: '7(4)オ 送付に係る費用は受託者が負担' },
};

const CONTRACTOR_OTHER: PostageRule = { bearer: 'contractor', label: 'その他の郵送物', clause: '13(1)イ 通信運搬費は基本委託料に含む' };

export const postageRule = (reason: string): PostageRule => POSTAGE_RULES[reason as PrintItemReason] ?? CONTRACTOR_OTHER;

export interface PostageGroup extends PostageRule {
  reason: string;
  envelopes: number;
}

export interface PostageSplit {
  /** Envelopes whose postage the city bears: billed. */
  cityEnvelopes: number;
  /** Envelopes whose postage the contractor bears: never billed, shown so the city sees what was left out. */
  contractorEnvelopes: number;
  groups: PostageGroup[];
}

/** The month's posted envelopes (counted by print reason) split by who bears their postage; groups in the rules' order. */
export function splitPostage(envelopesByReason: Record<string, number>): PostageSplit {
  const order = Object.keys(POSTAGE_RULES);
  const groups = Object.entries(envelopesByReason)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1) || a.localeCompare(b))
    .map(([reason, envelopes]) => ({ reason, envelopes, ...postageRule(reason) }));
  const sum = (bearer: PostageBearer) => groups.filter((g) => g.bearer === bearer).reduce((n, g) => n + g.envelopes, 0);
  return { cityEnvelopes: sum('city'), contractorEnvelopes: sum('contractor'), groups };
}

/** The invoice's mailing input from a split: the city's envelopes are billed, the split is shown. */
export const billedPostage = (split: PostageSplit) => ({ envelopes: split.cityEnvelopes, split });

/** How the 受領証明書等郵送料 line was reached, in words: what was billed per group, and what the contractor bore. */
export function postageBasis(split: PostageSplit | undefined): string {
  if (!split) return '';
  const city = split.groups.filter((g) => g.bearer === 'city').map((g) => `${g.label} ${g.envelopes}通`);
  const contractor = split.groups.filter((g) => g.bearer === 'contractor').map((g) => `${g.label} ${g.envelopes}通 (${g.clause})`);
  return [city.length ? `内訳 ${city.join('、')}` : '', contractor.length ? `受託者負担につき請求せず: ${contractor.join('、')}` : ''].filter(Boolean).join('; ');
}
