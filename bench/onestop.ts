/**
 * bench:onestop — N one-stop applications (default 15,000: the volume a city of
 * this size plans for, e.g. 稲敷市's tender), then the year's 申告特例通知書
 * files (ONESTOP-4). Two phases:
 *
 *   --phase all (default): through the API, each sealed, registered and reviewed
 *     by its OneStopApplicationWorkflow (about 1% deficient), then the export.
 *     Prints applications/s for intake, intake-to-decision and the export.
 *   --phase export: the applications are put into the ledger as accepted
 *     (sealed, no workflows), then only the export is measured — the yearly
 *     run's own cost, without the months of intake before it.
 *
 * Donors live in every municipality of Japan in turn (one file per
 * municipality, as in real life); the export is run twice, the second time
 * to show that a re-run writes nothing new.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import data from '../domain/onestop/municipalities.json';
import { myNumberCheckDigit } from '../domain/onestop/my-number';
import { registerDonation } from '../ledger/donations';
import { registerApplication } from '../ledger/onestop';
import { onestopNotificationWorkflow } from '../workflows/onestop/notification-workflow';
import { newDonation } from '../test/support/factory';
import { cpuSince, cpuSnapshot, MemorySampler, percentile, parseOptions, runBench, runPool, sleep, startStack, type Stack } from './support';
import { floorComparison, runBareFloor } from './floor';

const OPERATOR_TOKEN = 'dev-operator-token';
/** Issue 19: applications decided at half the bare floor or better. */
const TARGET_RATIO = 0.5;
const MiB = 1024 * 1024;
const log = (m: string) => process.stderr.write(`[bench:onestop] ${m}\n`);

/** Every municipality in turn: prefecture, the address as donors write it. */
const PLACES = (data.prefectures as { name: string; municipalities: { name: string; county?: string }[] }[]).flatMap((p) =>
  p.municipalities.map((m) => ({ prefecture: p.name, place: `${m.county ?? ''}${m.name}` })),
);

const myNumberOf = (i: number) => {
  const first11 = String(10_000_000_000 + i).slice(-11);
  return first11 + myNumberCheckDigit(first11);
};

function takePhase(argv: string[]): { phase: 'all' | 'export'; rest: string[] } {
  const rest: string[] = [];
  let phase: 'all' | 'export' = 'all';
  for (let i = 0; i < argv.length; i++) {
    const m = /^--phase(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      rest.push(argv[i]);
      continue;
    }
    const value = m[1] ?? argv[++i];
    if (value !== 'all' && value !== 'export') throw new Error(`--phase must be all or export, got "${value}"`);
    phase = value;
  }
  return { phase, rest };
}

async function seedDonations(stack: Stack, n: number, concurrency: number, runId: string): Promise<string[]> {
  const donationIds: string[] = new Array(n);
  await runPool(n, concurrency, async (i) => {
    const { prefecture, place } = PLACES[i % PLACES.length];
    const { donation } = await registerDonation(
      stack.orm.em.fork(),
      newDonation('BENCH-OS', {
        portalOrderId: `BENCH-OS-${runId}-${i}`,
        donor: { name: `試験 太郎${i}`, nameKana: 'シケン タロウ', postalCode: '100-0001', prefecture, address: `${place}1-${i}`, phone: '03-0000-0000', email: 'bench@example.jp' },
      }),
      'bench:seed',
    );
    donationIds[i] = donation.id;
  });
  return donationIds;
}

async function measureExport(stack: Stack) {
  // The drop folder is the stack configuration's (<run dir>/onestop/outbox); the workflow's result names it.
  const runOnce = async (attempt: number) => {
    const t0 = Date.now();
    const result = await Promise.race([
      stack.client.workflow.execute(onestopNotificationWorkflow, {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId: `bench-notification-${attempt}`,
        args: [{ donationYear: 2026, requestedBy: 'bench' }],
      }),
      stack.workerFailure,
    ]);
    return { seconds: (Date.now() - t0) / 1000, result };
  };
  const first = await runOnce(1);
  const again = await runOnce(2);
  const dir = first.result.deliveryDir;
  const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  return {
    applications: first.result.applications,
    files: first.result.files,
    problems: first.result.problems,
    seconds: first.seconds,
    perSec: Math.round((first.result.applications / first.seconds) * 10) / 10,
    megabytes: Math.round((bytes / 1024 / 1024) * 10) / 10,
    rerunSeconds: again.seconds,
    rerunCreated: again.result.created,
  };
}

async function main(): Promise<number> {
  const { phase, rest } = takePhase(process.argv.slice(2));
  const opts = parseOptions(rest, { ...process.env, BENCH_N: process.env.BENCH_N ?? '15000' });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stack = await startStack();
  const runId = Date.now().toString(36);
  try {
    log(`seeding ${opts.n} donations in the ledger …`);
    const seedStart = Date.now();
    const donationIds = await seedDonations(stack, opts.n, opts.concurrency, runId);
    log(`seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

    if (phase === 'export') {
      log(`entering ${opts.n} accepted applications (sealed, no workflows) …`);
      const keyring = stack.config.myNumber!;
      await runPool(opts.n, opts.concurrency, async (i) => {
        const { prefecture, place } = PLACES[i % PLACES.length];
        const { application } = await registerApplication(
          stack.orm.em.getKnex(),
          keyring,
          {
            donation: { donationId: donationIds[i] },
            channel: 'paper',
            arrivedOn: '2026-12-01',
            scanRef: `scan://bench/${i}`,
            content: {
              formVersion: 'current',
              name: `試験 太郎${i}`,
              nameKana: 'シケン タロウ',
              address: `${prefecture}${place}1-${i}`,
              birthDate: '1980-01-01',
              donationDate: '2026-11-20',
              amountYen: 10_000,
              checkboxes: { first: true, second: true },
              attachments: [{ kind: 'my_number_card' }],
            },
            myNumber: myNumberOf(i),
          },
          'bench:seed',
        );
        await stack.orm.em.getKnex()('onestop_applications').where('id', application.id).update({ status: 'accepted', decided_at: new Date() });
      });
      log('exporting the 申告特例通知書 files …');
      const exported = await measureExport(stack);
      log(`export: ${exported.applications} applications into ${exported.files} files in ${exported.seconds} s (${exported.perSec}/s); re-run ${exported.rerunSeconds} s`);
      process.stdout.write(`BENCH_RESULT ${JSON.stringify({ phase, n: opts.n, export: exported })}\n`);
      return 0;
    }

    const headers = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
    const latencies: number[] = [];
    log(`posting ${opts.n} paper applications (concurrency ${opts.concurrency}) …`);
    const memory = new MemorySampler(250);
    memory.start();
    const cpuBefore = cpuSnapshot(stack);
    const started = Date.now();
    await runPool(opts.n, opts.concurrency, async (i) => {
      const { prefecture, place } = PLACES[i % PLACES.length];
      const t0 = performance.now();
      const res = await fetch(`${stack.apiBase}/onestop/applications/paper`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          donationId: donationIds[i],
          arrivedOn: '2026-12-01',
          scanRef: `scan://bench/${i}`,
          formVersion: i % 7 === 0 ? 'old_with_gender' : 'current',
          applicant: { name: `試験 太郎${i}`, nameKana: 'シケン タロウ', address: `${prefecture}${place}1-${i}`, birthDate: '1980-01-01' },
          myNumber: myNumberOf(i),
          donationDate: '2026-11-20',
          amountYen: 10_000,
          checkboxes: { first: true, second: i % 100 !== 0 },
          attachments: [{ kind: 'my_number_card' }],
        }),
      });
      if (res.status !== 201) throw new Error(`application ${i}: HTTP ${res.status} ${await res.text()}`);
      latencies.push(performance.now() - t0);
    });
    const posted = Date.now();

    const knex = stack.monitor.em.getKnex();
    let decided = 0;
    while (decided < opts.n) {
      const [row] = await knex('onestop_applications').whereIn('status', ['accepted', 'deficient']).count('* as n');
      decided = Number(row.n);
      if (decided < opts.n) await Promise.race([sleep(250), stack.workerFailure]);
    }
    const finished = Date.now();
    const cpu = cpuSince(cpuBefore, cpuSnapshot(stack));
    memory.stop();
    const reviewedPerSec = (opts.n / (finished - started)) * 1000;
    log(`all decided; bare floor: ${opts.n} empty workflows …`);
    const bare = await runBareFloor(stack, opts, runId, log);
    const floor = floorComparison({ label: 'decided', unit: 'applications', n: opts.n, perSec: reviewedPerSec, cpu }, bare, opts.n, TARGET_RATIO);
    // What one accepted application costs Temporal: its history's events by type.
    const [sample] = await knex('onestop_applications').select('workflow_id').where('status', 'accepted').limit(1);
    const sampleHistory = await stack.client.workflow.getHandle(sample.workflow_id).fetchHistory();
    const eventTypes: Record<string, number> = {};
    for (const e of sampleHistory.events ?? []) {
      const type = (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '').toLowerCase();
      eventTypes[type] = (eventTypes[type] ?? 0) + 1;
    }
    const byStatus = await knex('onestop_applications').select('status').count('* as n').groupBy('status');
    log('exporting the 申告特例通知書 files …');
    const exported = await measureExport(stack);
    latencies.sort((a, b) => a - b);
    const result = {
      phase,
      n: opts.n,
      concurrency: opts.concurrency,
      intakePerSec: Math.round((opts.n / (posted - started)) * 1000 * 10) / 10,
      reviewedPerSec: Math.round(reviewedPerSec * 10) / 10,
      seconds: (finished - started) / 1000,
      peakRssMiB: Math.round(memory.peakRss / MiB),
      peakHeapMiB: Math.round(memory.peakHeapUsed / MiB),
      cpuSeconds: { bench: Math.round(cpu.bench), temporal: Math.round(cpu.temporal), postgres: Math.round(cpu.postgres), other: Math.round(cpu.other) },
      otherLoadCores: Math.round((cpu.other / ((finished - started) / 1000)) * 100) / 100,
      floor: floor.json,
      acceptedHistory: { events: sampleHistory.events?.length ?? 0, types: eventTypes },
      apiMs: { p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)), max: Math.round(latencies[latencies.length - 1]) },
      statuses: Object.fromEntries(byStatus.map((r: any) => [r.status, Number(r.n)])),
      export: exported,
    };
    log(`${result.n} applications: intake ${result.intakePerSec}/s, reviewed ${result.reviewedPerSec}/s (${result.seconds} s); export ${exported.applications} in ${exported.seconds} s`);
    process.stdout.write(
      [
        '',
        `one-stop       ${opts.n} paper applications posted and decided in ${result.seconds.toFixed(1)} s: ${result.reviewedPerSec} applications/s (intake ${result.intakePerSec}/s, API p50 ${result.apiMs.p50} ms, p95 ${result.apiMs.p95} ms); ${JSON.stringify(result.statuses)}`,
        `  CPU          bench process ${cpu.bench.toFixed(1)} s, temporal ${cpu.temporal.toFixed(1)} s, postgres ${cpu.postgres.toFixed(1)} s, other load ${result.otherLoadCores} cores; ${floor.json.cpuMsPerItem} ms per application`,
        `  memory       bench process peak RSS ${result.peakRssMiB} MiB, peak main heap ${result.peakHeapMiB} MiB while posting and deciding`,
        `  history      an accepted application: ${result.acceptedHistory.events} events (${Object.entries(eventTypes).map(([t, k]) => `${t} ${k}`).join(', ')})`,
        ...floor.lines,
        `export         ${exported.applications} applications into ${exported.files} files in ${exported.seconds} s; re-run ${exported.rerunSeconds} s`,
        '',
      ].join('\n') + '\n',
    );
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await stack.stop();
  }
}

runBench('bench:onestop', main);
