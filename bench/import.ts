/**
 * `npm run bench:import` — a 楽天 RMS 受注CSV of N rows (default 50,000, CP932,
 * written to disk as a stream) uploaded through the API and imported end to
 * end, with three clocks:
 * - in the ledger: every row registered (or quarantined), `registered_at` —
 *   PORTAL-1's clock, and the one the ≥ 200 rows/s target is read against;
 * - started: every donation's DonationWorkflow started, when the
 *   ImportFileWorkflow finishes (bounded by the Temporal server's cost per start);
 * - settled: every started workflow at its first waiting state (held /
 *   awaiting_payment / documents_due).
 * Prints rows/s, where the time went, the machine's load, and RSS sampled
 * through the import (flat in file size: the file is streamed).
 *
 *   npm run bench:import -- --rows 50000
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import postalPrefixes from '../domain/intake/postal-prefixes.json';
import { RAKUTEN_COLUMNS, type RakutenColumn } from '../domain/portals/rakuten';
import { ImportFile } from '../ledger/entities';
import { importChunk, importProfile, storeImportFile } from '../ledger/intake';
import { openPortalFile } from '../domain/portals/reader';
import { adapterFor } from '../domain/portals';
import { importFileWorkflow } from '../workflows/intake/import-file-workflow';
import { cpuSince, cpuSnapshot, MemorySampler, pgStatements, startStack } from './support';

const GIFTS = [
  { code: 'rk-bench-eel', price: 20_000 },
  { code: 'rk-bench-nori', price: 10_000 },
  { code: 'rk-bench-strawberry', price: 12_000 },
  { code: 'rk-bench-sake', price: 15_000 },
];
/** Three-digit postal areas wholly in 東京都, so the made-up donors pass the postal/prefecture check. */
const TOKYO_PREFIXES = Object.entries(postalPrefixes.prefixes as Record<string, string[]>).filter(([, p]) => p.length === 1 && p[0] === '東京都').map(([k]) => k);
const SEI = ['髙橋', '山﨑', '佐藤', '鈴木', '田中', '伊藤', '渡辺', '中村'];
const SEI_KANA = ['タカハシ', 'ヤマザキ', 'サトウ', 'スズキ', 'タナカ', 'イトウ', 'ワタナベ', 'ナカムラ'];
const MEI = ['一郎', '花子', '次郎', '美咲', '健', '陽子'];
const MEI_KANA = ['イチロウ', 'ハナコ', 'ジロウ', 'ミサキ', 'ケン', 'ヨウコ'];

function parseRows(argv: string[]): number {
  const i = argv.findIndex((a) => a === '--rows' || a.startsWith('--rows='));
  const raw = i < 0 ? process.env.BENCH_ROWS ?? '50000' : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--rows must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Made-up orders; every 8th has two items (two rows), every 200th a broken amount.
 * Donors as in a real export: common names repeat (24 name pairs), postal codes
 * spread over Tokyo's 90 three-digit areas, addresses and phones do not repeat,
 * and every 10th order is by the donor of an order five before it.
 */
export async function writeFile(file: string, rows: number, stamp: string): Promise<{ orders: number; broken: number }> {
  const out = fs.createWriteStream(file);
  const write = async (cells: string[]) => {
    if (!out.write(iconv.encode(cells.map(cell).join(',') + '\r\n', 'cp932'))) await once(out, 'drain');
  };
  await write([...RAKUTEN_COLUMNS]);
  let written = 0;
  let orders = 0;
  let broken = 0;
  while (written < rows) {
    const n = orders++;
    const items = n % 8 === 7 && rows - written >= 2 ? [GIFTS[n % 4], GIFTS[(n + 1) % 4]] : [GIFTS[n % 4]];
    const total = items.reduce((s, g) => s + g.price, 0);
    const bad = n % 200 === 199;
    if (bad) broken++;
    const at = new Date(Date.UTC(2026, 10, 20, 0, 0, 0) + n * 1000);
    const local = new Date(at.getTime() + 9 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    const card = n % 3 !== 0;
    const d = n % 10 === 9 ? n - 5 : n;
    for (const g of items) {
      const v: Partial<Record<RakutenColumn, string>> = {
        注文番号: `${stamp}-${String(n).padStart(7, '0')}`, ステータス: '新規受付', 注文日時: local, 支払方法名: card ? 'クレジットカード' : '銀行振込',
        合計金額: bad ? '不明' : String(total), 商品合計金額: String(total),
        注文者郵便番号1: TOKYO_PREFIXES[d % TOKYO_PREFIXES.length], 注文者郵便番号2: String(Math.floor(d / TOKYO_PREFIXES.length) % 10000).padStart(4, '0'), 注文者住所都道府県: '東京都', 注文者住所郡市区: '千代田区',
        注文者住所それ以降の住所: `千代田${1 + (d % 5)}-${1 + (d % 30)}-${1 + Math.floor(d / 150)}`,
        注文者姓: SEI[d % 8], 注文者名: MEI[d % 6], 注文者姓カナ: SEI_KANA[d % 8], 注文者名カナ: MEI_KANA[d % 6],
        注文者電話番号1: '03', 注文者電話番号2: String(1000 + Math.floor(d / 10000)), 注文者電話番号3: String(d % 10000).padStart(4, '0'),
        注文者メールアドレス: `d${n}@pc.fw.rakuten.ne.jp`, 商品管理番号: g.code, 単価: String(g.price), 個数: '1',
        '項目・選択肢': 'ワンストップ特例申請書:希望する',
      };
      await write(RAKUTEN_COLUMNS.map((c) => v[c] ?? ''));
      written++;
    }
  }
  out.end();
  await once(out, 'finish');
  return { orders, broken };
}

/**
 * RSS and, when node runs with --expose-gc (npm run bench:import does), the heap still live after a
 * full collection: flat in rows done means the importer retains nothing per row; RSS alone moves with
 * when V8 chooses to collect.
 */
function memoryMark(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const m = process.memoryUsage();
  return `${(m.rss / 1048576).toFixed(0)}${gc ? ` / ${(m.heapUsed / 1048576).toFixed(0)}` : ''}`;
}

const load = () => {
  const [a, b, c] = os.loadavg();
  return `load average ${a.toFixed(2)}, ${b.toFixed(2)}, ${c.toFixed(2)}`;
};

async function main(): Promise<void> {
  const rows = parseRows(process.argv.slice(2));
  process.stderr.write(`[bench] before start: ${load()}\n`);
  const stack = await startStack();
  // Interrupted: take the private servers down with the bench.
  const onSignal = () => void stack.stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const knex = stack.orm.em.fork().getKnex();
    await knex('gifts').insert(GIFTS.map((g) => ({ code: g.code, name: g.code, price_yen: g.price, active: true }))).onConflict('code').ignore();
    // Stock as in production (GIFT-2): eel is tracked (total stock, gift lock per sale), nori and strawberry have a
    // listing on 楽天 (one statement per sale), sake has neither (no stock statement at all).
    await knex('gifts').where({ code: 'rk-bench-eel' }).update({ total_stock: rows * 2, low_stock_threshold: 10 });
    await knex('gift_listings')
      .insert(['rk-bench-eel', 'rk-bench-nori', 'rk-bench-strawberry'].map((code) => ({ gift_code: code, portal_code: 'rakuten', allocated: rows, listed: true })))
      .onConflict(['gift_code', 'portal_code'])
      .ignore();
    const file = path.join(stack.runDir, 'rms-bench.csv');
    const stamp = `B${Date.now().toString(36)}`;
    const { orders, broken } = await writeFile(file, rows, stamp);
    const size = fs.statSync(file).size;
    process.stderr.write(`[bench] file: ${rows} rows, ${orders} orders, ${broken} broken, ${(size / 1048576).toFixed(1)} MiB CP932\n`);

    // Parse alone (decode + CSV + grouping + mapping), for the profile.
    const parseStarted = Date.now();
    const opened = await openPortalFile(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), adapterFor('rakuten'));
    let groups = 0;
    for await (const _ of opened.groups) groups++;
    const parseMs = Date.now() - parseStarted;

    if (process.argv.includes('--ledger-only')) {
      // The import machinery alone (parse, set-based registration, commits), no workflow starts: its own cost per row.
      const { file: stored } = await storeImportFile(stack.orm, { portal: 'rakuten', fileName: 'rms-ledger-only.csv', source: 'upload', createdBy: 'operator:bench', bytes: fs.createReadStream(file) });
      await pgStatements(stack.monitor.em.fork().getKnex(), 'reset');
      const mem = new MemorySampler();
      mem.start();
      const cpu0 = cpuSnapshot(stack);
      const t0 = Date.now();
      let r;
      const trace: string[] = [];
      do {
        r = await importChunk(stack.orm, stored.id, 2000, { heartbeat: () => undefined, paymentSeen: async () => undefined, ensureWorkflow: async () => undefined });
        if (trace.length === 0 || r.rowsDone >= (trace.length * rows) / 10 || r.done) trace.push(`${r.rowsDone}: ${memoryMark()}`);
      } while (!r.done);
      const ms = Date.now() - t0;
      mem.stop();
      const c = cpuSince(cpu0, cpuSnapshot(stack));
      console.log(`bench:import --ledger-only — ${rows} rows in ${(ms / 1000).toFixed(1)} s = ${(rows / (ms / 1000)).toFixed(0)} rows/s (no workflow starts); register ${(importProfile.registerMs / 1000).toFixed(1)} s, commit ${(importProfile.commitMs / 1000).toFixed(1)} s, parse alone ${(parseMs / 1000).toFixed(1)} s; peak RSS ${(mem.peakRss / 1048576).toFixed(0)} MiB; CPU bench ${c.bench.toFixed(1)}, postgres ${c.postgres.toFixed(1)}, other ${c.other.toFixed(1)}; ${load()}`);
      console.log(`  by rows done ${trace.join(', ')} (RSS / live heap after a full GC, MiB)`);
      await pgStatements(stack.monitor.em.fork().getKnex(), 'print');
      return;
    }

    const memory = new MemorySampler();
    memory.start();
    const loadAtStart = load();
    // RSS as the import goes on: flat in file size means no growth with rows done. While rows go into the
    // ledger no workflow has started yet, so the figures up to then are the importer's own.
    const rssTrace: string[] = [];
    let nextMark = 0;
    let ledgerPhase: { peakRss: number; peakHeapUsed: number; cpu: ReturnType<typeof cpuSnapshot> } | undefined;
    const traceTimer = setInterval(async () => {
      try {
        const [f] = await stack.monitor.em.fork().getKnex()('import_files').where('file_name', 'rms-bench.csv').select('rows_done', 'registered_at');
        const done = f ? Number(f.rows_done) : 0;
        if (done >= nextMark) {
          rssTrace.push(`${done}: ${memoryMark()}`);
          nextMark = done + Math.ceil(rows / 10);
        }
        if (f?.registered_at && !ledgerPhase) ledgerPhase = { peakRss: memory.peakRss, peakHeapUsed: memory.peakHeapUsed, cpu: cpuSnapshot(stack) };
      } catch {
        // the monitor is best effort
      }
    }, 500);
    const cpuBefore = cpuSnapshot(stack);
    const started = Date.now();
    const boundary = '----furusato-bench';
    const body = Readable.from(
      (async function* () {
        yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="rms-bench.csv"\r\nContent-Type: text/csv\r\n\r\n`);
        for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
        yield Buffer.from(`\r\n--${boundary}--\r\n`);
      })(),
    );
    const res = await fetch(`${stack.apiBase}/intake/imports?portal=rakuten&wait=false&limit=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-operator-token', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: body as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    if (res.status !== 202 && res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
    const uploadedMs = Date.now() - started;
    const { file: imported } = (await res.json()) as { file: { id: string; workflowId: string } };
    const totals = await Promise.race([stack.client.workflow.getHandle<typeof importFileWorkflow>(imported.workflowId).result(), stack.workerFailure]);
    const elapsedMs = Date.now() - started;
    clearInterval(traceTimer);
    memory.stop();
    const loadAtEnd = load();
    const cpu = cpuSince(cpuBefore, cpuSnapshot(stack));

    const row = await stack.monitor.em.fork().findOneOrFail(ImportFile, { id: imported.id });
    const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
    const ledgerMs = row.registeredAt!.getTime() - started;
    const ledgerCpu = ledgerPhase ? cpuSince(cpuBefore, ledgerPhase.cpu) : undefined;
    const lines = [
      `bench:import — ${rows} rows (${orders} orders) of 楽天 RMS 受注CSV, ${(size / 1048576).toFixed(1)} MiB CP932, through POST /intake/imports`,
      `  upload stored in ${(uploadedMs / 1000).toFixed(1)} s`,
      `  in the ledger    every row registered or quarantined after ${(ledgerMs / 1000).toFixed(1)} s = ${(rows / (ledgerMs / 1000)).toFixed(0)} rows/s (${(orders / (ledgerMs / 1000)).toFixed(0)} donations/s), target ≥ 200 rows/s (PORTAL-1's clock)`,
      `  started          every DonationWorkflow started after ${(elapsedMs / 1000).toFixed(1)} s = ${(rows / (elapsedMs / 1000)).toFixed(0)} rows/s end to end; the starts alone ${((elapsedMs - ledgerMs) / 1000).toFixed(1)} s = ${(row.createdCount / ((elapsedMs - ledgerMs) / 1000)).toFixed(0)} starts/s`,
      `  outcome          created ${row.createdCount}, unchanged ${row.unchangedCount}, quarantined ${row.quarantinedCount} (expected ${broken}), late ${row.lateCount}; workflow totals ${JSON.stringify(totals)}`,
      `  machine          ${loadAtStart} at start, ${loadAtEnd} when every workflow had started`,
      `  profile          parse alone ${(parseMs / 1000).toFixed(1)} s for ${groups} orders (${((parseMs * 1000) / rows).toFixed(0)} µs/row); ${importProfile.batches} batches: register ${(importProfile.registerMs / 1000).toFixed(1)} s, commit ${(importProfile.commitMs / 1000).toFixed(1)} s; then ${importProfile.starts} workflow starts ${(importProfile.startMs / 1000).toFixed(1)} s`,
      `  memory, ledger   peak RSS ${ledgerPhase ? mib(ledgerPhase.peakRss) : '?'}, main-isolate heap ${ledgerPhase ? mib(ledgerPhase.peakHeapUsed) : '?'} until every row was in the ledger (no workflow running yet: the importer's own)`,
      `  memory, starts   peak RSS ${mib(memory.peakRss)}, heap ${mib(memory.peakHeapUsed)} until every workflow had started (includes the worker running them)`,
      `  by rows done     ${rssTrace.join(', ')} (RSS / live heap after a full GC, MiB)`,
      `  CPU seconds      ${ledgerCpu ? `ledger phase: bench ${ledgerCpu.bench.toFixed(0)}, temporal ${ledgerCpu.temporal.toFixed(0)}, postgres ${ledgerCpu.postgres.toFixed(0)}, other ${ledgerCpu.other.toFixed(0)}; ` : ''}to every start: bench ${cpu.bench.toFixed(0)}, temporal ${cpu.temporal.toFixed(0)}, postgres ${cpu.postgres.toFixed(0)}, other ${cpu.other.toFixed(0)}`,
    ];
    console.log(lines.join('\n'));

    // The started workflows, until none of this file's donations is still 'received' (the first task moves each to its first waiting state).
    const waiting = async () =>
      Number((await stack.monitor.em.fork().getKnex()('donations').where('portal_order_id', 'like', `${stamp}-%`).where('status', 'received').count({ n: '*' }))[0].n);
    let pending = await waiting();
    const pendingAtImportEnd = pending;
    const settleLimit = Date.now() + Number(process.env.BENCH_SETTLE_SECONDS ?? 3600) * 1000;
    while (pending > 0 && Date.now() < settleLimit) {
      await Promise.race([new Promise((r) => setTimeout(r, 2000)), stack.workerFailure]);
      pending = await waiting();
    }
    const settledMs = Date.now() - started;
    const cpuSettled = cpuSince(cpuBefore, cpuSnapshot(stack));
    console.log(
      `  workflows        ${pendingAtImportEnd} of ${row.createdCount} not yet at their first waiting state when the import finished; ${pending ? `${pending} still not after ${((settledMs - elapsedMs) / 1000).toFixed(0)} s more (BENCH_SETTLE_SECONDS)` : `all there after ${(settledMs / 1000).toFixed(1)} s`} (${((row.createdCount - pending) / (settledMs / 1000)).toFixed(0)} donations/s end to end incl. the first workflow task); CPU to then: bench ${cpuSettled.bench.toFixed(0)}, temporal ${cpuSettled.temporal.toFixed(0)}, postgres ${cpuSettled.postgres.toFixed(0)}, other ${cpuSettled.other.toFixed(0)}`,
    );
    console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'import', rows, orders, ledgerSeconds: ledgerMs / 1000, ledgerRowsPerSecond: rows / (ledgerMs / 1000), ledgerPeakRssMiB: ledgerPhase ? Math.round(ledgerPhase.peakRss / 1048576) : null, importSeconds: elapsedMs / 1000, rowsPerSecond: rows / (elapsedMs / 1000), settledSeconds: settledMs / 1000, peakRssMiB: Math.round(memory.peakRss / 1048576), loadAtStart, loadAtEnd, profile: importProfile, parseMs })}`);
    if (row.createdCount + row.quarantinedCount !== orders || row.quarantinedCount !== broken) throw new Error('import lost or duplicated rows');
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
