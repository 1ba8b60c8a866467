import type { Knex } from 'knex';

/**
 * The state of a billing run as the ledger shows it (the workflow's own stage can be finer, e.g. waiting for
 * the report's inspection, which the ledger sees as `invoicing`): no statements yet, statements awaiting the
 * suppliers, every statement confirmed and no invoice yet, then the latest invoice's revision.
 */
export const BILLING_RUN_STATUSES = ['gathering', 'awaiting_confirmation', 'invoicing', 'invoice_issued', 'invoice_rejected', 'awaiting_payment', 'paid'] as const;
export type BillingRunStatus = (typeof BILLING_RUN_STATUSES)[number];

export interface BillingRunListFilter {
  month?: string;
  /** A run limited to some suppliers by its label; `''` is not a label (use `scope`). */
  label?: string;
  /** `all`: runs for every supplier; `scoped`: runs limited to some suppliers. */
  scope?: 'all' | 'scoped';
  status?: BillingRunStatus;
  /** Runs that bill this supplier (it has a statement in the run, or the run is limited to it). */
  supplierCode?: string;
  limit: number;
  offset: number;
}

export interface BillingRunListRow {
  id: string;
  month: string;
  scopeLabel: string | null;
  scopeSuppliers: string[] | null;
  requestedBy: string;
  createdAt: string;
  status: BillingRunStatus;
  statements: { total: number; confirmed: number; disputed: number };
  invoice: { revision: number; number: string; status: string; totalYen: number } | null;
}

/** BILL-1…4: every billing run, labelled ones included, newest month first (in a month the run for every supplier, then the newest labelled run); filters and offset paging. */
export async function listBillingRuns(knex: Knex, f: BillingRunListFilter): Promise<{ runs: BillingRunListRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.month) (where.push(`r.month = ?::date`), params.push(`${f.month}-01`));
  if (f.label) (where.push(`r.scope_label = ?`), params.push(f.label));
  if (f.scope === 'all') where.push(`r.scope_label is null`);
  if (f.scope === 'scoped') where.push(`r.scope_label is not null`);
  if (f.supplierCode) {
    where.push(`(? = any(r.scope_suppliers) or exists (select 1 from billing_statements t where t.run_id = r.id and t.supplier_code = ?))`);
    params.push(f.supplierCode, f.supplierCode);
  }
  const { rows } = await knex.raw(
    `with runs as (
       select r.id, to_char(r.month, 'YYYY-MM') as month, r.month as month_date, r.scope_label, r.scope_suppliers, r.requested_by, r.created_at,
              st.total, st.confirmed, st.disputed, inv.revision, inv.number, inv.status as invoice_status, inv.total_yen,
              case
                when inv.status = 'accepted' and inv.paid_at is not null then 'paid'
                when inv.status = 'accepted' then 'awaiting_payment'
                when inv.status = 'issued' then 'invoice_issued'
                when inv.status = 'rejected' then 'invoice_rejected'
                when st.total = 0 then 'gathering'
                when st.confirmed < st.total then 'awaiting_confirmation'
                else 'invoicing'
              end as status
         from billing_runs r
         cross join lateral (
           select count(*)::int as total, (count(*) filter (where t.status = 'confirmed'))::int as confirmed, (count(*) filter (where t.status = 'disputed'))::int as disputed
             from billing_statements t where t.run_id = r.id) st
         left join lateral (
           select i.revision, i.number, i.status, i.total_yen, i.paid_at from billing_invoices i where i.run_id = r.id order by i.revision desc limit 1) inv on true
        ${where.length ? `where ${where.join(' and ')}` : ''}
     )
     select *, count(*) over ()::int as total_rows from runs ${f.status ? 'where status = ?' : ''}
      order by month_date desc, scope_label is not null, created_at desc, id limit ? offset ?`,
    [...params, ...(f.status ? [f.status] : []), f.limit, f.offset],
  );
  let total = rows[0]?.total_rows ?? 0;
  if (!rows.length && f.offset > 0) {
    // Past the last page: the count still answers.
    const again = await listBillingRuns(knex, { ...f, limit: 1, offset: 0 });
    total = again.total;
  }
  return {
    total,
    runs: rows.map((r: any) => ({
      id: r.id,
      month: r.month,
      scopeLabel: r.scope_label,
      scopeSuppliers: r.scope_suppliers,
      requestedBy: r.requested_by,
      createdAt: new Date(r.created_at).toISOString(),
      status: r.status,
      statements: { total: r.total, confirmed: r.confirmed, disputed: r.disputed },
      invoice: r.revision ? { revision: r.revision, number: r.number, status: r.invoice_status, totalYen: r.total_yen } : null,
    })),
  };
}
