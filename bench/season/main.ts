/**
 * `npm run season [-- --donations 25000 --seed 1 --out season-report.json --chart season-days.svg]`
 *
 * The season rehearsal of issue 19 on a private stack: an embedded PostgreSQL (migrated, the dev
 * print house approved), Temporal's time-skipping test server, a worker with the real workflows
 * and activities, an SMTP sink. The fiscal year's December and January share of `--donations`
 * goes through 1 December → 10 February (and on, at most to the end of February, until every
 * donation has ended); the scorecard is printed, written as JSON and drawn per day as SVG, and
 * `SEASON_RESULT {…}` is the last line. Exit 1 when a deadline is missed, a donation has not
 * ended, anything was done twice or a row was lost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createOrm, migrate } from '../../ledger/orm';
import { loadConfig } from '../../config/env';
import { seedDevPrintHouse } from '../../scripts/dev-subcontractors';
import { startEmbeddedPostgres } from '../../scripts/stack/embedded-postgres';
import { findFreePort } from '../../scripts/stack/temporal-dev-server';
import { resolveTemporalTestServer } from '../../scripts/stack/tools';
import { seasonChartSvg } from './chart';
import { seasonConfig } from './config';
import { seasonContext } from './context';
import { rehearseSeason } from './rehearse';
import { seasonResultLine, seasonTable } from './report';

const log = (m: string) => process.stderr.write(`[season] ${new Date().toISOString().slice(11, 19)} ${m}\n`);

export interface SeasonCliOptions {
  seed: number;
  donations: number;
  out: string;
  chart: string;
  concurrency: number;
}

export function parseSeasonOptions(argv: string[]): SeasonCliOptions {
  const o: SeasonCliOptions = { seed: 1, donations: 25_000, out: 'season-report.json', chart: 'season-days.svg', concurrency: 8 };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument "${argv[i]}" (usage: --donations N --seed N --out FILE --chart FILE --concurrency N)`);
    const value = m[2] ?? argv[++i];
    if (m[1] === 'out' || m[1] === 'chart') o[m[1]] = value;
    else if (m[1] === 'seed' || m[1] === 'donations' || m[1] === 'concurrency') {
      if (!/^\d+$/.test(value ?? '') || (m[1] !== 'seed' && Number(value) < 1)) throw new Error(`--${m[1]} must be a whole number, got "${value ?? ''}"`);
      o[m[1]] = Number(value);
    } else throw new Error(`unknown option --${m[1]} (known: --donations, --seed, --out, --chart, --concurrency)`);
  }
  return o;
}

async function main(): Promise<number> {
  const o = parseSeasonOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-season-'));
  fs.chmodSync(runDir, 0o755);
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log(`while stopping: ${err instanceof Error ? err.message : String(err)}`));
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    const [testServerPath, pg] = await Promise.all([
      resolveTemporalTestServer({ install: true }),
      findFreePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(runDir, 'pg'), port, persistent: false, logFile: path.join(runDir, 'pg.log') })),
    ]);
    stops.push(() => pg.stop());
    const orm = await createOrm(pg.url, { poolMax: 2 });
    await migrate(orm);
    await seedDevPrintHouse(orm.em.getKnex(), loadConfig({}).documents.printHouse);
    await orm.close();
    const ctx = await seasonContext({ testServerPath, databaseUrl: pg.url, config: (smtpUrl) => seasonConfig(runDir, smtpUrl, process.env) });
    stops.push(() => ctx.close());
    const report = await rehearseSeason(ctx, { seed: o.seed, yearDonations: o.donations, concurrency: o.concurrency, log });
    fs.writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(o.chart, seasonChartSvg(report.days));
    console.log(seasonTable(report));
    console.log(`report: ${path.resolve(o.out)}, chart: ${path.resolve(o.chart)}`);
    console.log(seasonResultLine(report));
    const r = report.result;
    return r.missed === 0 && r.notFinal === 0 && r.duplicates === 0 && r.lost === 0 && r.uncleared === 0 && r.residentsWithGifts === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error('season failed:', err);
      process.exit(1);
    },
  );
}
