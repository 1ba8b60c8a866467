import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/**
 * MYNUM-1: the dated notices every change of the 取扱者名簿 produces for the city (append-only), and
 * the register as printed for the city (PDF, kept with its digest).
 */
export class Migration20261207011900_mynumber_register_notices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mynumber_handler_notices (
        id bigserial primary key,
        actor text not null,
        kind text not null check (kind in ('registered', 'changed', 'removed', 'approved')),
        notice text not null,
        noticed_on date not null,
        recorded_by text not null,
        recorded_at timestamptz not null default now()
      );
      create index mynumber_handler_notices_noticed_idx on mynumber_handler_notices (noticed_on, id);
      ${appendOnlyTriggers('mynumber_handler_notices', 'onestop_append_only')}

      create table mynumber_register_reports (
        id uuid primary key,
        as_of date not null,
        handlers integer not null,
        pdf bytea not null,
        sha256 text not null,
        requested_by text not null,
        created_at timestamptz not null default now()
      );
    `);
  }
}
