import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Activities } from '../../activities';
import { PURGED } from '../../domain/onestop/notification';
import { monthDonations } from '../../ledger/billing-fees';
import { registerDonation } from '../../ledger/donations';
import { monthlyReportData } from '../../ledger/reports';
import { executeRecordsDestruction } from '../../ledger/retention';
import { recordsRetentionProposalWorkflow } from '../../workflows';
import { apiTokens, startApi, type TestApi } from '../support/api';
import { eventually, isolatedDatabase, suiteContext, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';

/**
 * REC-1 for every record, through the API, the real workflows (the yearly proposal, the destruction
 * waiting for the city) and a ledger of its own (a proposal takes in everything past its period,
 * which in the shared database would be other suites' rows).
 */
let db: { url: string; drop(): Promise<void> };
let ctx: SuiteContext;
let api: TestApi;
const knex = () => ctx.orm.em.getKnex();
const NOW = new Date('2026-12-01T00:00:00Z');
/** The day of every proposal here (never the wall clock's): 7 years back is 2019-12-01, 5 years 2021-12-01. */
const AS_OF = '2026-12-01';
const YEARS = { RETENTION_YEARS: '7', RETENTION_YEARS_CALLS: '5' };

// The first attempt of the destruction crashes half-way through its transaction, then waits for the test.
let attempts = 0;
let firstFailure: Error | undefined;
let release: () => void = () => undefined;
const released = new Promise<void>((r) => (release = r));
let crashed: () => void = () => undefined;
const crashSeen = new Promise<void>((r) => (crashed = r));

beforeAll(async () => {
  db = await isolatedDatabase('records_retention');
  ctx = await suiteContext('records-retention', { API_TOKENS: apiTokens(), ...YEARS }, { databaseUrl: db.url });
  await ctx.startWorker({
    replace: (a: Activities) => ({
      async executeRecordsDestruction(input: { destructionId: string; actor: string }) {
        attempts += 1;
        if (attempts > 1) return a.executeRecordsDestruction(input);
        const failure = await executeRecordsDestruction(knex(), input.destructionId, input.actor, {
          afterClass: (c) => {
            if (c === 'print_batches') throw new Error('injected crash after the print batches');
          },
        }).then(
          () => undefined,
          (err: Error) => err,
        );
        firstFailure = failure;
        crashed();
        await released;
        throw failure ?? new Error('the injected crash did not happen');
      },
    }),
  });
  api = await startApi(ctx);
});

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

interface Seeded {
  donorId: string;
  donationId: string;
}

/** A donation (and its donor) of `appliedAt`, closed as `status` on the same day. */
async function donation(name: string, kana: string, appliedAt: string, status: 'completed' | 'cancelled' | 'paid' = 'completed'): Promise<Seeded> {
  const { donation: d } = await registerDonation(
    ctx.orm.em.fork(),
    newDonation(ctx.prefix, { donor: { name, nameKana: kana, postalCode: '832-0000', prefecture: '福岡県', address: `柳川市${name}1-1`, phone: '0944-00-0000', email: `${randomUUID().slice(0, 6)}@example.jp` }, appliedAt, amountYen: 12_000 }),
    'test:setup',
  );
  await knex()('donations').where('id', d.id).update({ status, paid_at: appliedAt, completed_at: status === 'completed' ? appliedAt : null, cancelled_at: status === 'cancelled' ? appliedAt : null });
  const row = await knex()('donations').select('donor_id').where('id', d.id).first();
  await knex()('donors').where('id', row.donor_id).update({ created_at: appliedAt });
  return { donorId: row.donor_id, donationId: d.id };
}

const file = (dir: string, name: string) => {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, 'personal data');
  return f;
};

describe('retention and destruction of every record (REC-1)', () => {
  const s: Record<string, any> = {};

  beforeAll(async () => {
    // Past 7 years and needed by nothing: everything about donor A goes.
    s.a = await donation('保存 一郎', 'ホゾン イチロウ', '2019-04-10T01:00:00.000Z');
    await knex()('donation_ship_to').insert({ donation_id: s.a.donationId, name: '送付 花子', name_kana: 'ソウフ ハナコ', postal_code: '832-1111', prefecture: '福岡県', address: '柳川市送付先1-1', phone: '0944-11-1111' });
    await knex()('donation_events').insert({ donation_id: s.a.donationId, kind: 'donor_corrected', actor: 'test', occurred_at: '2019-04-11T00:00:00Z', before: JSON.stringify({ name: '保存 一郎', nameKana: 'ホゾン イチロウ', amountYen: 12_000 }), after: JSON.stringify({ name: '保存 一朗', phone: '0944-22-2222', amountYen: 12_000 }) });
    [s.mail] = (await knex()('mail_log').insert({ idempotency_key: `mail-${randomUUID()}`, template: 'receipt', recipient: 'ichiro@example.jp', subject: '受領証明書', donation_id: s.a.donationId, status: 'sent', created_at: '2019-04-12T00:00:00Z' }).returning('id')).map((r: { id: string }) => String(r.id));
    s.call = randomUUID();
    await knex()('calls').insert({ id: s.call, channel: 'phone', category: '配送', status: '完了', subject: '保存 一郎様 配送', body: '保存 一郎様より 0944-22-2222', caller_name: '保存 一郎', caller_contact: '0944-22-2222', donor_id: s.a.donorId, donation_id: s.a.donationId, received_at: '2020-01-10T01:00:00Z', out_of_hours: false, created_by: 'test', updated_by: 'test', updated_at: '2020-01-11T01:00:00Z' });
    await knex()('call_events').insert({ call_id: s.call, actor: 'test', kind: 'follow_up', note: '保存様に折り返し 0944-22-2222' });
    // Held (a legal hold on the donor), running (paid, its workflow still on), asked about (an open call), in an open billing month, recent.
    s.held = await donation('保留 二郎', 'ホリュウ ジロウ', '2019-04-15T01:00:00.000Z');
    s.running = await donation('進行 三郎', 'シンコウ サブロウ', '2019-04-16T01:00:00.000Z', 'paid');
    s.asked = await donation('照会 四郎', 'ショウカイ シロウ', '2019-04-17T01:00:00.000Z');
    await knex()('calls').insert({ id: randomUUID(), channel: 'phone', category: '証明書', status: '対応中', subject: '再発行', body: '照会中', donor_id: s.asked.donorId, received_at: '2026-11-30T01:00:00Z', out_of_hours: false, created_by: 'test', updated_by: 'test' });
    s.billing = await donation('請求 五郎', 'セイキュウ ゴロウ', '2019-05-20T01:00:00.000Z');
    await knex()('billing_runs').insert({ id: `billing-2019-05-${randomUUID().slice(0, 4)}`, month: '2019-05-01', requested_by: 'test' });
    s.recent = await donation('最近 六郎', 'サイキン ロクロウ', '2026-11-20T01:00:00.000Z');
    // The rest of the record classes.
    s.catalogueSent = randomUUID();
    s.catalogueOpen = randomUUID();
    const catalogue = { name: '資料 七子', name_kana: 'シリョウ ナナコ', postal_code: '832-7777', prefecture: '福岡県', address: '柳川市資料7-7', phone: '0944-77-7777', items: ['catalogue'], channel: 'phone', recorded_by: 'test' };
    await knex()('catalogue_requests').insert([
      { ...catalogue, id: s.catalogueSent, requested_at: '2019-06-01T00:00:00Z', status: 'sent', sent_at: '2019-06-02T00:00:00Z', sent_by: 'test' },
      { ...catalogue, id: s.catalogueOpen, requested_at: '2019-06-01T00:00:00Z', status: 'requested' },
    ]);
    s.importFile = randomUUID();
    await knex()('import_files').insert({ id: s.importFile, portal_code: 'choice', file_name: 'old.csv', sha256: randomUUID(), size_bytes: 10, source: 'upload', status: 'done', workflow_id: `import/${s.importFile}`, created_by: 'test', created_at: '2019-04-01T00:00:00Z', finished_at: '2019-04-01T01:00:00Z' });
    await knex()('import_file_chunks').insert({ file_id: s.importFile, seq: 0, data: Buffer.from('保存 一郎,0944-22-2222') });
    [s.quarantine] = (await knex()('import_quarantine').insert({ file_id: s.importFile, row_number: 2, last_row: 2, portal_code: 'choice', kind: 'invalid', issues: JSON.stringify([{ column: '電話', reason: 'bad' }]), header: JSON.stringify(['氏名', '電話']), rows: JSON.stringify([['保存 一郎', '0944-22-2222']]), status: 'dismissed', resolved_by: 'test', resolved_at: '2019-04-02T00:00:00Z', created_at: '2019-04-01T00:00:00Z' }).returning('id')).map((r: { id: string }) => String(r.id));
    s.batch = randomUUID();
    s.pdf = file(ctx.config.documents.workDir, `${s.batch}/batch.pdf`);
    s.manifest = file(ctx.config.documents.workDir, `${s.batch}/manifest.csv`);
    await knex()('print_batches').insert({ id: s.batch, kind: 'scheduled', status: 'posted', requested_by: 'test', workflow_id: `print/${s.batch}`, pdf_path: s.pdf, manifest_path: s.manifest, created_at: '2019-04-20T00:00:00Z', posted_at: '2019-04-21T00:00:00Z' });
    s.carrierFile = file(ctx.config.shipping.carrierDir, '2019-04-22/yamato-b2.csv');
    [s.carrier] = (await knex()('carrier_exports').insert({ carrier: 'yamato', ship_on: '2019-04-22', file_name: 'yamato-b2.csv', rows: 1, sha256: 'x' }).returning('id')).map((r: { id: string }) => String(r.id));
    s.report = randomUUID();
    s.reportPdf = file(ctx.config.reports.dir, '2019-04/monthly-report-2019-04-r1.pdf');
    s.reportCsv = file(ctx.config.reports.dir, '2019-04/monthly-report-2019-04-r1.csv');
    await knex()('monthly_reports').insert({ id: s.report, month: '2019-04-01', revision: 1, status: 'built', kind: 'scheduled', requested_by: 'test', workflow_id: 'report-2019-04', build_key: randomUUID(), due_on: '2019-05-10', data: JSON.stringify({ donations: 1 }), pdf: Buffer.from('%PDF'), csv: Buffer.from('a,b'), pdf_path: s.reportPdf, csv_path: s.reportCsv, created_at: '2019-05-01T00:00:00Z', built_at: '2019-05-01T00:00:00Z' });
  });

  const figures = async () => ({ report: await monthlyReportData(knex(), '2019-04', NOW), billing: await monthDonations(knex(), '2019-04', null), may: await monthDonations(knex(), '2019-05', null) });
  const donor = (id: string) => knex()('donors').where('id', id).first();

  test('the classes and their periods come from the configuration; legal holds are set by the city or an admin, recorded, and refused at the field', async () => {
    const classes = (await api.get('/retention/classes', 'city')).json();
    expect(classes.classes.find((c: { class: string }) => c.class === 'calls')).toMatchObject({ years: 5, setting: 'RETENTION_YEARS_CALLS' });
    expect(classes.classes.find((c: { class: string }) => c.class === 'donors')).toMatchObject({ years: 7, label: expect.stringContaining('寄附者') });
    expect((await api.get('/retention/classes', 'supplier')).statusCode).toBe(403);

    expect((await api.post('/retention/holds', { recordClass: 'donors', recordId: s.held.donorId, reason: '訴訟' }, 'operator')).statusCode).toBe(403);
    expect((await api.post('/retention/holds', { recordClass: 'donors', recordId: s.held.donorId, reason: '訴訟' }, 'supplier')).statusCode).toBe(403);
    const badClass = await api.post('/retention/holds', { recordClass: 'secrets', recordId: s.held.donorId, reason: '訴訟' }, 'city');
    expect([badClass.statusCode, badClass.json().fields[0].field]).toEqual([400, 'recordClass']);
    const unknown = await api.post('/retention/holds', { recordClass: 'donors', recordId: randomUUID(), reason: '訴訟' }, 'city');
    expect([unknown.statusCode, unknown.json().fields[0].field]).toEqual([400, 'recordId']);
    const noReason = await api.post('/retention/holds', { recordClass: 'donors', recordId: s.held.donorId }, 'city');
    expect([noReason.statusCode, noReason.json().fields[0].field]).toEqual([400, 'reason']);

    const hold = await api.post('/retention/holds', { recordClass: 'donors', recordId: s.held.donorId, reason: '訴訟のため保存 (法務課)' }, 'city');
    expect(hold.statusCode).toBe(201);
    expect(hold.json().hold).toMatchObject({ recordClass: 'donors', recordId: s.held.donorId, setBy: 'city:shiyakusho', clearedAt: null });
    s.holdId = hold.json().hold.id;
    expect((await api.post('/retention/holds', { recordClass: 'donors', recordId: s.held.donorId, reason: 'again' }, 'admin')).statusCode).toBe(409);
    expect((await api.get('/retention/holds?active=true', 'operator')).json().holds.map((h: { id: string }) => h.id)).toEqual([s.holdId]);
    // Recorded: a hold is never deleted or rewritten.
    await expect(knex()('retention_holds').where('id', s.holdId).del()).rejects.toThrow(/append-only/);
    await expect(knex()('retention_holds').where('id', s.holdId).update({ reason: 'x' })).rejects.toThrow(/append-only/);
  });

  test('the proposal takes in what is past its period and nothing held, running, asked about, billed in an open month or recent; never twice while the city decides', async () => {
    expect((await api.post('/retention/proposals', {}, 'operator')).statusCode).toBe(403);
    const future = await api.post('/retention/proposals', { asOf: '2099-01-01' }, 'admin');
    expect([future.statusCode, future.json().fields[0].field]).toEqual([400, 'asOf']);

    const proposed = await api.post('/retention/proposals', { asOf: AS_OF }, 'admin');
    expect(proposed.statusCode).toBe(201);
    s.id = proposed.json().id;
    const p = (await api.get(`/retention/proposals/${s.id}`, 'city')).json();
    expect(p).toMatchObject({ status: 'proposed', scope: 'records', proposedBy: 'admin:root', classYears: { calls: 5, donors: 7 } });
    expect(p.items).toEqual({
      donors: [s.a.donorId],
      donations: [s.a.donationId],
      ship_to: [s.a.donationId],
      calls: [s.call],
      catalogue_requests: [s.catalogueSent],
      mail_log: [s.mail],
      import_quarantine: [s.quarantine],
      import_files: [s.importFile],
      print_batches: [s.batch],
      carrier_files: [s.carrier],
      reports: [s.report],
    });
    // MYNUM-5's prior application: per class what is destroyed, how many, kept how long; medium, method, when.
    expect(p.application).toMatchObject({ count: 11, medium: expect.stringContaining('PostgreSQL'), method: expect.stringContaining(PURGED), planned: expect.stringContaining('市の同意') });
    expect(p.application.items.find((i: { class: string }) => i.class === 'calls')).toMatchObject({ count: 1, retentionYears: 5 });
    expect((await api.get(`/retention/proposals/${s.id}`, 'supplier')).statusCode).toBe(403);
    expect((await api.get(`/retention/proposals/${randomUUID()}`, 'city')).statusCode).toBe(404);
    const badId = await api.get('/retention/proposals/not-an-id', 'city');
    expect([badId.statusCode, badId.json().fields[0].field]).toEqual([400, 'params.id']);
    // A records proposal is not the one-stop routes' to decide.
    expect((await api.post(`/onestop/retention/destructions/${s.id}/decision`, { approve: true, reason: 'x' }, 'city')).statusCode).toBe(409);
    expect((await api.get(`/retention/destructions/${s.id}`, 'city')).statusCode).toBe(409);
    expect((await api.get(`/retention/destructions/${s.id}/report.txt`, 'city')).statusCode).toBe(409);
    expect((await api.get('/retention/proposals?status=proposed', 'city')).json().proposals.map((x: { id: string }) => x.id)).toEqual([s.id]);
    // The one-stop list is its own.
    expect((await api.get('/onestop/retention/destructions', 'city')).json().destructions).toEqual([]);

    // Cleared hold: the yearly workflow proposes the donor now, and only what the first proposal does not hold.
    const cleared = await api.post(`/retention/holds/${s.holdId}/clear`, { reason: '訴訟終結' }, 'admin');
    expect(cleared.json().hold).toMatchObject({ clearedBy: 'admin:root', clearReason: '訴訟終結' });
    expect((await api.post(`/retention/holds/${s.holdId}/clear`, { reason: 'again' }, 'admin')).statusCode).toBe(409);
    expect((await api.post(`/retention/holds/${randomUUID()}/clear`, { reason: 'x' }, 'admin')).statusCode).toBe(404);
    const years = { ...ctx.config.retention.years };
    const yearly = await ctx.client.workflow.execute(recordsRetentionProposalWorkflow, { taskQueue: ctx.taskQueue, workflowId: `records-retention-proposal/test-${randomUUID()}`, args: [{ years, requestedBy: 'system:schedule', asOf: AS_OF }] });
    expect(yearly.count).toBe(2);
    const second = (await api.get(`/retention/proposals/${yearly.destructionId}`, 'city')).json();
    expect(second.items).toMatchObject({ donors: [s.held.donorId], donations: [s.held.donationId], calls: [] });
    const again = await ctx.client.workflow.execute(recordsRetentionProposalWorkflow, { taskQueue: ctx.taskQueue, workflowId: `records-retention-proposal/test-${randomUUID()}`, args: [{ years, requestedBy: 'system:schedule', asOf: AS_OF }] });
    expect(again).toMatchObject({ count: 0 });
    expect(again.destructionId).toBeUndefined();
    // The city refuses that one: nothing of it is destroyed.
    expect((await api.post(`/retention/proposals/${yearly.destructionId}/decision`, { approve: false }, 'city')).json().fields[0].field).toBe('reason');
    expect((await api.post(`/retention/proposals/${yearly.destructionId}/decision`, { approve: false, reason: '保留' }, 'city')).statusCode).toBe(202);
    expect(await ctx.client.workflow.getHandle(`retention/${yearly.destructionId}`).result()).toEqual({ outcome: 'rejected' });
    expect((await donor(s.held.donorId)).name).toBe('保留 二郎');
  });

  test('on the city’s approval one transaction anonymises and deletes (a crash half-way leaves nothing done); figures stay; the record is the city’s to read', async () => {
    const before = await figures();
    expect(before.billing.map((d) => d.donationId)).toContain(s.a.donationId);
    expect((await api.post(`/retention/proposals/${s.id}/decision`, { approve: true, reason: 'ok' }, 'admin')).statusCode).toBe(403);
    expect((await api.post(`/retention/proposals/${s.id}/decision`, { approve: true, reason: 'ok' }, 'operator')).statusCode).toBe(403);
    const decided = await api.post(`/retention/proposals/${s.id}/decision`, { approve: true, reason: '令和8年度 文書廃棄決裁済み', witness: '総務課 田中' }, 'city');
    expect(decided.statusCode).toBe(202);

    // The first attempt failed after anonymising donors … print batches: nothing of it stayed.
    await crashSeen;
    expect(firstFailure?.message).toBe('injected crash after the print batches');
    expect((await knex()('retention_destructions').where('id', s.id).first()).status).toBe('approved');
    expect((await donor(s.a.donorId)).name).toBe('保存 一郎');
    expect((await knex()('donation_ship_to').where('donation_id', s.a.donationId).first()).name).toBe('送付 花子');
    expect(JSON.stringify(await knex()('donation_events').where('donation_id', s.a.donationId))).toContain('0944-22-2222');
    expect(await knex()('retention_purged').count('* as n').first()).toMatchObject({ n: '0' });
    expect(await knex()('import_file_chunks').where('file_id', s.importFile)).toHaveLength(1);
    expect(fs.existsSync(s.pdf)).toBe(true);
    release();

    const done = await eventually(() => api.get(`/retention/destructions/${s.id}`, 'city'), (r) => r.statusCode === 200 && r.json().record.imageFiles);
    expect(attempts).toBe(2);
    const record = done.json().record;
    expect(record).toMatchObject({
      items: expect.arrayContaining([expect.stringContaining('送付先')]),
      medium: expect.stringContaining('PostgreSQL'),
      method: expect.stringContaining(PURGED),
      count: { donors: 1, donations: 1, ship_to: 1, calls: 1, catalogue_requests: 1, mail_log: 1, import_quarantine: 1, import_files: 1, print_batches: 1, carrier_files: 1, reports: 1, imageFilesDeleted: 5 },
      person: { proposedBy: 'admin:root', approvedBy: 'city:shiyakusho', executedBy: 'system:retention', witness: '総務課 田中' },
      imageFiles: { alreadyAbsent: [], refused: [] },
    });
    expect(record.count.historyRows).toBeGreaterThanOrEqual(2);
    expect(Date.parse(record.date)).not.toBeNaN();
    expect(done.json()).toMatchObject({ decidedBy: 'city:shiyakusho', decisionReason: '令和8年度 文書廃棄決裁済み' });
    expect((await api.get('/retention/destructions', 'city')).json().destructions.map((d: { id: string }) => d.id)).toEqual([s.id]);
    expect((await api.get(`/retention/destructions/${s.id}`, 'supplier')).statusCode).toBe(403);
    // MYNUM-5: reported in writing, in Japanese, without a donor's name.
    const written = await api.get(`/retention/destructions/${s.id}/report.txt`, 'city');
    expect(written.statusCode).toBe(200);
    expect(written.body).toContain('保存期間を満了した記録の廃棄 (消去) 報告書');
    expect(written.body).toContain('立会人: 総務課 田中');
    expect(written.body).toContain('件数: 寄附者台帳 (寄附者・名寄せ) 1 件、寄附とその履歴 1 件、送付先 1 件');
    expect(written.body).toContain('ファイル 5 件 (うち削除 5 件)');
    expect(written.body).not.toContain('保存 一郎');
    expect((await api.get(`/retention/destructions/${s.id}/report.txt`, 'operator')).statusCode).toBe(403);
    expect((await api.get(`/retention/destructions/${randomUUID()}`, 'city')).statusCode).toBe(404);

    // Personal fields gone, files gone.
    expect(await donor(s.a.donorId)).toMatchObject({ name: PURGED, name_kana: PURGED, address: PURGED, postal_code: PURGED, phone: null, email: null, prefecture: '福岡県' });
    expect(await knex()('donor_person_members').where('donor_id', s.a.donorId).first()).toMatchObject({ phone_key: null, address_key: null, birth_date: null });
    expect(await knex()('donation_ship_to').where('donation_id', s.a.donationId).first()).toMatchObject({ name: PURGED, address: PURGED, phone: null });
    expect(await knex()('calls').where('id', s.call).first()).toMatchObject({ body: PURGED, caller_name: PURGED, caller_contact: PURGED, category: '配送', status: '完了' });
    expect(await knex()('catalogue_requests').where('id', s.catalogueSent).first()).toMatchObject({ name: PURGED, phone: null, status: 'sent' });
    expect(await knex()('mail_log').where('id', s.mail).first()).toMatchObject({ recipient: null, status: 'sent' });
    expect((await knex()('import_quarantine').where('id', s.quarantine).first()).rows).toEqual([]);
    expect(await knex()('import_file_chunks').where('file_id', s.importFile)).toHaveLength(0);
    expect(await knex()('monthly_reports').where('id', s.report).first()).toMatchObject({ pdf: null, csv: null, data: { donations: 1 } });
    for (const f of [s.pdf, s.manifest, s.carrierFile, s.reportPdf, s.reportCsv]) expect([f, fs.existsSync(f)]).toEqual([f, false]);
    const everything = JSON.stringify([
      await knex()('donors').where('id', s.a.donorId),
      await knex()('donation_events').where('donation_id', s.a.donationId),
      await knex()('donation_ship_to').where('donation_id', s.a.donationId),
      await knex()('calls').where('id', s.call),
      await knex()('call_events').where('call_id', s.call),
      await knex()('catalogue_requests').where('id', s.catalogueSent),
      await knex()('mail_log').where('id', s.mail),
      await knex()('import_quarantine').where('id', s.quarantine),
    ]);
    for (const personal of ['保存 一郎', '保存 一朗', 'ホゾン', '0944-22-2222', '送付 花子', '資料 七子', 'ichiro@example.jp']) expect([personal, everything.includes(personal)]).toEqual([personal, false]);
    const history = await knex()('donation_events').where('donation_id', s.a.donationId).orderBy('id');
    expect(history.map((e: { kind: string }) => e.kind)).toContain('personal_data_purged');
    expect(history.find((e: { kind: string }) => e.kind === 'donor_corrected')).toMatchObject({ before: { name: PURGED, amountYen: 12_000 }, after: { phone: PURGED, amountYen: 12_000 } });

    // What was not proposed is untouched.
    for (const [who, name] of [[s.held, '保留 二郎'], [s.running, '進行 三郎'], [s.asked, '照会 四郎'], [s.billing, '請求 五郎'], [s.recent, '最近 六郎']] as const) expect((await donor(who.donorId)).name).toBe(name);
    expect((await knex()('catalogue_requests').where('id', s.catalogueOpen).first()).name).toBe('資料 七子');

    // The figures reports and billing rest on are the same.
    expect(await figures()).toEqual(before);
  });

  test('a second run changes nothing, nothing destroyed is proposed again, and the event log refuses a plain UPDATE', async () => {
    const snapshot = async () =>
      JSON.stringify(await Promise.all(['donors', 'donation_events', 'donation_ship_to', 'calls', 'call_events', 'catalogue_requests', 'mail_log', 'import_quarantine', 'retention_purged', 'retention_destructions'].map((t) => knex()(t).orderByRaw('1'))));
    const before = await snapshot();
    const report = await executeRecordsDestruction(knex(), s.id, 'test:again');
    expect(report.person.executedBy).toBe('system:retention');
    expect(await snapshot()).toBe(before);

    const next = await api.post('/retention/proposals', { asOf: AS_OF }, 'admin');
    const items = (await api.get(`/retention/proposals/${next.json().id}`, 'city')).json().items;
    expect(Object.values(items).flat()).not.toEqual(expect.arrayContaining([s.a.donorId]));
    expect(items.donations).not.toContain(s.a.donationId);

    // Append-only: a plain UPDATE or DELETE is refused, and so is one that borrows a finished destruction's flag.
    await expect(knex()('donation_events').where('donation_id', s.a.donationId).update({ reason: 'x' })).rejects.toThrow(/append-only/);
    await expect(knex()('donation_events').where('donation_id', s.a.donationId).update({ before: null })).rejects.toThrow(/append-only/);
    await expect(knex()('donation_events').where('donation_id', s.a.donationId).del()).rejects.toThrow(/append-only/);
    await expect(knex()('call_events').where('call_id', s.call).update({ note: 'x' })).rejects.toThrow(/append-only/);
    await expect(
      knex().transaction(async (trx) => {
        await trx.raw("select set_config('furusato.rec1_purge', ?, true)", [s.id]);
        await trx('donation_events').where('donation_id', s.a.donationId).update({ before: null });
      }),
    ).rejects.toThrow(/append-only/);
  });
});
