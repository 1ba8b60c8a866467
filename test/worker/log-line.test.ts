import { logLine } from '../../worker/log-line';

test('an activity failure during an outage is one line: what, for which workflow, which attempt, and why', () => {
  const err = Object.assign(new Error('COMMIT; - Client has encountered a connection error and is not queryable\n    at client.js:678:27'), { code: 'ECONNREFUSED' });
  const line = logLine({
    level: 'WARN',
    message: 'Activity failed',
    timestampNanos: 1_796_574_904_195_000_000n,
    meta: { activityType: 'createShipment', workflowId: 'shipment/x/1/1', attempt: 2, taskToken: 'CiQwMWEy', error: err },
  });
  expect(line).toBe('2026-12-06T16:35:04.195Z [WARN] Activity failed (createShipment shipment/x/1/1 attempt 2): COMMIT; - Client has encountered a connection error and is not queryable [ECONNREFUSED]');
  expect(line).not.toContain('\n');
  expect(line).not.toContain('CiQwMWEy');
});
