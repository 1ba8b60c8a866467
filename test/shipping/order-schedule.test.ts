import { supplierOrderSchedule } from '../../workflows/shipping/schedule';
import { ensureAndDescribe, expectJapanTimeStart, inOwnNamespace } from '../support/schedules';

test('supplier orders run daily at the configured time in Japan (SHIP-2); a changed time updates the schedule in place', async () => {
  // Its own namespace, so the schedule cannot order other suites' shipments.
  await inOwnNamespace('order-schedule', async (client) => {
    let description = await ensureAndDescribe(client, supplierOrderSchedule, { SHIP_ORDER_TIME: '08:45' });
    expectJapanTimeStart(description, 'supplierOrderWorkflow');
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 45, end: 45, step: 1 }] });

    description = await ensureAndDescribe(client, supplierOrderSchedule, { SHIP_ORDER_TIME: '13:00' });
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 13, end: 13, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    await client.schedule.getHandle(supplierOrderSchedule.id).delete();
  });
});
