import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { quietRuntime, required } from '../support/context';
import { HISTORY_DIR } from '../support/histories';
import { loadConfig } from '../../config/env';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';

/**
 * Replays the saved monthly report histories (REPORT-1/2, CALL-3 demand mail) against today's
 * workflow code: on demand, scheduled on the 1st, scheduled and escalated after failing builds,
 * the Schedule's starter run, and the demand mail. Captured with CAPTURE_HISTORIES=1 npx jest test/reports.
 */
const files = fs.readdirSync(HISTORY_DIR).filter((f) => /^report-v[0-9]+-/.test(f) && f.endsWith('.json'));

beforeAll(() => quietRuntime());

test('there are saved report histories for each path', () => {
  expect(files.sort()).toEqual(['report-v1-on-demand.json', 'report-v1-quality-demand.json', 'report-v1-schedule-starter.json', 'report-v1-scheduled-late.json', 'report-v1-scheduled.json', 'report-v2-quality-demand-reminded.json']);
});

test.each(files)('%s replays without non-determinism', async (file) => {
  const history = JSON.parse(fs.readFileSync(path.join(HISTORY_DIR, file), 'utf8'));
  await Worker.runReplayHistory({ workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') }, dataConverter: temporalDataConverter(loadConfig({}).myNumber!) }, history, file);
});
