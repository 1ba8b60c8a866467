import { loadConfig } from '../../config/env';
import { RECORD_CLASSES } from '../../domain/retention/classes';

test('REC-1: every record class is kept RETENTION_YEARS (7 by default) unless RETENTION_YEARS_<CLASS> says otherwise; the yearly proposal date', () => {
  const byDefault = loadConfig({}).retention;
  expect(Object.keys(byDefault.years).sort()).toEqual([...RECORD_CLASSES].sort());
  expect(new Set(Object.values(byDefault.years))).toEqual(new Set([7]));
  expect(byDefault.proposalDate).toEqual({ month: 4, day: 1 });
  const set = loadConfig({ RETENTION_YEARS: '6', RETENTION_YEARS_CALLS: '5', RETENTION_YEARS_SHIP_TO: '7', RETENTION_PROPOSAL_DATE: '05-15' }).retention;
  expect(set.years).toMatchObject({ donors: 6, donations: 6, calls: 5, ship_to: 7, reports: 6 });
  expect(set.proposalDate).toEqual({ month: 5, day: 15 });
});

test.each([
  [{ RETENTION_YEARS: '4' }, /RETENTION_YEARS must be between 5 and 7/],
  [{ RETENTION_YEARS_DONORS: '8' }, /RETENTION_YEARS_DONORS must be between 5 and 7/],
  [{ RETENTION_YEARS_CALLS: 'five' }, /RETENTION_YEARS_CALLS/],
  [{ RETENTION_PROPOSAL_DATE: '13-01' }, /RETENTION_PROPOSAL_DATE/],
])('%j is refused at start, naming the variable', (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});
