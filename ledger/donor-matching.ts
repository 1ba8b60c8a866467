import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { decideMatch, identityKeys, type IdentityKeys, type KnownRecord } from '../domain/intake/donor-identity';

/**
 * 名寄せ in the ledger. A donor row is one way a person was written on one
 * portal; `donor_persons` is the person, `donor_person_members` links each row
 * to its person with the notation-free keys it was matched by, and
 * `donor_match_reviews` holds the records an operator has to decide (same kana,
 * conflicting identifiers): those get a person of their own until then, so no
 * history is merged on a guess.
 *
 * Written against a bare "run SQL" function so that both registration paths
 * (knex inside their transaction) share it.
 */
export type RunSql = (sql: string, bindings: readonly unknown[]) => Promise<Record<string, any>[]>;

/** A RunSql on a knex (inside a transaction: pass the transaction). */
export const sqlOn = (db: Knex): RunSql => async (sql, bindings) => (await db.raw(sql, bindings as Knex.RawBinding[])).rows;

export interface DonorToLink {
  donorId: string;
  nameKana: string;
  phone?: string | null;
  postalCode: string;
  address: string;
  birthDate?: string | null;
}

export interface LinkResult {
  donorId: string;
  personId: string;
  kind: 'join' | 'new' | 'ambiguous';
}

/**
 * Links donors that have no person yet; donors already linked are left alone
 * (idempotent: a repeated batch links nothing twice). Records are decided in
 * order, so two rows of the same person in one batch end up together. Callers
 * run it inside a transaction: the per-kana advisory locks keep two imports
 * from each creating a person for the same human.
 */
export async function linkDonors(sql: RunSql, donors: DonorToLink[], actor: string): Promise<LinkResult[]> {
  if (!donors.length) return [];
  const linked = new Set(
    (await sql('select donor_id from donor_person_members where donor_id = any(?::uuid[])', [pgArray(donors.map((d) => d.donorId))])).map((r) => String(r.donor_id)),
  );
  await refreshKeys(sql, donors.filter((d) => linked.has(d.donorId)));
  const todo = dedupe(donors.filter((d) => !linked.has(d.donorId)));
  if (!todo.length) return [];
  const keyed = todo.map((d) => ({ d, keys: identityKeys(d) }));
  const kanas = [...new Set(keyed.map((k) => k.keys.kana).filter(Boolean))].sort();
  if (kanas.length) await sql(`select pg_advisory_xact_lock(hashtext('donor-person:' || k)) from unnest(?::text[]) k order by k`, [pgArray(kanas)]);
  // Only persons with a record agreeing on kana plus one identifier can be joined or conflict; a common
  // name is shared by thousands, so those are found by (kana, identifier) probes, then all their records
  // are read (a birth date on another record of the same person still counts).
  const probe = (field: 'phone' | 'address' | 'birthDate') =>
    JSON.stringify(keyed.filter((k) => k.keys.kana && k.keys[field]).map((k) => ({ kana: k.keys.kana, v: k.keys[field] })));
  const known: KnownRecord[] = kanas.length
    ? (
        await sql(
          `with hit as (
             select m.person_id from donor_person_members m join jsonb_to_recordset(?::jsonb) as k(kana text, v text) on m.kana_key = k.kana and m.phone_key = k.v
             union select m.person_id from donor_person_members m join jsonb_to_recordset(?::jsonb) as k(kana text, v text) on m.kana_key = k.kana and m.address_key = k.v
             union select m.person_id from donor_person_members m join jsonb_to_recordset(?::jsonb) as k(kana text, v date) on m.kana_key = k.kana and m.birth_date = k.v)
           select m.person_id, m.kana_key, m.phone_key, m.address_key, to_char(m.birth_date, 'YYYY-MM-DD') as birth_date
             from donor_person_members m join hit using (person_id)`,
          [probe('phone'), probe('address'), probe('birthDate')],
        )
      ).map((r) => ({ personId: String(r.person_id), kana: r.kana_key, phone: r.phone_key, address: r.address_key, birthDate: r.birth_date }))
    : [];

  const persons: string[] = [];
  const members: Record<string, unknown>[] = [];
  const reviews: Record<string, unknown>[] = [];
  const out: LinkResult[] = [];
  for (const { d, keys } of keyed) {
    const decision = decideMatch(keys, known);
    const personId = decision.kind === 'join' ? decision.personId : randomUUID();
    if (decision.kind !== 'join') persons.push(personId);
    members.push(member(d.donorId, personId, keys, decision.kind === 'join' ? decision.matchedOn : [], actor));
    if (decision.kind === 'ambiguous') reviews.push({ donor_id: d.donorId, person_id: personId, candidates: decision.candidates, reason: decision.reason });
    known.push({ personId, ...keys });
    out.push({ donorId: d.donorId, personId, kind: decision.kind });
  }
  if (persons.length) await sql('insert into donor_persons (id) select unnest(?::uuid[])', [pgArray(persons)]);
  await sql(
    `insert into donor_person_members (donor_id, person_id, kana_key, phone_key, address_key, birth_date, matched_on, linked_by)
     select donor_id, person_id, kana_key, phone_key, address_key, birth_date, array(select jsonb_array_elements_text(matched_on)), linked_by
       from jsonb_to_recordset(?::jsonb) as x(donor_id uuid, person_id uuid, kana_key text, phone_key text, address_key text, birth_date date, matched_on jsonb, linked_by text)
     on conflict (donor_id) do nothing`,
    [JSON.stringify(members)],
  );
  if (reviews.length) {
    await sql(
      `insert into donor_match_reviews (donor_id, person_id, candidates, reason)
       select donor_id, person_id, array(select jsonb_array_elements_text(candidates))::uuid[], reason
         from jsonb_to_recordset(?::jsonb) as x(donor_id uuid, person_id uuid, candidates jsonb, reason text)
       on conflict (donor_id) where status = 'open' do nothing`,
      [JSON.stringify(reviews)],
    );
  }
  return out;
}

/**
 * Links every donor row that has no person yet (rows written before 名寄せ existed), oldest first, a
 * batch per transaction, by the same rules as registration. Registration links its own rows, so on a
 * ledger that began with 名寄せ this finds nothing. Returns how many rows it linked.
 */
export async function linkUnlinkedDonors(
  knex: Knex,
  opts: { batch?: number; actor?: string; onBatch?: (linked: number) => void } = {},
): Promise<number> {
  let total = 0;
  for (;;) {
    const linked = await knex.transaction(async (trx) => {
      const sql = sqlOn(trx);
      const donors = await sql(
        `select id, name_kana, phone, postal_code, address from donors d
          where not exists (select 1 from donor_person_members m where m.donor_id = d.id) order by created_at, id limit ?::int`,
        [opts.batch ?? 1000],
      );
      const out = await linkDonors(
        sql,
        donors.map((d) => ({ donorId: String(d.id), nameKana: d.name_kana, phone: d.phone, postalCode: d.postal_code, address: d.address })),
        opts.actor ?? 'system:link-donors',
      );
      return out.length;
    });
    if (!linked) return total;
    total += linked;
    opts.onBatch?.(total);
  }
}

/**
 * A linked donor row that has since gained a phone (filled in by a later order) or a birth date gets
 * those keys, so the next record of the same person is recognised by them. Only an empty key is
 * filled, and only with what the donor row now holds; no person is merged here.
 */
async function refreshKeys(sql: RunSql, donors: DonorToLink[]): Promise<void> {
  const withKeys = dedupe(donors)
    .map((d) => ({ donor_id: d.donorId, ...identityKeys(d) }))
    .filter((k) => k.phone || k.birthDate)
    .map((k) => ({ donor_id: k.donor_id, phone: k.phone, birth_date: k.birthDate }));
  if (!withKeys.length) return;
  await sql(
    `update donor_person_members m
        set phone_key = coalesce(m.phone_key, case when regexp_replace(coalesce(d.phone, ''), '\\D', '', 'g') = k.phone then k.phone end),
            birth_date = coalesce(m.birth_date, k.birth_date)
       from jsonb_to_recordset(?::jsonb) as k(donor_id uuid, phone text, birth_date date)
       join donors d on d.id = k.donor_id
      where m.donor_id = k.donor_id
        and ((m.phone_key is null and regexp_replace(coalesce(d.phone, ''), '\\D', '', 'g') = k.phone) or (m.birth_date is null and k.birth_date is not null))`,
    [JSON.stringify(withKeys)],
  );
}

function member(donorId: string, personId: string, k: IdentityKeys, matchedOn: string[], actor: string): Record<string, unknown> {
  return { donor_id: donorId, person_id: personId, kana_key: k.kana, phone_key: k.phone, address_key: k.address, birth_date: k.birthDate, matched_on: matchedOn, linked_by: actor };
}

function dedupe(donors: DonorToLink[]): DonorToLink[] {
  const seen = new Map<string, DonorToLink>();
  for (const d of donors) if (!seen.has(d.donorId)) seen.set(d.donorId, d);
  return [...seen.values()];
}

/** A pg array literal: knex spreads JS arrays in raw bindings. Values here are uuids and kana keys (no quotes or backslashes survive normalisation, but escape anyway). */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** The donor's person: every donor row of it and their donations across portals, plus open or decided reviews. */
export async function donorHistory(sql: RunSql, donorId: string): Promise<DonorHistory | null> {
  const [d] = await sql('select d.*, m.person_id, m.matched_on from donors d left join donor_person_members m on m.donor_id = d.id where d.id = ?::uuid', [donorId]);
  if (!d) return null;
  const personId = d.person_id ? String(d.person_id) : null;
  const records = personId
    ? await sql(
        `select d.id, d.name, d.name_kana, d.postal_code, d.prefecture, d.address, d.phone, d.email, m.matched_on, m.linked_by, m.linked_at
           from donor_person_members m join donors d on d.id = m.donor_id where m.person_id = ?::uuid order by m.linked_at, d.id`,
        [personId],
      )
    : [{ ...d, matched_on: [], linked_by: null, linked_at: null }];
  const ids = records.map((r) => String(r.id));
  const donations = await sql(
    `select id, portal_code, portal_order_id, donor_id, status, amount_yen, applied_at, paid_at
       from donations where donor_id = any(?::uuid[]) order by applied_at, id`,
    [pgArray(ids)],
  );
  const reviews = await sql(
    `select id, donor_id, person_id, candidates, reason, status, decided_by, decided_at, note, created_at
       from donor_match_reviews where donor_id = any(?::uuid[]) or person_id = any(?::uuid[]) or ?::uuid = any(candidates) order by id`,
    [pgArray(ids), pgArray(personId ? [personId] : []), personId],
  );
  return {
    donorId,
    personId,
    records: records.map((r) => ({
      donorId: String(r.id), name: r.name, nameKana: r.name_kana, postalCode: r.postal_code, prefecture: r.prefecture, address: r.address,
      phone: r.phone ?? null, email: r.email ?? null, matchedOn: r.matched_on ?? [], linkedBy: r.linked_by ?? null,
    })),
    donations: donations.map((x) => ({
      id: String(x.id), portal: x.portal_code, portalOrderId: x.portal_order_id, donorId: String(x.donor_id), status: x.status, amountYen: x.amount_yen,
      appliedAt: new Date(x.applied_at).toISOString(), paidAt: x.paid_at ? new Date(x.paid_at).toISOString() : null,
    })),
    reviews: reviews.map(reviewView),
  };
}

export interface DonorHistory {
  donorId: string;
  personId: string | null;
  records: { donorId: string; name: string; nameKana: string; postalCode: string; prefecture: string; address: string; phone: string | null; email: string | null; matchedOn: string[]; linkedBy: string | null }[];
  donations: { id: string; portal: string; portalOrderId: string; donorId: string; status: string; amountYen: number; appliedAt: string; paidAt: string | null }[];
  reviews: MatchReview[];
}

export interface MatchReview {
  id: string;
  donorId: string;
  personId: string;
  candidates: string[];
  reason: string;
  status: 'open' | 'merged' | 'separate';
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
  createdAt: string;
}

function reviewView(r: Record<string, any>): MatchReview {
  return {
    id: String(r.id), donorId: String(r.donor_id), personId: String(r.person_id), candidates: (r.candidates ?? []).map(String), reason: r.reason, status: r.status,
    decidedBy: r.decided_by ?? null, decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null, note: r.note ?? null, createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function listMatchReviews(sql: RunSql, f: { status?: string; limit: number; offset: number }): Promise<MatchReview[]> {
  const rows = await sql(
    `select * from donor_match_reviews where (?::text is null or status = ?::text) order by id limit ?::int offset ?::int`,
    [f.status ?? null, f.status ?? null, f.limit, f.offset],
  );
  return rows.map(reviewView);
}

export class MatchReviewError extends Error {
  override name = 'MatchReviewError';
}

/**
 * An operator's decision on an ambiguous record: `merge` moves the donor row
 * (and everything already linked to its provisional person) into one of the
 * candidate persons; `separate` confirms it is someone else. Either way the
 * review keeps who, when and why.
 */
export async function decideMatchReview(
  sql: RunSql,
  id: string,
  decision: { decision: 'merge' | 'separate'; personId?: string; note: string },
  actor: string,
): Promise<MatchReview> {
  const [r] = await sql('select * from donor_match_reviews where id = ?::bigint for update', [id]);
  if (!r) throw new MatchReviewError(`match review ${id} not found`);
  if (r.status !== 'open') throw new MatchReviewError(`match review ${id} is already ${r.status}`);
  if (decision.decision === 'merge') {
    const target = decision.personId;
    if (!target || !(r.candidates ?? []).map(String).includes(target)) throw new MatchReviewError(`personId must be one of the candidates: ${(r.candidates ?? []).join(', ')}`);
    await sql(`update donor_person_members set person_id = ?::uuid, matched_on = array['operator'], linked_by = ?::text, linked_at = now() where person_id = ?::uuid`, [
      target, actor, String(r.person_id),
    ]);
  }
  const [updated] = await sql(
    `update donor_match_reviews set status = ?::text, decided_by = ?::text, decided_at = now(), note = ?::text, merged_into = ?::uuid where id = ?::bigint returning *`,
    [decision.decision === 'merge' ? 'merged' : 'separate', actor, decision.note, decision.decision === 'merge' ? decision.personId : null, id],
  );
  return reviewView(updated);
}
