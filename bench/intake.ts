/**
 * `npm run bench:intake [-- --n 2000 --concurrency 16]`
 *
 * How fast the whole system takes in already-paid donations, measured against
 * what the same Temporal server and process can do with workflows that do
 * nothing. Intake goes through the real HTTP API, and a donation only counts
 * once its workflow has written `documents_due` to the ledger, so the number
 * covers API, ledger, Temporal and worker together.
 *
 * Everything runs on a private stack (free ports, temp directory) that is
 * removed at the end; ports of a running `npm start` are never touched.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ownCpuMsPerItem, runBareFloor, type BareResult } from './floor';
import {
  cpuSince,
  cpuSnapshot,
  MemorySampler,
  parseOptions,
  percentile,
  runBench,
  runPool,
  sleep,
  startStack,
  stopOnSignal,
  type BenchOptions,
  type CpuSnapshot,
  type Stack,
} from './support';

const TARGET_RATIO = 0.5;
const POLL_MS = 250;
// A run that makes no progress for this long is broken, not slow.
const STALL_MS = 120_000;
const OPERATOR_TOKEN = 'dev-operator-token';
// Above this, someone else's work on the machine is large enough to move the result.
const DISTURBED_CORES = 0.25;

const MiB = 1024 * 1024;

interface IntakeResult {
  seconds: number;
  postsSeconds: number;
  donationsPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  peakRssMiB: number;
  peakHeapMiB: number;
  cpu: CpuSnapshot;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function ledgerPoolMax(stack: Stack): number {
  return stack.orm.config.get('pool')?.max ?? Number.NaN;
}

const SURNAMES: [string, string][] = [
  ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'], ['山本', 'ヤマモト'],
  ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['加藤', 'カトウ'], ['吉田', 'ヨシダ'], ['山田', 'ヤマダ'], ['佐々木', 'ササキ'], ['松本', 'マツモト'],
  ['井上', 'イノウエ'], ['木村', 'キムラ'], ['林', 'ハヤシ'], ['清水', 'シミズ'], ['山口', 'ヤマグチ'], ['森', 'モリ'],
];
const GIVEN: [string, string][] = [
  ['太郎', 'タロウ'], ['花子', 'ハナコ'], ['翔', 'ショウ'], ['陽菜', 'ヒナ'], ['健一', 'ケンイチ'], ['美咲', 'ミサキ'], ['大輔', 'ダイスケ'],
  ['結衣', 'ユイ'], ['誠', 'マコト'], ['愛', 'アイ'], ['拓也', 'タクヤ'], ['由美', 'ユミ'], ['直樹', 'ナオキ'], ['恵', 'メグミ'],
  ['健太', 'ケンタ'], ['彩', 'アヤ'], ['浩', 'ヒロシ'], ['舞', 'マイ'], ['亮', 'リョウ'], ['葵', 'アオイ'],
];

function benchName(i: number): { name: string; nameKana: string } {
  const [s, sk] = SURNAMES[i % SURNAMES.length];
  const [g, gk] = GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length];
  return { name: `${s} ${g}`, nameKana: `${sk} ${gk}` };
}

function donationBody(runId: string, i: number): string {
  return JSON.stringify({
    portal: 'direct',
    portalOrderId: `BENCH-${runId}-${i}`,
    channel: 'phone',
    amountYen: 10_000,
    paymentMethod: 'credit_card',
    // Paid a minute ago: the workflow goes received → paid → documents_due without waiting for a signal.
    paidAt: new Date(Date.now() - 60_000).toISOString(),
    donor: {
      // Names repeat as they do in real intake (a few hundred surname × given-name pairs), not one name for everyone:
      // 名寄せ works per name kana, and a single shared kana would make every registration wait on the same lock.
      ...benchName(i),
      postalCode: '100-0001',
      prefecture: '東京都',
      // One donor per donation, as in real intake; a shared donor row would serialise the inserts differently.
      address: `千代田区千代田1-${i + 1}`,
      // Without a phone the donation is held for review (INTAKE-4) and never reaches documents_due on its own.
      phone: '03-1234-5678',
    },
  });
}

async function countByStatus(stack: Stack, runId: string): Promise<Record<string, number>> {
  const rows: { status: string; n: number }[] = await stack.monitor.em
    .fork()
    .getConnection()
    .execute('select status, count(*)::int as n from donations where portal_order_id like ? group by status', [`BENCH-${runId}-%`]);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

async function countDocumentsDue(stack: Stack, runId: string): Promise<number> {
  const rows: { n: number }[] = await stack.monitor.em
    .fork()
    .getConnection()
    .execute("select count(*)::int as n from donations where status = 'documents_due' and portal_order_id like ?", [`BENCH-${runId}-%`]);
  return Number(rows[0]?.n ?? 0);
}

async function runIntake(stack: Stack, opts: BenchOptions, runId: string): Promise<IntakeResult> {
  const url = `${stack.apiBase}/donations`;
  const poolMax = ledgerPoolMax(stack);
  const headers = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
  const latencies = new Array<number>(opts.n);
  let posted = 0;
  let postsDoneAt = Number.NaN;

  // Outside the measurement: proves the API and the ledger answer, and opens the first pooled connection.
  const health = await fetch(`${stack.apiBase}/health`);
  if (!health.ok) throw new Error(`GET /health answered ${health.status}`);

  const memory = new MemorySampler(POLL_MS);
  const cpuBefore = cpuSnapshot(stack);
  memory.start();
  const startedAt = performance.now();

  let abandoned = false;
  const posting = runPool(opts.n, opts.concurrency, async (i) => {
    if (abandoned) return;
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', headers, body: donationBody(runId, i) });
    const text = await res.text();
    latencies[i] = performance.now() - t0;
    if (res.status !== 201) {
      const cause = stack.serverErrors[0];
      const poolDry = cause?.error.name === 'KnexTimeoutError';
      throw new Error(
        `POST /donations #${i} answered ${res.status}: ${text.slice(0, 500)}` +
          (cause ? `\nfirst server error (${cause.route}): ${cause.error.stack ?? cause.error.message}` : '') +
          (poolDry
            ? `\nhint: the ledger pool (${poolMax} connections, shared by the API and the activities) ran dry while ${opts.concurrency} POSTs were in flight; ` +
              `if each request needs a second connection while it holds one, they wait on each other until the pool times out. Compare with --concurrency ${Math.max(1, poolMax - 2)}.`
            : ''),
      );
    }
    posted += 1;
  }).then(() => {
    postsDoneAt = performance.now();
  });
  // The poller below decides when the run ends; a failed POST must end it too.
  const postingFailed = posting.then(() => new Promise<never>(() => undefined));

  const poll = async (): Promise<number> => {
    let last = -1;
    let lastChange = performance.now();
    let lastReport = performance.now();
    for (;;) {
      const done = await countDocumentsDue(stack, runId);
      const now = performance.now();
      if (done >= opts.n) return now;
      if (done !== last || posted < opts.n) {
        if (done !== last) last = done;
        lastChange = now;
      } else if (now - lastChange > STALL_MS) {
        throw new Error(`no donation reached documents_due for ${STALL_MS / 1000} s; ledger statuses: ${JSON.stringify(await countByStatus(stack, runId))}`);
      }
      if (now - lastReport >= 5_000) {
        lastReport = now;
        log(`intake ${((now - startedAt) / 1000).toFixed(0)} s: posted ${posted}/${opts.n}, documents_due ${done}/${opts.n}`);
      }
      await sleep(POLL_MS);
    }
  };

  let finishedAt: number;
  try {
    finishedAt = await Promise.race([poll(), postingFailed, stack.workerFailure]);
  } finally {
    memory.stop();
    // A failed poll must not leave requests running into a stack that is being stopped.
    abandoned = true;
    await posting.catch(() => undefined);
  }
  await posting;
  const cpu = cpuSince(cpuBefore, cpuSnapshot(stack));

  const sorted = [...latencies].sort((a, b) => a - b);
  const seconds = (finishedAt - startedAt) / 1000;
  return {
    seconds,
    postsSeconds: (postsDoneAt - startedAt) / 1000,
    donationsPerSec: opts.n / seconds,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] },
    peakRssMiB: memory.peakRss / MiB,
    peakHeapMiB: memory.peakHeapUsed / MiB,
    cpu,
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

function perItem(cpu: CpuSnapshot, n: number): string {
  const ms = (s: number) => (Number.isFinite(s) ? ((s * 1000) / n).toFixed(1) : 'n/a');
  return `${ownCpuMsPerItem(cpu, n).toFixed(1)} ms (bench process ${ms(cpu.bench)}, temporal ${ms(cpu.temporal)}, postgres ${ms(cpu.postgres)})`;
}

function cores(cpu: CpuSnapshot, seconds: number): string {
  const part = (label: string, s: number) => (Number.isFinite(s) ? `${label} ${(s / seconds).toFixed(2)}` : `${label} n/a`);
  return [part('bench process', cpu.bench), part('temporal', cpu.temporal), part('postgres', cpu.postgres), part('other load', cpu.other)].join(', ');
}

function report(opts: BenchOptions, runId: string, poolMax: number, intake: IntakeResult, bare: BareResult): void {
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / MiB),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const ratio = intake.donationsPerSec / bare.workflowsPerSec;
  const met = ratio >= TARGET_RATIO;
  const intakeCpuMs = ownCpuMsPerItem(intake.cpu, opts.n);
  const bareCpuMs = ownCpuMsPerItem(bare.cpu, opts.n);
  // With every core busy, throughput is inversely proportional to CPU per item: the ratio a CPU-bound machine would show.
  const cpuRatio = bareCpuMs / intakeCpuMs;
  const l = intake.latencyMs;

  const lines = [
    '',
    'furusato-ops intake benchmark',
    `  machine        ${machine.cpus} × ${machine.cpuModel}, ${(machine.totalMemoryMiB / 1024).toFixed(1)} GiB RAM, Node ${machine.node} (${machine.platform})`,
    `  run            N = ${opts.n}, concurrency = ${opts.concurrency}, ledger pool = ${poolMax} connections (API and activities share it), run id ${runId}`,
    '',
    'intake: POST /donations (paid) → workflow → documents_due in the ledger',
    `  throughput     ${intake.donationsPerSec.toFixed(1)} donations/s   (${opts.n} in ${intake.seconds.toFixed(1)} s; all POSTs answered after ${intake.postsSeconds.toFixed(1)} s)`,
    `  API latency    p50 ${l.p50.toFixed(1)} ms   p95 ${l.p95.toFixed(1)} ms   p99 ${l.p99.toFixed(1)} ms   (max ${l.max.toFixed(1)} ms)`,
    `  memory         peak RSS ${intake.peakRssMiB.toFixed(0)} MiB, peak heap ${intake.peakHeapMiB.toFixed(0)} MiB (API, worker and client share this process)`,
    `  CPU (cores)    ${cores(intake.cpu, intake.seconds)}`,
    `  CPU per item   ${perItem(intake.cpu, opts.n)}`,
    '',
    'bare floor: empty workflow, same server and process, client.workflow.execute',
    `  throughput     ${bare.workflowsPerSec.toFixed(1)} workflows/s   (${opts.n} in ${bare.seconds.toFixed(1)} s)`,
    `  CPU (cores)    ${cores(bare.cpu, bare.seconds)}`,
    `  CPU per item   ${perItem(bare.cpu, opts.n)}`,
    '',
    `  intake / bare  ${(ratio * 100).toFixed(1)} %   target ≥ ${TARGET_RATIO * 100} %: ${met ? 'MET' : 'NOT MET'}`,
    `  CPU-bound      ${(cpuRatio * 100).toFixed(1)} %   (bare CPU per item / intake CPU per item: the ratio when the cores, not latency, are the limit)`,
    '',
  ];
  const otherCores = Math.max(intake.cpu.other / intake.seconds, bare.cpu.other / bare.seconds);
  if (otherCores > DISTURBED_CORES) {
    lines.push(`  WARNING: other processes used up to ${otherCores.toFixed(2)} of ${machine.cpus} cores during the run; these numbers are not a clean measurement.`, '');
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  const cpuJson = (c: CpuSnapshot) => ({ bench: r1(c.bench), temporal: r1(c.temporal), postgres: r1(c.postgres), other: r1(c.other) });
  const result = {
    machine,
    n: opts.n,
    concurrency: opts.concurrency,
    ledgerPoolMax: poolMax,
    intake: {
      donationsPerSec: r1(intake.donationsPerSec),
      seconds: r1(intake.seconds),
      postsSeconds: r1(intake.postsSeconds),
      apiMs: { p50: r1(l.p50), p95: r1(l.p95), p99: r1(l.p99), max: r1(l.max) },
      peakRssMiB: Math.round(intake.peakRssMiB),
      peakHeapMiB: Math.round(intake.peakHeapMiB),
      cpuSeconds: cpuJson(intake.cpu),
      cpuMsPerDonation: r1(intakeCpuMs),
    },
    bare: { workflowsPerSec: r1(bare.workflowsPerSec), seconds: r1(bare.seconds), cpuSeconds: cpuJson(bare.cpu), cpuMsPerWorkflow: r1(bareCpuMs), peakRssMiB: Math.round(bare.peakRssMiB) },
    ratioPct: r1(ratio * 100),
    cpuBoundRatioPct: r1(cpuRatio * 100),
    otherLoadCores: Math.round(otherCores * 100) / 100,
    targetPct: TARGET_RATIO * 100,
    targetMet: met,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  // Must precede the first NativeConnection; the SDK's INFO lines would bury the report.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const runId = randomBytes(4).toString('hex');

  log(`starting a private stack (N = ${opts.n}, concurrency = ${opts.concurrency}) …`);
  const stack = await startStack();
  stopOnSignal(stack, log);

  try {
    log(`API ${stack.apiBase}; intake run …`);
    const intake = await runIntake(stack, opts, runId);
    log(`intake done in ${intake.seconds.toFixed(1)} s; bare floor run …`);
    const bare = await runBareFloor(stack, opts, runId, log);
    report(opts, runId, ledgerPoolMax(stack), intake, bare);
    return 0;
  } finally {
    log('stopping the stack …');
    await stack.stop();
  }
}

runBench('bench:intake', main);
