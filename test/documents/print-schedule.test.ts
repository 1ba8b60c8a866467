import { printSchedule } from '../../workflows/documents/schedule';
import { ensureAndDescribe, expectJapanTimeStart, inOwnNamespace } from '../support/schedules';

test('the daily print batch runs at the configured time in Japan, and a changed configuration updates it in place', async () => {
  // A namespace of its own, so this schedule cannot start batches for the other suites.
  await inOwnNamespace('print-schedule', async (client) => {
    let description = await ensureAndDescribe(client, printSchedule, { PRINT_BATCH_TIME: '10:30' });
    expectJapanTimeStart(description, 'printBatchWorkflow');
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 10, end: 10, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(description.action.type === 'startWorkflow' && description.action.args?.[0]).toMatchObject({ kind: 'scheduled', runOnClosedDays: false, closure: { from: '12-29', to: '01-03' } });

    description = await ensureAndDescribe(client, printSchedule, { PRINT_BATCH_TIME: '09:00', PRINT_ON_CLOSED_DAYS: 'true' });
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 9, end: 9, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    expect(description.action.type === 'startWorkflow' && description.action.args?.[0]).toMatchObject({ runOnClosedDays: true });
    await client.schedule.getHandle(printSchedule.id).delete();
  });
});
