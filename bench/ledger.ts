/**
 * bench:ledger (LEDGER-2/3): seeds N donations (default 1,000,000; --n) set-based in SQL into
 * the bench's own persistent PostgreSQL (bench/ledger-stack.ts; reused when already seeded with
 * the same N, --reseed rebuilds it), then measures through the real API
 * - search per filter mix (p50/p95 of GET /donations, first page and keyset pages; target p95 < 200 ms),
 *   and in-process the totals on their own (exact or estimated) against the page rows on their own;
 * - Shift_JIS CSV exports of ~20,000, ~100,000 and ~300,000 rows through GET /donations/export
 *   (target < 10 s for 100,000), sampling RSS and heap: flat memory = the peak above the baseline
 *   does not grow with the rows exported;
 * - the monthly report build, when ledger/reports.ts provides one (see timeMonthlyReport).
 * Prints BENCH_RESULT {...}.
 */
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import type { EntityManager } from '@mikro-orm/postgresql';
import { percentile } from './support';
import { startLedgerStack } from './ledger-stack';
import { ensureSeed } from './ledger-seed';
import type { Orm } from '../ledger/orm';
import { jstStartOfDay, addDays } from '../domain/jst';
import { searchRows, searchTotals, type SearchFilters } from '../ledger/search';
import { buildMonthlyReportData } from '../ledger/reports';
import { fiscalYearProgress } from '../ledger/progress';

const OPERATOR_TOKEN = 'dev-operator-token';

interface Options {
  n: number;
  reseed: boolean;
  requests: number;
  phases: Set<string>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { n: Number(process.env.BENCH_N ?? 1_000_000), reseed: false, requests: 20, phases: new Set(['search', 'export', 'report', 'progress']) };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) throw new Error(`unexpected argument "${argv[i]}" (usage: --n <count> --reseed --requests <per mix> --phase search,export,report,progress)`);
    const value = () => m[2] ?? argv[++i] ?? '';
    if (m[1] === 'n') o.n = Number(value());
    else if (m[1] === 'reseed') o.reseed = true;
    else if (m[1] === 'requests') o.requests = Number(value());
    else if (m[1] === 'phase') o.phases = new Set(value().split(','));
    else throw new Error(`unknown option --${m[1]} (known: --n, --reseed, --requests, --phase)`);
  }
  if (!Number.isInteger(o.n) || o.n < 1) throw new Error('--n must be a positive whole number');
  if (!Number.isInteger(o.requests) || o.requests < 2) throw new Error('--requests must be at least 2');
  return o;
}

const log = (m: string) => process.stderr.write(`[bench:ledger] ${m}\n`);
const ms = (x: number) => Math.round(x * 10) / 10;
const mb = (x: number) => Math.round((x / 2 ** 20) * 10) / 10;

/** `gc()` without restarting node with --expose-gc: baselines must not count garbage not yet collected. */
function gcFunction(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function load(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return os.loadavg().map((x) => x.toFixed(2)).join(', ');
  }
}

/**
 * Filter mixes, each the filters the console sends (a repeated filter as a list), its query string built
 * by URLSearchParams as the browser does: each single indexed filter, a few combinations, then the
 * unindexed worst case labelled as such.
 */
const INDEXED_MIXES: Record<string, Record<string, string | string[]>> = {
  'status (6 %)': { status: 'documents_due' },
  'status ×2 (11 %)': { status: ['paid', 'documents_due'] },
  'portal big (34 %)': { portal: 'rakuten' },
  'portal small (5 %)': { portal: 'ana' },
  'applied week': { appliedFrom: '2026-10-05', appliedTo: '2026-10-11' },
  'paid week': { paidFrom: '2026-05-01', paidTo: '2026-05-07' },
  'gift popular': { gift: 'G-001' },
  'gift mid': { gift: 'G-017' },
  'gift rare ×2': { gift: ['G-150', 'G-199'] },
  'supplier': { supplier: 'S-03' },
  'prefecture': { prefecture: '福岡県' },
  'prefecture big': { prefecture: '東京都' },
  'amount ≥ 100,000': { amountMin: '100000' },
  'amount range': { amountMin: '30000', amountMax: '50000' },
  'review flagged': { reviewFlagged: 'true' },
  'review flag': { reviewFlag: 'missing_phone' },
  'disaster relief': { disasterRelief: 'true' },
  'one-stop deficient': { onestopStatus: 'deficient' },
  'one-stop wanted, none': { wantsOneStop: 'true', onestopStatus: 'none' },
  'kana prefix': { donorKana: 'ヤナガワ' },
  'kana prefix common': { donorKana: 'サトウ' },
  'portal+status+December': { portal: 'rakuten', status: 'completed', appliedFrom: '2025-12-01', appliedTo: '2025-12-31' },
  'portal+status+week': { portal: 'choice', status: 'documents_sent', appliedFrom: '2026-09-01', appliedTo: '2026-09-07' },
  'gift+status': { gift: 'G-017', status: 'completed' },
  'supplier+status+June': { supplier: 'S-03', status: 'completed', appliedFrom: '2026-06-01', appliedTo: '2026-06-30' },
  'prefecture+amount': { prefecture: '福岡県', amountMin: '50000' },
  'amount+November': { amountMin: '100000', appliedFrom: '2026-11-01', appliedTo: '2026-11-30' },
  'flagged+held': { reviewFlagged: 'true', status: 'held' },
  'no filter (all)': {},
};
const queryOf = (filters: Record<string, string | string[]>) => new URLSearchParams(Object.entries(filters).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x]))).toString();
export const MIXES: { name: string; query: string; indexed: boolean }[] = [
  ...Object.entries(INDEXED_MIXES).map(([name, filters]) => ({ name, query: queryOf(filters), indexed: true })),
  { name: 'donor substring (unindexed)', query: queryOf({ donor: '花子' }), indexed: false },
];

/** The route's own query-string → filters mapping, for the in-process totals/rows timings. */
function filtersOf(query: string): SearchFilters {
  const p = new URLSearchParams(query);
  const all = (k: string) => (p.getAll(k).length ? p.getAll(k) : undefined);
  const num = (k: string) => (p.has(k) ? Number(p.get(k)) : undefined);
  const bool = (k: string) => (p.has(k) ? p.get(k) === 'true' : undefined);
  const from = (k: string) => (p.has(k) ? jstStartOfDay(p.get(k)!).toISOString() : undefined);
  const to = (k: string) => (p.has(k) ? jstStartOfDay(addDays(p.get(k)!, 1)).toISOString() : undefined);
  return {
    status: all('status') as SearchFilters['status'], portal: all('portal'), gift: all('gift'), supplier: all('supplier'), prefecture: all('prefecture'),
    appliedFrom: from('appliedFrom'), appliedTo: to('appliedTo'), paidFrom: from('paidFrom'), paidTo: to('paidTo'),
    amountMin: num('amountMin'), amountMax: num('amountMax'), reviewFlagged: bool('reviewFlagged'), reviewFlag: all('reviewFlag'),
    disasterRelief: bool('disasterRelief'), wantsOneStop: bool('wantsOneStop'), onestopStatus: all('onestopStatus'), donor: p.get('donor') ?? undefined,
    donorKana: p.get('donorKana') ?? undefined,
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const s = performance.now();
  const v = await fn();
  return [v, performance.now() - s];
}

async function benchSearch(orm: Orm, apiBase: string, requests: number) {
  const headers = { authorization: `Bearer ${OPERATOR_TOKEN}` };
  const all: number[] = [];
  const indexedAll: number[] = [];
  const perMix: Record<string, unknown>[] = [];
  for (const mix of MIXES) {
    const ts: number[] = [];
    let total = 0;
    let exact = true;
    let cursor: string | null = null;
    for (let i = 0; i <= requests; i++) {
      // Odd requests follow the previous page's cursor: keyset pages are measured, not only page 1.
      const url: string = `${apiBase}/donations?${mix.query}${mix.query ? '&' : ''}limit=50${i % 2 === 1 && cursor ? `&after=${cursor}` : ''}`;
      const [res, t] = await timed(async () => {
        const r = await fetch(url, { headers });
        return { status: r.status, json: (await r.json()) as { total: number; totalsExact: boolean; nextCursor: string | null } };
      });
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.json)}`);
      if (i > 0) ts.push(t); // the first of each warms the cache
      total = res.json.total;
      exact = res.json.totalsExact;
      cursor = res.json.nextCursor;
    }
    ts.sort((a, b) => a - b);
    all.push(...ts);
    if (mix.indexed) indexedAll.push(...ts);
    // Totals alone and the page alone, in-process, 5 runs each (median): where the time goes.
    const f = filtersOf(mix.query);
    const totalsT: number[] = [];
    const rowsT: number[] = [];
    for (let i = 0; i < 5; i++) {
      totalsT.push((await timed(() => searchTotals(orm.em.fork() as EntityManager, f)))[1]);
      rowsT.push((await timed(() => searchRows(orm.em.fork() as EntityManager, f, { limit: 50 })))[1]);
    }
    const row = {
      mix: mix.name, query: decodeURIComponent(mix.query), indexed: mix.indexed, total, totalsExact: exact,
      p50: ms(percentile(ts, 50)), p95: ms(percentile(ts, 95)), max: ms(ts[ts.length - 1]!),
      totalsOnlyMs: ms(percentile(totalsT.sort((a, b) => a - b), 50)), rowsOnlyMs: ms(percentile(rowsT.sort((a, b) => a - b), 50)),
    };
    perMix.push(row);
    log(`${row.mix.padEnd(28)} p50 ${String(row.p50).padStart(6)} p95 ${String(row.p95).padStart(6)} ms  total ${total}${exact ? '' : ' (estimate)'}  totals ${row.totalsOnlyMs} rows ${row.rowsOnlyMs}`);
  }
  all.sort((a, b) => a - b);
  indexedAll.sort((a, b) => a - b);
  return {
    requestsPerMix: requests,
    indexed: { requests: indexedAll.length, p50Ms: ms(percentile(indexedAll, 50)), p95Ms: ms(percentile(indexedAll, 95)), maxMs: ms(indexedAll[indexedAll.length - 1]!), targetP95Ms: 200 },
    all: { requests: all.length, p50Ms: ms(percentile(all, 50)), p95Ms: ms(percentile(all, 95)) },
    perMix,
  };
}

/** A JST date range [first, last] from the seed's first day holding about `target` rows. */
async function rangeFor(orm: Orm, target: number): Promise<{ from: string; to: string; rows: number }> {
  const { rows } = await orm.em.getKnex().raw(`
    select to_char(applied_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') as day, count(*)::int as n
    from donations group by 1 order by 1`);
  let sum = 0;
  for (const r of rows as { day: string; n: number }[]) {
    sum += r.n;
    if (sum >= target) return { from: rows[0].day, to: r.day, rows: sum };
  }
  return { from: rows[0].day, to: rows[rows.length - 1].day, rows: sum };
}

async function benchExport(orm: Orm, apiBase: string, target: number, encoding: 'sjis' | 'utf8') {
  const gc = gcFunction();
  const range = await rangeFor(orm, target);
  gc();
  gc();
  const base = process.memoryUsage();
  const samples: { t: number; rss: number; heap: number; rows: number }[] = [];
  let lines = 0;
  const s = performance.now();
  const tick = setInterval(() => {
    const m = process.memoryUsage();
    samples.push({ t: performance.now() - s, rss: m.rss, heap: m.heapUsed, rows: lines });
  }, 50);
  // What is still held (garbage excluded), once a second: flat = nothing kept per row.
  const retained: { rows: number; heapMb: number }[] = [];
  const gcTick = setInterval(() => {
    gc();
    retained.push({ rows: Math.max(0, lines - 1), heapMb: mb(process.memoryUsage().heapUsed - base.heapUsed) });
  }, 1000);
  const res = await fetch(`${apiBase}/donations/export?appliedFrom=${range.from}&appliedTo=${range.to}&encoding=${encoding}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  let bytes = 0;
  let firstByteMs = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (!bytes) firstByteMs = performance.now() - s;
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines += 1;
  }
  const seconds = (performance.now() - s) / 1000;
  clearInterval(tick);
  clearInterval(gcTick);
  gc();
  const after = process.memoryUsage();
  const peakRss = Math.max(base.rss, ...samples.map((x) => x.rss));
  const peakHeap = Math.max(base.heapUsed, ...samples.map((x) => x.heap));
  // RSS in the first, middle and last third: rising thirds would mean memory held per row.
  const third = (k: number) => {
    const part = samples.filter((x) => x.t >= (k * seconds * 1000) / 3 && x.t < ((k + 1) * seconds * 1000) / 3);
    return part.length ? mb(Math.max(...part.map((x) => x.rss))) : null;
  };
  return {
    status: res.status, encoding, range: `${range.from}..${range.to}`, rows: lines - 1, bytes, seconds: Number(seconds.toFixed(2)), firstByteMs: Math.round(firstByteMs),
    rowsPerSecond: Math.round((lines - 1) / seconds),
    rssBaseMb: mb(base.rss), rssPeakMb: mb(peakRss), rssPeakMinusBaseMb: mb(peakRss - base.rss), rssPeakByThirdMb: [third(0), third(1), third(2)],
    heapBaseMb: mb(base.heapUsed), heapPeakMb: mb(peakHeap), heapPeakMinusBaseMb: mb(peakHeap - base.heapUsed), heapAfterGcMinusBaseMb: mb(after.heapUsed - base.heapUsed),
    retainedHeapAboveBaseMb: retained.filter((_, i) => i % Math.max(1, Math.ceil(retained.length / 8)) === 0),
  };
}

/**
 * The monthly report build (ledger/reports.ts, written beside this change): a December (the
 * busiest month) and a June, three builds each, on the million-row ledger.
 */
async function timeMonthlyReport(orm: Orm): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { fn: 'buildMonthlyReportData' };
  for (const month of ['2025-12', '2026-06']) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push((await timed(() => buildMonthlyReportData(orm, month)))[1]);
    out[month] = { runsMs: times.map(ms) };
    log(`monthly report ${month}: ${times.map((t) => `${Math.round(t)} ms`).join(', ')}`);
  }
  return out;
}

/** LEDGER-3's progress view for a whole fiscal year of the million-row ledger, three times. */
async function timeProgress(orm: Orm): Promise<Record<string, unknown>> {
  const times: number[] = [];
  let donations = 0;
  for (let i = 0; i < 3; i++) {
    const [p, t] = await timed(() => fiscalYearProgress(orm.em.fork().getKnex(), 2025));
    donations = p.donations.count;
    times.push(t);
  }
  log(`progress FY2025 (${donations} donations): ${times.map((t) => `${Math.round(t)} ms`).join(', ')}`);
  return { fn: 'fiscalYearProgress', fiscalYear: 2025, donations, runsMs: times.map(ms) };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const loadBefore = load();
  log(`machine: ${os.cpus().length} cores, ${mb(os.totalmem())} MiB; ${loadBefore}`);
  let seedInfo: Record<string, unknown> = {};
  const stack = await startLedgerStack(log, async (orm) => {
    seedInfo = await ensureSeed(orm, o.n, o.reseed, log);
  });
  try {
    const result: Record<string, unknown> = { n: o.n, seed: seedInfo, machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadBefore } };
    if (o.phases.has('search')) result.search = await benchSearch(stack.orm, stack.apiBase, o.requests);
    result.loadAfterSearch = load();
    if (o.phases.has('export')) {
      const exports = [];
      for (const target of [20_000, 100_000, 300_000]) {
        const e = await benchExport(stack.orm, stack.apiBase, target, 'sjis');
        log(`export ${e.rows} rows ${e.seconds} s, RSS base ${e.rssBaseMb} peak +${e.rssPeakMinusBaseMb} MiB (thirds ${e.rssPeakByThirdMb.join('/')}), heap peak +${e.heapPeakMinusBaseMb} MiB`);
        exports.push(e);
      }
      result.export = { targetSeconds: 10, runs: exports };
    }
    if (o.phases.has('report')) result.monthlyReport = await timeMonthlyReport(stack.orm);
    if (o.phases.has('progress')) result.progress = await timeProgress(stack.orm);
    result.loadAfter = load();
    result.serverErrors = stack.serverErrors;
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
