import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { planColumns, type DestructionPlan } from './destruction-plan';
import { OneStopError } from './onestop-error';
import { isoOrNull, renamed } from './rows';

/**
 * MYNUM-5 (特記12) at the end of the contract: the city directs, per donation year, whether the
 * one-stop 特定個人情報 (個人番号, scans, particulars of the year's applications) is returned or
 * destroyed. Both go through the path REC-1 uses: a return leaves as the MYNUM-2 encrypted,
 * registered export and is recorded by a MYNUM-4 handover naming that export, confirmed by the city;
 * then the system's copy of every directed year — returned or not — is erased by one destruction
 * (purpose contract_end) the city consents to like any other, carried out by the retention workflow.
 * The consent is refused while a year to be returned has no confirmed handover: nothing is erased
 * before the city holds its copy. Never a 個人番号 here: ids, years, counts and checksums.
 */

export type ContractEndAction = 'return' | 'destroy';
export interface ContractEndDirection {
  donationYear: number;
  action: ContractEndAction;
}

export interface ContractEnd {
  id: string;
  directions: ContractEndDirection[];
  reason: string;
  directedBy: string;
  directedAt: string;
  destructionId: string;
}

const toContractEnd = (r: any): ContractEnd => ({
  id: r.id,
  directions: r.directions,
  reason: r.reason,
  directedBy: r.directed_by,
  directedAt: isoOrNull(r.directed_at)!,
  destructionId: r.destruction_id,
});

/** The one-stop applications of a donation year: their 申告特例 deadline falls in the following year. */
const ofYear = (q: Knex.QueryBuilder, year: number) => q.whereBetween('a.deadline_on', [`${year + 1}-01-01`, `${year + 1}-12-31`]);

/**
 * Records the city's direction and opens its destruction (status proposed, purpose contract_end) of
 * every application of the directed years that still holds a 個人番号 or personal data, whatever its
 * status or retention. A year already directed is refused (409); the plan's physical media (paper,
 * USB) are destroyed by a person and recorded on the destruction.
 */
export async function directContractEnd(
  knex: Knex,
  input: { directions: ContractEndDirection[]; reason: string; asOf: string; retentionYears: number; plan?: DestructionPlan },
  by: string,
): Promise<{ contractEnd: ContractEnd; applications: number }> {
  const plan = planColumns(input.plan, input.asOf);
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['mynumber-contract-end']);
    const years = input.directions.map((d) => d.donationYear);
    const earlier = await trx('mynumber_contract_ends').select('id', 'directions');
    const taken = years.filter((y) => earlier.some((e: { directions: ContractEndDirection[] }) => e.directions.some((d) => d.donationYear === y)));
    if (taken.length) throw new OneStopError('conflict', `the donation years ${taken.join(', ')} are already directed at the end of the contract`);
    const apps: { id: string }[] = await trx('onestop_applications as a')
      .select('a.id')
      .where((q) => q.whereNull('a.my_number_destroyed_at').orWhereNull('a.personal_data_purged_at'))
      .where((q) => {
        for (const y of years) q.orWhere((o) => ofYear(o, y));
      })
      .orderBy('a.deadline_on')
      .orderBy('a.id');
    const destructionId = randomUUID();
    await trx('retention_destructions').insert({
      id: destructionId,
      status: 'proposed',
      scope: 'onestop',
      purpose: 'contract_end',
      retention_years: input.retentionYears,
      as_of: input.asOf,
      application_ids: JSON.stringify(apps.map((a) => a.id)),
      item_count: apps.length,
      proposed_by: by,
      ...plan,
    });
    const id = randomUUID();
    await trx('mynumber_contract_ends').insert({ id, directions: JSON.stringify(input.directions), reason: input.reason, directed_by: by, destruction_id: destructionId });
    return { contractEnd: toContractEnd(await trx('mynumber_contract_ends').where({ id }).first()), applications: apps.length };
  });
}

export async function findContractEnd(knex: Knex, id: string): Promise<ContractEnd | undefined> {
  const r = await knex('mynumber_contract_ends').where({ id }).first();
  return r ? toContractEnd(r) : undefined;
}

/** The return of a year: a handover of that year that left as an export with its scans and that the city confirmed. */
export interface YearReturn {
  handoverId: string;
  exportId: string;
  packageSha256: string;
  packageApplications: number | null;
  receiver: string | null;
  handedOverAt: string | null;
  confirmedBy: string | null;
  confirmedAt: string | null;
}

async function returnOf(knex: Knex, year: number): Promise<YearReturn | undefined> {
  // A return is whole only if its export packed the scans too: the 申請書 images carry the numbers.
  const h = await knex('mynumber_handovers as h')
    .join('mynumber_exports as x', 'x.id', 'h.export_id')
    .where({ 'h.donation_year': year, 'x.include_scans': true })
    .whereNotNull('h.confirmed_at')
    .orderBy('h.confirmed_at', 'desc')
    .first('h.*');
  if (!h) return undefined;
  return { handoverId: h.id, ...renamed(h, 'export_id package_sha256 package_applications receiver'), handedOverAt: isoOrNull(h.handed_over_at), confirmedBy: h.confirmed_by, confirmedAt: isoOrNull(h.confirmed_at) };
}

/**
 * The city may consent to a contract-end destruction only once every year it directed to be returned
 * has a confirmed handover that left as an export; refused (409) before. Other destructions pass.
 */
export async function assertReturnsConfirmed(knex: Knex, destructionId: string): Promise<void> {
  const c = await knex('mynumber_contract_ends').where({ destruction_id: destructionId }).first();
  if (!c) return;
  const missing: number[] = [];
  for (const d of c.directions as ContractEndDirection[]) if (d.action === 'return' && !(await returnOf(knex, d.donationYear))) missing.push(d.donationYear);
  if (missing.length) {
    throw new OneStopError('conflict', `the donation years ${missing.join(', ')} are to be returned: hand them over as a MYNUM-2 export with the scans (POST /mynumber/exports with includeScans, then POST /mynumber/handovers/{id}/handed-over with exportId) and have the city confirm receipt before the system's copy is erased`);
  }
}

/** Per directed year: what went where, and what the system still holds of it. */
export interface ContractEndYear {
  donationYear: number;
  action: ContractEndAction;
  applications: number;
  returned: YearReturn | null;
  /** Applications of the year still holding a 個人番号 or personal data in the system. */
  remaining: number;
}

/**
 * The final report's figures: per directed year the return (export, handover, confirmation) and
 * what remains; the destruction's state; and the years that still hold 特定個人情報 but were not
 * directed (the city must direct them too before the contract ends).
 */
export async function contractEndState(knex: Knex, c: ContractEnd) {
  const destruction = await knex('retention_destructions').select('application_ids').where({ id: c.destructionId }).first();
  const ids: string[] = destruction?.application_ids ?? [];
  const years: ContractEndYear[] = [];
  for (const d of c.directions) {
    const [{ applications, remaining }] = await ofYear(knex('onestop_applications as a'), d.donationYear).select(
      knex.raw('count(*) filter (where a.id::text = any(?))::int as applications', [ids]),
      knex.raw('count(*) filter (where a.my_number_destroyed_at is null or a.personal_data_purged_at is null)::int as remaining'),
    );
    years.push({ donationYear: d.donationYear, action: d.action, applications, returned: (await returnOf(knex, d.donationYear)) ?? null, remaining });
  }
  const held = await knex('onestop_applications as a')
    .select(knex.raw('extract(year from a.deadline_on)::int - 1 as year'), knex.raw('count(*)::int as n'))
    .where((q) => q.whereNull('a.my_number_destroyed_at').orWhereNull('a.personal_data_purged_at'))
    .groupByRaw('1')
    .orderByRaw('1');
  const all: { directions: ContractEndDirection[] }[] = await knex('mynumber_contract_ends').select('directions');
  const directed = new Set(all.flatMap((e) => e.directions.map((d) => d.donationYear)));
  const notDirected = held.filter((r: { year: number }) => !directed.has(r.year)).map((r: { year: number; n: number }) => ({ donationYear: r.year, applications: r.n }));
  return { years, notDirected };
}
