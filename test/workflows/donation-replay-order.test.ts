// A DonationWorkflow whose gift plan finishes after its documents transition must replay: a worker
// evicts cached executions under load (December, a 50,000-row import) and rebuilds them from history.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { registerDonation } from '../../ledger/donations';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { documentsSentSignal, statusQuery } from '../../workflows/donation/definitions';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';
import { eventually, required, suiteContext, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';

let ctx: SuiteContext;
const run = randomUUID().slice(0, 6);
const GIFT = `order-eel-${run}`;

beforeAll(async () => {
  ctx = await suiteContext('donation-order');
  const knex = ctx.orm.em.getKnex();
  const [{ id: supplierId }] = await knex('suppliers')
    .insert({ code: `order-farm-${run}`, name: '順序テスト本舗', email: `orders@order-${run}.example.jp`, shipping_weekdays: '{1,2,3,4,5,6,7}', default_carrier: 'yamato_b2' })
    .returning('id');
  await knex('gifts').insert({ code: GIFT, name: 'うなぎ', supplier_id: supplierId, price_yen: 20_000, cost_yen: 6_000, shipping_cost_yen: 1_200, active: true });
});

afterAll(async () => {
  await ctx?.close();
});

test('the gift plan finishing after the documents transition: the history replays, child starts and search attributes in the same order', async () => {
  // The plan (a local activity) is held back so that, were it still in flight beside the documents
  // transition, it would finish second; on replay local activities resolve in the order they were scheduled.
  const worker = await ctx.startWorker({
    replace: (activities) => ({
      planDonationShipments: async (input) => {
        await new Promise((r) => setTimeout(r, 1500));
        return activities.planDonationShipments(input);
      },
    }),
  });
  try {
    const { donation } = await registerDonation(
      ctx.orm.em.fork(),
      newDonation(ctx.prefix, { paymentMethod: 'credit_card', paidAt: new Date().toISOString(), amountYen: 20_000, gifts: [{ code: GIFT, quantity: 1 }], donor: { ...newDonation('x').donor, nameKana: `ジュンジョ ${run}` } }),
      'system:test',
    );
    const handle = await ensureDonationWorkflow(ctx.client, donation, ctx.config);
    const status = await eventually(() => handle.query(statusQuery), (s) => s.status === 'documents_due' && (s.shipments?.length ?? 0) === 1);
    expect(status.giftFulfilment).toBe('ship');
    await handle.signal(documentsSentSignal, { actor: 'operator:test', sentAt: new Date().toISOString() });
    await eventually(() => handle.query(statusQuery), (s) => s.status === 'documents_sent');

    const history = await handle.fetchHistory();
    const kinds = (history.events ?? []).map((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes ? 'child' : e.upsertWorkflowSearchAttributesEventAttributes ? 'attributes' : e.markerRecordedEventAttributes ? 'marker' : ''));
    expect(kinds).toContain('child');
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') }, dataConverter: temporalDataConverter(ctx.config.myNumber!) },
      history,
      handle.workflowId,
    );
  } finally {
    await worker.stop();
  }
});
