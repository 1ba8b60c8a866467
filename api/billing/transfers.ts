import type { FastifyInstance } from 'fastify';
import { billingRunId } from '../../domain/billing/month';
import { ACCOUNT_TYPES, lookupBranch, toZenginKana, zenginFile, zenginRecords, ZenginError, type AccountType } from '../../domain/billing/zengin';
import { payeeBankAccounts, payeeExists, savePayeeBankAccount, transferLines } from '../../ledger/payee-accounts';
import { actorOf } from '../auth';
import { badRequest, conflict, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { READ, WRITE } from '../roles';
import { isoDate, line, REASON, yearMonth } from '../schema-fragments';

const payeeParams = {
  type: 'object',
  required: ['kind', 'code'],
  properties: { kind: { type: 'string', enum: ['supplier', 'carrier'] }, code: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const accountBody = {
  type: 'object',
  additionalProperties: false,
  required: ['bankCode', 'branchCode', 'accountType', 'accountNumber', 'holderKana'],
  properties: {
    bankCode: { type: 'string', pattern: '^[0-9]{4}$', description: '金融機関コード (4 digits, as in the Zengin register)', [REASON]: 'must be the 4-digit 金融機関コード' },
    branchCode: { type: 'string', pattern: '^[0-9]{3}$', description: '支店コード (3 digits)', [REASON]: 'must be the 3-digit 支店コード' },
    accountType: { type: 'string', enum: ACCOUNT_TYPES, description: '預金種目: 1 普通, 2 当座, 4 貯蓄' },
    accountNumber: { type: 'string', pattern: '^[0-9]{1,7}$', description: '口座番号 (up to 7 digits)', [REASON]: 'must be up to 7 digits' },
    holderKana: { ...line(60), description: '口座名義 in kana as the bank holds it (full- or half-width; stored half-width, at most 30 characters)' },
  },
} as const;

const transferQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['transferOn'],
  properties: { transferOn: { ...isoDate, description: '振込指定日 (the bank day the transfers are to arrive)' }, label: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,39}$' } },
} as const;

/**
 * BILL-2: the accounts suppliers and carriers are paid into, and the month's 全銀 総合振込 file that pays
 * what is outstanding to each of them from the account in BILL_TRANSFER_*.
 */
export function registerTransferRoutes(app: FastifyInstance, { config, orm }: Pick<RouteDeps, 'config' | 'orm'>): void {
  const knex = () => orm.em.getKnex();

  app.get('/billing/payees/bank-accounts', { schema: { tags: ['billing'], summary: 'BILL-2: the bank account of each supplier and carrier paid by transfer' }, config: { roles: READ } }, async () => ({
    accounts: await payeeBankAccounts(knex()),
  }));

  app.put<{ Params: { kind: 'supplier' | 'carrier'; code: string }; Body: { bankCode: string; branchCode: string; accountType: AccountType; accountNumber: string; holderKana: string } }>(
    '/billing/payees/:kind/:code/bank-account',
    { schema: { tags: ['billing'], summary: 'BILL-2: register or change where a supplier or carrier is paid (bank and branch checked against the Zengin register)', params: payeeParams, body: accountBody }, config: { roles: WRITE } },
    async (request) => {
      const b = request.body;
      const branch = lookupBranch(b.bankCode, b.branchCode);
      if ('unknown' in branch) throw badRequest([{ field: branch.unknown, reason: `is not in the Zengin register${branch.unknown === 'branchCode' ? ` of bank ${b.bankCode}` : ''}` }]);
      const holderKana = toZenginKana(b.holderKana);
      if (holderKana === undefined) throw badRequest([{ field: 'holderKana', reason: 'must be kana, upper-case letters, digits, space or ( ) - . / , (as the bank writes the 口座名義)' }]);
      if (holderKana.length > 30) throw badRequest([{ field: 'holderKana', reason: 'is longer than the 30 half-width characters of the 全銀 受取人名' }]);
      if (!(await payeeExists(knex(), request.params.kind, request.params.code))) throw notFound(`${request.params.kind} ${request.params.code}`);
      const account = await savePayeeBankAccount(knex(), request.params.kind, request.params.code, { ...b, accountNumber: b.accountNumber.padStart(7, '0'), holderKana }, actorOf(request.principal!));
      return { account, bank: branch };
    },
  );

  app.get<{ Params: { month: string }; Querystring: { transferOn: string; label?: string } }>(
    '/billing/runs/:month/transfer-file',
    {
      schema: {
        tags: ['billing'],
        summary: 'BILL-2: the 全銀 総合振込 file (Shift_JIS, 120-byte records) paying each supplier and carrier what is outstanding for the month',
        params: { type: 'object', required: ['month'], properties: { month: yearMonth } },
        querystring: transferQuery,
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const runId = billingRunId(request.params.month, request.query.label);
      const found = await transferLines(knex(), runId);
      if (!found) throw notFound(`billing run ${runId}`);
      const payer = config.billing.transferPayer;
      if (!payer) throw conflict('the paying account is not configured: set BILL_TRANSFER_REQUESTER_CODE, BILL_TRANSFER_REQUESTER_NAME and BILL_TRANSFER_ACCOUNT');
      if (found.unconfirmedStatements > 0 && !found.overridden) throw conflict(`payments follow confirmed statements: ${found.unconfirmedStatements} not confirmed yet`);
      if (found.lines.length === 0) throw conflict(`nothing is outstanding in ${runId}`);
      const missing = found.lines.filter((l) => !l.account).map((l) => `${l.payable.payeeKind} ${l.payable.payeeCode} (${l.payable.payeeName})`);
      if (missing.length > 0) throw conflict(`no bank account registered for ${missing.join(', ')}: PUT /billing/payees/:kind/:code/bank-account`);
      let records: string[];
      try {
        records = zenginRecords(payer, request.query.transferOn, found.lines.map((l) => ({ account: l.account!, amountYen: l.payable.outstandingYen })));
      } catch (err) {
        if (err instanceof ZenginError) throw conflict(`the transfer file cannot be written: ${err.message}`);
        throw err;
      }
      const total = found.lines.reduce((s, l) => s + l.payable.outstandingYen, 0);
      return reply
        .header('content-type', 'text/plain; charset=Shift_JIS')
        .header('content-disposition', `attachment; filename="zengin-${runId}-${request.query.transferOn.replace(/-/g, '')}.txt"`)
        .header('x-transfer-count', String(found.lines.length))
        .header('x-transfer-total-yen', String(total))
        .send(zenginFile(records, config.billing.transferLineBreaks));
    },
  );
}
