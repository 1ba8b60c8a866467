/**
 * bench:ledger's data: N donations generated set-based in SQL (generate_series, no per-row
 * round trips) into the bench's own PostgreSQL, deterministic (hash of the row number, so two
 * seeds of the same N are the same ledger and figures compare across runs).
 *
 * Shape (a year of a mid-sized city's ふるさと納税, December-heavy like the real thing):
 * - donors: 60 % as many as donations (repeat donors), common surnames skewed, prefectures by population;
 * - donations: 9 portals skewed toward 楽天/チョイス/さとふる, amounts skewed to 10,000–20,000 yen,
 *   statuses mostly completed, applied 2025-12-01 … 2026-11-30 JST with 35 % in December;
 *   4 % review-flagged, 2 % disaster relief (no gift), 35 % want the one-stop exception;
 * - gift lines: 200 gifts from 20 suppliers, Zipf-like popularity; 93 % of non-relief donations
 *   have one line, 15 % of those a second;
 * - one-stop applications for 80 % of paid-or-later donors who want one: mostly accepted.
 * Foreign keys are not checked row by row (session_replication_role = replica: the generator keeps
 * them consistent) and secondary indexes are dropped during the load and rebuilt after, because
 * maintaining 15 indexes row by row is most of the cost of a naive insert.
 */
import type { Knex } from '@mikro-orm/postgresql';
import { migrate, type Orm } from '../ledger/orm';

/** Bump when the generated data changes shape: an older seed is then rebuilt, not reused. */
export const SEED_VERSION = 3;

export const SEED_START_JST = '2025-12-01';
export const SEED_END_JST = '2026-11-30';

/** A weighted list expanded to a pg text[] literal: `pick(r)` in SQL is `(arr)[1 + floor(r * len)]`. */
function expand(weights: [string, number][]): string {
  const out: string[] = [];
  for (const [v, w] of weights) for (let i = 0; i < w; i++) out.push(v);
  return `{${out.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
}

// Roughly population-weighted (per mille, rounded), so 東京都 is about 11 %, 鳥取県 under 1 %.
export const PREFECTURE_WEIGHTS: [string, number][] = [
  ['北海道', 41], ['青森県', 10], ['岩手県', 9], ['宮城県', 18], ['秋田県', 7], ['山形県', 8], ['福島県', 14],
  ['茨城県', 23], ['栃木県', 15], ['群馬県', 15], ['埼玉県', 59], ['千葉県', 50], ['東京都', 113], ['神奈川県', 74],
  ['新潟県', 17], ['富山県', 8], ['石川県', 9], ['福井県', 6], ['山梨県', 6], ['長野県', 16], ['岐阜県', 16],
  ['静岡県', 29], ['愛知県', 60], ['三重県', 14], ['滋賀県', 11], ['京都府', 20], ['大阪府', 71], ['兵庫県', 44],
  ['奈良県', 11], ['和歌山県', 7], ['鳥取県', 4], ['島根県', 5], ['岡山県', 15], ['広島県', 22], ['山口県', 11],
  ['徳島県', 6], ['香川県', 8], ['愛媛県', 11], ['高知県', 5], ['福岡県', 58], ['佐賀県', 7], ['長崎県', 11],
  ['熊本県', 14], ['大分県', 9], ['宮崎県', 9], ['鹿児島県', 13], ['沖縄県', 12],
];

// [name, kana, weight]: the commonest surnames are far commoner than the rest, as in life.
export const SURNAMES: [string, string, number][] = [
  ['佐藤', 'サトウ', 18], ['鈴木', 'スズキ', 16], ['高橋', 'タカハシ', 13], ['田中', 'タナカ', 12], ['伊藤', 'イトウ', 10],
  ['渡辺', 'ワタナベ', 10], ['山本', 'ヤマモト', 10], ['中村', 'ナカムラ', 10], ['小林', 'コバヤシ', 9], ['加藤', 'カトウ', 8],
  ['吉田', 'ヨシダ', 8], ['山田', 'ヤマダ', 8], ['佐々木', 'ササキ', 7], ['山口', 'ヤマグチ', 6], ['松本', 'マツモト', 6],
  ['井上', 'イノウエ', 6], ['木村', 'キムラ', 5], ['林', 'ハヤシ', 5], ['斎藤', 'サイトウ', 5], ['清水', 'シミズ', 5],
  ['山崎', 'ヤマザキ', 4], ['森', 'モリ', 4], ['池田', 'イケダ', 4], ['橋本', 'ハシモト', 4], ['阿部', 'アベ', 4],
  ['石川', 'イシカワ', 4], ['山下', 'ヤマシタ', 3], ['中島', 'ナカジマ', 3], ['石井', 'イシイ', 3], ['小川', 'オガワ', 3],
  ['前田', 'マエダ', 3], ['岡田', 'オカダ', 3], ['長谷川', 'ハセガワ', 3], ['藤田', 'フジタ', 3], ['後藤', 'ゴトウ', 3],
  ['近藤', 'コンドウ', 3], ['村上', 'ムラカミ', 3], ['遠藤', 'エンドウ', 2], ['青木', 'アオキ', 2], ['坂本', 'サカモト', 2],
  ['柳川', 'ヤナガワ', 1], ['髙橋', 'タカハシ', 1], ['𠮷田', 'ヨシダ', 1],
];
export const GIVEN_NAMES: [string, string][] = [
  ['太郎', 'タロウ'], ['花子', 'ハナコ'], ['一郎', 'イチロウ'], ['美咲', 'ミサキ'], ['健', 'ケン'], ['陽子', 'ヨウコ'], ['翔', 'ショウ'],
  ['さくら', 'サクラ'], ['大輔', 'ダイスケ'], ['由美', 'ユミ'], ['誠', 'マコト'], ['直子', 'ナオコ'], ['浩', 'ヒロシ'], ['恵', 'メグミ'],
  ['拓也', 'タクヤ'], ['愛', 'アイ'], ['隆', 'タカシ'], ['真由美', 'マユミ'], ['蓮', 'レン'], ['結衣', 'ユイ'],
];

const PORTALS = expand([['rakuten', 34], ['choice', 20], ['satofull', 15], ['furunavi', 10], ['ana', 5], ['amazon', 6], ['mynavi', 3], ['city', 2], ['direct', 5]]);
const AMOUNTS = expand([['5000', 8], ['10000', 30], ['12000', 8], ['15000', 12], ['20000', 15], ['30000', 10], ['50000', 9], ['100000', 5], ['300000', 2], ['1000000', 1]]);
const STATUSES = expand([['completed', 56], ['documents_sent', 10], ['documents_due', 6], ['paid', 5], ['awaiting_payment', 7], ['received', 4], ['held', 2], ['cancelled', 10]]);
const PAYMENTS = expand([['credit_card', 80], ['bank_transfer', 8], ['postal_transfer', 5], ['convenience_store', 4], ['cash', 3]]);
// Months from 2025-12 (index 0) to 2026-11, December-heavy.
const MONTHS = expand([['0', 35], ['1', 4], ['2', 3], ['3', 4], ['4', 3], ['5', 4], ['6', 5], ['7', 5], ['8', 6], ['9', 10], ['10', 8], ['11', 13]]);
const FLAGS = expand([['missing_phone', 35], ['possible_duplicate_order', 20], ['amount_below_gift_price', 15], ['postal_code_address_mismatch', 12], ['incomplete_address', 10], ['yanagawa_resident_with_gift', 5], ['invalid_characters', 3]]);
const ONESTOP = expand([['accepted', 85], ['received', 6], ['deficient', 4], ['closed_deficient', 3], ['rejected_late', 2]]);

export interface SeedInfo {
  n: number;
  version: number;
  seededAt: string;
  seconds: number;
}

export async function existingSeed(knex: Knex): Promise<SeedInfo | null> {
  const found = await knex.raw(`select to_regclass('bench.seed') is not null as ok`);
  if (!found.rows[0].ok) return null;
  const { rows } = await knex.raw(`select n, version, seeded_at, seconds from bench.seed`);
  const r = rows[0];
  return r ? { n: Number(r.n), version: Number(r.version), seededAt: new Date(r.seeded_at).toISOString(), seconds: Number(r.seconds) } : null;
}

/** Empties the ledger (the whole public schema) so migrations rebuild it; the caller migrates afterwards. */
export async function wipe(knex: Knex): Promise<void> {
  await knex.raw(`drop schema if exists bench cascade; drop schema public cascade; create schema public`);
}

const TABLES = ['donors', 'donations', 'donation_gift_lines', 'onestop_applications'];

export async function seed(knex: Knex, n: number, log: (m: string) => void): Promise<SeedInfo> {
  const t0 = Date.now();
  const step = async (what: string, sql: string, bindings: readonly unknown[] = []) => {
    const s = Date.now();
    await knex.raw(sql, bindings as any);
    log(`${what}: ${((Date.now() - s) / 1000).toFixed(1)} s`);
  };
  const donors = Math.max(1, Math.round(n * 0.6));
  const surnames = expand(SURNAMES.map(([name, kana, w]) => [`${name}|${kana}`, w]));
  const given = expand(GIVEN_NAMES.map(([name, kana]) => [`${name}|${kana}`, 1]));
  const prefs = expand(PREFECTURE_WEIGHTS);

  await knex.raw(`create schema if not exists bench`);
  // Uniform [0,1) from (row, salt): deterministic, independent enough per salt.
  await knex.raw(`create or replace function bench.r(g bigint, salt int) returns float8 language sql immutable parallel safe
    as $$ select (hashint8(g * 97 + salt) & 2147483647)::float8 / 2147483648 $$`);
  await knex.raw(`create or replace function bench.pick(arr text[], r float8) returns text language sql immutable parallel safe
    as $$ select arr[1 + floor(r * array_length(arr, 1))::int] $$`);

  await knex.transaction(async (trx) => {
    const run = async (what: string, sql: string, bindings: readonly unknown[] = []) => {
      const s = Date.now();
      await trx.raw(sql, bindings as any);
      log(`${what}: ${((Date.now() - s) / 1000).toFixed(1)} s`);
    };
    await trx.raw(`set local session_replication_role = replica`);
    await trx.raw(`set local maintenance_work_mem = '512MB'`);
    await trx.raw(`set local work_mem = '64MB'`);
    // Indexes not backing a constraint are rebuilt after the load (one sort each, not a million inserts).
    const { rows: indexes } = await trx.raw(`
      select i.indexname, i.indexdef from pg_indexes i
      where i.schemaname = 'public' and i.tablename = any(?::text[])
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`, [`{${TABLES.join(',')}}`]);
    for (const ix of indexes as { indexname: string }[]) await trx.raw(`drop index ${ix.indexname}`);

    await run('suppliers + gifts', `
      insert into suppliers (name, code) select '事業者' || g, 'S-' || lpad(g::text, 2, '0') from generate_series(1, 20) g on conflict do nothing;
      insert into gifts (code, name, supplier_id, price_yen, cost_yen, active)
        select 'G-' || lpad(g::text, 3, '0'), '返礼品' || g, (select id from suppliers where code = 'S-' || lpad((1 + (g - 1) % 20)::text, 2, '0')), 10000, 3000, true
        from generate_series(1, 200) g on conflict do nothing`);
    await run(`donors (${donors})`, `
      insert into donors (id, name, name_kana, postal_code, prefecture, address, phone, created_at, updated_at)
      select md5('donor' || g)::uuid,
        split_part(s, '|', 1) || ' ' || split_part(gv, '|', 1), split_part(s, '|', 2) || ' ' || split_part(gv, '|', 2),
        lpad((floor(bench.r(g, 3) * 1000))::text, 3, '0') || '-' || lpad((floor(bench.r(g, 4) * 10000))::text, 4, '0'),
        pref, pref || '架空市' || (1 + floor(bench.r(g, 5) * 50)) || '丁目' || g,
        case when bench.r(g, 6) < 0.9 then '090-' || lpad((g % 10000)::text, 4, '0') || '-0000' end, now(), now()
      from (select g, bench.pick(?::text[], bench.r(g, 1)) s, bench.pick(?::text[], bench.r(g, 2)) gv, bench.pick(?::text[], bench.r(g, 7)) pref
            from generate_series(1, ?::int) g) x`, [surnames, given, prefs, donors]);
    await run(`donations (${n})`, `
      insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, wants_one_stop, disaster_relief, status,
          review_flags, applied_at, paid_at, documents_due_on, documents_due_at, documents_sent_at, completed_at, cancelled_at,
          workflow_id, intake_fingerprint, created_by, created_at, updated_at)
      select md5('donation' || g)::uuid, portal, portal || '-B' || g, md5('donor' || (1 + floor(bench.r(g, 10) * ?::int)))::uuid,
        case when portal = 'direct' then 'phone' else 'portal' end, amount, payment, bench.r(g, 11) < 0.35, relief, status,
        case when bench.r(g, 12) < 0.04 then jsonb_build_array(bench.pick(?::text[], bench.r(g, 13))) else '[]'::jsonb end,
        applied, paid, (paid + interval '14 days')::date, case when status = 'documents_due' then paid + interval '14 days' end,
        case when status in ('documents_sent', 'completed') then paid + interval '5 days' end,
        case when status = 'completed' then paid + interval '20 days' end,
        case when status = 'cancelled' then applied + interval '1 day' end,
        'bench-wf-' || g, 'x', 'bench', applied, applied
      from (select g, p.portal, p.amount, p.payment, p.status, p.relief, p.applied,
              case when p.status in ('received', 'held', 'awaiting_payment', 'cancelled') then null
                   else p.applied + bench.r(g, 14) * interval '3 days' end as paid
            from (select g, bench.pick(?::text[], bench.r(g, 15)) portal, bench.pick(?::text[], bench.r(g, 16))::int amount,
                    bench.pick(?::text[], bench.r(g, 17)) payment, bench.pick(?::text[], bench.r(g, 18)) status, bench.r(g, 19) < 0.02 relief,
                    (timestamptz '2025-12-01 00:00+09' + m * interval '1 month')
                      + bench.r(g, 20) * ((timestamptz '2025-12-01 00:00+09' + (m + 1) * interval '1 month') - (timestamptz '2025-12-01 00:00+09' + m * interval '1 month')) as applied
                  from (select g, bench.pick(?::text[], bench.r(g, 21))::int m from generate_series(1, ?::int) g) gm) p) x`,
      [donors, FLAGS, PORTALS, AMOUNTS, PAYMENTS, STATUSES, MONTHS, n]);
    // Gift popularity: index = 200 · r^2.2, so the top 20 gifts take about half the lines.
    await run('gift lines', `
      insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen)
      select md5('donation' || g)::uuid, 'G-' || lpad((1 + floor(power(bench.r(g, 30), 2.2) * 200))::text, 3, '0'), 1, 10000
      from generate_series(1, ?::int) g where bench.r(g, 19) >= 0.02 and bench.r(g, 31) < 0.93
      union all
      select md5('donation' || g)::uuid, 'G-' || lpad((1 + floor(power(bench.r(g, 32), 2.2) * 200))::text, 3, '0'), 1 + (bench.r(g, 34) < 0.2)::int, 5000
      from generate_series(1, ?::int) g where bench.r(g, 19) >= 0.02 and bench.r(g, 31) < 0.93 and bench.r(g, 33) < 0.15`, [n, n]);
    await run('one-stop applications', `
      insert into onestop_applications (id, donation_id, workflow_id, channel, status, form_version, arrived_on, deadline_on,
          content, current_content, my_number_verdict, created_by, created_at, updated_at)
      select md5('onestop' || d.id)::uuid, d.id, 'bench-os-' || d.id, case when bench.r(hashtext(d.id::text), 40) < 0.3 then 'online' else 'paper' end,
        bench.pick(?::text[], bench.r(hashtext(d.id::text), 41)), 'current', (d.paid_at + interval '10 days')::date,
        (date_trunc('year', d.applied_at at time zone 'Asia/Tokyo') + interval '1 year 9 days')::date,
        '{}'::jsonb, '{}'::jsonb, 'valid', 'bench', d.paid_at + interval '10 days', d.paid_at + interval '10 days'
      from donations d where d.wants_one_stop and d.paid_at is not null and bench.r(hashtext(d.id::text), 42) < 0.8`, [ONESTOP]);
    for (const ix of indexes as { indexname: string; indexdef: string }[]) await run(`index ${ix.indexname}`, ix.indexdef);
    await trx.raw(`create table bench.seed (n integer not null, version integer not null, seeded_at timestamptz not null, seconds numeric not null)`);
  });
  // VACUUM sets the visibility map, without which index-only scans still visit the heap; outside the transaction by rule.
  await step('vacuum analyze', `vacuum (analyze) donors, donations, donation_gift_lines, onestop_applications, gifts, suppliers`);
  const seconds = (Date.now() - t0) / 1000;
  await knex.raw(`insert into bench.seed (n, version, seeded_at, seconds) values (?, ?, now(), ?)`, [n, SEED_VERSION, seconds]);
  return { n, version: SEED_VERSION, seededAt: new Date().toISOString(), seconds };
}

/**
 * The seed of n donations, reused when the marker matches (n and SEED_VERSION; `reseed` rebuilds):
 * migrations added since the seed then run on the seeded data, as they would on a live ledger.
 * Shared by bench:ledger and bench:console.
 */
export async function ensureSeed(orm: Orm, n: number, reseed: boolean, log: (m: string) => void): Promise<Record<string, unknown>> {
  const knex = orm.em.getKnex();
  const found = await existingSeed(knex);
  if (found && found.n === n && found.version === SEED_VERSION && !reseed) {
    log(`reusing the seed of ${found.n} donations made ${found.seededAt} (--reseed to rebuild)`);
    const applied = await migrate(orm);
    if (applied.length) log(`migrated the seeded ledger: ${applied.join(', ')}`);
    return { reused: true, ...found, migratedNow: applied };
  }
  const { rows } = await knex.raw(`select to_regclass('public.donations') is not null as ledger`);
  if (found || reseed || rows[0].ledger) {
    log(reseed ? 'rebuilding (--reseed)' : found ? `rebuilding: seed has n=${found.n} v${found.version}, wanted n=${n} v${SEED_VERSION}` : 'rebuilding: a ledger without a seed marker');
    await wipe(knex);
  }
  await migrate(orm);
  const info = await seed(knex, n, log);
  log(`seeded ${n} donations in ${info.seconds.toFixed(1)} s`);
  return { reused: false, ...info };
}
