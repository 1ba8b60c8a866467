import type { Knex } from '@mikro-orm/postgresql';
import type { MeetingMinutesEntry } from '../domain/reports/meeting-pack';

/** REPORT-3: the minutes of a month's strategy meeting (append-only; a correction names the entry it corrects), the month they are recorded against. */
export interface MeetingMinutes extends MeetingMinutesEntry {
  month: string;
}

export class MinutesError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const view = (r: any): MeetingMinutes => ({
  id: String(r.id),
  month: r.month_text,
  heldOn: r.held_on_text,
  attendees: r.attendees,
  body: r.body,
  corrects: r.corrects === null ? null : String(r.corrects),
  recordedBy: r.recorded_by,
  recordedAt: new Date(r.recorded_at).toISOString(),
});

const SELECT = `select m.*, to_char(m.month, 'YYYY-MM') as month_text, to_char(m.held_on, 'YYYY-MM-DD') as held_on_text from meeting_minutes m`;

export async function meetingMinutes(knex: Knex, month: string): Promise<MeetingMinutes[]> {
  const { rows } = await knex.raw(`${SELECT} where m.month = ?::date order by m.id`, [`${month}-01`]);
  return rows.map(view);
}

export async function recordMeetingMinutes(knex: Knex, input: { month: string; heldOn: string; attendees: string; body: string; corrects?: string; actor: string }): Promise<MeetingMinutes> {
  if (input.corrects) {
    const { rows } = await knex.raw(`select to_char(month, 'YYYY-MM') as month from meeting_minutes where id = ?`, [input.corrects]);
    if (!rows.length || rows[0].month !== input.month) throw new MinutesError('body.corrects', `must be an entry of the minutes of ${input.month}`);
  }
  const { rows } = await knex.raw(
    `with m as (insert into meeting_minutes (month, held_on, attendees, body, corrects, recorded_by) values (?::date, ?::date, ?, ?, ?, ?) returning *)
     select m.*, to_char(m.month, 'YYYY-MM') as month_text, to_char(m.held_on, 'YYYY-MM-DD') as held_on_text from m`,
    [`${input.month}-01`, input.heldOn, input.attendees, input.body, input.corrects ?? null, input.actor],
  );
  return view(rows[0]);
}
