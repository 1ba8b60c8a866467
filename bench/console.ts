/**
 * bench:console (issue 16): the console's donation search page and donation page against the
 * 1,000,000-donation ledger of bench:ledger (the same persistent seed, reused; --n, --reseed), through
 * a real signed-in session over HTTP, with a Temporal dev server behind the donation page's live-state
 * query (the seeded donations have no workflow: the page answers from the ledger, as for a finished one).
 * Prints per page p50/p95 of the time from request to the last byte of the HTML on loopback (server
 * time; the browser's rendering is not in it) and BENCH_RESULT {...}. Target: p95 < 300 ms.
 */
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, requireMyNumberKeys } from '../config/env';
import { buildApi } from '../api/server';
import { addAccount, findAccount } from '../ledger/console-accounts';
import { resolveTemporalCli } from '../scripts/stack/tools';
import { findFreePort, startTemporalDevServer } from '../scripts/stack/temporal-dev-server';
import { startLedgerStack } from './ledger-stack';
import { ensureSeed } from './ledger-seed';
import { percentile } from './support';

const log = (m: string) => process.stderr.write(`[bench:console] ${m}\n`);
const ms = (x: number) => Math.round(x * 10) / 10;
const LOGIN = 'bench-operator';
const PASSWORD = 'bench-operator-password';

function parseArgs(argv: string[]): { n: number; reseed: boolean; requests: number } {
  const o = { n: Number(process.env.BENCH_N ?? 1_000_000), reseed: false, requests: 20 };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    const value = () => m?.[2] ?? argv[++i] ?? '';
    if (m?.[1] === 'n') o.n = Number(value());
    else if (m?.[1] === 'reseed') o.reseed = true;
    else if (m?.[1] === 'requests') o.requests = Number(value());
    else throw new Error(`unexpected argument "${argv[i]}" (usage: --n <count> --reseed --requests <per page>)`);
  }
  return o;
}

/** The session cookie after signing in through the form, as a browser would. */
async function signIn(base: string): Promise<string> {
  const page = await fetch(`${base}/console/login`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in page');
  const res = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, login: LOGIN, password: PASSWORD }).toString(),
  });
  if (res.status !== 303 || res.headers.get('location') !== '/console/') throw new Error(`sign-in failed: ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  log(`machine: ${os.cpus().length} cores; load ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  let seedInfo: Record<string, unknown> = {};
  const stack = await startLedgerStack(log, async (orm) => {
    seedInfo = await ensureSeed(orm, o.n, o.reseed, log);
  });
  const stops: (() => Promise<unknown>)[] = [() => stack.stop()];
  try {
    const temporalServer = await startTemporalDevServer({ cliPath: await resolveTemporalCli({ install: true }), port: await findFreePort(), uiPort: false, logLevel: 'error' });
    stops.push(() => temporalServer.stop());
    const connection = await Connection.connect({ address: temporalServer.address });
    stops.push(() => connection.close());
    const config = loadConfig({ FURUSATO_DATA_DIR: os.tmpdir() });
    const api = await buildApi({ config, orm: stack.orm, temporal: new Client({ connection }), logger: false });
    stops.push(() => api.close());
    await api.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;

    const knex = stack.orm.em.getKnex();
    if (!(await findAccount(knex, LOGIN))) await addAccount(knex, { login: LOGIN, displayName: 'ベンチマーク', role: 'operator', password: PASSWORD }, 'bench:console', requireMyNumberKeys(config));
    const cookie = await signIn(base);
    const sample = (await knex.raw('select id, portal_order_id from donations tablesample system (0.05) limit ?', [o.requests])).rows as { id: string; portal_order_id: string }[];

    const pages: { name: string; urls: string[] }[] = [
      { name: 'search: no filter', urls: ['/console/donations'] },
      { name: 'search: status', urls: ['/console/donations?status=documents_due'] },
      { name: 'search: portal + status + month', urls: ['/console/donations?portal=rakuten&status=completed&appliedFrom=2025-12-01&appliedTo=2025-12-31'] },
      { name: 'search: applied week', urls: ['/console/donations?appliedFrom=2026-10-05&appliedTo=2026-10-11'] },
      { name: 'search: kana prefix', urls: [`/console/donations?donorKana=${encodeURIComponent('サトウ')}`] },
      { name: 'search: ?q= name', urls: [`/console/donations?q=${encodeURIComponent('花子')}`] },
      { name: 'search: ?q= order number', urls: sample.map((d) => `/console/donations?q=${encodeURIComponent(d.portal_order_id)}`) },
      { name: 'search: page 3', urls: ['/console/donations?status=completed&offset=100'] },
      { name: 'donation page', urls: sample.map((d) => `/console/donations/${d.id}`) },
    ];
    const result: Record<string, unknown>[] = [];
    const byKind: Record<'search' | 'donation', number[]> = { search: [], donation: [] };
    for (const p of pages) {
      const times: number[] = [];
      for (let i = 0; i <= o.requests; i++) {
        const url = p.urls[i % p.urls.length]!;
        const start = performance.now();
        const res = await fetch(`${base}${url}`, { headers: { cookie }, redirect: 'manual' });
        await res.text();
        const t = performance.now() - start;
        if (res.status !== 200 && res.status !== 303) throw new Error(`${url}: ${res.status}`);
        if (i > 0) times.push(t); // the first warms the cache
      }
      times.sort((a, b) => a - b);
      const row = { page: p.name, p50: ms(percentile(times, 50)), p95: ms(percentile(times, 95)), max: ms(times[times.length - 1]!) };
      byKind[p.name.startsWith('search') ? 'search' : 'donation'].push(...times);
      result.push(row);
      log(`${p.name.padEnd(34)} p50 ${String(row.p50).padStart(6)}  p95 ${String(row.p95).padStart(6)}  max ${String(row.max).padStart(6)} ms`);
    }
    const summary = (xs: number[]) => {
      xs.sort((a, b) => a - b);
      return { requests: xs.length, p50Ms: ms(percentile(xs, 50)), p95Ms: ms(percentile(xs, 95)), targetP95Ms: 300 };
    };
    const out = { n: o.n, seed: seedInfo, search: summary(byKind.search), donationPage: summary(byKind.donation), pages: result, load: os.loadavg(), serverErrors: stack.serverErrors };
    log(`search pages p95 ${out.search.p95Ms} ms, donation page p95 ${out.donationPage.p95Ms} ms (target < 300)`);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err) => log(`while stopping: ${err instanceof Error ? err.message : String(err)}`));
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
