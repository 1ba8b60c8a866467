import { documentsDeadline, reminderAt } from '../../domain/deadlines';

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
