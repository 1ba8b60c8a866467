import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { jstDate } from '../../domain/jst';
import { registerDonation } from '../../ledger/donations';
import { shipmentsOfDonation } from '../../ledger/shipments';
import { donationWorkflow, supplierOrderWorkflow } from '../../workflows';
import { donationWorkflowInput } from '../../workflows/donation/client';
import { confirmShippedUpdate, deliveredSignal, shipmentStatusQuery } from '../../workflows/shipping/definitions';
import { eventually } from '../support/context';
import { maybeCaptureHistory } from '../support/histories';
import { newDonation } from '../support/factory';
import { timeSkippingContext, type TimeSkippingContext } from '../support/time-skipping';

// A 定期便 ships weeks apart: only a time-skipping server gets through it in seconds.
let ctx: TimeSkippingContext;
const run = randomUUID().slice(0, 6);
const GIFT = `teiki-${run}`;

beforeAll(async () => {
  ctx = await timeSkippingContext('subscription', { DOCS_RETURN_WINDOW_DAYS: '0' });
  const knex = ctx.orm.em.getKnex();
  const [{ id }] = await knex('suppliers')
    .insert({ code: `teiki-farm-${run}`, name: 'みずほ農園', email: `farm-${run}@example.jp`, shipping_weekdays: '{1,2,3,4,5,6,7}', rules_acknowledged_at: new Date() })
    .returning('id');
  await knex('gifts').insert({ code: GIFT, name: '柳川産 季節の野菜 定期便 (3回)', supplier_id: id, price_yen: 30_000, cost_yen: 9_000, temperature: 'chilled', deliveries: 3, delivery_interval_days: 30, active: true });
});

afterAll(async () => {
  await ctx?.close();
});

test('a 定期便 of three deliveries ships each one on its date, 30 days apart, and then the donation completes', async () => {
  const paidAt = new Date().toISOString();
  const { donation } = await registerDonation(
    ctx.orm.em.fork(),
    newDonation(`teiki-${run}`, { paymentMethod: 'credit_card', paidAt, amountYen: 30_000, gifts: [{ code: GIFT, quantity: 1 }], // A person of this run only: a repeat donor keeps the email already on file.
      donor: { ...newDonation('x').donor, address: `千代田区千代田1-${Date.now() % 100_000}`, email: `donor-${run}@example.jp` } }),
    'system:test',
  );
  // Documents go out at once, so only the gift deliveries keep the donation open.
  const input = { ...donationWorkflowInput(donation, ctx.config), documentsSentAt: paidAt };
  const handle = await ctx.env.client.workflow.start(donationWorkflow, { taskQueue: ctx.taskQueue, workflowId: donation.workflowId, args: [input] });

  const knex = ctx.orm.em.getKnex();
  const plain = new Client({ connection: ctx.env.connection });
  const planned = await eventually(() => shipmentsOfDonation(knex, donation.id), (s) => s.length === 3 && s[0].status === 'awaiting_order');
  const first = jstDate(new Date(paidAt));
  expect(planned.map((s) => s.notBefore)).toEqual([first, addDays(first, 30), addDays(first, 60)]);
  expect(planned.map((s) => s.status)).toEqual(['awaiting_order', 'planned', 'planned']);

  for (let n = 1; n <= 3; n++) {
    const shipOn = planned[n - 1].notBefore as string;
    if (n > 1) {
      // Not a day early: just before its date the delivery still waits.
      const now = Date.parse(await currentTime());
      const target = Date.parse(`${shipOn}T00:00:00+09:00`);
      await ctx.env.sleep(target - now - 3_600_000);
      expect((await shipmentsOfDonation(knex, donation.id))[n - 1].status).toBe('planned');
      await ctx.env.sleep(2 * 3_600_000);
    }
    const waiting = await eventually(() => shipmentsOfDonation(knex, donation.id), (s) => s[n - 1].status === 'awaiting_order');
    // A plain client: the test environment's own client lets the server skip ahead to the next delivery's timer while it waits.
    const order = await plain.workflow.execute(supplierOrderWorkflow, { taskQueue: ctx.taskQueue, workflowId: `orders-${randomUUID()}`, args: [{ shipOn, requestedBy: 'system:test', suppliers: [`teiki-farm-${run}`] }] });
    expect(order.orders.map((o) => o.shipments).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const child = plain.workflow.getHandle(waiting[n - 1].workflowId);
    await eventually(() => child.query(shipmentStatusQuery), (v) => v.status === 'ordered' && v.preShippingMail === 'sent');
    await child.executeUpdate(confirmShippedUpdate, { args: [{ actor: 'supplier:teiki', shippedOn: shipOn, carrier: 'yamato_b2', trackingNumber: `77000000000${n}` }] });
    await child.signal(deliveredSignal, { actor: 'system:carrier', at: new Date().toISOString(), source: 'carrier_status' });
    await eventually(() => shipmentsOfDonation(knex, donation.id), (s) => s[n - 1].status === 'delivered');
    // Later deliveries have not moved.
    expect((await shipmentsOfDonation(knex, donation.id)).slice(n).map((s) => s.status)).toEqual(Array(3 - n).fill('planned'));
  }

  const result = await plain.workflow.getHandle<typeof donationWorkflow>(handle.workflowId).result();
  expect(result.status).toBe('completed');
  expect(result.shipments?.map((s) => [s.deliveryNo, s.status])).toEqual([[1, 'delivered'], [2, 'delivered'], [3, 'delivered']]);
  // One pre-shipping mail per delivery.
  expect(ctx.mail.messages().filter((m) => m.to.includes(`donor-${run}@example.jp`))).toHaveLength(3);
  await maybeCaptureHistory(plain, 'donation-v3-subscription', donation.workflowId);
  await maybeCaptureHistory(plain, 'shipment-v1-subscription-third', planned[2].workflowId);
});

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

async function currentTime(): Promise<string> {
  // The time-skipping server's clock, not this process's.
  const { time } = await ctx.env.connection.testService!.getCurrentTime({});
  const seconds = Number(time?.seconds ?? 0);
  return new Date(seconds * 1000 + Math.floor((time?.nanos ?? 0) / 1e6)).toISOString();
}
