import type { Knex } from '@mikro-orm/postgresql';
import type { AccountType, BankAccount } from '../domain/billing/zengin';
import { payables, type Payable } from './billing-invoices';
import { isoOrNull, renamed } from './rows';

/** BILL-2: the bank account each supplier or carrier is paid into. */
export interface PayeeBankAccount extends BankAccount {
  payeeKind: 'supplier' | 'carrier';
  payeeCode: string;
  updatedBy: string;
  updatedAt: string;
}

function toAccount(r: Record<string, unknown>): PayeeBankAccount {
  return { ...renamed(r, 'payee_kind payee_code bank_code branch_code account_number holder_kana updated_by'), accountType: r.account_type as AccountType, updatedAt: isoOrNull(r.updated_at)! };
}

export async function savePayeeBankAccount(knex: Knex, payeeKind: 'supplier' | 'carrier', payeeCode: string, a: BankAccount, by: string): Promise<PayeeBankAccount> {
  const row = { payee_kind: payeeKind, payee_code: payeeCode, bank_code: a.bankCode, branch_code: a.branchCode, account_type: a.accountType, account_number: a.accountNumber, holder_kana: a.holderKana, updated_by: by, updated_at: knex.fn.now() };
  const [saved] = await knex('payee_bank_accounts').insert(row).onConflict(['payee_kind', 'payee_code']).merge().returning('*');
  return toAccount(saved);
}

export async function payeeBankAccounts(knex: Knex): Promise<PayeeBankAccount[]> {
  return (await knex('payee_bank_accounts').select('*').orderBy('payee_kind', 'desc').orderBy('payee_code')).map(toAccount);
}

/** Whether a supplier or carrier of that code exists (an account for anyone else is refused). */
export async function payeeExists(knex: Knex, payeeKind: 'supplier' | 'carrier', payeeCode: string): Promise<boolean> {
  const table = payeeKind === 'supplier' ? 'suppliers' : 'carriers';
  return !!(await knex(table).where({ code: payeeCode }).first('code'));
}

export interface TransferLine {
  payable: Payable;
  account: PayeeBankAccount | undefined;
}

/**
 * BILL-2: what the month's transfer file pays — every payee with an outstanding balance, with its
 * account (undefined when none is registered) — and how many statements are still unconfirmed
 * (payments follow confirmed statements, as recordPayeePayment says; an override lets them go).
 */
export async function transferLines(knex: Knex, runId: string): Promise<{ lines: TransferLine[]; unconfirmedStatements: number; overridden: boolean } | undefined> {
  const run = await knex('billing_runs').where({ id: runId }).first('override_at');
  if (!run) return undefined;
  const { rows } = await knex.raw(`select count(*) filter (where status <> 'confirmed')::int as open from billing_statements where run_id = ?`, [runId]);
  const accounts = await payeeBankAccounts(knex);
  const lines = (await payables(knex, runId))
    .filter((p) => p.outstandingYen > 0)
    .map((payable) => ({ payable, account: accounts.find((a) => a.payeeKind === payable.payeeKind && a.payeeCode === payable.payeeCode) }));
  return { lines, unconfirmedStatements: rows[0].open, overridden: !!run.override_at };
}
