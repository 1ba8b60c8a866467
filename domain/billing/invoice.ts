import { postageBasis, type PostageSplit } from './postage';
import { baseFee, capGiftCost, COST_RATIO_LIMIT, costRatio, taxYen, type BaseFeeSummary, type FeeDonation, type GiftCostOutcome } from './fees';

/**
 * The invoice to the city (請求書) for one month, computed from frozen inputs:
 * the confirmed statements (支払明細 by supplier), the month's donations, the
 * receipts posted, the one-stop cases accepted and the approved advertising.
 * Pure, so the same inputs always print the same invoice.
 */

export interface StatementLineInput {
  lineId: string;
  donationId: string | null;
  giftCode: string;
  giftName: string;
  quantity: number;
  procurementCostYen: number;
  shippingCostYen: number;
  carrier: string | null;
}

export interface StatementInput {
  supplierCode: string;
  supplierName: string;
  revision: number;
  confirmed: boolean;
  lines: StatementLineInput[];
}

export interface Adjustment {
  label: string;
  amountYen: number;
  reason: string;
}

export interface InvoiceInputs {
  month: string;
  revision: number;
  number: string;
  issuedOn: string;
  scopeLabel: string | null;
  rates: { baseFeeRateBp: number; receiptPostageYen: number; onestopUnitYen: number; taxPercent: number };
  /** Every donation paid in the month (in scope), excluded ones too: they are shown as excluded and count in the ratio. */
  donations: FeeDonation[];
  statements: StatementInput[];
  /** Per donation with a line this month: its amount and the actual gift cost of its earlier months. */
  donationCosts: Record<string, { amountYen: number; previousCostYen: number }>;
  /** envelopes: those whose postage the city bears (domain/billing/postage.ts); split: every posted envelope by who bears it. */
  receiptMailing: { envelopes: number; actualYen: number | null; reference: string | null; split?: PostageSplit };
  onestopCases: number;
  campaigns: { code: string; name: string; costYen: number }[];
  adjustments: Adjustment[];
  /** Earlier months of the same fiscal year: their invoiced totals, and donations from April to the end of this month. */
  fiscalYear: { from: string; previousCostYen: number; donationsYen: number };
  override: { by: string; reason: string } | null;
  /** BILL-4: a revision after the city's rejection names the revision it corrects and why; absent on revision 1. */
  corrects?: { content: InvoiceContent; reason: string; rejectionReason: string | null };
}

export type FeeCode = 'base_fee' | 'gift_cost' | 'shipping' | 'receipt_mailing' | 'onestop' | 'advertising' | 'adjustment';

export interface FeeLine {
  code: FeeCode;
  label: string;
  /** How the amount was reached, in words: printed on the invoice and in the CSV. */
  basis: string;
  amountYen: number;
  taxYen: number;
}

export interface StatementGiftRow {
  giftCode: string;
  giftName: string;
  shipments: number;
  quantity: number;
  procurementCostYen: number;
  shippingCostYen: number;
}

export interface StatementSummary {
  supplierCode: string;
  supplierName: string;
  revision: number;
  confirmed: boolean;
  gifts: StatementGiftRow[];
  procurementCostYen: number;
  shippingCostYen: number;
}

export interface InvoiceContent {
  number: string;
  month: string;
  revision: number;
  issuedOn: string;
  scopeLabel: string | null;
  feeLines: FeeLine[];
  statements: StatementSummary[];
  baseFee: BaseFeeSummary;
  capFlags: (GiftCostOutcome & { giftCodes: string[]; reason: string })[];
  totals: { amountYen: number; taxYen: number; totalYen: number };
  ratio: {
    limit: number;
    month: { costYen: number; donationsYen: number; ratio: number | null };
    fiscalYearToDate: { from: string; costYen: number; donationsYen: number; ratio: number | null };
  };
  override: { by: string; reason: string } | null;
  /** A corrected revision: what it corrects, why, and the difference line by line (absent on revision 1 and on invoices issued before it existed). */
  correction?: InvoiceCorrection;
}

export interface InvoiceCorrection {
  of: { revision: number; number: string; totalYen: number };
  reason: string;
  rejectionReason: string | null;
  /** This revision's total less the corrected one's. */
  differenceYen: number;
  /** Every fee line whose amount or tax changed (a line only in one revision counts 0 in the other), in this revision's order. */
  lines: { label: string; beforeYen: number; afterYen: number; differenceYen: number }[];
}

/**
 * A correction never edits the old invoice (BILL-4): the new revision is recomputed from the
 * corrected statements and carries, beside its own figures, the difference from the revision it
 * replaces, line by line, with the reason.
 */
export function invoiceCorrection(before: InvoiceContent, after: Pick<InvoiceContent, 'feeLines' | 'totals'>, reason: string, rejectionReason: string | null): InvoiceCorrection {
  const sum = (lines: FeeLine[]) => {
    const m = new Map<string, number>();
    for (const l of lines) m.set(l.label, (m.get(l.label) ?? 0) + l.amountYen + l.taxYen);
    return m;
  };
  const was = sum(before.feeLines);
  const now = sum(after.feeLines);
  const labels = [...new Set([...after.feeLines.map((l) => l.label), ...before.feeLines.map((l) => l.label)])];
  const lines = labels
    .map((label) => ({ label, beforeYen: was.get(label) ?? 0, afterYen: now.get(label) ?? 0 }))
    .filter((l) => l.beforeYen !== l.afterYen)
    .map((l) => ({ ...l, differenceYen: l.afterYen - l.beforeYen }));
  return {
    of: { revision: before.revision, number: before.number, totalYen: before.totals.totalYen },
    reason,
    rejectionReason,
    differenceYen: after.totals.totalYen - before.totals.totalYen,
    lines,
  };
}

const yen = (n: number) => `${n.toLocaleString('ja-JP')}円`;

function summarise(s: StatementInput): StatementSummary {
  const gifts = new Map<string, StatementGiftRow>();
  for (const l of s.lines) {
    const g = gifts.get(l.giftCode) ?? { giftCode: l.giftCode, giftName: l.giftName, shipments: 0, quantity: 0, procurementCostYen: 0, shippingCostYen: 0 };
    g.shipments += 1;
    g.quantity += l.quantity;
    g.procurementCostYen += l.procurementCostYen;
    g.shippingCostYen += l.shippingCostYen;
    gifts.set(l.giftCode, g);
  }
  const rows = [...gifts.values()].sort((a, b) => a.giftCode.localeCompare(b.giftCode));
  return {
    supplierCode: s.supplierCode,
    supplierName: s.supplierName,
    revision: s.revision,
    confirmed: s.confirmed,
    gifts: rows,
    procurementCostYen: rows.reduce((n, g) => n + g.procurementCostYen, 0),
    shippingCostYen: rows.reduce((n, g) => n + g.shippingCostYen, 0),
  };
}

export function composeInvoice(i: InvoiceInputs): InvoiceContent {
  const statements = [...i.statements].sort((a, b) => a.supplierCode.localeCompare(b.supplierCode)).map(summarise);

  // Gift cost per donation, capped against that donation (lines without a donation are billed at cost: they cannot be judged).
  const perDonation = new Map<string, { cost: number; gifts: Set<string> }>();
  let unattributedYen = 0;
  for (const s of i.statements) {
    for (const l of s.lines) {
      if (!l.donationId || !i.donationCosts[l.donationId]) {
        unattributedYen += l.procurementCostYen;
        continue;
      }
      const d = perDonation.get(l.donationId) ?? { cost: 0, gifts: new Set<string>() };
      d.cost += l.procurementCostYen;
      d.gifts.add(l.giftCode);
      perDonation.set(l.donationId, d);
    }
  }
  const capped = [...perDonation].sort(([a], [b]) => a.localeCompare(b)).map(([donationId, d]) => ({
    outcome: capGiftCost({ donationId, donationYen: i.donationCosts[donationId].amountYen, previousCostYen: i.donationCosts[donationId].previousCostYen, monthCostYen: d.cost }),
    gifts: [...d.gifts].sort(),
  }));
  const actualGiftYen = capped.reduce((n, c) => n + c.outcome.monthCostYen, 0) + unattributedYen;
  const billedGiftYen = capped.reduce((n, c) => n + c.outcome.billedYen, 0) + unattributedYen;
  const excessYen = actualGiftYen - billedGiftYen;
  const capFlags = capped.filter((c) => c.outcome.flag).map((c) => ({ ...c.outcome, giftCodes: c.gifts, reason: c.outcome.flag as string }));

  const base = baseFee(i.donations, i.rates.baseFeeRateBp);
  const shippingYen = statements.reduce((n, s) => n + s.shippingCostYen, 0);
  const shipments = statements.reduce((n, s) => n + s.gifts.reduce((m, g) => m + g.shipments, 0), 0);
  const onestopYen = i.onestopCases * i.rates.onestopUnitYen;
  const receiptYen = i.receiptMailing.actualYen ?? i.receiptMailing.envelopes * i.rates.receiptPostageYen;
  const pct = (bp: number) => `${(bp / 100).toFixed(2).replace(/\.?0+$/, '')}%`;

  const feeLines: FeeLine[] = [
    { code: 'base_fee', label: '基本手数料', basis: `対象寄附額 ${yen(base.eligibleYen)} (${base.eligibleCount}件) × ${pct(base.rateBp)}`, amountYen: base.feeYen, taxYen: 0 },
    {
      code: 'gift_cost',
      label: '返礼品調達費',
      basis: excessYen > 0 ? `実費 ${yen(actualGiftYen)} のうち寄附額の3割上限超過 ${yen(excessYen)} (${capFlags.length}件) を除く` : `実費 (${shipments}件)`,
      amountYen: billedGiftYen,
      taxYen: 0,
    },
    { code: 'shipping', label: '送料', basis: `実費 (${shipments}件)`, amountYen: shippingYen, taxYen: 0 },
    {
      code: 'receipt_mailing',
      label: '受領証明書等郵送料',
      basis: [i.receiptMailing.actualYen !== null ? `実費${i.receiptMailing.reference ? ` (${i.receiptMailing.reference})` : ''}` : `${i.receiptMailing.envelopes}通 × ${yen(i.rates.receiptPostageYen)}`, postageBasis(i.receiptMailing.split)].filter(Boolean).join('; '),
      amountYen: receiptYen,
      taxYen: 0,
    },
    { code: 'onestop', label: 'ワンストップ特例事務', basis: `${i.onestopCases}件 × ${yen(i.rates.onestopUnitYen)} (税抜、消費税${i.rates.taxPercent}%)`, amountYen: onestopYen, taxYen: taxYen(onestopYen, i.rates.taxPercent) },
    ...i.campaigns.map((c) => ({ code: 'advertising' as const, label: `広告費 ${c.name}`, basis: `市承認済み (${c.code})`, amountYen: c.costYen, taxYen: 0 })),
    ...i.adjustments.map((a) => ({ code: 'adjustment' as const, label: a.label, basis: a.reason, amountYen: a.amountYen, taxYen: 0 })),
  ];
  const amountYen = feeLines.reduce((n, l) => n + l.amountYen, 0);
  const tax = feeLines.reduce((n, l) => n + l.taxYen, 0);
  const totalYen = amountYen + tax;
  const monthDonations = i.donations.reduce((n, d) => n + d.amountYen, 0);
  const fyCost = i.fiscalYear.previousCostYen + totalYen;

  return {
    number: i.number,
    month: i.month,
    revision: i.revision,
    issuedOn: i.issuedOn,
    scopeLabel: i.scopeLabel,
    feeLines,
    statements,
    baseFee: base,
    capFlags,
    totals: { amountYen, taxYen: tax, totalYen },
    ratio: {
      limit: COST_RATIO_LIMIT,
      month: { costYen: totalYen, donationsYen: monthDonations, ratio: costRatio(totalYen, monthDonations) },
      fiscalYearToDate: { from: i.fiscalYear.from, costYen: fyCost, donationsYen: i.fiscalYear.donationsYen, ratio: costRatio(fyCost, i.fiscalYear.donationsYen) },
    },
    override: i.override,
    ...(i.corrects ? { correction: invoiceCorrection(i.corrects.content, { feeLines, totals: { amountYen, taxYen: tax, totalYen } }, i.corrects.reason, i.corrects.rejectionReason) } : {}),
  };
}
