import { Migration } from '@mikro-orm/migrations';

/** BILL-2: where each supplier and carrier is paid (the 全銀 総合振込 file's data records). One account per payee. */
export class Migration20261207034518_payee_bank_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table payee_bank_accounts (
        payee_kind text not null check (payee_kind in ('supplier', 'carrier')),
        payee_code text not null,
        bank_code char(4) not null check (bank_code ~ '^[0-9]{4}$'),
        branch_code char(3) not null check (branch_code ~ '^[0-9]{3}$'),
        account_type char(1) not null check (account_type in ('1', '2', '4')),
        account_number char(7) not null check (account_number ~ '^[0-9]{7}$'),
        holder_kana text not null,
        updated_by text not null,
        updated_at timestamptz not null default now(),
        primary key (payee_kind, payee_code)
      );
    `);
  }
}
