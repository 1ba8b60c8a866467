import type { Knex } from 'knex';

/**
 * What the rehearsal reads from the ledger to play the people around the system (which
 * shipments a supplier hands over today, which envelopes are posted) and to know when the
 * workflows have settled. A harness's reads, like bench:ship's; the product's rules are not here.
 */
export async function donationsByOrder(knex: Knex, orderIds: string[]): Promise<{ id: string; portal_order_id: string }[]> {
  const { rows } = await knex.raw(`select id, portal_order_id from donations where portal_order_id = any (?::text[])`, [orderIds]);
  return rows;
}

export async function donationRow(knex: Knex, id: string): Promise<{ id: string; workflow_id: string; status: string; paid_at: Date | null; documents_sent_at: Date | null } | undefined> {
  const { rows } = await knex.raw(`select id, workflow_id, status, paid_at, documents_sent_at from donations where id = ?`, [id]);
  return rows[0];
}

/** Donations, shipments and one-stop applications in a state their workflow leaves by itself within moments. */
export async function transient(knex: Knex): Promise<number> {
  const { rows } = await knex.raw(
    `select (select count(*) from donations where status in ('received', 'paid'))
          + (select count(*) from shipments where status = 'planned' and (not_before is null or not_before <= current_date))
          + (select count(*) from onestop_applications where status = 'received') as n`,
  );
  return Number(rows[0].n);
}

/** Donations held for review (INTAKE-4): the operators' queue. */
export async function heldDonations(knex: Knex): Promise<{ id: string; workflow_id: string }[]> {
  const { rows } = await knex.raw(`select id, workflow_id from donations where status = 'held' order by id`);
  return rows;
}

/** Donations not yet at an end: completed, cancelled, or held for review (the bad rows' end). */
export async function openDonations(knex: Knex): Promise<number> {
  const { rows } = await knex.raw(`select count(*)::int as n from donations where status not in ('completed', 'cancelled', 'held')`);
  return rows[0].n;
}

export async function shipmentsToShip(knex: Knex, day: string): Promise<{ workflow_id: string; carrier: string; seq: number }[]> {
  const { rows } = await knex.raw(
    `select s.workflow_id, coalesce(g.carrier, p.default_carrier, 'yamato_b2') as carrier, row_number() over (order by s.id)::int as seq
       from shipments s join gifts g on g.code = s.gift_code join suppliers p on p.id = s.supplier_id
      where s.status = 'ordered' and s.planned_ship_on <= ?::date`,
    [day],
  );
  return rows;
}

export async function shipmentsToDeliver(knex: Knex, shippedBy: string): Promise<{ workflow_id: string; donation_id: string; attempt: number }[]> {
  const { rows } = await knex.raw(`select workflow_id, donation_id, attempt from shipments where status = 'shipped' and shipped_on <= ?::date`, [shippedBy]);
  return rows;
}

/** A print batch's state as its workflow left it in the ledger (no Temporal query: the test server takes a time lock for each query that can outlive it). */
export async function printBatchOf(knex: Knex, workflowId: string): Promise<{ status: string; envelope_count: number } | undefined> {
  const { rows } = await knex.raw(`select status, envelope_count from print_batches where workflow_id = ?`, [workflowId]);
  return rows[0];
}

export interface BillingRunState {
  statements: { supplierCode: string; revision: number; status: string }[];
  invoice?: { number: string; revision: number; status: string };
}

/** The month's billing run as the ledger has it: statements sent or confirmed, the latest invoice. */
export async function billingRunOf(knex: Knex, runId: string): Promise<BillingRunState | undefined> {
  const { rows: runs } = await knex.raw(`select id from billing_runs where id = ?`, [runId]);
  if (!runs.length) return undefined;
  const { rows: statements } = await knex.raw(`select supplier_code as "supplierCode", revision, status from billing_statements where run_id = ? order by supplier_code`, [runId]);
  const { rows: invoices } = await knex.raw(`select number, revision, status from billing_invoices where run_id = ? order by revision desc limit 1`, [runId]);
  return { statements, invoice: invoices[0] };
}
