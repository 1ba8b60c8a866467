import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { activityDepsFromConfig } from '../../activities/deps';
import { createMailActivities } from '../../activities/mail/send-mail';
import { createShippingActivities, type NotifyProgress } from '../../activities/shipping/shipping';
import { loadConfig, type AppConfig } from '../../config/env';
import { jstDate } from '../../domain/jst';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/features';
import { createOrm, type Orm } from '../../ledger/orm';
import { startSmtpSink, type SmtpSink } from '../../scripts/stack/smtp-sink';
import { INDEXED_VALUE_TYPES } from '../../workflows/namespace';
import { shipmentWorkflow, supplierOrderWorkflow } from '../../workflows';
import { shipmentStatusQuery, shipmentWorkflowId } from '../../workflows/shipping/definitions';
import { eventually, isolatedDatabase, quietRuntime, required } from '../support/context';
import { maybeCaptureHistory, payloadSizes } from '../support/histories';

/**
 * Issue 14 (6): nothing that crosses Temporal grows with the day's volume. A December day of
 * 50,000 order lines is seeded straight into the ledger (set-based SQL; the bulk has no
 * ShipmentWorkflows, so their signals find no workflow and are recorded as such) beside three
 * real ShipmentWorkflows, and the day's supplier order run goes through it on a time-skipping
 * server. The notifier fails once part-way (a signal RPC throws) and must resume from its
 * heartbeat, not from the start. Every payload of the run's history is measured against the
 * payload warning: Temporal server `limit.blobSize.warn` 512 KiB (256 KiB in older servers and
 * docs; the error limit `limit.blobSize.error` is 2 MiB), the TypeScript SDK 1.24 warns
 * ([TMPRL1103]) from 512 KiB too; we hold every payload under the stricter 256 KiB.
 */
const LINES = 50_000;
const REAL = 3;
const FAIL_AT = 20_000;
const PAYLOAD_WARN = 256 * 1024;
const HISTORY_WARN = 10 * 1024 * 1024;

const run = randomUUID().slice(0, 6);
const today = jstDate(new Date());
// Five suppliers shipping every day, one per carrier (クリックポスト twice over: 40 rows a file, so many files).
const SUPPLIERS = [
  { code: `scale-${run}-yamato`, carrier: 'yamato_b2', temperature: 'frozen' },
  { code: `scale-${run}-sagawa`, carrier: 'sagawa_ehiden', temperature: 'chilled' },
  { code: `scale-${run}-yupri`, carrier: 'japanpost_yupri', temperature: 'ambient' },
  { code: `scale-${run}-click1`, carrier: 'japanpost_clickpost', temperature: 'ambient' },
  { code: `scale-${run}-click2`, carrier: 'japanpost_clickpost', temperature: 'ambient' },
];

let env: TestWorkflowEnvironment;
let orm: Orm;
let mail: SmtpSink;
let config: AppConfig;
let worker: Worker;
let running: Promise<void>;
let closeDeps: () => Promise<void>;
const taskQueue = `test-order-scale-${run}`;

/** What the notifier's signal calls looked like, per attempt. */
const probe = {
  calls: [] as { attempt: number; workflowId: string }[],
  resumedFrom: undefined as NotifyProgress | undefined,
  resumedBytes: 0,
  failed: false,
  /** The workflow ids of the real ShipmentWorkflows; every other signal is answered "not found" locally. */
  real: new Set<string>(),
};

/** The worker's client, except that signals are counted and the FAIL_AT-th one of the first attempt throws. */
function probingClient(client: Client): Client {
  return {
    workflow: {
      getHandle: (workflowId: string) => {
        const handle = client.workflow.getHandle(workflowId);
        return {
          async signal(def: any, ...args: any[]) {
            const info = Context.current().info;
            if (info.attempt > 1 && probe.resumedFrom === undefined) {
              probe.resumedFrom = info.heartbeatDetails as NotifyProgress;
              probe.resumedBytes = Buffer.byteLength(JSON.stringify(info.heartbeatDetails ?? null));
            }
            probe.calls.push({ attempt: info.attempt, workflowId });
            if (info.attempt === 1 && probe.calls.length === FAIL_AT) {
              probe.failed = true;
              throw new Error('frontend unavailable (injected by the test)');
            }
            // The bulk has no workflows: answer as the server would, without 50,000 round trips (bench:ship measures those).
            if (!probe.real.has(workflowId)) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
            return handle.signal(def, ...args);
          },
        };
      },
    },
  } as unknown as Client;
}

let database: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;

beforeAll(async () => {
  quietRuntime();
  mail = await startSmtpSink({ port: 0 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-order-scale-'));
  config = loadConfig({ FURUSATO_DATA_DIR: dataDir, TEMPORAL_TASK_QUEUE: taskQueue, SMTP_URL: mail.url });
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: required('TEMPORAL_TEST_SERVER_PATH') } } });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]])),
  });
  // Its own database: 50,000 paid donations in the shared one would be every other suite's "everything due".
  database = await isolatedDatabase('order_scale');
  orm = await createOrm(database.url, { poolMax: 4 });
  const deps = activityDepsFromConfig(config, orm, env.client);
  closeDeps = deps.close;
  const { sendMail } = createMailActivities({ orm, mailer: deps.deps.mailer, config: { mail: config.mail } });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: { ...createActivities(deps.deps), ...createShippingActivities({ orm, temporal: probingClient(env.client), shipping: config.shipping, sendMail }) },
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
  });
  running = worker.run();
}, 60_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await closeDeps?.();
  await mail?.stop();
  await orm?.close();
  await env?.teardown();
  await database?.drop();
});

/** Suppliers, gifts, and LINES + REAL paid donations (donor, donation, one gift line each), all in SQL. */
async function seedDay(): Promise<void> {
  const knex = orm.em.getKnex();
  for (const [k, s] of SUPPLIERS.entries()) {
    const [{ id }] = await knex('suppliers')
      .insert({ code: s.code, name: `柳川物産 第${k + 1}工房`, email: `orders@${s.code}.example.jp`, phone: '0944-72-0000', postal_code: '8320021', address: `福岡県柳川市坂本町${k + 1}-1`, shipping_weekdays: '{1,2,3,4,5,6,7}', rules_acknowledged_at: new Date(), rules_acknowledged_by: 'operator:test', default_carrier: s.carrier })
      .returning('id');
    await knex('gifts').insert({ code: `${s.code}-g`, name: `有明海産 焼き海苔 ${k + 1}号`, supplier_id: id, price_yen: 10_000, cost_yen: 3_000, shipping_cost_yen: 800, temperature: s.temperature, active: true });
  }
  const total = LINES + REAL;
  await knex.transaction(async (trx) => {
    // One donor for the whole day: the suite shares its database, and 50,000 donors no 名寄せ has seen would be
    // every other suite's work too (the donors:link test reads all unlinked donors). Carrier files repeat its address, which they allow.
    await trx.raw(
      `insert into donors (id, name, name_kana, postal_code, prefecture, address, phone, email)
       values (md5(?)::uuid, '山田 太郎', 'ヤマダ タロウ', '100-0001', '東京都', '千代田区千代田1-1', '03-1234-5678', ?)`,
      [`donor-${run}`, `d.${run}@example.jp`],
    );
    await trx.raw(
      `insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, status, applied_at, paid_at, documents_due_on,
                              workflow_id, intake_fingerprint, created_by)
       select md5(? || g)::uuid, 'choice', 'SCALE-' || ? || '-' || g, md5(?)::uuid, 'portal', 10000, 'credit_card', 'documents_due',
              now() - interval '2 days', now() - interval '1 day', current_date + 14, 'donation/scale-' || ? || '-' || g, 'scale', 'test'
         from generate_series(1, ?::int) g`,
      [`donation-${run}-`, run, `donor-${run}`, run, total],
    );
    // Donation g takes supplier g mod 5's gift.
    await trx.raw(
      `insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen)
       select md5(? || g)::uuid, (?::text[])[1 + g % ?::int], 1, 10000 from generate_series(1, ?::int) g`,
      [`donation-${run}-`, `{${SUPPLIERS.map((s) => `${s.code}-g`).join(',')}}`, SUPPLIERS.length, total],
    );
    // The bulk: shipments already waiting for today's order, as their workflows would have left them.
    await trx.raw(
      `insert into shipments (id, donation_id, gift_line_id, gift_code, supplier_id, status, workflow_id)
       select gen_random_uuid(), l.donation_id, l.id, l.gift_code, g.supplier_id, 'awaiting_order', 'shipment/' || l.donation_id || '/' || l.id || '/1'
         from generate_series(1, ?::int) n join donation_gift_lines l on l.donation_id = md5(? || n)::uuid join gifts g on g.code = l.gift_code`,
      [LINES, `donation-${run}-`],
    );
  });
  await knex.raw('analyze shipments, donation_gift_lines, donations, donors');
}


test(`a ${LINES.toLocaleString('en')}-line day's order run stays under the payload warning and resumes the notifier from its heartbeat`, async () => {
  const t0 = Date.now();
  await seedDay();
  const seeded = Date.now();
  const knex = orm.em.getKnex();

  // Three real ShipmentWorkflows beside the bulk: they must each get their order once and mail their donor once.
  const { rows: realLines } = await knex.raw(
    `select l.id, l.donation_id, l.gift_code from donation_gift_lines l where l.donation_id = any (select md5(? || g)::uuid from generate_series(?::int, ?::int) g) order by l.id`,
    [`donation-${run}-`, LINES + 1, LINES + REAL],
  );
  for (const l of realLines) probe.real.add(shipmentWorkflowId(l.donation_id, l.id, 1));
  const real = await Promise.all(
    realLines.map((l: any) =>
      env.client.workflow.start(shipmentWorkflow, {
        taskQueue,
        workflowId: shipmentWorkflowId(l.donation_id, l.id, 1),
        args: [{ donationId: l.donation_id, giftLineId: l.id, giftCode: l.gift_code, deliveryNo: 1, deliveries: 1, policy: { maxReshipments: 2, deliveryOverdueDays: 7 } }],
      }),
    ),
  );
  const waiting = (ids: string[]) => knex.raw(`select count(*)::int as n from shipments where workflow_id = any (?::text[]) and status = 'awaiting_order'`, [`{${ids.join(',')}}`]);
  await eventually(() => waiting(real.map((h) => h.workflowId)), (r: any) => r.rows[0].n === REAL);
  const ready = Date.now();

  const workflowId = `supplier-orders-scale-${run}`;
  const started = Date.now();
  const view = await env.client.workflow.execute(supplierOrderWorkflow, { taskQueue, workflowId, args: [{ shipOn: today, requestedBy: 'operator:test', suppliers: SUPPLIERS.map((s) => s.code) }] });
  const finished = Date.now();

  // The run's view: one entry per supplier and per carrier, every line counted once.
  expect(view.orders).toHaveLength(SUPPLIERS.length);
  expect(view.orders.reduce((n, o) => n + o.shipments, 0)).toBe(LINES + REAL);
  expect(view.orders.every((o) => o.mail === 'sent')).toBe(true);
  expect(view.carrierFiles.map((f) => f.carrier).sort()).toEqual(['japanpost_clickpost', 'japanpost_yupri', 'sagawa_ehiden', 'yamato_b2']);
  expect(view.carrierFiles.reduce((n, f) => n + f.rows, 0)).toBe(LINES + REAL);
  expect(view.carrierFiles.reduce((n, f) => n + f.problems, 0)).toBe(0);
  const clickpost = view.carrierFiles.find((f) => f.carrier === 'japanpost_clickpost')!;
  expect(clickpost.files).toBe(Math.ceil(clickpost.rows / 40));
  expect(fs.readdirSync(path.join(config.shipping.carrierDir, today)).filter((f) => !f.endsWith('.part'))).toHaveLength(view.carrierFiles.reduce((n, f) => n + (f.files ?? 1), 0));

  // The notifier failed once at the FAIL_AT-th signal and resumed from its heartbeat: the second attempt
  // started after the last finished batch, so at most one batch (16) was sent again and nothing from the start.
  expect(probe.failed).toBe(true);
  const first = probe.calls.filter((c) => c.attempt === 1).map((c) => c.workflowId);
  const second = probe.calls.filter((c) => c.attempt === 2).map((c) => c.workflowId);
  expect(probe.calls.every((c) => c.attempt <= 2)).toBe(true);
  expect(probe.resumedFrom?.lastId).toMatch(/^[0-9a-f-]{36}$/);
  expect(probe.resumedFrom!.signalled + probe.resumedFrom!.missing).toBeGreaterThan(FAIL_AT - 16 * 2);
  const firstSet = new Set(first);
  const again = second.filter((id) => firstSet.has(id));
  expect(again.length).toBeLessThanOrEqual(16);
  expect(new Set([...first, ...second]).size).toBe(LINES + REAL);
  expect(first.length + second.length).toBeLessThanOrEqual(LINES + REAL + 16);

  // Nothing done twice in the ledger or the mail: one 'ordered' event per shipment, one "no workflow" event per bulk shipment,
  // one pre-shipping mail per real shipment, and each real workflow knows its order.
  const { rows: counts } = await knex.raw(
    `select count(*) filter (where e.to_status = 'ordered')::int as ordered, count(distinct e.shipment_id) filter (where e.to_status = 'ordered')::int as ordered_shipments,
            count(*) filter (where e.kind = 'order_signal_missing')::int as missing, count(distinct e.shipment_id) filter (where e.kind = 'order_signal_missing')::int as missing_shipments
       from shipment_events e join shipments s on s.id = e.shipment_id join suppliers p on p.id = s.supplier_id where p.code = any (?::text[])`,
    [`{${SUPPLIERS.map((s) => s.code).join(',')}}`],
  );
  expect(counts[0]).toEqual({ ordered: LINES + REAL, ordered_shipments: LINES + REAL, missing: LINES, missing_shipments: LINES });
  for (const h of real) {
    const v = await eventually(() => h.query(shipmentStatusQuery), (x: any) => x.preShippingMail !== undefined);
    expect(v).toMatchObject({ status: 'ordered', preShippingMail: 'sent' });
  }
  const { rows: mails } = await knex.raw(`select count(*)::int as n from mail_log where template = 'pre-shipping' and shipment_id in (select id from shipments where workflow_id = any (?::text[]))`, [`{${real.map((h) => h.workflowId).join(',')}}`]);
  expect(mails[0].n).toBe(REAL);

  // Every payload of the run stays under the warning, and none grows with the day.
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const sizes: { at: string; bytes: number }[] = [];
  history.events?.forEach((e, i) => payloadSizes(e, `#${i + 1}`, sizes));
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
  expect(largest.bytes).toBeLessThan(PAYLOAD_WARN);
  expect(probe.resumedBytes).toBeLessThan(PAYLOAD_WARN);
  expect(historyBytes).toBeLessThan(HISTORY_WARN);
  const byActivity = new Map<string, { type: string; input: number; result: number }>();
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) byActivity.set(String(e.eventId), { type: s.activityType?.name ?? '?', input: temporal.api.common.v1.Payloads.encode(s.input ?? {}).finish().length, result: 0 });
    const c = e.activityTaskCompletedEventAttributes;
    const scheduled = c && byActivity.get(String(c.scheduledEventId));
    if (scheduled) scheduled.result = temporal.api.common.v1.Payloads.encode(c.result ?? {}).finish().length;
  }
  console.log(
    [
      `order run of ${LINES + REAL} lines: seed ${((seeded - t0) / 1000).toFixed(1)} s, real workflows waiting ${((ready - seeded) / 1000).toFixed(1)} s, run ${((finished - started) / 1000).toFixed(1)} s (signals ${probe.calls.length}, ${again.length} sent again after the retry)`,
      `largest payload ${largest.bytes} B at ${largest.at}; resume heartbeat ${probe.resumedBytes} B; history ${historyBytes} B in ${history.events?.length} events`,
      ...[...byActivity.values()].map((a) => `  ${a.type}: input ${a.input} B, result ${a.result} B`),
    ].join('\n'),
  );
  await maybeCaptureHistory(env.client, 'supplier-orders-v2-scale-resumed', workflowId);
}, 300_000);
