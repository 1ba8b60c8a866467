import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createDocumentActivities, type NotifyPostedProgress } from '../../activities/documents/print-batch';
import { FolderDropPrintingService } from '../../activities/documents/printing-service';
import type { DocumentRenderer, PacketData } from '../../activities/documents/renderer';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';
import { registerDonation } from '../../ledger/donations';
import { printBatchWorkflow } from '../../workflows';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { statusQuery } from '../../workflows/donation/definitions';
import { batchPostedSignal, MISSING_SAMPLE, printBatchStatusQuery, printBatchWorkflowId } from '../../workflows/documents/definitions';
import { eventually, isolatedDatabase, required, suiteContext, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';
import { maybeCaptureHistory, payloadSizes } from '../support/histories';

/**
 * Issue 14 (6) for print batches: a December batch of BULK envelopes (seeded straight into the
 * ledger, without DonationWorkflows, so their signals find no workflow) beside REAL donations with
 * running workflows goes from collection to "notified". The notifier fails once part-way (a signal
 * RPC throws at the FAIL_AT-th call) and must resume from its heartbeat: no donation is told twice,
 * nothing from the start. The batch's view and every payload of its history stay small: counts and
 * at most MISSING_SAMPLE ids, the full list of donations without a workflow is in the ledger.
 * Rendering is replaced by a stand-in (render.test.ts covers Chromium): this test is about the
 * notifier and the sizes, and stays fast.
 */
const BULK = 4_000;
const REAL = 3;
const FAIL_AT = 1_500;
const PAYLOAD_WARN = 256 * 1024;

let ctx: SuiteContext;
let worker: Worker;
let running: Promise<void>;
const run = randomUUID().slice(0, 6);

/** Every signal call the notifier made that reached "the server" (told, or no such workflow), per attempt. */
const probe = {
  calls: [] as { attempt: number; workflowId: string }[],
  failedAt: undefined as string | undefined,
  resumedFrom: undefined as NotifyPostedProgress | undefined,
  real: new Set<string>(),
};

/** The worker's client, except that signals are counted and the FAIL_AT-th one of the first attempt throws. */
function probingClient(client: Client): Client {
  let count = 0;
  return {
    workflow: {
      getHandle: (workflowId: string) => ({
        async signal(def: any, ...args: any[]) {
          const info = Context.current().info;
          if (info.attempt > 1 && probe.resumedFrom === undefined) probe.resumedFrom = info.heartbeatDetails as NotifyPostedProgress;
          count += 1;
          if (info.attempt === 1 && count === FAIL_AT) {
            probe.failedAt = workflowId;
            // Let the rest of the batch settle first, as a slow RPC would.
            await new Promise((r) => setTimeout(r, 20));
            throw new Error('frontend unavailable (injected by the test)');
          }
          probe.calls.push({ attempt: info.attempt, workflowId });
          // The bulk has no workflows: answer as the server would, without thousands of round trips.
          if (!probe.real.has(workflowId)) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
          return client.workflow.getHandle(workflowId).signal(def, ...args);
        },
      }),
    },
  } as unknown as Client;
}

/** Stands in for Chromium: one "page" per document, progress per 100 packets like the real one. */
const fakeRenderer = {
  async render(packets: PacketData[], _dir: string, onChunk?: (done: number) => void) {
    for (let i = 0; i < packets.length; i += 100) onChunk?.(Math.min(packets.length, i + 100));
    return Buffer.from(`%PDF-1.4\n% stand-in for ${packets.reduce((n, p) => n + p.documents.length, 0)} pages\n`);
  },
} as unknown as DocumentRenderer;

let database: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;

beforeAll(async () => {
  // Its own database: the batch takes everything due, which in the shared one would be other suites' donations too.
  database = await isolatedDatabase('print_scale');
  ctx = await suiteContext('print-scale', {}, { databaseUrl: database.url });
  await ctx.startWorker();
  // The print batch runs on a worker of its own, whose notifier signals through the probe.
  worker = await Worker.create({
    connection: ctx.nativeConnection,
    taskQueue: `${ctx.taskQueue}-print`,
    activities: createDocumentActivities({
      orm: ctx.orm,
      temporal: probingClient(ctx.client),
      printer: new FolderDropPrintingService(ctx.config.documents.dropDir, ctx.config.documents.printHouse),
      renderer: async () => fakeRenderer,
      workDir: ctx.config.documents.workDir,
    }),
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
    dataConverter: temporalDataConverter(ctx.config.myNumber!),
  });
  running = worker.run();
}, 60_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await ctx?.close();
  await database?.drop();
});

/** BULK donors and paid donations whose documents are due, in SQL; their workflow ids name no workflow. */
async function seedBulk(): Promise<void> {
  const knex = ctx.orm.em.getKnex();
  await knex.transaction(async (trx) => {
    await trx.raw(
      `insert into donors (id, name, name_kana, postal_code, prefecture, address, phone, email)
       select md5(? || g)::uuid, '山田 太郎', 'ヤマダ タロウ', '100-0001', '東京都', '千代田区千代田1-' || g, '03-1234-5678', 'd' || g || '.' || ? || '@example.jp'
         from generate_series(1, ?::int) g`,
      [`print-donor-${run}-`, run, BULK],
    );
    await trx.raw(
      `insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, status, applied_at, paid_at, documents_due_on, documents_due_at,
                              workflow_id, intake_fingerprint, created_by)
       select md5(? || g)::uuid, 'choice', 'PRINT-' || ? || '-' || g, md5(? || g)::uuid, 'portal', 10000, 'credit_card', 'documents_due',
              now() - interval '2 days', now() - interval '1 day', current_date + 14, now() + interval '14 days',
              'donation/print-scale-' || ? || '-' || g, 'print-scale', 'test'
         from generate_series(1, ?::int) g`,
      [`print-donation-${run}-`, run, `print-donor-${run}-`, run, BULK],
    );
  });
  await knex.raw('analyze donations, donors');
}


test(`a ${BULK + REAL}-envelope batch: the notifier pages through the ledger, resumes from its heartbeat without telling anyone twice, and the batch's view stays small`, async () => {
  const t0 = Date.now();
  await seedBulk();
  const real = [];
  for (let i = 0; i < REAL; i++) {
    const { donation } = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix, { paymentMethod: 'credit_card', paidAt: new Date().toISOString() }), 'operator:test');
    real.push({ donation, handle: await ensureDonationWorkflow(ctx.client, donation, ctx.config) });
    probe.real.add(donation.workflowId);
  }
  for (const r of real) await eventually(() => r.handle.query(statusQuery), (s) => s.status === 'documents_due');
  const seeded = Date.now();

  const batchId = randomUUID();
  const handle = await ctx.client.workflow.start(printBatchWorkflow, {
    taskQueue: `${ctx.taskQueue}-print`,
    workflowId: printBatchWorkflowId(batchId),
    args: [{ batchId, kind: 'on_demand', requestedBy: 'operator:test', maxEnvelopes: 100_000, runOnClosedDays: true }],
  });
  const handedOff = await eventually(() => handle.query(printBatchStatusQuery), (v) => v.status === 'handed_off', 120_000);
  expect(handedOff.envelopes).toBe(BULK + REAL);
  const collected = Date.now();
  await handle.signal(batchPostedSignal, { actor: 'printer:test', postedAt: new Date().toISOString() });
  const view = await handle.result();
  const finished = Date.now();

  // The view: counts and a sample, never the list.
  expect(view).toMatchObject({ status: 'notified', envelopes: BULK + REAL, notified: REAL, missingWorkflows: BULK });
  expect(view.missingSample).toHaveLength(MISSING_SAMPLE);
  expect(view.missingSample!.every((id) => id.startsWith(`donation/print-scale-${run}-`))).toBe(true);
  const viewBytes = Buffer.byteLength(JSON.stringify(view));
  expect(viewBytes).toBeLessThan(2_048);

  // Failed once part-way and resumed from the heartbeat: every envelope told exactly once over both attempts.
  expect(probe.failedAt).toBeDefined();
  expect(probe.resumedFrom?.lastSeq).toBeGreaterThan(FAIL_AT - 2 * 16);
  // The batch the failure hit: the envelopes it had told before the failure are in the heartbeat and skipped.
  expect(probe.resumedFrom?.partial.length).toBeGreaterThan(0);
  const first = probe.calls.filter((c) => c.attempt === 1);
  const second = probe.calls.filter((c) => c.attempt === 2);
  expect(first.length).toBeGreaterThanOrEqual(FAIL_AT - 16);
  expect(first.length).toBeLessThan(FAIL_AT + 16);
  expect(probe.calls.every((c) => c.attempt <= 2)).toBe(true);
  const told = probe.calls.map((c) => c.workflowId);
  expect(new Set(told).size).toBe(told.length);
  expect(told.length).toBe(BULK + REAL);
  expect(second.map((c) => c.workflowId)).toContain(probe.failedAt);

  // The ledger has the full list, once per envelope; each real donation is sent once and ignored nothing.
  const knex = ctx.orm.em.getKnex();
  const { rows } = await knex.raw(
    `select count(*)::int as n, count(distinct donation_id)::int as donations from donation_events where kind = 'documents_signal_missing' and after->>'batchId' = ?`,
    [batchId],
  );
  expect(rows[0]).toEqual({ n: BULK, donations: BULK });
  for (const r of real) {
    // Sent, then completed at once (no returned-mail window in this suite).
    const status = await eventually(() => r.handle.query(statusQuery), (s) => s.documentsSentAt !== undefined);
    expect(status.ignored.filter((i: string) => i.startsWith('documentsSent'))).toEqual([]);
  }

  // Every payload of the batch's history stays far under the warning and does not grow with the batch.
  const history = await handle.fetchHistory();
  const sizes: { at: string; bytes: number }[] = [];
  history.events?.forEach((e, i) => payloadSizes(e, `#${i + 1}`, sizes));
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;
  expect(largest.bytes).toBeLessThan(4_096);
  expect(largest.bytes).toBeLessThan(PAYLOAD_WARN);
  console.log(
    `print batch of ${BULK + REAL} envelopes: seed ${((seeded - t0) / 1000).toFixed(1)} s, collect+render+hand-off ${((collected - seeded) / 1000).toFixed(1)} s, ` +
      `post+notify ${((finished - collected) / 1000).toFixed(1)} s (signals ${probe.calls.length}, resumed after seq ${probe.resumedFrom?.lastSeq}); ` +
      `view ${viewBytes} B, largest payload ${largest.bytes} B at ${largest.at}, history ${historyBytes} B in ${history.events?.length} events`,
  );
  expect(fs.existsSync(path.join(ctx.config.documents.dropDir, batchId, 'READY'))).toBe(true);
  await maybeCaptureHistory(ctx.client, 'print-batch-v2-scale-resumed', handle.workflowId);
}, 240_000);
