import type { Knex } from '@mikro-orm/postgresql';
import { firstDay, nextMonth } from '../domain/billing/month';
import { renamed } from './rows';

/**
 * The billing ledger (BILL-1): runs, the frozen statement per supplier, disputes,
 * their investigation and corrections. Each change is one transaction with its
 * billing_events row (who, when, before/after, why); a repeated idempotency key
 * changes nothing, because Temporal may run an activity twice.
 */

export class BillingError extends Error {
  override name = 'BillingError';
  constructor(readonly status: 404 | 409 | 400, message: string) {
    super(message);
  }
}

/** A pg array literal: knex would spread a JS array into separate bindings. */
export const pgArray = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

export interface BillingRunRow {
  id: string;
  month: string;
  scopeLabel: string | null;
  scopeSuppliers: string[] | null;
  requestedBy: string;
  override: { by: string; at: string; reason: string } | null;
  escalatedAt: string | null;
  receiptPostage: { actualYen: number; reference: string | null } | null;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

export async function findBillingRun(knex: Knex, runId: string): Promise<BillingRunRow | undefined> {
  const { rows } = await knex.raw(`select r.*, to_char(r.month, 'YYYY-MM') as month_text from billing_runs r where r.id = ?`, [runId]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    ...renamed(r, 'id scope_label scope_suppliers requested_by'),
    month: r.month_text,
    override: r.override_at ? { by: r.override_by, at: iso(r.override_at)!, reason: r.override_reason } : null,
    escalatedAt: iso(r.escalated_at),
    receiptPostage: r.receipt_postage_actual_yen === null ? null : { actualYen: r.receipt_postage_actual_yen, reference: r.receipt_postage_reference },
  };
}

export async function loadBillingRun(knex: Knex, runId: string): Promise<BillingRunRow> {
  const run = await findBillingRun(knex, runId);
  if (!run) throw new BillingError(404, `billing run ${runId} not found`);
  return run;
}

interface EventInput {
  runId: string;
  statementId?: string | null;
  invoiceId?: string | null;
  kind: string;
  actor: string;
  at?: string;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  key?: string | null;
}

/** Appends one event; false when its key was already recorded (the caller's change is then a repeat). */
export async function appendBillingEvent(trx: Knex, e: EventInput): Promise<boolean> {
  const { rows } = await trx.raw(
    `insert into billing_events (run_id, statement_id, invoice_id, kind, actor, occurred_at, reason, before, after, idempotency_key)
     values (?, ?, ?, ?, ?, coalesce(?::timestamptz, now()), ?, ?::jsonb, ?::jsonb, ?) on conflict (idempotency_key) do nothing returning id`,
    [e.runId, e.statementId ?? null, e.invoiceId ?? null, e.kind, e.actor, e.at ?? null, e.reason ?? null, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after), e.key ?? null],
  );
  return rows.length > 0;
}

export interface NewBillingRun {
  runId: string;
  month: string;
  scope?: { label: string; suppliers: string[] } | null;
  requestedBy: string;
  at: string;
}

export async function ensureBillingRun(knex: Knex, input: NewBillingRun): Promise<void> {
  await knex.transaction(async (trx) => {
    const { rows } = await trx.raw(
      `insert into billing_runs (id, month, scope_label, scope_suppliers, requested_by) values (?, ?::date, ?, ?::text[], ?) on conflict (id) do nothing returning id`,
      [input.runId, firstDay(input.month), input.scope?.label ?? null, input.scope ? pgArray(input.scope.suppliers) : null, input.requestedBy],
    );
    if (rows.length) {
      await appendBillingEvent(trx, { runId: input.runId, kind: 'run_started', actor: input.requestedBy, at: input.at, after: { month: input.month, scope: input.scope ?? null }, key: `${input.runId}:started` });
    }
  });
}

/**
 * Procurement cost of one delivery: the gift's cost × quantity split over its
 * deliveries so that the parts add up to the whole (定期便 of ¥10,000 in 3: 3,333 + 3,333 + 3,334).
 * A re-shipment costs what its delivery costs: the supplier ships again (BILL-2).
 */
export const DELIVERY_COST_SQL = `((g.cost_yen::bigint * l.quantity * s.delivery_no) / s.deliveries - (g.cost_yen::bigint * l.quantity * (s.delivery_no - 1)) / s.deliveries)::int`;

/** Shipments that actually left the supplier: a ship date and not cancelled. */
const SHIPPED = `s.shipped_on is not null and s.status not in ('planned', 'awaiting_order', 'ordered', 'cancelled')`;

const LINE_SOURCE = `
  select s.id as shipment_id, s.donation_id, s.gift_code, g.name as gift_name, s.delivery_no, s.deliveries, s.attempt, l.quantity,
         s.shipped_on, (s.delivered_at at time zone 'Asia/Tokyo')::date as delivered_on, s.carrier,
         ${DELIVERY_COST_SQL} as procurement_cost_yen, g.shipping_cost_yen, s.supplier_id, p.code as supplier_code, p.name as supplier_name
    from shipments s join donation_gift_lines l on l.id = s.gift_line_id join gifts g on g.code = s.gift_code join suppliers p on p.id = s.supplier_id`;

export interface StatementHead {
  statementId: string;
  supplierCode: string;
  supplierName: string;
  revision: number;
  status: 'sent' | 'confirmed' | 'disputed';
  lines: number;
  procurementCostYen: number;
  shippingCostYen: number;
}

export async function statementHeads(knex: Knex, runId: string): Promise<StatementHead[]> {
  const { rows } = await knex.raw(
    `select t.id, t.supplier_code, t.supplier_name, t.revision, t.status,
            count(l.id) filter (where not l.voided)::int as lines,
            coalesce(sum(l.procurement_cost_yen) filter (where not l.voided), 0)::int as procurement,
            coalesce(sum(l.shipping_cost_yen) filter (where not l.voided), 0)::int as shipping
       from billing_statements t left join billing_statement_lines l on l.statement_id = t.id
      where t.run_id = ? group by t.id order by t.supplier_code`,
    [runId],
  );
  return rows.map((r: any) => ({
    statementId: String(r.id),
    supplierCode: r.supplier_code,
    supplierName: r.supplier_name,
    revision: r.revision,
    status: r.status,
    lines: r.lines,
    procurementCostYen: r.procurement,
    shippingCostYen: r.shipping,
  }));
}

/**
 * BILL-1: freezes the month's actual shipments into one statement per supplier.
 * Runs once per billing run: a repeat returns what the first call froze.
 */
export async function gatherStatements(knex: Knex, runId: string, at: string): Promise<StatementHead[]> {
  await knex.transaction(async (trx) => {
    const { rows: runs } = await trx.raw(`select id, to_char(month, 'YYYY-MM') as month, scope_suppliers from billing_runs where id = ? for update`, [runId]);
    if (!runs[0]) throw new BillingError(404, `billing run ${runId} not found`);
    const gathered = await appendBillingEvent(trx, { runId, kind: 'statements_gathered', actor: 'system:billing', at, key: `${runId}:gathered` });
    if (!gathered) return;
    const from = firstDay(runs[0].month);
    const to = firstDay(nextMonth(runs[0].month));
    const scope = runs[0].scope_suppliers ? pgArray(runs[0].scope_suppliers) : null;
    const where = `where s.shipped_on >= ?::date and s.shipped_on < ?::date and ${SHIPPED} and (?::text[] is null or p.code = any (?::text[]))`;
    await trx.raw(
      `insert into billing_statements (run_id, supplier_id, supplier_code, supplier_name, status)
       select distinct ?, src.supplier_id, src.supplier_code, src.supplier_name, 'sent' from (${LINE_SOURCE} ${where}) src`,
      [runId, from, to, scope, scope],
    );
    await trx.raw(
      `insert into billing_statement_lines (statement_id, shipment_id, donation_id, gift_code, gift_name, delivery_no, deliveries, attempt, quantity, shipped_on, delivered_on, carrier, procurement_cost_yen, shipping_cost_yen)
       select t.id, src.shipment_id, src.donation_id, src.gift_code, src.gift_name, src.delivery_no, src.deliveries, src.attempt, src.quantity, src.shipped_on, src.delivered_on, src.carrier, src.procurement_cost_yen, src.shipping_cost_yen
         from (${LINE_SOURCE} ${where}) src join billing_statements t on t.run_id = ? and t.supplier_id = src.supplier_id
        order by t.id, src.shipped_on, src.shipment_id`,
      [from, to, scope, scope, runId],
    );
    const heads = await statementHeads(trx, runId);
    for (const h of heads) {
      await appendBillingEvent(trx, {
        runId,
        statementId: h.statementId,
        kind: 'statement_created',
        actor: 'system:billing',
        at,
        after: { revision: 1, lines: h.lines, procurementCostYen: h.procurementCostYen, shippingCostYen: h.shippingCostYen },
      });
    }
  });
  return statementHeads(knex, runId);
}

export interface StatementLine {
  lineId: string;
  shipmentId: string | null;
  donationId: string | null;
  giftCode: string;
  giftName: string;
  deliveryNo: number;
  deliveries: number;
  attempt: number;
  quantity: number;
  shippedOn: string;
  deliveredOn: string | null;
  carrier: string | null;
  procurementCostYen: number;
  shippingCostYen: number;
  origin: 'gathered' | 'correction';
  voided: boolean;
}

const LINE_COLUMNS = `l.id, l.shipment_id, l.donation_id, l.gift_code, l.gift_name, l.delivery_no, l.deliveries, l.attempt, l.quantity,
  to_char(l.shipped_on, 'YYYY-MM-DD') as shipped_on, to_char(l.delivered_on, 'YYYY-MM-DD') as delivered_on, l.carrier,
  l.procurement_cost_yen, l.shipping_cost_yen, l.origin, l.voided`;

function toLine(r: any): StatementLine {
  return {
    ...renamed(r, 'shipment_id donation_id gift_code gift_name delivery_no deliveries attempt quantity shipped_on delivered_on carrier procurement_cost_yen shipping_cost_yen origin voided'),
    lineId: String(r.id),
  };
}

export async function statementLines(knex: Knex, statementId: string): Promise<StatementLine[]> {
  const { rows } = await knex.raw(`select ${LINE_COLUMNS} from billing_statement_lines l where l.statement_id = ? order by l.shipped_on, l.id`, [statementId]);
  return rows.map(toLine);
}

export async function findStatement(knex: Knex, runId: string, supplierCode: string): Promise<StatementHead | undefined> {
  return (await statementHeads(knex, runId)).find((h) => h.supplierCode === supplierCode);
}

async function lockStatement(trx: Knex, runId: string, supplierCode: string) {
  const { rows } = await trx.raw(`select id, revision, status from billing_statements where run_id = ? and supplier_code = ? for update`, [runId, supplierCode]);
  if (!rows[0]) throw new BillingError(404, `statement of ${supplierCode} in ${runId} not found`);
  return { id: String(rows[0].id), revision: rows[0].revision as number, status: rows[0].status as StatementHead['status'] };
}

export async function markStatementSent(knex: Knex, statementId: string, at: string): Promise<void> {
  await knex.raw(`update billing_statements set sent_at = ?::timestamptz where id = ?`, [at, statementId]);
}

export interface DisputedLine {
  lineId?: string;
  shipmentId?: string;
  note: string;
}

export interface StatementResponse {
  runId: string;
  supplierCode: string;
  revision: number;
  decision: 'confirm' | 'dispute';
  reason?: string;
  lines?: DisputedLine[];
  actor: string;
  at: string;
  key: string;
}

/** The supplier confirms the statement as sent, or disputes it (a dispute opens the investigation). */
export async function recordStatementResponse(knex: Knex, r: StatementResponse): Promise<{ status: StatementHead['status']; revision: number }> {
  return knex.transaction(async (trx) => {
    const st = await lockStatement(trx, r.runId, r.supplierCode);
    const after = r.decision === 'confirm' ? { status: 'confirmed', revision: r.revision } : { status: 'disputed', revision: r.revision, reason: r.reason, lines: r.lines ?? [] };
    const fresh = await appendBillingEvent(trx, {
      runId: r.runId,
      statementId: st.id,
      kind: r.decision === 'confirm' ? 'statement_confirmed' : 'statement_disputed',
      actor: r.actor,
      at: r.at,
      reason: r.reason ?? null,
      before: { status: st.status, revision: st.revision },
      after,
      key: r.key,
    });
    if (!fresh) return { status: st.status, revision: st.revision };
    if (st.status !== 'sent' || st.revision !== r.revision) throw new BillingError(409, `statement of ${r.supplierCode} is ${st.status} at revision ${st.revision}; revision ${r.revision} cannot be answered`);
    if (r.decision === 'confirm') {
      await trx.raw(`update billing_statements set status = 'confirmed', confirmed_by = ?, confirmed_at = ?::timestamptz where id = ?`, [r.actor, r.at, st.id]);
      return { status: 'confirmed', revision: st.revision };
    }
    await trx.raw(`update billing_statements set status = 'disputed' where id = ?`, [st.id]);
    await trx.raw(`insert into billing_disputes (statement_id, revision, raised_by, raised_at, reason, lines) values (?, ?, ?, ?::timestamptz, ?, ?::jsonb)`, [
      st.id,
      st.revision,
      r.actor,
      r.at,
      r.reason ?? '',
      JSON.stringify(r.lines ?? []),
    ]);
    return { status: 'disputed', revision: st.revision };
  });
}

export interface DisputeRow {
  id: string;
  revision: number;
  raisedBy: string;
  raisedAt: string;
  reason: string;
  lines: DisputedLine[];
  findings: { by: string; at: string; text: string }[];
  status: 'open' | 'resolved';
  resolution: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export async function statementDisputes(knex: Knex, statementId: string): Promise<DisputeRow[]> {
  const { rows } = await knex.raw(`select * from billing_disputes where statement_id = ? order by id`, [statementId]);
  return rows.map((r: any) => ({
    id: String(r.id),
    revision: r.revision,
    raisedBy: r.raised_by,
    raisedAt: iso(r.raised_at)!,
    reason: r.reason,
    lines: r.lines,
    findings: r.findings,
    status: r.status,
    resolution: r.resolution,
    resolvedBy: r.resolved_by,
    resolvedAt: iso(r.resolved_at),
  }));
}

/** The operator's investigation notes on an open dispute (what the carrier record, the order, the supplier said). */
export async function recordDisputeFindings(knex: Knex, input: { runId: string; supplierCode: string; findings: string; actor: string }): Promise<DisputeRow> {
  return knex.transaction(async (trx) => {
    const st = await lockStatement(trx, input.runId, input.supplierCode);
    const { rows } = await trx.raw(`select id, findings from billing_disputes where statement_id = ? and status = 'open' for update`, [st.id]);
    if (!rows[0]) throw new BillingError(409, `statement of ${input.supplierCode} has no open dispute`);
    const entry = { by: input.actor, at: new Date().toISOString(), text: input.findings };
    await trx.raw(`update billing_disputes set findings = findings || ?::jsonb where id = ?`, [JSON.stringify([entry]), rows[0].id]);
    await appendBillingEvent(trx, { runId: input.runId, statementId: st.id, kind: 'dispute_findings', actor: input.actor, reason: input.findings, before: { findings: rows[0].findings }, after: { findings: [...rows[0].findings, entry] } });
    return (await statementDisputes(trx, st.id)).find((d) => d.id === String(rows[0].id))!;
  });
}

export type LineCorrection =
  | { kind: 'amend'; lineId: string; quantity?: number; shippedOn?: string; procurementCostYen?: number; shippingCostYen?: number; carrier?: string }
  | { kind: 'void'; lineId: string }
  | { kind: 'add_shipment'; shipmentId: string };

/**
 * Corrections during an investigation (statement disputed) or after the city
 * rejected the invoice: each is an event with the line before and after.
 */
export async function correctStatementLines(knex: Knex, input: { runId: string; supplierCode: string; corrections: LineCorrection[]; reason: string; actor: string }): Promise<StatementLine[]> {
  return knex.transaction(async (trx) => {
    const st = await lockStatement(trx, input.runId, input.supplierCode);
    const { rows: inv } = await trx.raw(`select status from billing_invoices where run_id = ? order by revision desc limit 1`, [input.runId]);
    const invoiceRejected = inv[0]?.status === 'rejected';
    if (st.status !== 'disputed' && !invoiceRejected) {
      throw new BillingError(409, `statement of ${input.supplierCode} is ${st.status}: lines are corrected during a dispute or after the city rejected the invoice`);
    }
    for (const c of input.corrections) {
      if (c.kind === 'add_shipment') {
        const { rows: run } = await trx.raw(`select to_char(month, 'YYYY-MM-DD') as month from billing_runs where id = ?`, [input.runId]);
        const { rows } = await trx.raw(
          `insert into billing_statement_lines (statement_id, shipment_id, donation_id, gift_code, gift_name, delivery_no, deliveries, attempt, quantity, shipped_on, delivered_on, carrier, procurement_cost_yen, shipping_cost_yen, origin)
           select ?, src.shipment_id, src.donation_id, src.gift_code, src.gift_name, src.delivery_no, src.deliveries, src.attempt, src.quantity, src.shipped_on, src.delivered_on, src.carrier, src.procurement_cost_yen, src.shipping_cost_yen, 'correction'
             from (${LINE_SOURCE} where s.id = ?::uuid and ${SHIPPED} and p.code = ?) src
            where src.shipped_on >= ?::date and src.shipped_on < (?::date + interval '1 month')
           on conflict (statement_id, shipment_id) do nothing returning id`,
          [st.id, c.shipmentId, input.supplierCode, run[0].month, run[0].month],
        );
        if (!rows[0]) throw new BillingError(409, `shipment ${c.shipmentId} is not a shipment of ${input.supplierCode} shipped in the month, or is already on the statement`);
        const [line] = (await trx.raw(`select ${LINE_COLUMNS} from billing_statement_lines l where l.id = ?`, [rows[0].id])).rows.map(toLine);
        await appendBillingEvent(trx, { runId: input.runId, statementId: st.id, kind: 'line_added', actor: input.actor, reason: input.reason, before: null, after: line });
        continue;
      }
      const { rows: found } = await trx.raw(`select ${LINE_COLUMNS} from billing_statement_lines l where l.id = ? and l.statement_id = ? for update`, [c.lineId, st.id]);
      if (!found[0]) throw new BillingError(404, `line ${c.lineId} is not on the statement of ${input.supplierCode}`);
      const before = toLine(found[0]);
      if (c.kind === 'void') {
        await trx.raw(`update billing_statement_lines set voided = true where id = ?`, [c.lineId]);
      } else {
        await trx.raw(
          `update billing_statement_lines set quantity = coalesce(?, quantity), shipped_on = coalesce(?::date, shipped_on),
             procurement_cost_yen = coalesce(?, procurement_cost_yen), shipping_cost_yen = coalesce(?, shipping_cost_yen), carrier = coalesce(?, carrier) where id = ?`,
          [c.quantity ?? null, c.shippedOn ?? null, c.procurementCostYen ?? null, c.shippingCostYen ?? null, c.carrier ?? null, c.lineId],
        );
      }
      const after = toLine((await trx.raw(`select ${LINE_COLUMNS} from billing_statement_lines l where l.id = ?`, [c.lineId])).rows[0]);
      await appendBillingEvent(trx, { runId: input.runId, statementId: st.id, kind: c.kind === 'void' ? 'line_voided' : 'line_amended', actor: input.actor, reason: input.reason, before, after });
    }
    return statementLines(trx, st.id);
  });
}

/** Closes the open dispute; the corrected statement goes back to the supplier as the next revision. */
export async function resolveDispute(knex: Knex, input: { runId: string; supplierCode: string; resolution: string; actor: string; at: string; key: string }): Promise<{ revision: number }> {
  return knex.transaction(async (trx) => {
    const st = await lockStatement(trx, input.runId, input.supplierCode);
    const fresh = await appendBillingEvent(trx, {
      runId: input.runId,
      statementId: st.id,
      kind: 'dispute_resolved',
      actor: input.actor,
      at: input.at,
      reason: input.resolution,
      before: { status: st.status, revision: st.revision },
      after: { status: 'sent', revision: st.revision + 1 },
      key: input.key,
    });
    if (!fresh) return { revision: st.revision };
    if (st.status !== 'disputed') throw new BillingError(409, `statement of ${input.supplierCode} is ${st.status}, not disputed`);
    await trx.raw(`update billing_disputes set status = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ?::timestamptz where statement_id = ? and status = 'open'`, [
      input.resolution,
      input.actor,
      input.at,
      st.id,
    ]);
    await trx.raw(`update billing_statements set status = 'sent', revision = revision + 1, sent_at = null where id = ?`, [st.id]);
    return { revision: st.revision + 1 };
  });
}

/** An operator lets the invoice go out without every supplier's confirmation; the reason stays on the run and the invoice. */
export async function overrideConfirmations(knex: Knex, input: { runId: string; actor: string; reason: string; at: string; key: string }): Promise<void> {
  await knex.transaction(async (trx) => {
    const pending = (await statementHeads(trx, input.runId)).filter((h) => h.status !== 'confirmed').map((h) => ({ supplierCode: h.supplierCode, status: h.status, revision: h.revision }));
    const fresh = await appendBillingEvent(trx, { runId: input.runId, kind: 'confirmation_override', actor: input.actor, at: input.at, reason: input.reason, before: { unconfirmed: pending }, after: { override: true }, key: input.key });
    if (fresh) await trx.raw(`update billing_runs set override_by = ?, override_at = ?::timestamptz, override_reason = ? where id = ?`, [input.actor, input.at, input.reason, input.runId]);
  });
}

/** Reminders, escalations, overdue flags: recorded once per key. */
export async function recordBillingAlert(knex: Knex, input: { runId: string; kind: string; reason: string; at: string; key: string; after?: unknown }): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const fresh = await appendBillingEvent(trx, { runId: input.runId, kind: input.kind, actor: 'system:billing', at: input.at, reason: input.reason, after: input.after, key: input.key });
    if (fresh && input.kind === 'invoice_escalation') await trx.raw(`update billing_runs set escalated_at = ?::timestamptz where id = ?`, [input.at, input.runId]);
    return fresh;
  });
}

/** Receipt mailing at actual cost for the month (BILL-5), when the operator has the post office's figure. */
export async function recordReceiptPostage(knex: Knex, input: { runId: string; amountYen: number; reference: string; actor: string }): Promise<void> {
  await knex.transaction(async (trx) => {
    const { rows } = await trx.raw(`select receipt_postage_actual_yen, receipt_postage_reference from billing_runs where id = ? for update`, [input.runId]);
    if (!rows[0]) throw new BillingError(404, `billing run ${input.runId} not found`);
    await trx.raw(`update billing_runs set receipt_postage_actual_yen = ?, receipt_postage_reference = ? where id = ?`, [input.amountYen, input.reference, input.runId]);
    await appendBillingEvent(trx, {
      runId: input.runId,
      kind: 'receipt_postage_recorded',
      actor: input.actor,
      before: { actualYen: rows[0].receipt_postage_actual_yen, reference: rows[0].receipt_postage_reference },
      after: { actualYen: input.amountYen, reference: input.reference },
    });
  });
}

export interface BillingEventRow {
  id: string;
  statementId: string | null;
  invoiceId: string | null;
  kind: string;
  actor: string;
  at: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export async function billingEvents(knex: Knex, runId: string, filter: { statementId?: string } = {}): Promise<BillingEventRow[]> {
  const { rows } = await knex.raw(
    `select id, statement_id, invoice_id, kind, actor, occurred_at, reason, before, after from billing_events where run_id = ? and (?::bigint is null or statement_id = ?::bigint) order by id`,
    [runId, filter.statementId ?? null, filter.statementId ?? null],
  );
  return rows.map((r: any) => ({
    id: String(r.id),
    statementId: r.statement_id === null ? null : String(r.statement_id),
    invoiceId: r.invoice_id === null ? null : String(r.invoice_id),
    kind: r.kind,
    actor: r.actor,
    at: iso(r.occurred_at)!,
    reason: r.reason,
    before: r.before,
    after: r.after,
  }));
}
