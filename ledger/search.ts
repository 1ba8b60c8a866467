import type { Knex } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DonationStatus } from '../domain/donation-status';

/**
 * LEDGER-2: search under arbitrary combinations of conditions, with totals for the whole
 * result and offset or keyset paging. Every value reaches SQL as a bound parameter.
 * Order is (applied_at desc, id desc); the keyset cursor is that pair, opaque to callers.
 *
 * At a million donations (bench:ledger, docs/features/donation.md):
 * - the page and the totals are separate queries run side by side; only the page joins donors;
 * - donor, gift, supplier and one-stop filters are semijoins (EXISTS / IN) so the planner may
 *   drive from whichever side is selective (a rare gift: from its gift lines; a common one: walk
 *   the newest donations and probe); suppliers are resolved to their gift codes first, so the
 *   gift-line statistics, not a guess through two joins, size the result;
 * - totals are exact up to EXACT_TOTALS_LIMIT matching donations; beyond that they are estimated
 *   from a block sample of the ledger and the answer says `totalsExact: false` (`exactTotals`
 *   asks for the full count whatever it costs). Counting a third of a million-row ledger on
 *   every page turn costs more than the page; an order of magnitude is what a huge result needs.
 */
export interface SearchFilters {
  status?: DonationStatus[];
  portal?: string[];
  /** Any of these gift codes on any gift line. */
  gift?: string[];
  /** Any gift line whose gift comes from one of these suppliers (suppliers.code). */
  supplier?: string[];
  prefecture?: string[];
  /** Instants (ISO); `from` inclusive, `to` exclusive. */
  appliedFrom?: string;
  appliedTo?: string;
  paidFrom?: string;
  paidTo?: string;
  amountMin?: number;
  amountMax?: number;
  /** true: at least one review flag; false: none. */
  reviewFlagged?: boolean;
  /** Has any of these review flags. */
  reviewFlag?: string[];
  disasterRelief?: boolean;
  wantsOneStop?: boolean;
  /** One-stop application state; 'none' = no application received. */
  onestopStatus?: string[];
  /** Any shipment of the donation in one of these states. */
  shipmentStatus?: string[];
  /** Substring of the donor's name or kana: two characters or more through the bigram index (donors_name_bigrams_idx), one character by a scan of the donors. */
  donor?: string;
  /** Start of the donor's kana (フリガナ); hiragana is read as katakana. Index-driven. */
  donorKana?: string;
  /** Documents due before this instant and not yet sent (the existing atRisk view). */
  documentsDueBefore?: string;
}

export interface SearchPage {
  limit: number;
  offset?: number;
  /** Keyset cursor from a previous page's `nextCursor`; excludes `offset`. */
  after?: string;
}

export interface SearchRow {
  id: string;
  portal: string;
  portalOrderId: string;
  status: DonationStatus;
  channel: string;
  amountYen: number;
  appliedAt: string;
  paidAt: string | null;
  documentsDueOn: string | null;
  escalated: boolean;
  reviewFlags: string[];
  disasterRelief: boolean;
  wantsOneStop: boolean;
  donorName: string;
  donorNameKana: string;
  prefecture: string;
}

export interface SearchResult {
  total: number;
  totalAmountYen: number;
  /** false: total and totalAmountYen are estimates (the result is larger than EXACT_TOTALS_LIMIT). */
  totalsExact: boolean;
  rows: SearchRow[];
  nextCursor: string | null;
}

export interface TotalsOptions {
  /** Count every matching donation however many there are. */
  exactTotals?: boolean;
  /** Above this many matches totals are estimated (default EXACT_TOTALS_LIMIT). */
  exactLimit?: number;
}

export interface Totals {
  total: number;
  totalAmountYen: number;
  totalsExact: boolean;
}

/**
 * Results up to this size are counted exactly. A count driven from another table (gift lines,
 * donors, one-stop applications) probes one donation per match, about 2–5 µs each on the bench
 * machine: 20,000 stays well inside the 200 ms page budget, 50,000 did not.
 */
export const EXACT_TOTALS_LIMIT = 20_000;
/** Rows a totals estimate samples (1 % of a million): above the limit that is 200+ matches, a few per cent off. */
export const ESTIMATE_SAMPLE_ROWS = 10_000;

export class CursorError extends Error {}

/** The indexed expression of donors_name_bigrams_idx (Migration20261207052817), over donors as pn: a query must spell it the same way. */
export const DONOR_NAME_BIGRAMS = `donor_name_bigrams(pn.name || ' ' || pn.name_kana)`;

export function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function prefixPattern(s: string): string {
  return `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Hiragana → katakana and spaces trimmed, as the kana is stored (ヤナガワ ハナコ). */
export function kanaKey(s: string): string {
  return s.trim().replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** A JS array as a pg array literal: knex spreads JS arrays in bindings. */
export function pgArray(xs: readonly string[]): string {
  return `{${xs.map((x) => `"${x.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
}

/**
 * Filters after resolving what needs a lookup first (supplier codes → their gift codes).
 * `giftDriven`: the count reads the donations of the few matching gift lines by primary key
 * instead of letting the planner hash them against a large index range it believes is cheap
 * (gift G-017 and completed: 9,560 probes rather than 560,000 index entries; 160 → 60 ms).
 */
export type ResolvedFilters = SearchFilters & { supplierGifts?: string[]; giftDriven?: boolean; donorName?: DonorNameMatch };

/**
 * How a donor-name filter is written. `gather` (the default) finds the matching donors through the
 * bigram index first — right when they are few, and for an exact count. `probe` tests each donation
 * passing by against its own donor — right for a walk or a sample, which pass a bounded number of
 * donations: a given name that 30,000 of the bench's donors share took 130 ms to gather before the
 * first row, a sample of 10,000 donations probes in a few. `estimate` is what the planner is asked
 * to size (the bigrams without LIKE's flat guess).
 */
export type DonorNameMatch = 'gather' | 'probe' | 'estimate';

/** Gift lines at most this many (planner's estimate) → the count is driven from them. */
export const GIFT_DRIVEN_LIMIT = 20_000;

export async function resolveFilters(knex: Knex, f: ResolvedFilters): Promise<ResolvedFilters> {
  if (!f.supplier?.length || f.supplierGifts) return f;
  const rows = (await knex.raw(`select g.code from gifts g join suppliers s on s.id = g.supplier_id where s.code = any(?::text[])`, [pgArray(f.supplier)])).rows as { code: string }[];
  return { ...f, supplierGifts: rows.map((r) => r.code) };
}

/**
 * Applies the filters to a query over `donations as d` (the donor is reached by a subquery, so
 * totals need no join). Call resolveFilters first when a supplier filter may be present.
 */
export function applyFilters(knex: Knex, q: Knex.QueryBuilder, f: ResolvedFilters): Knex.QueryBuilder {
  if (f.status?.length) q.whereIn('d.status', f.status);
  if (f.portal?.length) q.whereIn('d.portal_code', f.portal);
  if (f.appliedFrom) q.where('d.applied_at', '>=', f.appliedFrom);
  if (f.appliedTo) q.where('d.applied_at', '<', f.appliedTo);
  if (f.paidFrom) q.where('d.paid_at', '>=', f.paidFrom);
  if (f.paidTo) q.where('d.paid_at', '<', f.paidTo);
  if (f.amountMin !== undefined) q.where('d.amount_yen', '>=', f.amountMin);
  if (f.amountMax !== undefined) q.where('d.amount_yen', '<=', f.amountMax);
  if (f.disasterRelief !== undefined) q.where('d.disaster_relief', f.disasterRelief);
  if (f.wantsOneStop !== undefined) q.where('d.wants_one_stop', f.wantsOneStop);
  if (f.reviewFlagged !== undefined) q.whereRaw(f.reviewFlagged ? `d.review_flags <> '[]'::jsonb` : `d.review_flags = '[]'::jsonb`);
  if (f.reviewFlag?.length) {
    // One containment test per flag, OR-ed inside the flagged set: the partial index on flagged donations then applies.
    const flags = f.reviewFlag;
    q.whereRaw(`d.review_flags <> '[]'::jsonb`).where((w) => { for (const flag of flags) w.orWhereRaw('d.review_flags @> ?::jsonb', [JSON.stringify([flag])]); });
  }
  // Only for counts: as a filter on a walk, "= any(array)" would search the array for every donation passed.
  const giftTest = f.giftDriven
    ? (codes: string[]) => q.whereRaw('d.id = any(array(select gd.donation_id from donation_gift_lines gd where gd.gift_code = any(?::text[])))', [pgArray(codes)])
    : (codes: string[]) => q.whereRaw('exists (select 1 from donation_gift_lines gl where gl.donation_id = d.id and gl.gift_code = any(?::text[]))', [pgArray(codes)]);
  if (f.gift?.length) giftTest(f.gift);
  if (f.supplier?.length) {
    if (!f.supplierGifts) throw new Error('supplier filter not resolved (call resolveFilters)');
    // A supplier without gifts matches nothing; an empty array literal says so without a special case.
    giftTest(f.supplierGifts);
  }
  if (f.shipmentStatus?.length) {
    q.whereRaw('exists (select 1 from shipments sh where sh.donation_id = d.id and sh.status = any(?::text[]))', [pgArray(f.shipmentStatus)]);
  }
  if (f.onestopStatus?.length) {
    const wantsNone = f.onestopStatus.includes('none');
    const states = f.onestopStatus.filter((x) => x !== 'none');
    q.where((w) => {
      if (states.length) w.orWhereRaw('exists (select 1 from onestop_applications oa where oa.donation_id = d.id and oa.status = any(?::text[]))', [pgArray(states)]);
      if (wantsNone) w.orWhereRaw('not exists (select 1 from onestop_applications ob where ob.donation_id = d.id)');
    });
  }
  if (f.prefecture?.length) {
    q.whereRaw('d.donor_id in (select pp.id from donors pp where pp.prefecture = any(?::text[]))', [pgArray(f.prefecture)]);
  }
  if (f.donorKana) {
    q.whereRaw(`d.donor_id in (select pk.id from donors pk where pk.name_kana like ? escape '\\')`, [prefixPattern(kanaKey(f.donorKana))]);
  }
  if (f.donor) {
    const like = likePattern(f.donor);
    if (f.donorName === 'probe') {
      // A scalar subquery is never flattened into a join: each donation passing by looks up its own donor.
      q.whereRaw(`(select pn.name like ? escape '\\' or pn.name_kana like ? escape '\\' from donors pn where pn.id = d.donor_id)`, [like, like]);
    } else if (f.donorName === 'estimate' && [...f.donor].length >= 2) {
      // The bigrams alone: the planner sizes them from the index's statistics, while LIKE's guess would cut a common name to a few per cent.
      q.whereRaw(`d.donor_id in (select pn.id from donors pn where ${DONOR_NAME_BIGRAMS} @> donor_name_bigrams(?))`, [f.donor]);
    } else if ([...f.donor].length >= 2) {
      // Two characters or more: the donors whose name-and-kana bigrams hold all of the text's (GIN,
      // donors_name_bigrams_idx, the same expression as the index), each confirmed by LIKE. One character: a scan.
      q.whereRaw(`d.donor_id in (select pn.id from donors pn where ${DONOR_NAME_BIGRAMS} @> donor_name_bigrams(?) and (pn.name like ? escape '\\' or pn.name_kana like ? escape '\\'))`, [f.donor, like, like]);
    } else {
      q.whereRaw(`d.donor_id in (select pn.id from donors pn where pn.name like ? escape '\\' or pn.name_kana like ? escape '\\')`, [like, like]);
    }
  }
  if (f.documentsDueBefore) q.where('d.status', 'documents_due').where('d.documents_due_at', '<=', f.documentsDueBefore);
  return q;
}

/** Timestamps keep their microseconds in the cursor: a millisecond Date would skip or repeat rows. */
export const APPLIED_AT_KEY = `to_char(d.applied_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(appliedAtKey: string, id: string): string {
  return Buffer.from(`${appliedAtKey}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { appliedAt: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/i.exec(text);
  if (!m) throw new CursorError('is not a cursor from this search');
  return { appliedAt: m[1]!, id: m[2]! };
}

export function applyKeyset(q: Knex.QueryBuilder, after: string | undefined): Knex.QueryBuilder {
  if (!after) return q;
  const c = decodeCursor(after);
  return q.whereRaw('(d.applied_at, d.id) < (?::timestamptz, ?::uuid)', [c.appliedAt, c.id]);
}

const ROW_COLUMNS = [
  'd.id', 'd.portal_code', 'd.portal_order_id', 'd.status', 'd.channel', 'd.amount_yen', 'd.applied_at', 'd.paid_at',
  `to_char(d.documents_due_on, 'YYYY-MM-DD') as documents_due_on`, 'd.escalated_at', 'd.review_flags',
  'd.disaster_relief', 'd.wants_one_stop', 'p.name', 'p.name_kana', 'p.prefecture', `${APPLIED_AT_KEY} as applied_key`,
];

/**
 * How a page is found:
 * - walk: newest first along (applied_at, id), testing each donation, until the page is full.
 *   Cheap when matches are dense; the planner's choice under ORDER BY … LIMIT.
 * - sort: fetch every match through the filters' own indexes and keep the newest (a top-N
 *   sort). Cheap when matches are few — and the only sane plan when the filter is on another
 *   date (paid in May: a walk from November would pass every later donation first).
 */
export type RowStrategy = 'walk' | 'sort';

/**
 * At most this many estimated matches → sort. A walk tests about ledger size / matches × 51
 * donations, each a cheap step along one index; a sort fetches every match by random probes,
 * several times dearer each: at 1,000,000 donations they cross near a few thousand matches.
 */
export const SORT_STRATEGY_LIMIT = 6_000;

/** One page of the result, without totals. */
export async function searchRows(em: EntityManager, f: SearchFilters, page: SearchPage, strategy?: RowStrategy): Promise<Pick<SearchResult, 'rows' | 'nextCursor'>> {
  const knex = em.getKnex();
  // The at-risk view reads soonest-due first and pages by offset; everything else is newest first, keyset-able.
  const dueOrder = f.documentsDueBefore !== undefined;
  if (dueOrder && page.after) throw new CursorError('is not available with atRisk (page with offset)');
  const resolved = await resolveFilters(knex, f);
  const how = strategy ?? (resolved.paidFrom || resolved.paidTo ? 'sort' : 'walk');
  // A sort reads every match: from few gift lines, by primary key (as the count does).
  // A walk the caller chose for many matches probes each donation's donor; left to itself, a walk gathers them (a rare name).
  const r = how === 'sort' && !dueOrder ? { ...resolved, giftDriven: await isGiftDriven(knex, resolved) }
    : strategy === 'walk' ? { ...resolved, donorName: 'probe' as const } : resolved;
  // Ids first, then the columns for the page only: the donor join and wide columns never meet the rows a walk passes over.
  const ids = applyKeyset(applyFilters(knex, knex('donations as d'), r), page.after).select('d.id', 'd.applied_at', 'd.documents_due_at').limit(page.limit + 1);
  if (dueOrder) ids.orderBy([{ column: 'd.documents_due_at', order: 'asc' }, { column: 'd.id', order: 'asc' }]);
  // "+ interval '0'" is the same instant but no index order: the planner has to take the sort plan.
  else if (how === 'sort') ids.orderByRaw(`d.applied_at + interval '0' desc, d.id desc`);
  else ids.orderBy([{ column: 'd.applied_at', order: 'desc' }, { column: 'd.id', order: 'desc' }]);
  if (!page.after && page.offset) ids.offset(page.offset);
  const rowsQ = knex.from(ids.as('k')).join('donations as d', 'd.id', 'k.id').join('donors as p', 'p.id', 'd.donor_id')
    .select(ROW_COLUMNS.map((c) => knex.raw(c)));
  if (dueOrder) rowsQ.orderBy([{ column: 'k.documents_due_at', order: 'asc' }, { column: 'k.id', order: 'asc' }]);
  else rowsQ.orderBy([{ column: 'k.applied_at', order: 'desc' }, { column: 'k.id', order: 'desc' }]);
  const rows = (await withSearchPlanner(knex, (trx) => rowsQ.transacting(trx))) as Record<string, any>[];
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const last = shown[shown.length - 1];
  return {
    nextCursor: more && last && !dueOrder ? encodeCursor(last.applied_key, last.id) : null,
    rows: shown.map((r) => ({
      id: r.id,
      portal: r.portal_code,
      portalOrderId: r.portal_order_id,
      status: r.status,
      channel: r.channel,
      amountYen: r.amount_yen,
      appliedAt: new Date(r.applied_at).toISOString(),
      paidAt: r.paid_at ? new Date(r.paid_at).toISOString() : null,
      documentsDueOn: r.documents_due_on,
      escalated: r.escalated_at !== null,
      reviewFlags: r.review_flags,
      disasterRelief: r.disaster_relief,
      wantsOneStop: r.wants_one_stop,
      donorName: r.name,
      donorNameKana: r.name_kana,
      prefecture: r.prefecture,
    })),
  };
}

/**
 * Runs one search statement with the planner told what holds for the ledger: its hot set is in
 * memory, so an index probe costs about what a sequential page does (random_page_cost 1.1, not
 * the spinning-disk 4 that made it scan a million donations to count ten thousand), and no
 * parallel workers — on a small shared machine they add start-up latency and steal the cores
 * the other requests need. SET LOCAL keeps this to the statement's own transaction.
 */
export async function withSearchPlanner<T>(knex: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    await trx.raw(`set transaction read only; set local random_page_cost = 1.1; set local max_parallel_workers_per_gather = 0`);
    return fn(trx);
  });
}

let ledgerSize: { rows: number; at: number } | undefined;

/** The planner's row count for donations (kept current by autovacuum), cached for a minute: it only sizes the sample. */
async function estimatedLedgerRows(knex: Knex): Promise<number> {
  if (ledgerSize && Date.now() - ledgerSize.at < 60_000) return ledgerSize.rows;
  const { rows } = await knex.raw(`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'donations'::regclass`);
  ledgerSize = { rows: Number(rows[0]?.n ?? 0), at: Date.now() };
  return ledgerSize.rows;
}

/** The planner's estimate of how many donations match (EXPLAIN only: nothing is read). */
export async function estimateMatches(knex: Knex, f: ResolvedFilters): Promise<number> {
  const { sql, bindings } = applyFilters(knex, knex('donations as d'), { ...f, donorName: 'estimate' }).select(knex.raw('1')).toSQL();
  const plan = await withSearchPlanner(knex, (trx) => trx.raw(`explain (format json) ${sql}`, bindings as Knex.RawBinding[]));
  return Number(plan.rows[0]['QUERY PLAN'][0].Plan['Plan Rows']);
}

/** Whether the gift/supplier filter names few enough gift lines (planner's estimate) to read the matches from them. */
async function isGiftDriven(knex: Knex, f: ResolvedFilters): Promise<boolean> {
  const codes = [...(f.gift ?? []), ...(f.supplierGifts ?? [])];
  if (!codes.length) return false;
  const plan = await knex.raw(`explain (format json) select 1 from donation_gift_lines where gift_code = any(?::text[])`, [pgArray(codes)]);
  return Number(plan.rows[0]['QUERY PLAN'][0].Plan['Plan Rows']) <= GIFT_DRIVEN_LIMIT;
}

async function sampleTotals(knex: Knex, f: ResolvedFilters): Promise<{ total: number; totalAmountYen: number }> {
  const rows = await estimatedLedgerRows(knex);
  const percent = Math.min(100, Math.max(0.01, (100 * ESTIMATE_SAMPLE_ROWS) / Math.max(1, rows)));
  const sampled = applyFilters(knex, knex.from(knex.raw(`donations as d tablesample system (?) repeatable (7)`, [percent])), { ...f, donorName: 'probe' });
  const [s] = await withSearchPlanner(knex, (trx) => sampled.select(knex.raw('count(*)::bigint as n'), knex.raw('coalesce(sum(d.amount_yen), 0)::bigint as amount')).transacting(trx));
  const scale = 100 / percent;
  return { total: Math.round(Number(s.n) * scale), totalAmountYen: Math.round(Number(s.amount) * scale) };
}

/**
 * Count and sum of the whole result. Exact while at most `exactLimit` donations match (a count
 * stopped at limit + 1 finds out); beyond, estimated from a block sample of the ledger
 * (TABLESAMPLE SYSTEM with a fixed seed, so paging through one search shows one estimate).
 * When the planner already expects far more matches than the limit, the capped count is
 * skipped (it would cost the limit's worth of probes only to be thrown away) unless the sample
 * then finds the result small after all.
 */
export async function searchTotals(em: EntityManager, f: SearchFilters, opts: TotalsOptions = {}, plannerEstimate?: number): Promise<Totals> {
  const knex = em.getKnex();
  const r = await resolveFilters(knex, f);
  const limit = opts.exactTotals ? undefined : opts.exactLimit ?? EXACT_TOTALS_LIMIT;
  const giftDriven = await isGiftDriven(knex, r);
  const count = async () => {
    const matches = applyFilters(knex, knex('donations as d'), { ...r, giftDriven }).select('d.amount_yen');
    if (limit !== undefined) matches.limit(limit + 1);
    const [c] = await withSearchPlanner(knex, (trx) => knex.from(matches.as('m')).select(knex.raw('count(*)::bigint as n'), knex.raw('coalesce(sum(m.amount_yen), 0)::bigint as amount')).transacting(trx));
    return { total: Number(c.n), totalAmountYen: Number(c.amount) };
  };
  if (limit === undefined) return { ...(await count()), totalsExact: true };
  const expected = plannerEstimate ?? (await estimateMatches(knex, r));
  if (expected > 2 * limit) {
    const est = await sampleTotals(knex, r);
    if (est.total > limit / 2) return { ...est, totalsExact: false };
  }
  const exact = await count();
  if (exact.total <= limit) return { ...exact, totalsExact: true };
  const est = await sampleTotals(knex, r);
  // The capped count proved at least limit + 1 matches and their sum: an estimate never says less.
  return { total: Math.max(exact.total, est.total), totalAmountYen: Math.max(exact.totalAmountYen, est.totalAmountYen), totalsExact: false };
}

export async function searchLedger(em: EntityManager, f: SearchFilters, page: SearchPage, opts: TotalsOptions = {}): Promise<SearchResult> {
  const knex = em.getKnex();
  const r = await resolveFilters(knex, f);
  const expected = await estimateMatches(knex, r);
  const strategy: RowStrategy = r.paidFrom || r.paidTo || expected <= SORT_STRATEGY_LIMIT ? 'sort' : 'walk';
  // Two connections, side by side: the page never waits for the count.
  const [totals, rows] = await Promise.all([searchTotals(em, r, opts, expected), searchRows(em, r, page, strategy)]);
  return { ...totals, ...rows };
}
