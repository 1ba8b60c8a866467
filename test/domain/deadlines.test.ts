import { atRiskCutoff, DEFAULT_YEAR_END_CLOSURE, documentsDeadline, isPrintDay, lastPrintDay, mustPrintBy, nextPrintDay, reminderAt } from '../../domain/deadlines';
import { loadConfig } from '../../config/env';

const jst = (local: string) => new Date(`${local}+09:00`);

describe('DOCS-1 documents deadline', () => {
  test.each([
    ['2026-04-01T10:00:00', '2026-04-15', 'two-weeks'],
    ['2026-12-28T23:59:00', '2027-01-11', 'two-weeks'],
    ['2026-12-29T00:00:00', '2027-01-05', 'year-end'],
    ['2026-12-31T23:59:59', '2027-01-05', 'year-end'],
    ['2027-01-01T09:00:00', '2027-01-15', 'two-weeks'],
    ['2028-02-20T12:00:00', '2028-03-05', 'two-weeks'],
  ])('paid %s JST → due %s (%s)', (paid, dueOn, rule) => {
    const d = documentsDeadline(jst(paid));
    expect(d.dueOn).toBe(dueOn);
    expect(d.rule).toBe(rule);
    // The deadline passes at midnight JST at the end of the due date.
    expect(d.dueAt).toBe(new Date(jst(`${dueOn}T00:00:00`).getTime() + 86_400_000).toISOString());
  });

  test('the date of payment is the Japanese date, not UTC: 2026-12-28 16:00 UTC is Dec 29 in Japan', () => {
    expect(documentsDeadline(new Date('2026-12-28T16:00:00Z')).rule).toBe('year-end');
    expect(documentsDeadline(new Date('2026-12-28T14:59:59Z')).dueOn).toBe('2027-01-11');
  });

  test('the reminder fires the configured days before the deadline, never before the payment', () => {
    const paid = jst('2026-05-01T10:00:00');
    const d = documentsDeadline(paid);
    expect(reminderAt(d, 3, paid)).toBe(new Date(Date.parse(d.dueAt) - 3 * 86_400_000).toISOString());
    const latePaid = jst('2026-05-15T10:00:00');
    expect(reminderAt(documentsDeadline(jst('2026-05-01T10:00:00')), 3, latePaid)).toBe(latePaid.toISOString());
  });
});

describe('DOCS-1 print days over the year end', () => {
  const startOf = (day: string) => jst(`${day}T00:00:00`).toISOString();

  test('print runs happen on open days: not weekends, holidays or Dec 29 – Jan 3', () => {
    expect(['2030-12-27', '2030-12-28', '2030-12-29', '2031-01-03', '2031-01-04', '2031-01-05', '2031-01-06'].map((d) => isPrintDay(d))).toEqual([true, false, false, false, false, false, true]);
    expect(nextPrintDay('2030-12-27')).toBe('2031-01-06');
    expect(nextPrintDay('2026-11-20')).toBe('2026-11-24'); // Nov 23, 2026 is 勤労感謝の日 on a Monday
  });

  test('a deadline in a closed stretch belongs to the last run before it', () => {
    expect(lastPrintDay('2030-12-29')).toBe('2030-12-27');
    expect(lastPrintDay('2031-01-05')).toBe('2030-12-27');
    expect(lastPrintDay('2031-01-06')).toBe('2031-01-06');
    // The last run before the closure must take every document due until the next print day.
    expect(mustPrintBy('2030-12-27')).toBe(startOf('2031-01-06'));
    // On an ordinary weekday only what is due that day cannot wait.
    expect(mustPrintBy('2026-11-18')).toBe(startOf('2026-11-19'));
    // Paid on Dec 30 with Jan 4 – 5 a weekend: the closed day itself must print (documentsDeadline's dueAt is the start of Jan 6).
    expect(Date.parse(documentsDeadline(jst('2030-12-30T10:00:00')).dueAt) <= Date.parse(mustPrintBy('2030-12-30'))).toBe(true);
    expect(Date.parse(documentsDeadline(jst('2026-12-10T10:00:00')).dueAt) <= Date.parse(mustPrintBy('2026-12-10'))).toBe(false);
  });

  test('the at-risk list warns from the day a deadline\'s last print day comes into the window', () => {
    // Dec 24, 2030 with a 3-day window: Dec 27 is the last run before Jan 6, so everything due up to Jan 5 is at risk now.
    expect(atRiskCutoff(jst('2030-12-24T10:00:00'), 3)).toBe(startOf('2031-01-06'));
    // A day earlier the window ends on Thursday Dec 26, whose next run is Friday: only what is due by Dec 26.
    expect(atRiskCutoff(jst('2030-12-23T10:00:00'), 3)).toBe(startOf('2030-12-27'));
    // Never narrower than the plain window.
    expect(Date.parse(atRiskCutoff(jst('2026-11-16T10:00:00'), 3)) >= jst('2026-11-19T10:00:00').getTime()).toBe(true);
  });

  test('the closure is the city\'s to set (PRINT_YEAR_END_CLOSURE, Dec 29 – Jan 3 by default); the rules follow it', () => {
    expect(loadConfig({}).documents.yearEndClosure).toEqual(DEFAULT_YEAR_END_CLOSURE);
    const short = loadConfig({ PRINT_YEAR_END_CLOSURE: '12-30/01-02' }).documents.yearEndClosure;
    expect(short).toEqual({ from: '12-30', to: '01-02' });
    // 2026: Dec 29 is a Tuesday, Jan 3 a Sunday, Jan 4 a Monday. With Dec 30 – Jan 2 closed, Dec 29 is a print day.
    expect(isPrintDay('2026-12-29', short)).toBe(true);
    expect(isPrintDay('2026-12-29')).toBe(false);
    expect(nextPrintDay('2026-12-29', short)).toBe('2027-01-04');
    expect(lastPrintDay('2027-01-02', short)).toBe('2026-12-29');
    expect(mustPrintBy('2026-12-28')).toBe(startOf('2027-01-04'));
    expect(mustPrintBy('2026-12-28', short)).toBe(startOf('2026-12-29'));
    expect(() => loadConfig({ PRINT_YEAR_END_CLOSURE: '12-29..01-03' })).toThrow(/PRINT_YEAR_END_CLOSURE/);
    expect(() => loadConfig({ PRINT_YEAR_END_CLOSURE: '13-01/01-03' })).toThrow(/PRINT_YEAR_END_CLOSURE/);
  });
});
