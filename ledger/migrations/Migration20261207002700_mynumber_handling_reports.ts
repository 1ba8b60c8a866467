import { Migration } from '@mikro-orm/migrations';

/** MYNUM-3 / MYNUM-6: the monthly handling reports as issued to the city (one per month, never rewritten). */
export class Migration20261207002700_mynumber_handling_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mynumber_handling_reports (
        month text primary key check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        report jsonb not null,
        created_by text not null,
        created_at timestamptz not null default now()
      );
      create index my_number_access_log_accessed_idx on my_number_access_log (accessed_at);
      create index my_number_access_refusals_refused_idx on my_number_access_refusals (refused_at);
    `);
  }
}
