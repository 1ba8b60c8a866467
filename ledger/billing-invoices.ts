import type { Knex } from '@mikro-orm/postgresql';
import type { InvoiceContent } from '../domain/billing/invoice';
import { appendBillingEvent, BillingError } from './billing';
import { renamed } from './rows';

/**
 * The invoice to the city (BILL-3, BILL-4) in numbered revisions, its acceptance
 * and payment, and the payments we make to suppliers and carriers (BILL-2).
 */

export interface InvoiceRow {
  id: string;
  runId: string;
  revision: number;
  number: string;
  status: 'issued' | 'accepted' | 'rejected' | 'superseded';
  totalYen: number;
  content: InvoiceContent;
  issuedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  rejectionReason: string | null;
  paymentDueOn: string | null;
  paidYen: number;
  paidAt: string | null;
  overdueAt: string | null;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

const COLUMNS = `id, run_id, revision, number, status, total_yen, content, issued_at, decided_by, decided_at, rejection_reason,
  to_char(payment_due_on, 'YYYY-MM-DD') as payment_due_on, paid_yen, paid_at, overdue_at`;

function toInvoice(r: any): InvoiceRow {
  return {
    ...renamed(r, 'run_id revision number status total_yen content decided_by rejection_reason payment_due_on paid_yen'),
    id: String(r.id),
    issuedAt: iso(r.issued_at)!,
    decidedAt: iso(r.decided_at),
    paidAt: iso(r.paid_at),
    overdueAt: iso(r.overdue_at),
  };
}

/** The run's invoices, newest revision first. */
export async function invoicesOfRun(knex: Knex, runId: string): Promise<InvoiceRow[]> {
  const { rows } = await knex.raw(`select ${COLUMNS} from billing_invoices where run_id = ? order by revision desc`, [runId]);
  return rows.map(toInvoice);
}

export async function findInvoice(knex: Knex, runId: string, revision?: number): Promise<InvoiceRow | undefined> {
  const all = await invoicesOfRun(knex, runId);
  return revision === undefined ? all[0] : all.find((i) => i.revision === revision);
}

export async function invoiceFile(knex: Knex, runId: string, revision: number, kind: 'pdf' | 'csv'): Promise<Buffer | undefined> {
  const { rows } = await knex.raw(`select ${kind === 'pdf' ? 'pdf' : 'csv'} as body from billing_invoices where run_id = ? and revision = ?`, [runId, revision]);
  return rows[0]?.body;
}

/** Stores one revision (PDF and CSV as issued); the rejected revision before it becomes superseded. A repeat returns the stored one. */
export async function storeInvoice(knex: Knex, input: { runId: string; revision: number; content: InvoiceContent; pdf: Uint8Array; csv: Buffer; actor: string; at: string; reason?: string }): Promise<InvoiceRow> {
  return knex.transaction(async (trx) => {
    const { rows } = await trx.raw(
      `insert into billing_invoices (run_id, revision, number, status, total_yen, content, pdf, csv, issued_at) values (?, ?, ?, 'issued', ?, ?::jsonb, ?, ?, ?::timestamptz)
       on conflict (run_id, revision) do nothing returning id`,
      [input.runId, input.revision, input.content.number, input.content.totals.totalYen, JSON.stringify(input.content), Buffer.from(input.pdf), input.csv, input.at],
    );
    if (rows[0]) {
      const { rows: old } = await trx.raw(`update billing_invoices set status = 'superseded' where run_id = ? and revision < ? and status = 'rejected' returning revision`, [input.runId, input.revision]);
      await appendBillingEvent(trx, {
        runId: input.runId,
        invoiceId: String(rows[0].id),
        kind: 'invoice_issued',
        actor: input.actor,
        at: input.at,
        reason: input.reason ?? null,
        before: old.length ? { supersedes: old.map((o: any) => o.revision) } : null,
        after: { number: input.content.number, revision: input.revision, totalYen: input.content.totals.totalYen, capFlags: input.content.capFlags.length },
      });
    }
    return (await findInvoice(trx, input.runId, input.revision))!;
  });
}

export interface InvoiceDecision {
  runId: string;
  revision: number;
  decision: 'accept' | 'reject';
  reason?: string;
  actor: string;
  at: string;
  /** BILL-4: accepted date + payment days, computed by the workflow on its clock. */
  paymentDueOn?: string;
  key: string;
}

export async function decideInvoice(knex: Knex, d: InvoiceDecision): Promise<InvoiceRow> {
  return knex.transaction(async (trx) => {
    const { rows } = await trx.raw(`select id, status from billing_invoices where run_id = ? and revision = ? for update`, [d.runId, d.revision]);
    if (!rows[0]) throw new BillingError(404, `invoice revision ${d.revision} of ${d.runId} not found`);
    const to = d.decision === 'accept' ? 'accepted' : 'rejected';
    const fresh = await appendBillingEvent(trx, {
      runId: d.runId,
      invoiceId: String(rows[0].id),
      kind: d.decision === 'accept' ? 'invoice_accepted' : 'invoice_rejected',
      actor: d.actor,
      at: d.at,
      reason: d.reason ?? null,
      before: { status: rows[0].status },
      after: { status: to, paymentDueOn: d.paymentDueOn ?? null },
      key: d.key,
    });
    if (fresh) {
      if (rows[0].status !== 'issued') throw new BillingError(409, `invoice revision ${d.revision} is ${rows[0].status}`);
      await trx.raw(`update billing_invoices set status = ?, decided_by = ?, decided_at = ?::timestamptz, rejection_reason = ?, payment_due_on = ?::date where id = ?`, [
        to,
        d.actor,
        d.at,
        d.decision === 'reject' ? (d.reason ?? null) : null,
        d.paymentDueOn ?? null,
        rows[0].id,
      ]);
    }
    return (await findInvoice(trx, d.runId, d.revision))!;
  });
}

export interface CityPayment {
  runId: string;
  revision: number;
  amountYen: number;
  paidOn: string;
  reference: string;
  actor: string;
  at: string;
  key: string;
}

/** BILL-4: one payment by the city (partial payments add up); paid once the total is reached. */
export async function recordCityPayment(knex: Knex, p: CityPayment): Promise<{ paidYen: number; totalYen: number; paid: boolean }> {
  return knex.transaction(async (trx) => {
    const { rows } = await trx.raw(`select id, status, total_yen, paid_yen from billing_invoices where run_id = ? and revision = ? for update`, [p.runId, p.revision]);
    const inv = rows[0];
    if (!inv) throw new BillingError(404, `invoice revision ${p.revision} of ${p.runId} not found`);
    const { rows: ins } = await trx.raw(
      `insert into billing_city_payments (invoice_id, amount_yen, paid_on, reference, recorded_by, recorded_at, idempotency_key) values (?, ?, ?::date, ?, ?, ?::timestamptz, ?)
       on conflict (idempotency_key) do nothing returning id`,
      [inv.id, p.amountYen, p.paidOn, p.reference, p.actor, p.at, p.key],
    );
    let paidYen = inv.paid_yen as number;
    if (ins[0]) {
      if (inv.status !== 'accepted') throw new BillingError(409, `invoice revision ${p.revision} is ${inv.status}; payments are recorded on the accepted invoice`);
      paidYen += p.amountYen;
      await trx.raw(`update billing_invoices set paid_yen = ?, paid_at = case when ? >= total_yen then ?::timestamptz else paid_at end where id = ?`, [paidYen, paidYen, p.at, inv.id]);
      await appendBillingEvent(trx, {
        runId: p.runId,
        invoiceId: String(inv.id),
        kind: 'city_payment',
        actor: p.actor,
        at: p.at,
        reason: p.reference,
        before: { paidYen: inv.paid_yen },
        after: { paidYen, amountYen: p.amountYen, paidOn: p.paidOn },
      });
    }
    return { paidYen, totalYen: inv.total_yen, paid: paidYen >= inv.total_yen };
  });
}

export interface PaymentDeadlineExtension {
  runId: string;
  revision: number;
  /** The new payment due date (YYYY-MM-DD); later than the current one. */
  newDueOn: string;
  reason: string;
  actor: string;
  at: string;
  key: string;
}

/**
 * BILL-4 (7(7)ウ): the city extends the payment deadline of the accepted invoice by notice
 * beforehand. Who, when, the old and new dates and the reason are a billing_events row; the
 * invoice's payment_due_on moves (reminders and the overdue flag follow it in the workflow).
 * A date not after the current due date is refused (400), as is an invoice paid, not accepted or
 * already overdue (409: the notice comes before the deadline). A repeat of the same key changes nothing.
 */
export async function extendPaymentDeadline(knex: Knex, e: PaymentDeadlineExtension): Promise<InvoiceRow> {
  return knex.transaction(async (trx) => {
    const { rows } = await trx.raw(
      `select id, status, to_char(payment_due_on, 'YYYY-MM-DD') as payment_due_on, paid_at, overdue_at from billing_invoices where run_id = ? and revision = ? for update`,
      [e.runId, e.revision],
    );
    const inv = rows[0];
    if (!inv) throw new BillingError(404, `invoice revision ${e.revision} of ${e.runId} not found`);
    const fresh = await appendBillingEvent(trx, {
      runId: e.runId,
      invoiceId: String(inv.id),
      kind: 'payment_deadline_extended',
      actor: e.actor,
      at: e.at,
      reason: e.reason,
      before: { paymentDueOn: inv.payment_due_on },
      after: { paymentDueOn: e.newDueOn },
      key: e.key,
    });
    if (fresh) {
      if (inv.status !== 'accepted' || !inv.payment_due_on) throw new BillingError(409, `invoice revision ${e.revision} is ${inv.status}; only an accepted invoice has a payment deadline to extend`);
      if (inv.paid_at) throw new BillingError(409, `invoice revision ${e.revision} is paid`);
      if (inv.overdue_at) throw new BillingError(409, `the payment deadline ${inv.payment_due_on} has passed; it is extended by notice beforehand`);
      if (!(e.newDueOn > inv.payment_due_on)) throw new BillingError(400, `newDueOn must be after the current payment due date ${inv.payment_due_on}`);
      await trx.raw(`update billing_invoices set payment_due_on = ?::date where id = ?`, [e.newDueOn, inv.id]);
    }
    return (await findInvoice(trx, e.runId, e.revision))!;
  });
}

export async function markInvoiceOverdue(knex: Knex, input: { runId: string; revision: number; at: string }): Promise<void> {
  await knex.raw(`update billing_invoices set overdue_at = coalesce(overdue_at, ?::timestamptz) where run_id = ? and revision = ?`, [input.at, input.runId, input.revision]);
}

export interface Payable {
  payeeKind: 'supplier' | 'carrier';
  payeeCode: string;
  payeeName: string;
  shipments: number;
  payableYen: number;
  paidYen: number;
  outstandingYen: number;
}

/**
 * BILL-2: what the month's actual shipments owe — procurement to each supplier, shipping to
 * each carrier — from the statements as confirmed (or overridden), less what was paid.
 */
export async function payables(knex: Knex, runId: string): Promise<Payable[]> {
  const { rows } = await knex.raw(
    `with owed as (
       select 'supplier' as kind, t.supplier_code as code, t.supplier_name as name, count(*)::int as n, sum(l.procurement_cost_yen)::int as yen
         from billing_statements t join billing_statement_lines l on l.statement_id = t.id where t.run_id = ? and not l.voided group by t.supplier_code, t.supplier_name
       union all
       select 'carrier', coalesce(l.carrier, 'unknown'), coalesce(l.carrier, 'unknown'), count(*)::int, sum(l.shipping_cost_yen)::int
         from billing_statements t join billing_statement_lines l on l.statement_id = t.id where t.run_id = ? and not l.voided group by coalesce(l.carrier, 'unknown')
     ), paid as (
       select payee_kind as kind, payee_code as code, sum(amount_yen)::int as yen from billing_payee_payments where run_id = ? group by payee_kind, payee_code
     )
     select o.kind, o.code, o.name, o.n, o.yen, coalesce(p.yen, 0) as paid from owed o left join paid p on p.kind = o.kind and p.code = o.code
      order by o.kind desc, o.code`,
    [runId, runId, runId],
  );
  return rows.map((r: any) => ({ payeeKind: r.kind, payeeCode: r.code, payeeName: r.name, shipments: r.n, payableYen: r.yen, paidYen: r.paid, outstandingYen: r.yen - r.paid }));
}

export interface PayeePayment {
  runId: string;
  payeeKind: 'supplier' | 'carrier';
  payeeCode: string;
  amountYen: number;
  paidOn: string;
  reference: string;
  actor: string;
}

/** Records one payment made; more than is outstanding is refused (an overpayment is a mistake to catch, not to record). */
export async function recordPayeePayment(knex: Knex, p: PayeePayment): Promise<Payable> {
  return knex.transaction(async (trx) => {
    // Serialises payments of one run so two clerks cannot both pay the last outstanding yen.
    await trx.raw(`select id from billing_runs where id = ? for update`, [p.runId]);
    const { rows: statements } = await trx.raw(`select count(*) filter (where status <> 'confirmed')::int as open, count(*)::int as n from billing_statements where run_id = ?`, [p.runId]);
    const { rows: run } = await trx.raw(`select override_at from billing_runs where id = ?`, [p.runId]);
    if (!run[0]) throw new BillingError(404, `billing run ${p.runId} not found`);
    if (statements[0].open > 0 && !run[0].override_at) throw new BillingError(409, 'payments follow confirmed statements: some are not confirmed yet');
    const owed = (await payables(trx, p.runId)).find((x) => x.payeeKind === p.payeeKind && x.payeeCode === p.payeeCode);
    if (!owed) throw new BillingError(404, `${p.payeeKind} ${p.payeeCode} has nothing payable in ${p.runId}`);
    if (p.amountYen > owed.outstandingYen) throw new BillingError(409, `${p.amountYen} yen is more than the ${owed.outstandingYen} yen outstanding to ${p.payeeKind} ${p.payeeCode}`);
    const { rows } = await trx.raw(
      `insert into billing_payee_payments (run_id, payee_kind, payee_code, amount_yen, paid_on, reference, recorded_by) values (?, ?, ?, ?, ?::date, ?, ?)
       on conflict (run_id, payee_kind, payee_code, reference) do nothing returning id`,
      [p.runId, p.payeeKind, p.payeeCode, p.amountYen, p.paidOn, p.reference, p.actor],
    );
    if (!rows[0]) throw new BillingError(409, `payment ${p.reference} to ${p.payeeKind} ${p.payeeCode} is already recorded`);
    await appendBillingEvent(trx, {
      runId: p.runId,
      kind: 'payee_payment',
      actor: p.actor,
      reason: p.reference,
      before: { paidYen: owed.paidYen, outstandingYen: owed.outstandingYen },
      after: { payeeKind: p.payeeKind, payeeCode: p.payeeCode, amountYen: p.amountYen, paidOn: p.paidOn, outstandingYen: owed.outstandingYen - p.amountYen },
    });
    return (await payables(trx, p.runId)).find((x) => x.payeeKind === p.payeeKind && x.payeeCode === p.payeeCode)!;
  });
}

export async function payeePayments(knex: Knex, runId: string) {
  const { rows } = await knex.raw(
    `select payee_kind, payee_code, amount_yen, to_char(paid_on, 'YYYY-MM-DD') as paid_on, reference, recorded_by, recorded_at from billing_payee_payments where run_id = ? order by id`,
    [runId],
  );
  return rows.map((r: any) => ({ payeeKind: r.payee_kind, payeeCode: r.payee_code, amountYen: r.amount_yen, paidOn: r.paid_on, reference: r.reference, recordedBy: r.recorded_by, recordedAt: iso(r.recorded_at) }));
}
