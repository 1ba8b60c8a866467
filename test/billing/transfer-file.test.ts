import { randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import { buildApi } from '../../api/server';
import { billingRunId } from '../../domain/billing/month';
import { RECORD_BYTES, toZenginKana, zenginFile, zenginRecords } from '../../domain/billing/zengin';
import { ensureBillingRun, gatherStatements, recordStatementResponse } from '../../ledger/billing';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';
import { billingSeed } from './seed';

/**
 * BILL-2: the 全銀 総合振込 file for the month's payables, downloaded from the API and read back field by
 * field at the byte offsets of the format, against the payables the same API reports.
 */
let ctx: SuiteContext;
let api: TestApi;
const run = randomUUID().slice(0, 6);
const LABEL = `bt-${run}`;
const MONTH = '2026-10';
const A = `bt-a-${run}`;
const B = `bt-b-${run}`;
const runId = billingRunId(MONTH, LABEL);
const PAYER = { BILL_TRANSFER_REQUESTER_CODE: '1234567890', BILL_TRANSFER_REQUESTER_NAME: 'ﾌﾙｻﾄｳﾝｴｲ(ｶ', BILL_TRANSFER_ACCOUNT: '0177-001-1-0012345' };

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('billing-transfer', { env: PAYER }));
  const knex = ctx.orm.em.getKnex();
  const seed = billingSeed(knex, () => ctx.orm.em.fork(), LABEL);
  const a = await seed.supplier(A, '柳川うなぎ本舗');
  const b = await seed.supplier(B, '有明海苔');
  await seed.gift(`${A}-g`, a, { name: 'うなぎ蒲焼き', priceYen: 10_000, costYen: 2_000, shippingCostYen: 800 });
  await seed.gift(`${B}-g`, b, { name: '有明海苔', priceYen: 20_000, costYen: 5_500, shippingCostYen: 1_100 });
  const oct = '2026-10-03T03:00:00Z';
  const d1 = await seed.donation({ amountYen: 10_000, paidAt: oct, gifts: [[`${A}-g`, 1]] });
  const d2 = await seed.donation({ amountYen: 20_000, paidAt: oct, gifts: [[`${A}-g`, 2]] });
  const d3 = await seed.donation({ amountYen: 20_000, paidAt: oct, gifts: [[`${B}-g`, 1]] });
  await seed.shipment(d1, `${A}-g`, { shippedOn: '2026-10-05' });
  await seed.shipment(d2, `${A}-g`, { shippedOn: '2026-10-06', carrier: 'sagawa_ehiden' });
  await seed.shipment(d3, `${B}-g`, { shippedOn: '2026-10-07' });
  await ensureBillingRun(knex, { runId, month: MONTH, scope: { label: LABEL, suppliers: [A, B] }, requestedBy: 'system:test', at: new Date().toISOString() });
  await gatherStatements(knex, runId, new Date().toISOString());
});

afterAll(() => api?.close());

const fileUrl = (transferOn = '2026-11-25') => `/billing/runs/${MONTH}/transfer-file?label=${LABEL}&transferOn=${transferOn}`;
const confirm = (supplierCode: string) =>
  recordStatementResponse(ctx.orm.em.getKnex(), { runId, supplierCode, revision: 1, decision: 'confirm', actor: `supplier:${supplierCode}`, at: new Date().toISOString(), key: `${runId}/${supplierCode}/confirm` });

const ACCOUNTS = {
  [`supplier/${A}`]: { bankCode: '0001', branchCode: '001', accountType: '1', accountNumber: '1234567', holderKana: 'カ）ヤナガワウナギホンポ' },
  [`supplier/${B}`]: { bankCode: '0177', branchCode: '001', accountType: '2', accountNumber: '765', holderKana: 'ユ）アリアケノリ' },
  'carrier/yamato_b2': { bankCode: '0005', branchCode: '001', accountType: '2', accountNumber: '1111111', holderKana: 'ヤマトウンユ（カ' },
  'carrier/sagawa_ehiden': { bankCode: '0009', branchCode: '101', accountType: '1', accountNumber: '2222222', holderKana: 'サガワキユウビン（カ' },
};
/** Every payee's account registered (an upsert: the same whichever test runs first). */
async function registerAccounts() {
  for (const [payee, body] of Object.entries(ACCOUNTS)) {
    const res = await api.put(`/billing/payees/${payee}/bank-account`, body, 'operator');
    if (res.statusCode !== 200) throw new Error(`${payee}: ${res.statusCode} ${res.body}`);
  }
}

test('half-width kana for names: voiced marks split, small kana large, ー as -, kanji refused', () => {
  expect(toZenginKana('カ）ヤナガワウナギホンポ')).toBe('ｶ)ﾔﾅｶﾞﾜｳﾅｷﾞﾎﾝﾎﾟ');
  expect(toZenginKana('ｷｯｺｰﾏﾝ')).toBe('ｷﾂｺ-ﾏﾝ');
  expect(toZenginKana('やまと うんゆ')).toBe('ﾔﾏﾄ ｳﾝﾕ');
  expect(toZenginKana('ｶ)abc１２')).toBe('ｶ)ABC12');
  expect(toZenginKana('柳川')).toBeUndefined();
});

test('the file waits for confirmed statements, the paying account and every payee’s bank account', async () => {
  expect((await api.get(fileUrl(), 'operator')).json().message).toMatch(/not confirmed/);
  await confirm(A);
  await confirm(B);
  const missing = await api.get(fileUrl(), 'operator');
  expect(missing.statusCode).toBe(409);
  expect(missing.json().message).toContain(`supplier ${A}`);

  const unconfigured = await buildApi({ config: { ...ctx.config, billing: { ...ctx.config.billing, transferPayer: undefined } }, orm: ctx.orm, temporal: ctx.client, logger: false });
  const res = await unconfigured.inject({ url: fileUrl(), headers: api.headers('operator') });
  await unconfigured.close();
  expect(res.statusCode).toBe(409);
  expect(res.json().message).toContain('BILL_TRANSFER_ACCOUNT');

  expect((await api.get(fileUrl(), 'city')).statusCode).toBe(403);
  expect((await api.get(`/billing/runs/${MONTH}/transfer-file?label=${LABEL}`)).json().fields[0].field).toBe('querystring.transferOn');
});

test('bank accounts are checked against the Zengin register and stored with half-width names', async () => {
  const put = (kind: string, code: string, body: object, as: 'operator' | 'supplier' = 'operator') => api.put(`/billing/payees/${kind}/${code}/bank-account`, body, as);
  const good = { bankCode: '0001', branchCode: '001', accountType: '1', accountNumber: '1234567', holderKana: 'カ）ヤナガワウナギホンポ' };
  expect((await put('supplier', A, { ...good, bankCode: '0002' })).json().fields).toEqual([{ field: 'bankCode', reason: 'is not in the Zengin register' }]);
  expect((await put('supplier', A, { ...good, branchCode: '999' })).json().fields).toEqual([{ field: 'branchCode', reason: 'is not in the Zengin register of bank 0001' }]);
  expect((await put('supplier', A, { ...good, holderKana: '柳川うなぎ本舗' })).json().fields[0].field).toBe('holderKana');
  expect((await put('supplier', A, { ...good, holderKana: 'ア'.repeat(31) })).json().fields[0].field).toBe('holderKana');
  expect((await put('supplier', A, { ...good, accountType: '3' })).statusCode).toBe(400);
  expect((await put('supplier', `nobody-${run}`, good)).statusCode).toBe(404);
  expect((await put('supplier', A, good, 'supplier')).statusCode).toBe(403);

  const saved = await put('supplier', A, good);
  expect(saved.statusCode).toBe(200);
  expect(saved.json()).toMatchObject({ account: { payeeKind: 'supplier', payeeCode: A, holderKana: 'ｶ)ﾔﾅｶﾞﾜｳﾅｷﾞﾎﾝﾎﾟ', updatedBy: 'operator:tanaka' }, bank: { bankName: 'みずほ', branchName: '東京営業部' } });
  expect((await put('supplier', B, ACCOUNTS[`supplier/${B}`])).json().account.accountNumber).toBe('0000765');
  const listed = (await api.get('/billing/payees/bank-accounts', 'city')).json().accounts;
  expect(listed.find((a: { payeeCode: string }) => a.payeeCode === A)).toMatchObject({ bankCode: '0001', holderKana: 'ｶ)ﾔﾅｶﾞﾜｳﾅｷﾞﾎﾝﾎﾟ' });
});

test('the file read back field by field: 120-byte records, header, one data record per payee with its outstanding amount, trailer totals, end', async () => {
  await confirm(A);
  await confirm(B);
  await registerAccounts();
  // A payment already made is not paid again.
  expect((await api.post(`/billing/runs/${MONTH}/payments?label=${LABEL}`, { payeeKind: 'supplier', payeeCode: A, amountYen: 1_000, paidOn: '2026-11-10', reference: `FB-${run}` })).statusCode).toBe(201);
  const payables = (await api.get(`/billing/runs/${MONTH}/payables?label=${LABEL}`)).json().payables as { payeeKind: string; payeeCode: string; outstandingYen: number }[];
  expect(payables.map((p) => [p.payeeKind, p.payeeCode, p.outstandingYen])).toEqual([
    ['supplier', A, 2_000 + 4_000 - 1_000],
    ['supplier', B, 5_500],
    ['carrier', 'sagawa_ehiden', 800],
    ['carrier', 'yamato_b2', 800 + 1_100],
  ]);

  const res = await api.get(fileUrl('2026-11-25'), 'operator');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; charset=Shift_JIS');
  expect(res.headers['content-disposition']).toContain(`zengin-${runId}-20261125.txt`);
  const bytes = res.rawPayload;
  // Records of exactly 120 bytes, each followed by CRLF; every character one byte (half-width only).
  expect(bytes.length % (RECORD_BYTES + 2)).toBe(0);
  const records: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += RECORD_BYTES + 2) {
    expect(bytes.subarray(i + RECORD_BYTES, i + RECORD_BYTES + 2).toString('latin1')).toBe('\r\n');
    records.push(bytes.subarray(i, i + RECORD_BYTES));
  }
  expect(records.map((r) => r.length)).toEqual(records.map(() => 120));
  // 1-based byte positions as in the 全銀協 layout.
  const field = (r: Buffer, from: number, to: number) => iconv.decode(r.subarray(from - 1, to), 'Shift_JIS');
  expect(records.map((r) => field(r, 1, 1))).toEqual(['1', '2', '2', '2', '2', '8', '9']);

  const h = records[0];
  expect({
    kind: field(h, 2, 3), codeSet: field(h, 4, 4), requesterCode: field(h, 5, 14), requesterName: field(h, 15, 54), date: field(h, 55, 58),
    bank: field(h, 59, 62), bankName: field(h, 63, 77), branch: field(h, 78, 80), branchName: field(h, 81, 95), type: field(h, 96, 96), account: field(h, 97, 103), dummy: field(h, 104, 120),
  }).toEqual({
    kind: '21', codeSet: '0', requesterCode: '1234567890', requesterName: 'ﾌﾙｻﾄｳﾝｴｲ(ｶ'.padEnd(40), date: '1125',
    bank: '0177', bankName: 'ﾌｸｵｶ'.padEnd(15), branch: '001', branchName: 'ﾌｸｵｶｼﾁﾖｳﾅｲ'.padEnd(15), type: '1', account: '0012345', dummy: ' '.repeat(17),
  });

  const data = records.slice(1, 5).map((r) => ({
    bank: field(r, 2, 5), bankName: field(r, 6, 20).trimEnd(), branch: field(r, 21, 23), branchName: field(r, 24, 38).trimEnd(), clearing: field(r, 39, 42),
    type: field(r, 43, 43), account: field(r, 44, 50), holder: field(r, 51, 80).trimEnd(), amount: Number(field(r, 81, 90)), amountDigits: field(r, 81, 90),
    newCode: field(r, 91, 91), kindOfTransfer: field(r, 112, 112), dummy: field(r, 113, 120),
  }));
  expect(data.map((d) => [d.bank, d.branch, d.type, d.account, d.holder, d.amount])).toEqual([
    ['0001', '001', '1', '1234567', 'ｶ)ﾔﾅｶﾞﾜｳﾅｷﾞﾎﾝﾎﾟ', 5_000],
    ['0177', '001', '2', '0000765', 'ﾕ)ｱﾘｱｹﾉﾘ', 5_500],
    ['0009', '101', '1', '2222222', 'ｻｶﾞﾜｷﾕｳﾋﾞﾝ(ｶ', 800],
    ['0005', '001', '2', '1111111', 'ﾔﾏﾄｳﾝﾕ(ｶ', 1_900],
  ]);
  expect(data.map((d) => d.amount)).toEqual(payables.map((p) => p.outstandingYen));
  expect(data[0]).toMatchObject({ bankName: 'ﾐｽﾞﾎ', branchName: 'ﾄｳｷﾖｳ', clearing: '    ', amountDigits: '0000005000', newCode: '0', kindOfTransfer: '7', dummy: ' '.repeat(8) });

  const t = records[5];
  const total = payables.reduce((s, p) => s + p.outstandingYen, 0);
  expect({ count: Number(field(t, 2, 7)), total: Number(field(t, 8, 19)), dummy: field(t, 20, 120) }).toEqual({ count: 4, total, dummy: ' '.repeat(101) });
  expect(res.headers['x-transfer-total-yen']).toBe(String(total));
  expect(field(records[6], 2, 120)).toBe(' '.repeat(119));
});

test('without line breaks the records are back to back, 120 bytes each; a name too long for its field is refused, never cut', () => {
  const payer = { requesterCode: '1234567890', requesterName: 'ﾔﾅｶﾞﾜｼ', bankCode: '0177', branchCode: '001', accountType: '1' as const, accountNumber: '0012345' };
  const records = zenginRecords(payer, '2026-11-25', [{ account: { bankCode: '0001', branchCode: '001', accountType: '1', accountNumber: '1234567', holderKana: 'ｱ' }, amountYen: 1 }]);
  expect(zenginFile(records, false).length).toBe(4 * RECORD_BYTES);
  expect(() => zenginRecords(payer, '2026-11-25', [{ account: { bankCode: '0001', branchCode: '001', accountType: '1', accountNumber: '1234567', holderKana: 'ｱ'.repeat(31) }, amountYen: 1 }])).toThrow(/holderKana is longer than 30/);
});
