import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/**
 * SEC-3 after the report: the city's instructions tracked to done, the contractor's follow-up reports,
 * and the affected logs frozen as evidence (which rows, how many, their SHA-256). Follow-ups and
 * evidence are append-only; an instruction is completed once and never reopened or rewritten.
 */
export class Migration20261207005300_incident_followup extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table incident_instructions (
        id bigserial primary key,
        incident_id uuid not null references incidents (id) on delete restrict,
        instruction text not null,
        due_on date,
        given_by text not null,
        given_at timestamptz not null default now(),
        done_report text,
        done_by text,
        done_at timestamptz,
        constraint incident_instructions_done_whole check ((done_at is null) = (done_by is null) and (done_at is null) = (done_report is null))
      );
      create index incident_instructions_incident_idx on incident_instructions (incident_id, id);
      create function incident_instructions_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' or old.done_at is not null
           or new.incident_id <> old.incident_id or new.instruction <> old.instruction or new.due_on is distinct from old.due_on
           or new.given_by <> old.given_by or new.given_at <> old.given_at then
          raise exception 'incident_instructions: an instruction is completed once and never changed or removed';
        end if;
        return new;
      end $$;
      create trigger incident_instructions_guard before update or delete on incident_instructions for each row execute function incident_instructions_guard();

      create table incident_followups (
        id bigserial primary key,
        incident_id uuid not null references incidents (id) on delete restrict,
        report text not null,
        reported_by text not null,
        reported_at timestamptz not null default now()
      );
      create index incident_followups_incident_idx on incident_followups (incident_id, id);
      ${appendOnlyTriggers('incident_followups', 'onestop_append_only')}

      create table incident_evidence (
        id bigserial primary key,
        incident_id uuid not null references incidents (id) on delete restrict,
        log_name text not null,
        period_from timestamptz not null,
        period_to timestamptz not null,
        row_count integer not null,
        last_row_id bigint,
        sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
        frozen_by text not null,
        frozen_at timestamptz not null default now()
      );
      create index incident_evidence_incident_idx on incident_evidence (incident_id, id);
      ${appendOnlyTriggers('incident_evidence', 'onestop_append_only')}
    `);
  }
}
