import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { quietRuntime, required } from '../support/context';
import { HISTORY_DIR } from '../support/histories';
import { loadConfig } from '../../config/env';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';

/**
 * Replays the saved MonthlyBillingWorkflow / scheduled billing histories against today's code: a
 * reordered timer or a new activity call without patched() fails here, not in a month that is still
 * waiting for the city's payment. Captured by test/billing with CAPTURE_HISTORIES=1 (never overwritten).
 */
const files = fs.readdirSync(HISTORY_DIR).filter((f) => /^billing-v\d+-.*\.json$/.test(f));

beforeAll(() => quietRuntime());

test('there are saved billing histories for the dispute/rejection/payment path, the escalation/override path, the schedule launcher, an extended payment deadline and a run that waited for the report inspection', () => {
  expect(files).toEqual(expect.arrayContaining(['billing-v1-disputed-rejected-paid.json', 'billing-v1-escalated-override.json', 'billing-v1-scheduled-launcher.json', 'billing-v2-payment-extended.json', 'billing-v3-report-inspected-corrected-extended.json']));
});

test.each(files)('%s replays without non-determinism', async (file) => {
  const history = JSON.parse(fs.readFileSync(path.join(HISTORY_DIR, file), 'utf8'));
  await Worker.runReplayHistory({ workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') }, dataConverter: temporalDataConverter(loadConfig({}).myNumber!) }, history, file);
});
