import { replayEach, savedHistories } from '../support/histories';

/**
 * Replays the saved MonthlyBillingWorkflow / scheduled billing histories against today's code: a
 * reordered timer or a new activity call without patched() fails here, not in a month that is still
 * waiting for the city's payment. Captured by test/billing with CAPTURE_HISTORIES=1 (never overwritten).
 */
const files = savedHistories(/^billing-v\d+-.*\.json$/);

test('there are saved billing histories for the dispute/rejection/payment path, the escalation/override path, the schedule launcher, an extended payment deadline and a run that waited for the report inspection', () => {
  expect(files).toEqual(expect.arrayContaining(['billing-v1-disputed-rejected-paid.json', 'billing-v1-escalated-override.json', 'billing-v1-scheduled-launcher.json', 'billing-v2-payment-extended.json', 'billing-v3-report-inspected-corrected-extended.json']));
});

replayEach(files);
