/**
 * `npm run test:faults [-- --server production] [--rows 2000]` — the system under real faults.
 *
 * Real PostgreSQL, a real Temporal server (the CLI dev server, or the production
 * server built from its Go module with `--server production`), a real SMTP peer,
 * and the product's production entry points as separate OS processes: two
 * workers (dist/worker/main.js) and two APIs (dist/api/main.js). Work goes in
 * through the APIs as a client would send it; faults hit while it is in flight:
 * SIGKILL of the worker running the import, the print batch, the order run's
 * notify step and its mail/carrier step; PostgreSQL stopped for 15 s; the
 * Temporal server restarted; SMTP away for a minute; and the dev launcher
 * killed with SIGKILL. Then the ledger, the SMTP peer's mailbox and the carrier
 * files are counted: every row exactly once, every workflow where it should be,
 * no mail, carrier line, stock movement or event twice.
 *
 * Prints `FAULTS_RESULT {...}` and exits non-zero on any finding.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config/env';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/features';
import { connectOrm, migrate, type Orm } from '../../ledger/orm';
import { seedDevPrintHouse } from '../../scripts/dev-subcontractors';
import { recordOnlineIntakeApproval } from '../../ledger/online-intake-approval';
import { SCHEDULES } from '../../workflows/features';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../scripts/stack/embedded-postgres';
import { startSmtpSink, type SmtpSink } from '../../scripts/stack/smtp-sink';
import { findFreePort, startTemporalDevServer } from '../../scripts/stack/temporal-dev-server';
import { resolveTemporalCli } from '../../scripts/stack/tools';
import { writeFile as writeRakutenFile } from '../../bench/import';
import { alive, sigkill, sleep, startNode, stopGracefully, tail, until, type NodeProcess } from './processes';

const TOKEN = 'faults-operator-token-0001';
const auth = { authorization: `Bearer ${TOKEN}` };

interface TemporalHandle {
  address: string;
  stop(): Promise<void>;
}

function option(name: string, fallback: string): string {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
}

const log = (line: string) => process.stdout.write(`[faults] ${new Date().toISOString().slice(11, 19)} ${line}\n`);

class Faults {
  readonly runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-faults-'));
  readonly logDir = path.join(this.runDir, 'logs');
  readonly dataDir = path.join(this.runDir, 'data');
  readonly mailDir = path.join(this.runDir, 'mail');
  readonly taskQueue = 'faults';
  readonly scenarios: string[] = [];
  readonly findings: string[] = [];
  pg!: EmbeddedPostgresServer;
  pgPort = 0;
  temporal!: TemporalHandle;
  temporalPort = 0;
  smtp!: SmtpSink;
  smtpPort = 0;
  orm!: Orm;
  connection!: Connection;
  client!: Client;
  workers: NodeProcess[] = [];
  apis: { proc: NodeProcess; base: string; port: number }[] = [];
  api503 = 0;
  workerKills = 0;

  constructor(readonly server: 'dev' | 'production') {
    fs.chmodSync(this.runDir, 0o755);
  }

  get databaseUrl(): string {
    return this.pg.url;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      DATABASE_URL: this.databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${this.smtpPort}`,
      FURUSATO_DATA_DIR: this.dataDir,
      API_TOKENS: `operator:faults:${TOKEN}`,
      API_HOST: '127.0.0.1',
      DOCS_RETURN_WINDOW_DAYS: '0',
      // The generated orders carry Rakuten's masked relay addresses, which production skips; here they count as deliverable
      // so that every pre-shipping mail and notice really goes through the SMTP peer and its outage.
      MAIL_MASKED_DOMAINS: 'masked.invalid',
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  async startPostgres(): Promise<void> {
    this.pgPort ||= await findFreePort();
    this.pg = await startEmbeddedPostgres({ dataDir: path.join(this.runDir, 'pg'), port: this.pgPort, logFile: path.join(this.logDir, 'postgres.log'), replaceRunning: true });
  }

  async startTemporal(): Promise<void> {
    if (this.server === 'production') {
      // Built by `npm run tools:temporal-server` from go.temporal.io/server (scripts/stack/temporal-server.ts).
      const { startTemporalServer } = await import('../../scripts/stack/temporal-server');
      // Persisted in the same PostgreSQL as the ledger, as docker-compose deploys it: the PostgreSQL outage hits both.
      this.temporal = await startTemporalServer({
        postgres: this.pg.url,
        dataDir: path.join(this.runDir, 'temporal-server'),
        // The server stores its ports in a column that holds up to 32767: it picks a free one the first time, the restart reuses it.
        port: this.temporalPort,
        searchAttributes: SEARCH_ATTRIBUTE_TYPES,
        logFile: path.join(this.logDir, 'temporal-server.log'),
      });
      this.temporalPort = Number(this.temporal.address.split(':').pop());
      return;
    }
    this.temporalPort ||= await findFreePort();
    const cliPath = await resolveTemporalCli({ install: true });
    // Persisted to SQLite, so that a restart of the server keeps every workflow.
    this.temporal = await startTemporalDevServer({
      cliPath,
      port: this.temporalPort,
      uiPort: false,
      dbFile: path.join(this.runDir, 'temporal.sqlite'),
      logLevel: 'error',
      logFile: path.join(this.logDir, 'temporal.log'),
    });
  }

  async startSmtp(): Promise<void> {
    this.smtpPort ||= await findFreePort();
    this.smtp = await startSmtpSink({ port: this.smtpPort, dir: this.mailDir });
  }

  startWorker(i: number): NodeProcess {
    const p = startNode(`worker-${i}`, 'worker/main.js', this.env(), this.logDir);
    this.workers[i] = p;
    return p;
  }

  async startApi(i: number): Promise<void> {
    const port = this.apis[i]?.port ?? (await findFreePort());
    const proc = startNode(`api-${i}`, 'api/main.js', this.env({ API_PORT: String(port) }), this.logDir);
    this.apis[i] = { proc, base: `http://127.0.0.1:${port}`, port };
  }

  /**
   * The worker whose identity (pid@host, the SDK's default) runs a pending activity of `workflowId`;
   * with `betweenAttempts`, also the one that ran its last failed attempt while it waits for the next.
   */
  async workerRunning(workflowId: string, activity?: RegExp, betweenAttempts = false): Promise<NodeProcess | undefined> {
    const d = await this.client.workflow.getHandle(workflowId).describe();
    for (const a of d.raw.pendingActivities ?? []) {
      if (activity && !activity.test(a.activityType?.name ?? '')) continue;
      const pid = Number(String(a.lastWorkerIdentity ?? '').split('@')[0]);
      const w = this.workers.find((x) => x?.pid === pid && x.child.exitCode === null);
      if (w && (a.state === 2 /* STARTED */ || betweenAttempts)) return w;
    }
    return undefined;
  }

  async killAndRestart(w: NodeProcess, during: string): Promise<void> {
    const i = this.workers.indexOf(w);
    log(`SIGKILL ${w.name} (pid ${w.pid}) during ${during}`);
    await sigkill(w);
    this.workerKills++;
    this.startWorker(i);
  }

  /** A client that retries what the server could not take (503, connection refused), as the operator's tools do. */
  async call(method: 'GET' | 'POST', url: string, body?: unknown, api = 0): Promise<{ status: number; json: any }> {
    for (let attempt = 0; ; attempt++) {
      const base = this.apis[(api + attempt) % this.apis.length].base;
      try {
        const res = await fetch(`${base}${url}`, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
        const json: any = await res.json().catch(() => null);
        if (res.status === 503) {
          this.api503++;
          if (typeof json?.message !== 'string' || !/not reachable/.test(json.message)) this.findings.push(`503 without a clear message: ${JSON.stringify(json)}`);
          await sleep(1000);
          continue;
        }
        return { status: res.status, json };
      } catch (err) {
        if (attempt > 600) throw err;
        await sleep(500);
      }
    }
  }

  async sql<T = Record<string, any>>(text: string, bindings: unknown[] = []): Promise<T[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.orm.em.getKnex().raw(text, bindings as any[])).rows as T[];
      } catch (err) {
        if (attempt > 120) throw err;
        await sleep(500);
      }
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.apis.map((a) => a?.proc), ...this.workers].filter(Boolean).map((p) => stopGracefully(p)));
    await this.client?.connection.close().catch(() => undefined);
    await this.orm?.close().catch(() => undefined);
    await this.smtp?.stop().catch(() => undefined);
    await this.temporal?.stop().catch(() => undefined);
    await this.pg?.stop().catch(() => undefined);
  }
}

// ------------------------------------------------------------------ scenarios

async function setUp(f: Faults): Promise<void> {
  await f.startPostgres();
  await f.startTemporal();
  await f.startSmtp();
  f.orm = await connectOrm(f.pg.url, { poolMax: 3 });
  await migrate(f.orm);
  await seedDevPrintHouse(f.orm.em.getKnex(), loadConfig({}).documents.printHouse);
  f.connection = await Connection.connect({ address: f.temporal.address });
  f.client = new Client({ connection: f.connection, dataConverter: undefined });
  f.startWorker(0);
  f.startWorker(1);
  await f.startApi(0);
  await f.startApi(1);
  for (const a of f.apis) await until(`${a.proc.name} /health`, async () => (await fetch(`${a.base}/health`)).status, (s) => s === 200, 120_000);
}

async function scheduleIds(f: Faults): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of f.client.schedule.list()) ids.push(s.scheduleId);
  return ids.sort();
}

/** The production worker alone (no launcher) creates every schedule; killed and started again, it recreates deleted ones. */
async function schedulesByWorkerAlone(f: Faults): Promise<void> {
  const wanted = SCHEDULES.filter((s) => s.shape(loadConfig(f.env()), s.id)).map((s) => s.id).sort();
  await until('schedules created by the workers', () => scheduleIds(f), (ids) => JSON.stringify(ids) === JSON.stringify(wanted), 60_000);
  for (const id of wanted) await f.client.schedule.getHandle(id).delete();
  await f.killAndRestart(f.workers[0], 'schedule check');
  await until('schedules recreated by the restarted worker', () => scheduleIds(f), (ids) => JSON.stringify(ids) === JSON.stringify(wanted), 90_000);
  // Pause them for the rest of the run: a schedule firing on its own (the half-hourly intake) would make the counts below depend on the clock.
  for (const id of wanted) await f.client.schedule.getHandle(id).pause('fault suite: work is started through the API');
  f.scenarios.push('schedules recreated by the production worker');
}

const GIFTS = ['rk-bench-eel', 'rk-bench-nori', 'rk-bench-strawberry', 'rk-bench-sake'];
const PRICES: Record<string, number> = { 'rk-bench-eel': 20_000, 'rk-bench-nori': 10_000, 'rk-bench-strawberry': 12_000, 'rk-bench-sake': 15_000 };

async function seedCatalogue(f: Faults, rows: number): Promise<void> {
  const knex = f.orm.em.getKnex();
  const suppliers: number[] = [];
  for (const [k, carrier] of [[0, 'yamato_b2'], [1, 'sagawa_ehiden']] as const) {
    const [{ id }] = await knex('suppliers')
      .insert({ code: `faults-s${k}`, name: `柳川物産 第${k + 1}工房`, email: `orders@s${k}.faults.example.jp`, phone: `0944-72-100${k}`, postal_code: '8320021', address: `福岡県柳川市坂本町${k + 1}-1`, shipping_weekdays: '{1,2,3,4,5,6,7}', rules_acknowledged_at: new Date(), rules_acknowledged_by: 'faults', default_carrier: carrier })
      .returning('id');
    suppliers.push(id);
  }
  await knex('gifts').insert(GIFTS.map((code, i) => ({ code, name: code, price_yen: PRICES[code], cost_yen: PRICES[code] / 4, shipping_cost_yen: 1_000, supplier_id: suppliers[i % 2], temperature: 'ambient', active: true })));
  // Stock as in production (GIFT-2): a tracked total for the eel, portal listings for two more.
  await knex('gifts').where({ code: 'rk-bench-eel' }).update({ total_stock: rows * 2, low_stock_threshold: 10 });
  await knex('gift_listings').insert(['rk-bench-eel', 'rk-bench-nori'].map((code) => ({ gift_code: code, portal_code: 'rakuten', allocated: rows, listed: true })));
}

async function importWithWorkerKill(f: Faults, rows: number): Promise<{ orders: number; broken: number; fileName: string }> {
  const fileName = 'rms-faults.csv';
  const file = path.join(f.runDir, fileName);
  const stamp = `F${Date.now().toString(36)}`;
  const { orders, broken } = await writeRakutenFile(file, rows, stamp);
  const boundary = '----furusato-faults';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`),
    fs.readFileSync(file),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await fetch(`${f.apis[0].base}/intake/imports?portal=rakuten&wait=false&limit=1`, { method: 'POST', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
  assert.ok(res.status < 300, `import upload answered ${res.status}: ${await res.text()}`);
  const [imp] = await until('the import file row', () => f.sql(`select id, workflow_id from import_files where file_name = ?`, [fileName]), (r) => r.length === 1);
  // Kill the worker running the import's activity once a third of the rows are in, again once workflows are starting.
  for (const [label, reached] of [
    ['the import (registering rows)', (r: any) => Number(r.rows_done) >= rows / 3],
    ['the import (starting workflows)', (r: any) => r.registered_at !== null && Number(r.workflows_row ?? 0) > 0],
  ] as const) {
    const progress = await until(label, () => f.sql(`select rows_done, registered_at, workflows_row, finished_at from import_files where id = ?`, [imp.id]).then((r) => r[0]), (r) => reached(r) || r.finished_at !== null, 300_000, 200);
    if (progress.finished_at) {
      f.findings.push(`the import finished before the fault "${label}" could hit it (rows ${rows}): use more rows`);
      continue;
    }
    const w = await until(`the worker running ${label}`, () => f.workerRunning(imp.workflow_id), (x) => x !== undefined, 30_000, 100);
    await f.killAndRestart(w!, label);
  }
  await until('the import to finish', () => f.sql(`select finished_at, error from import_files where id = ?`, [imp.id]).then((r) => r[0]), (r) => r.finished_at !== null || r.error !== null, 600_000, 1000);
  f.scenarios.push('worker killed during the import (rows, then workflow starts)');
  return { orders, broken, fileName };
}

async function settledDonations(f: Faults, fileName: string): Promise<Record<string, number>> {
  const rows = await f.sql<{ status: string; n: number }>(
    `select d.status, count(*)::int as n from donations d join import_files i on i.file_name = ? where d.portal_code = 'rakuten' group by d.status`,
    [fileName],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function paymentsThroughPostgresOutage(f: Faults): Promise<number> {
  const due = await f.sql<{ id: string; applied_at: Date }>(`select id, applied_at from donations where status = 'awaiting_payment' order by portal_order_id`);
  let i = 0;
  let outage: Promise<void> | undefined;
  const pay = async () => {
    for (;;) {
      const n = i++;
      if (n >= due.length) return;
      if (n === Math.floor(due.length / 3) && !outage) {
        outage = (async () => {
          log('stopping PostgreSQL for 15 s');
          await f.pg.stop();
          const probe = await fetch(`${f.apis[1].base}/donations?limit=1`, { headers: auth });
          const body: any = await probe.json().catch(() => null);
          if (probe.status !== 503 || !/not reachable/.test(String(body?.message))) f.findings.push(`with PostgreSQL down the API answered ${probe.status} ${JSON.stringify(body)}`);
          else f.api503++;
          await sleep(15_000);
          await f.startPostgres();
          log('PostgreSQL is back');
        })();
      }
      const d = due[n];
      const paidAt = new Date(Math.max(new Date(d.applied_at).getTime() + 60_000, Date.now() - 3_600_000)).toISOString();
      const res = await f.call('POST', `/donations/${d.id}/payment`, { paidAt, method: 'bank_transfer', reference: `振込-${n}` }, n % 2);
      if (res.status !== 202) f.findings.push(`payment of ${d.id} answered ${res.status} ${JSON.stringify(res.json)}`);
    }
  };
  await Promise.all([pay(), pay(), pay(), pay()]);
  await outage;
  // The same payment again changes nothing.
  if (due.length) {
    const again = await f.call('POST', `/donations/${due[0].id}/payment`, { paidAt: new Date().toISOString(), method: 'bank_transfer', reference: '振込-0' });
    if (again.status >= 500) f.findings.push(`a repeated payment answered ${again.status}`);
  }
  for (const a of f.apis) if (a.proc.child.exitCode !== null) f.findings.push(`${a.proc.name} exited during the PostgreSQL outage: ${tail(a.proc.logFile, 5)}`);
  f.scenarios.push('PostgreSQL stopped for 15 s while payments came in');
  return due.length;
}

async function printBatchWithWorkerKill(f: Faults, envelopes: number): Promise<string[]> {
  const started = await f.call('POST', '/print-batches', { maxEnvelopes: envelopes });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  const { batchId, workflowId } = started.json;
  const w = await until('the worker rendering the print batch', () => f.workerRunning(workflowId), (x) => x !== undefined, 120_000, 100);
  await f.killAndRestart(w!, 'the print batch');
  const batch = await until('the batch handed to the printer', () => f.call('GET', `/print-batches/${batchId}`).then((r) => r.json), (b) => b?.batch?.status === 'handed_off', 600_000, 1000);
  const ids: string[] = batch.items.map((i: { donationId: string }) => i.donationId);
  assert.equal((await f.call('POST', `/print-batches/${batchId}/posted`, { postedAt: new Date().toISOString() })).status, 202);
  await until('the printed donations to be sent', () => f.sql(`select count(*)::int as n from donations where id = any(?) and status in ('documents_sent', 'completed')`, [ids]).then((r) => r[0].n), (n) => n === ids.length, 300_000, 1000);
  f.scenarios.push('worker killed during the print batch');
  return ids;
}

async function orderRunWithFaults(f: Faults): Promise<string> {
  const started = await f.call('POST', '/supplier-order-runs', {});
  assert.equal(started.status, 202, JSON.stringify(started.json));
  const { workflowId } = started.json;
  // The notify step: one signal per shipment, in pages. SMTP goes away as it runs, so that the donors'
  // pre-shipping mails (sent by the shipment workflows as they learn their order) and the supplier
  // order mails after the notify step all meet the outage.
  const notifier = await until('the worker notifying shipments', () => f.workerRunning(workflowId, /notify/i), (x) => x !== undefined, 300_000, 100);
  log('SMTP away (at least 60 s)');
  await f.smtp.stop();
  const smtpGoneAt = Date.now();
  await f.killAndRestart(notifier!, 'the order run notify step');
  // The supplier order mail retries while SMTP is away: kill the worker that has it.
  const mailer = await until('the worker with the supplier order mail', () => f.workerRunning(workflowId, /mail/i, true), (x) => x !== undefined, 600_000, 200);
  await f.killAndRestart(mailer!, 'the order run mail step');
  await sleep(5_000);
  log('restarting the Temporal server');
  await f.temporal.stop();
  await f.startTemporal();
  f.scenarios.push('Temporal server restarted during the order run');
  await sleep(Math.max(0, smtpGoneAt + 60_000 - Date.now()));
  await f.startSmtp();
  log(`SMTP is back after ${Math.round((Date.now() - smtpGoneAt) / 1000)} s`);
  f.scenarios.push('SMTP away for a minute during the order run and its mails');
  const result = await until('the order run to complete', () => f.client.workflow.getHandle(workflowId).describe().then((d) => d.status.name), (st) => st !== 'RUNNING', 900_000, 2000);
  if (result !== 'COMPLETED') f.findings.push(`the order run ended ${result}`);
  f.scenarios.push('worker killed during the order run notify step', 'worker killed during the order run mail step');
  return workflowId;
}

async function oneStopApplications(f: Faults, count: number): Promise<string[]> {
  const rows = await f.sql<any>(
    `select d.id, d.portal_order_id, d.amount_yen, d.applied_at, o.name, o.name_kana, o.prefecture, o.address, o.email
       from donations d join donors o on o.id = d.donor_id
      where d.wants_one_stop and d.status <> 'held' and d.portal_code = 'rakuten' order by d.portal_order_id limit ?`,
    [count],
  );
  // ONESTOP-3: online applications are taken only after the city's approval is recorded.
  await recordOnlineIntakeApproval(f.orm.em.getKnex(), { services: ['jichitai-mypage'] }, 'city:faults');
  const ids: string[] = [];
  let n = 0;
  const submit = async () => {
    for (;;) {
      const r = rows[n++];
      if (!r) return;
      const first11 = String(10_000_000_000 + n * 7919).slice(-11);
      const body = {
        service: 'jichitai-mypage',
        applicationNumber: `FAULTS-MP-${r.portal_order_id}`,
        submittedAt: new Date().toISOString(),
        portal: 'rakuten',
        portalOrderId: r.portal_order_id,
        applicant: { name: r.name, nameKana: r.name_kana, address: `${r.prefecture}${r.address}`, email: r.email ?? `d${n}@example.jp`, birthDate: '1980-04-01' },
        myNumber: `${first11}${myNumberCheckDigit(first11)}`,
        donationDate: new Date(new Date(r.applied_at).getTime() + 9 * 3_600_000).toISOString().slice(0, 10),
        amountYen: r.amount_yen,
        declarations: { specialTaxpayer: true, fiveOrFewerMunicipalities: true },
        identityVerification: { method: 'jpki' },
      };
      const res = await f.call('POST', '/onestop/applications/online', body, n % 2);
      // The same application sent twice is one (a client retrying after a timeout does exactly this).
      const again = await f.call('POST', '/onestop/applications/online', body, (n + 1) % 2);
      if (res.status !== 201 && res.status !== 200) f.findings.push(`online application ${r.portal_order_id} answered ${res.status} ${JSON.stringify(res.json)}`);
      else if (again.json?.id !== res.json.id) f.findings.push(`online application ${r.portal_order_id} sent twice gave two ids`);
      else ids.push(res.json.id);
    }
  };
  await Promise.all([submit(), submit(), submit()]);
  await until('every application decided', () => f.sql(`select count(*)::int as n from onestop_applications where id = any(?) and status <> 'received'`, [ids]).then((r) => r[0].n), (n2) => n2 === ids.length, 300_000, 1000);
  return ids;
}

/** The dev launcher killed with SIGKILL leaves servers behind; the next `npm start` stops them and starts. */
async function launcherKilled(f: Faults): Promise<void> {
  const dataDir = path.join(f.runDir, 'launcher');
  const [api, dev, ui, pg, smtp] = await Promise.all([findFreePort(), findFreePort(), findFreePort(), findFreePort(), findFreePort()]);
  const env = { FURUSATO_DATA_DIR: dataDir, API_PORT: String(api), TEMPORAL_DEV_PORT: String(dev), TEMPORAL_UI_PORT: String(ui), EMBEDDED_PG_PORT: String(pg), SMTP_SINK_PORT: String(smtp), TEMPORAL_ADDRESS: '', DATABASE_URL: '', SMTP_URL: '' };
  const record = path.join(dataDir, 'run', 'launcher.json');
  const children = () => (JSON.parse(fs.readFileSync(record, 'utf8')).children as { pid: number; name: string }[]);
  const first = startNode('launcher-1', 'scripts/start.js', env, f.logDir);
  await until('the launcher to be up', async () => (await fetch(`http://127.0.0.1:${api}/health`)).status, (s) => s === 200, 180_000, 1000);
  const left = children();
  assert.ok(left.length >= 2, `the launcher recorded ${left.length} servers`);
  await sigkill(first);
  await sleep(1000);
  assert.ok(left.every((c) => alive(c.pid)), 'SIGKILL of the launcher itself leaves its servers running (what the record is for)');
  const second = startNode('launcher-2', 'scripts/start.js', env, f.logDir);
  await until('the second launcher to be up', async () => (await fetch(`http://127.0.0.1:${api}/health`)).status, (s) => s === 200, 180_000, 1000);
  if (!left.every((c) => !alive(c.pid))) f.findings.push(`the second launcher left the first one's servers running: ${JSON.stringify(left)}`);
  const now = children();
  await stopGracefully(second, 60_000);
  await sleep(500);
  if (now.some((c) => alive(c.pid))) f.findings.push(`a stopped launcher left servers running: ${JSON.stringify(now)}`);
  if (fs.existsSync(record)) f.findings.push('a cleanly stopped launcher kept its record');
  f.scenarios.push('launcher killed with SIGKILL; the next start stops what it left');
}

// ------------------------------------------------------------------ counting

async function count(f: Faults, expected: { orders: number; broken: number; fileName: string; printed: string[]; applications: string[]; orderRun: string }) {
  const c: Record<string, number> = {};
  const dup = (label: string, n: number) => {
    c[`duplicated_${label}`] = n;
    if (n) f.findings.push(`${n} duplicated ${label}`);
  };
  // Rows: every good order once in the ledger, every broken one once in quarantine.
  const [d] = await f.sql(`select count(*)::int as n, count(distinct portal_order_id)::int as distinct_orders from donations where portal_code = 'rakuten'`);
  const [q] = await f.sql(`select count(*)::int as n from import_quarantine where file_id = (select id from import_files where file_name = ?)`, [expected.fileName]).catch(() => [{ n: NaN }]);
  c.donations = d.n;
  c.quarantined = q.n;
  const lost = expected.orders - expected.broken - d.distinct_orders;
  c.lost_rows = lost;
  if (lost !== 0) f.findings.push(`${lost} orders missing from the ledger (orders ${expected.orders}, broken ${expected.broken}, in ledger ${d.distinct_orders})`);
  dup('donations', d.n - d.distinct_orders);
  dup('donation_events', (await f.sql(`select count(*)::int as n from (select donation_id, to_status from donation_events where to_status is not null group by 1, 2 having count(*) > 1) x`))[0].n);
  dup('stock_movements', (await f.sql(`select count(*)::int as n from (select gift_code, donation_id, kind from stock_movements where donation_id is not null group by 1, 2, 3 having count(*) > 1) x`))[0].n);
  // Shipments: each ordered once, each in exactly one carrier file once.
  const shipments = await f.sql<{ reference: string; status: string }>(`select s.reference, s.status from shipments s join supplier_orders o on o.id = s.order_id`);
  c.shipments_ordered = shipments.length;
  const carrierDir = path.join(f.dataDir, 'carriers', 'outbox');
  const seen = new Map<string, number>();
  for (const file of fs.existsSync(carrierDir) ? fs.readdirSync(carrierDir, { recursive: true }).map(String) : []) {
    const full = path.join(carrierDir, file);
    if (!fs.statSync(full).isFile()) continue;
    const text = fs.readFileSync(full, 'latin1');
    // Carriers print the shipment's short number (shipments.reference) as お客様管理番号.
    for (const ref of new Set(text.match(/\bS\d{8,15}\b/g) ?? [])) seen.set(ref, (seen.get(ref) ?? 0) + (text.split(ref).length - 1));
  }
  c.carrier_lines = [...seen.values()].reduce((a, b) => a + b, 0);
  dup('carrier_lines', [...seen.values()].filter((n) => n > 1).length);
  const missing = shipments.filter((s) => !seen.has(s.reference)).length;
  c.lost_carrier_lines = missing;
  if (missing) f.findings.push(`${missing} ordered shipments in no carrier file`);
  // Mail: one message per Message-ID in the SMTP peer's mailbox; nothing left half-sent in the ledger.
  const ids = new Map<string, number>();
  for (const file of fs.readdirSync(f.mailDir)) {
    const head = fs.readFileSync(path.join(f.mailDir, file), 'utf8').split(/\r?\n\r?\n/)[0];
    const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? file;
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  c.mails = [...ids.values()].reduce((a, b) => a + b, 0);
  dup('mails', [...ids.values()].filter((n) => n > 1).length);
  const [stuck] = await f.sql(`select count(*)::int as n from mail_log where status = 'sending'`);
  c.mails_stuck_sending = stuck.n;
  if (stuck.n) f.findings.push(`${stuck.n} mails still 'sending'`);
  const [sent] = await f.sql(`select count(*)::int as n from mail_log where status = 'sent'`);
  if (sent.n !== ids.size) f.findings.push(`mail_log says ${sent.n} sent, the SMTP peer holds ${ids.size} distinct messages`);
  // Each ordered shipment's donor is told once, besides the suppliers' order mails.
  if (ids.size < shipments.length) f.findings.push(`${ids.size} distinct mails for ${shipments.length} ordered shipments`);
  // Every donation's workflow still running (its gift is not delivered yet), one per donation.
  const running = (await f.client.workflow.count('WorkflowType = "donationWorkflow" AND ExecutionStatus = "Running"')).count;
  c.donation_workflows_running = running;
  if (running !== d.n) f.findings.push(`${running} donation workflows running for ${d.n} donations`);
  // Workflows: none failed, none timed out.
  for (const status of ['Failed', 'TimedOut', 'Terminated']) {
    let n = 0;
    for await (const _ of f.client.workflow.list({ query: `ExecutionStatus = "${status}"` })) n++;
    c[`workflows_${status.toLowerCase()}`] = n;
    if (n) f.findings.push(`${n} workflows ${status}`);
  }
  const [unsent] = await f.sql(`select count(*)::int as n from donations where id = any(?) and status not in ('documents_sent', 'completed')`, [expected.printed]);
  if (unsent.n) f.findings.push(`${unsent.n} printed donations not documents_sent`);
  const [apps] = await f.sql(`select count(*)::int as n, count(distinct donation_id)::int as donations from onestop_applications where id = any(?)`, [expected.applications]);
  dup('onestop_applications', apps.n - apps.donations);
  const notOrdered = shipments.filter((s) => !['ordered', 'shipped', 'delivered'].includes(s.status)).length;
  if (notOrdered) f.findings.push(`${notOrdered} shipments of the order run not at ordered`);
  return c;
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  const server = option('server', 'dev');
  if (server !== 'dev' && server !== 'production') throw new Error(`--server must be dev or production, got ${server}`);
  const rows = Number(option('rows', '1500'));
  const started = Date.now();
  const f = new Faults(server);
  // Interrupted by hand: take every server and process of the run down with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void f.stopAll().finally(() => process.exit(130)));
  log(`run folder ${f.runDir} (logs in logs/); Temporal: ${server} server; ${rows} portal rows`);
  let counts: Record<string, number> = {};
  try {
    await setUp(f);
    await schedulesByWorkerAlone(f);
    await seedCatalogue(f, rows);
    const imported = await importWithWorkerKill(f, rows);
    await until('every imported donation at its first waiting state', () => f.sql(`select count(*)::int as n from donations where status = 'received'`).then((r) => r[0].n), (n) => n === 0, 600_000, 1000);
    log(`imported: ${JSON.stringify(await settledDonations(f, imported.fileName))}`);
    const paid = await paymentsThroughPostgresOutage(f);
    log(`${paid} transfers paid; ${f.api503} answers were 503`);
    await until('every paid donation to reach documents_due', () => f.sql(`select count(*)::int as n from donations where status in ('received', 'awaiting_payment', 'paid')`).then((r) => r[0].n), (n) => n === 0, 300_000, 1000);
    const printed = await printBatchWithWorkerKill(f, 150);
    log(`${printed.length} envelopes printed and posted`);
    await until('shipments awaiting their order', () => f.sql(`select count(*)::int as n from shipments where status = 'planned'`).then((r) => r[0].n), (n) => n === 0, 300_000, 1000);
    const orderRun = await orderRunWithFaults(f);
    const applications = await oneStopApplications(f, 60);
    log(`${applications.length} one-stop applications decided`);
    await launcherKilled(f);
    // Mails that met the SMTP outage are retried with backoff (up to 5 minutes apart): each must go out once in the end.
    await until('every mail sent or refused', () => f.sql(`select count(*)::int as n from mail_log where status = 'sending'`).then((r) => r[0].n), (n) => n === 0, 420_000, 2000).catch(
      () => undefined, // counted as a finding below
    );
    counts = await count(f, { ...imported, printed, applications, orderRun });
  } catch (err) {
    f.findings.push(`the run stopped: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    for (const p of [...f.workers, ...f.apis.map((a) => a.proc)].filter(Boolean)) log(`--- ${p.name} (last lines)\n${tail(p.logFile, 15)}`);
  } finally {
    await f.stopAll();
  }
  const duplicated = Object.entries(counts).filter(([k]) => k.startsWith('duplicated_')).reduce((a, [, v]) => a + v, 0);
  const lost = (counts.lost_rows ?? 0) + (counts.lost_carrier_lines ?? 0) + (counts.mails_stuck_sending ?? 0);
  const result = { server, scenarios: f.scenarios.length, lost, duplicated, workerKills: f.workerKills, api503: f.api503, seconds: Math.round((Date.now() - started) / 1000), ...counts, findings: f.findings.length };
  for (const s of f.scenarios) log(`scenario: ${s}`);
  for (const finding of f.findings) log(`FINDING: ${finding}`);
  process.stdout.write(`FAULTS_RESULT ${JSON.stringify(result)}\n`);
  if (f.findings.length === 0) fs.rmSync(f.runDir, { recursive: true, force: true });
  else log(`kept ${f.runDir} for inspection`);
  return f.findings.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
