import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../config/env';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';
import { quietRuntime, required } from '../support/context';
import { ONESTOP_HISTORY_DIR } from './histories';

/**
 * Replays saved one-stop histories (sealed, as the server stores them) against
 * today's code, so a change that would break running applications fails here.
 * Refresh after a deliberate, patched change: CAPTURE_HISTORIES=1 npx jest test/onestop
 */
const files = fs.existsSync(ONESTOP_HISTORY_DIR) ? fs.readdirSync(ONESTOP_HISTORY_DIR).filter((f) => f.endsWith('.json')) : [];

beforeAll(() => quietRuntime());

test('saved histories cover review with resubmission, late rejection, a destruction, the yearly notices and proposal', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'onestop-v1-deficient-resubmitted-accepted.json',
      'onestop-v1-late.json',
      'retention-v1-approved.json',
      'notification-v1.json',
      'notification-reminder-v1.json',
      'retention-proposal-v1.json',
    ]),
  );
});

test.each(files)('%s replays without non-determinism', async (file) => {
  const history = JSON.parse(fs.readFileSync(path.join(ONESTOP_HISTORY_DIR, file), 'utf8'));
  // base64 of "binary/encrypted": the fixture is what the server really holds.
  expect(JSON.stringify(history)).toContain(Buffer.from('binary/encrypted').toString('base64'));
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') }, dataConverter: temporalDataConverter(loadConfig({}).myNumber!) },
    history,
    file,
  );
});
