import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/**
 * REPORT-1 (spec 10(1), 13): the city inspects (検査) each monthly report revision — passed, or returned
 * with the reason (a returned report gets a new revision, inspected in its turn). One decision per
 * revision; the rows are never rewritten.
 */
export class Migration20261206100000_report_inspections extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table monthly_report_inspections (
        id bigserial primary key,
        report_id uuid not null references monthly_reports (id),
        month date not null,
        revision integer not null,
        decision text not null check (decision in ('passed', 'returned')),
        reason text null,
        decided_by text not null,
        decided_at timestamptz not null default now(),
        constraint monthly_report_inspections_once unique (report_id),
        constraint monthly_report_inspections_return_reason check (decision = 'passed' or (reason is not null and length(btrim(reason)) > 0))
      );
      create index monthly_report_inspections_month_idx on monthly_report_inspections (month, revision);
      ${appendOnlyTriggers('monthly_report_inspections')}
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table monthly_report_inspections;');
  }
}
