import type { Knex } from '@mikro-orm/postgresql';
import { jstStartOfDay } from '../domain/jst';
import { firstDay, fiscalYearStart, nextMonth } from '../domain/billing/month';
import type { FeeDonation } from '../domain/billing/fees';
import type { InvoiceInputs, StatementInput } from '../domain/billing/invoice';
import { billedPostage, splitPostage } from '../domain/billing/postage';
import { BillingError, DELIVERY_COST_SQL, loadBillingRun, pgArray, statementHeads, statementLines } from './billing';

/**
 * What BILL-5 fees are computed from, read from the ledger for one billing run.
 * A run limited to some suppliers (scope) counts only the donations that have a
 * gift of those suppliers — so a partial run or a test never bills anyone else's rows.
 */

/** Donation d is in scope: every donation for a full run, else one with a gift line of a scoped supplier. */
const IN_SCOPE = `(?::text[] is null or exists (select 1 from donation_gift_lines sl join gifts sg on sg.code = sl.gift_code join suppliers sp on sp.id = sg.supplier_id
                   where sl.donation_id = d.id and sp.code = any (?::text[])))`;

const bounds = (month: string) => ({ from: jstStartOfDay(firstDay(month)).toISOString(), to: jstStartOfDay(firstDay(nextMonth(month))).toISOString() });

/** Donations paid in the month (JST), not cancelled: the base of the base fee and of the 5割 ratio. */
export async function monthDonations(knex: Knex, month: string, scope: string[] | null): Promise<FeeDonation[]> {
  const { from, to } = bounds(month);
  const s = scope ? pgArray(scope) : null;
  const { rows } = await knex.raw(
    `select d.id, d.portal_code, d.channel, d.amount_yen, exists (select 1 from donation_gift_lines g where g.donation_id = d.id) as has_gift,
            (select p.no_base_fee from portals p where p.code = d.portal_code) as portal_no_base_fee
       from donations d where d.paid_at >= ?::timestamptz and d.paid_at < ?::timestamptz and d.status <> 'cancelled' and ${IN_SCOPE}
      order by d.id`,
    [from, to, s, s],
  );
  return rows.map((r: any) => ({ donationId: r.id, portal: r.portal_code, channel: r.channel, amountYen: r.amount_yen, hasGift: r.has_gift, portalNoBaseFee: r.portal_no_base_fee }));
}

/** Each donation's amount and the actual gift cost of its shipments before the month (for the cumulative 3割 cap). */
export async function donationCosts(knex: Knex, month: string, donationIds: string[]): Promise<InvoiceInputs['donationCosts']> {
  if (!donationIds.length) return {};
  const { rows } = await knex.raw(
    `select d.id, d.amount_yen,
            coalesce((select sum(${DELIVERY_COST_SQL}) from shipments s join donation_gift_lines l on l.id = s.gift_line_id join gifts g on g.code = s.gift_code
                       where s.donation_id = d.id and s.shipped_on < ?::date and s.status not in ('planned', 'awaiting_order', 'ordered', 'cancelled')), 0)::int as previous
       from donations d where d.id = any (?::uuid[])`,
    [firstDay(month), `{${donationIds.join(',')}}`],
  );
  return Object.fromEntries(rows.map((r: any) => [r.id, { amountYen: r.amount_yen, previousCostYen: r.previous }]));
}

/**
 * Envelopes of print batches posted in the month, counted by why they were printed (print_batch_items.reason).
 * Who bears each one's postage is domain/billing/postage.ts (splitPostage): receipts and letters, their
 * reissues and re-sends and postal transfer forms are the city's; one-stop notices (7(4)オ) the contractor's.
 */
export async function postedEnvelopesByReason(knex: Knex, month: string, scope: string[] | null): Promise<Record<string, number>> {
  const { from, to } = bounds(month);
  const s = scope ? pgArray(scope) : null;
  const { rows } = await knex.raw(
    `select i.reason, count(*)::int as n from print_batch_items i join print_batches b on b.id = i.batch_id join donations d on d.id = i.donation_id
      where b.status = 'posted' and b.posted_at >= ?::timestamptz and b.posted_at < ?::timestamptz and ${IN_SCOPE} group by i.reason`,
    [from, to, s, s],
  );
  return Object.fromEntries(rows.map((r: any) => [r.reason, r.n]));
}

/** One-stop applications accepted in the month. */
export async function onestopCases(knex: Knex, month: string, scope: string[] | null): Promise<number> {
  const { from, to } = bounds(month);
  const s = scope ? pgArray(scope) : null;
  const { rows } = await knex.raw(
    `select count(*)::int as n from onestop_applications a join donations d on d.id = a.donation_id
      where a.status = 'accepted' and a.decided_at >= ?::timestamptz and a.decided_at < ?::timestamptz and ${IN_SCOPE}`,
    [from, to, s, s],
  );
  return rows[0].n;
}

/** Advertising the city approved beforehand, invoiced in this month; a scoped run takes campaigns for its suppliers' gifts only. */
export async function approvedCampaigns(knex: Knex, month: string, scope: string[] | null): Promise<InvoiceInputs['campaigns']> {
  const s = scope ? pgArray(scope) : null;
  const { rows } = await knex.raw(
    `select c.code, c.name, c.cost_yen from promotion_campaigns c
      where c.status = 'approved' and c.billed_month = ?::date
        and (?::text[] is null or c.gift_codes && (select coalesce(array_agg(g.code), '{}') from gifts g join suppliers p on p.id = g.supplier_id where p.code = any (?::text[])))
      order by c.code`,
    [firstDay(month), s, s],
  );
  return rows.map((r: any) => ({ code: r.code, name: r.name, costYen: r.cost_yen }));
}

/** Earlier months of the fiscal year (same scope): what their current invoices bill, and donations from April to the end of this month. */
export async function fiscalYearToDate(knex: Knex, month: string, scopeLabel: string | null, scope: string[] | null): Promise<InvoiceInputs['fiscalYear']> {
  const fy = fiscalYearStart(month);
  const { rows: cost } = await knex.raw(
    `select coalesce(sum(i.total_yen), 0)::bigint as yen from billing_invoices i join billing_runs r on r.id = i.run_id
      where r.month >= ?::date and r.month < ?::date and coalesce(r.scope_label, '') = ? and i.status in ('issued', 'accepted')`,
    [firstDay(fy), firstDay(month), scopeLabel ?? ''],
  );
  const s = scope ? pgArray(scope) : null;
  const { rows: don } = await knex.raw(
    `select coalesce(sum(d.amount_yen), 0)::bigint as yen from donations d
      where d.paid_at >= ?::timestamptz and d.paid_at < ?::timestamptz and d.status <> 'cancelled' and ${IN_SCOPE}`,
    [jstStartOfDay(firstDay(fy)).toISOString(), bounds(month).to, s, s],
  );
  return { from: fy, previousCostYen: Number(cost[0].yen), donationsYen: Number(don[0].yen) };
}

/** The statements as the invoice prints them: confirmed (or overridden) lines, voided ones left out. */
export async function statementInputs(knex: Knex, runId: string): Promise<StatementInput[]> {
  const heads = await statementHeads(knex, runId);
  const out: StatementInput[] = [];
  for (const h of heads) {
    const lines = (await statementLines(knex, h.statementId)).filter((l) => !l.voided);
    out.push({
      supplierCode: h.supplierCode,
      supplierName: h.supplierName,
      revision: h.revision,
      confirmed: h.status === 'confirmed',
      lines: lines.map((l) => ({
        lineId: l.lineId,
        donationId: l.donationId,
        giftCode: l.giftCode,
        giftName: l.giftName,
        quantity: l.quantity,
        procurementCostYen: l.procurementCostYen,
        shippingCostYen: l.shippingCostYen,
        carrier: l.carrier,
      })),
    });
  }
  return out;
}

export interface FeeRates {
  baseFeeRateBp: number;
  receiptPostageYen: number;
  onestopUnitYen: number;
  taxPercent: number;
}

/** Everything composeInvoice needs for one revision of a run's invoice. */
export async function invoiceInputs(
  knex: Knex,
  input: { runId: string; revision: number; number: string; issuedOn: string; rates: FeeRates; adjustments: InvoiceInputs['adjustments'] },
): Promise<InvoiceInputs> {
  const run = await loadBillingRun(knex, input.runId);
  const scope = run.scopeSuppliers;
  const statements = await statementInputs(knex, input.runId);
  if (!run.override && statements.some((s) => !s.confirmed)) throw new BillingError(409, `billing run ${input.runId}: not every statement is confirmed and no override is recorded`);
  const donationIds = [...new Set(statements.flatMap((s) => s.lines.map((l) => l.donationId)).filter((id): id is string => !!id))];
  return {
    month: run.month,
    revision: input.revision,
    number: input.number,
    issuedOn: input.issuedOn,
    scopeLabel: run.scopeLabel,
    rates: input.rates,
    donations: await monthDonations(knex, run.month, scope),
    statements,
    donationCosts: await donationCosts(knex, run.month, donationIds),
    receiptMailing: { ...billedPostage(splitPostage(await postedEnvelopesByReason(knex, run.month, scope))), actualYen: run.receiptPostage?.actualYen ?? null, reference: run.receiptPostage?.reference ?? null },
    onestopCases: await onestopCases(knex, run.month, scope),
    campaigns: await approvedCampaigns(knex, run.month, scope),
    adjustments: input.adjustments,
    fiscalYear: await fiscalYearToDate(knex, run.month, run.scopeLabel, scope),
    override: run.override ? { by: run.override.by, reason: run.override.reason } : null,
  };
}
