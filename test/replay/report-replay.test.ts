import { replayEach, savedHistories } from '../support/histories';

/**
 * Replays the saved monthly report histories (REPORT-1/2, CALL-3 demand mail) against today's
 * workflow code: on demand, scheduled on the 1st, scheduled and escalated after failing builds,
 * the Schedule's starter run, and the demand mail. Captured with CAPTURE_HISTORIES=1 npx jest test/reports.
 */
const files = savedHistories(/^report-v[0-9]+-.*\.json$/);

test('there are saved report histories for each path', () => {
  expect(files.sort()).toEqual(['report-v1-on-demand.json', 'report-v1-quality-demand.json', 'report-v1-schedule-starter.json', 'report-v1-scheduled-late.json', 'report-v1-scheduled.json', 'report-v2-quality-demand-reminded.json']);
});

replayEach(files);
