import { replayEach, savedHistories } from '../support/histories';
import { ONESTOP_HISTORY_DIR } from './histories';

/**
 * Replays saved one-stop histories (sealed, as the server stores them) against
 * today's code, so a change that would break running applications fails here.
 * Refresh after a deliberate, patched change: CAPTURE_HISTORIES=1 npx jest test/onestop
 */
const files = savedHistories(/\.json$/, ONESTOP_HISTORY_DIR);

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

// base64 of "binary/encrypted": the fixture is what the server really holds.
replayEach(files, ONESTOP_HISTORY_DIR, (history) => expect(JSON.stringify(history)).toContain(Buffer.from('binary/encrypted').toString('base64')));
