/**
 * bench:onestop — N one-stop applications (default 15,000: the volume a city of
 * this size plans for, e.g. 稲敷市's tender) through the API, each sealed,
 * registered and reviewed by its OneStopApplicationWorkflow, about 1% of them
 * deficient. Prints applications/s for intake and for intake-to-decision.
 * Not yet: the eLTAX export (ONESTOP-4) is not built, so it is not measured.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { registerDonation } from '../ledger/donations';
import { percentile, parseOptions, runPool, sleep, startStack } from './support';

const OPERATOR_TOKEN = 'dev-operator-token';
const log = (m: string) => process.stderr.write(`[bench:onestop] ${m}\n`);

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), { ...process.env, BENCH_N: process.env.BENCH_N ?? '15000' });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stack = await startStack();
  const runId = Date.now().toString(36);
  try {
    log(`seeding ${opts.n} donations in the ledger …`);
    const donationIds: string[] = new Array(opts.n);
    await runPool(opts.n, opts.concurrency, async (i) => {
      const { donation } = await registerDonation(
        stack.orm.em.fork(),
        {
          portal: 'choice',
          portalOrderId: `BENCH-OS-${runId}-${i}`,
          channel: 'portal',
          donor: { name: `試験 太郎${i}`, nameKana: 'シケン タロウ', postalCode: '100-0001', prefecture: '東京都', address: `千代田区千代田1-${i}`, phone: '03-0000-0000', email: 'bench@example.jp' },
          amountYen: 10_000,
          paymentMethod: 'bank_transfer',
          appliedAt: '2026-11-20T01:00:00.000Z',
          wantsOneStop: true,
          disasterRelief: false,
          gifts: [],
        },
        'bench:seed',
      );
      donationIds[i] = donation.id;
    });

    const headers = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
    const latencies: number[] = [];
    log(`posting ${opts.n} paper applications (concurrency ${opts.concurrency}) …`);
    const started = Date.now();
    await runPool(opts.n, opts.concurrency, async (i) => {
      const t0 = performance.now();
      const res = await fetch(`${stack.apiBase}/onestop/applications/paper`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          donationId: donationIds[i],
          arrivedOn: '2026-12-01',
          scanRef: `scan://bench/${i}`,
          formVersion: i % 7 === 0 ? 'old_with_gender' : 'current',
          applicant: { name: `試験 太郎${i}`, nameKana: 'シケン タロウ', address: `東京都千代田区千代田1-${i}` },
          myNumber: '123456789018',
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
    const byStatus = await knex('onestop_applications').select('status').count('* as n').groupBy('status');
    latencies.sort((a, b) => a - b);
    const result = {
      n: opts.n,
      concurrency: opts.concurrency,
      intakePerSec: Math.round((opts.n / (posted - started)) * 1000 * 10) / 10,
      reviewedPerSec: Math.round((opts.n / (finished - started)) * 1000 * 10) / 10,
      seconds: (finished - started) / 1000,
      apiMs: { p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)), max: Math.round(latencies[latencies.length - 1]) },
      statuses: Object.fromEntries(byStatus.map((r: any) => [r.status, Number(r.n)])),
    };
    log(`${result.n} applications: intake ${result.intakePerSec}/s, reviewed ${result.reviewedPerSec}/s (${result.seconds} s)`);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('bench:onestop failed:', err);
    process.exit(1);
  },
);
