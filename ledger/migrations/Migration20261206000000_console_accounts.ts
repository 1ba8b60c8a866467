import { Migration } from '@mikro-orm/migrations';

/**
 * The web console (issue 16, SEC-2): one account per person, every sign-in attempt
 * (successes, failures, lockouts, throttling) and every change to an account, and the
 * console's sessions (so a restart or a second API process keeps people signed in,
 * and the idle timeout is enforced from the ledger's clock of the last request).
 */
export class Migration20261206000000_console_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table console_accounts (
        id serial primary key,
        login text not null,
        display_name text not null,
        role text not null,
        supplier_code text null references suppliers (code),
        can_read_my_number boolean not null default false,
        password_hash text not null,
        totp_secret text null,
        failed_attempts integer not null default 0,
        locked_until timestamptz null,
        disabled_at timestamptz null,
        last_sign_in_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint console_accounts_login_unique unique (login),
        constraint console_accounts_login_format check (login ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
        constraint console_accounts_role_valid check (role in ('operator', 'city', 'supplier', 'admin')),
        constraint console_accounts_supplier_bound check ((role = 'supplier') = (supplier_code is not null)),
        constraint console_accounts_second_factor check (totp_secret is not null or (role <> 'admin' and not can_read_my_number))
      );

      create table console_sign_ins (
        id bigserial primary key,
        login text not null,
        account_id integer null references console_accounts (id),
        outcome text not null,
        ip text null,
        at timestamptz not null default now(),
        constraint console_sign_ins_outcome_valid check (outcome in ('signed_in', 'bad_password', 'unknown_login', 'disabled', 'locked', 'locked_out', 'bad_second_factor', 'throttled', 'signed_out', 'timed_out'))
      );
      create index console_sign_ins_login_at on console_sign_ins (login, at desc);

      create table console_account_events (
        id bigserial primary key,
        account_id integer not null references console_accounts (id),
        action text not null,
        actor text not null,
        detail jsonb not null default '{}',
        at timestamptz not null default now()
      );
      create index console_account_events_account on console_account_events (account_id, at desc);

      create table console_sessions (
        sid text primary key,
        data jsonb not null,
        expires_at timestamptz not null
      );
      create index console_sessions_expires on console_sessions (expires_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table console_sessions; drop table console_account_events; drop table console_sign_ins; drop table console_accounts;');
  }
}
