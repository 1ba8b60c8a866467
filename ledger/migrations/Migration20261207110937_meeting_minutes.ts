import { Migration } from '@mikro-orm/migrations';
import { appendOnlyFunction, appendOnlyTriggers } from './append-only';

/**
 * REPORT-3 (spec 10(2) 戦略会議): the minutes (議事録) of a month's strategy meeting, recorded against the
 * month its meeting pack is for — when it was held, who attended, the text, who recorded it and when.
 * Append-only: a correction is a new entry that names the one it corrects.
 */
export class Migration20261207110937_meeting_minutes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table meeting_minutes (
        id bigserial primary key,
        month date not null check (extract(day from month) = 1),
        held_on date not null,
        attendees text not null,
        body text not null,
        corrects bigint null references meeting_minutes (id) on delete restrict,
        recorded_by text not null,
        recorded_at timestamptz not null default now()
      );
      create index meeting_minutes_month_idx on meeting_minutes (month, id);
      ${appendOnlyFunction('meeting_minutes_append_only')}
      ${appendOnlyTriggers('meeting_minutes', 'meeting_minutes_append_only')}
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table meeting_minutes; drop function meeting_minutes_append_only();`);
  }
}
