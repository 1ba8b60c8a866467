import { ConfigError, loadConfig } from '../../config/env';
import { deskDay, withinHours } from '../../domain/callcentre';

const config = loadConfig({}).callCentre;

describe('call centre hours (CALL-1)', () => {
  test('defaults: 09:00-17:00, year end 09:00-19:00 from 12-20', () => {
    expect(config).toEqual({ hours: { from: { hour: 9, minute: 0 }, to: { hour: 17, minute: 0 } }, yearEndHours: { from: { hour: 9, minute: 0 }, to: { hour: 19, minute: 0 } }, yearEndFrom: { month: 12, day: 20 } });
  });

  test('bad settings stop start-up with the key named', () => {
    expect(() => loadConfig({ CALL_HOURS: '17:00-09:00' })).toThrow(/CALL_HOURS/);
    expect(() => loadConfig({ CALL_HOURS: '9-17' })).toThrow(ConfigError);
    expect(() => loadConfig({ CALL_YEAR_END_HOURS: '09:00-25:00' })).toThrow(/CALL_YEAR_END_HOURS/);
    expect(() => loadConfig({ CALL_YEAR_END_FROM: '11-30' })).toThrow(/CALL_YEAR_END_FROM/);
    expect(loadConfig({ CALL_HOURS: '08:30-17:15' }).callCentre.hours).toEqual({ from: { hour: 8, minute: 30 }, to: { hour: 17, minute: 15 } });
  });

  test('a weekday, a weekend, a public holiday', () => {
    expect(deskDay('2026-11-26', config)).toEqual({ date: '2026-11-26', open: true, hours: { from: '09:00', to: '17:00' }, yearEnd: false, note: null });
    expect(deskDay('2026-11-28', config)).toMatchObject({ open: false, hours: null, note: 'weekend' });
    expect(deskDay('2026-11-23', config)).toMatchObject({ open: false, hours: null, note: '勤労感謝の日' });
  });

  test('year end: extended hours on weekdays; Dec 29-31 open every day; Jan 1-3 closed', () => {
    expect(deskDay('2026-12-18', config)).toMatchObject({ open: true, hours: { from: '09:00', to: '17:00' }, yearEnd: false });
    expect(deskDay('2026-12-22', config)).toMatchObject({ open: true, hours: { from: '09:00', to: '19:00' }, yearEnd: true });
    expect(deskDay('2026-12-26', config)).toMatchObject({ open: false, note: 'weekend', yearEnd: true });
    expect(deskDay('2026-12-29', config)).toMatchObject({ open: true, hours: { from: '09:00', to: '19:00' } });
    expect(deskDay('2027-01-02', config)).toMatchObject({ open: false, note: 'new-year break' });
  });

  test('instants are judged in Japan time', () => {
    expect(withinHours(new Date('2026-11-26T00:00:00Z'), config)).toBe(true); // 09:00 JST
    expect(withinHours(new Date('2026-11-26T07:59:00Z'), config)).toBe(true); // 16:59
    expect(withinHours(new Date('2026-11-26T08:00:00Z'), config)).toBe(false); // 17:00
    expect(withinHours(new Date('2026-12-22T09:30:00Z'), config)).toBe(true); // 18:30 in the year-end period
    expect(withinHours(new Date('2026-11-23T02:00:00Z'), config)).toBe(false); // holiday
  });
});
