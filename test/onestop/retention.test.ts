import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import { PURGED } from '../../domain/onestop/notification';
import { applyChangeNotice, applyResubmission, listAlerts } from '../../ledger/onestop';
import { retentionProposalWorkflow } from '../../workflows';
import { eventually } from '../support/context';
import { captureOneStopHistory } from './histories';
import { clearHandler, oneStopSuite, seedApplication, type OneStopSuite } from './support';

/**
 * REC-1 through the API, the real workflows and the real ledger. This is the
 * only suite that lets applications expire (others' proposals would pick them
 * up), so everything about retention lives here.
 */
let s: OneStopSuite;
const number = (first11: string) => first11 + myNumberCheckDigit(first11);
const A = number('80000000001');
const B = number('80000000002');
const C = number('80000000003');
const DONOR = { name: '保存 期子', nameKana: 'ホゾン キコ', prefecture: '福岡県', address: '柳川市本町87-1', postalCode: '832-8601' };

beforeAll(async () => {
  s = await oneStopSuite('onestop-retention');
  await clearHandler(s, 'admin:root');
});

afterAll(async () => {
  await s?.close();
});

const knex = () => s.ctx.orm.em.getKnex();
const scan = (ref: string) => path.join(s.ctx.config.onestop.scanDir, ref.replace(/^scan:\/\//, ''));
const touch = (file: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'scanned image');
};
const readNumber = (id: string) => s.get(`/onestop/applications/${id}/my-number?reason=${encodeURIComponent('保存期間の確認')}`, 'admin').then((r) => r.json().myNumber);

describe('retention and destruction (REC-1)', () => {
  let expired: string;
  let current: string;

  test('numbers, images and the other personal data past retention go only after the city approves, with a record for the city', async () => {
    // An application of the 2018 donation year whose donor sent a correction and a 変更届出書, each with scans.
    const seeded = await seedApplication(s.ctx, DONOR, { appliedAt: '2026-11-20T01:00:00.000Z', myNumber: A, status: 'deficient', scanRef: `scan://onestop/${randomUUID()}.pdf` });
    expired = seeded.application.id;
    const fixRef = `scan://onestop/fix-${expired}.pdf`;
    await applyResubmission(knex(), s.ctx.config.myNumber!, expired, { arrivedOn: '2026-12-05', scanRef: fixRef, changes: { phone: '0944-11-2222' } }, 'test:operator');
    await applyChangeNotice(knex(), expired, { arrivedOn: '2026-12-20', scanRef: '../outside.pdf', reason: '転居', changes: { address: '福岡県柳川市三橋町1-1', name: '保存 新子' } }, 'test:operator');
    await knex()('onestop_applications').where('id', expired).update({ status: 'accepted', deadline_on: '2019-01-10' });
    for (const ref of [seeded.application.scanRef!, fixRef]) touch(scan(ref));
    const outside = path.join(s.ctx.config.onestop.scanDir, '..', 'outside.pdf');
    touch(outside);
    // Not expired: untouched by everything below.
    current = (await seedApplication(s.ctx, { ...DONOR, name: '現在 太郎' }, { appliedAt: '2026-11-20T01:00:00.000Z', myNumber: B })).application.id;

    expect((await s.post('/onestop/retention/destructions', {}, 'operator')).statusCode).toBe(403);
    const future = await s.post('/onestop/retention/destructions', { asOf: '2099-01-01' }, 'admin');
    expect(future.statusCode).toBe(400);
    expect(future.json().fields[0].field).toBe('asOf');

    const proposed = await s.post('/onestop/retention/destructions', {}, 'admin');
    expect(proposed.statusCode).toBe(201);
    expect(proposed.json()).toMatchObject({ count: 1, retentionYears: 7, status: 'proposed' });
    const destructionId = proposed.json().id;
    // Nothing is gone before the city decides.
    expect(await readNumber(expired)).toBe(A);
    expect(fs.existsSync(scan(fixRef))).toBe(true);
    expect((await s.post(`/onestop/retention/destructions/${destructionId}/decision`, { approve: true, reason: 'ok' }, 'admin')).statusCode).toBe(403);

    // MYNUM-5: the prior application the city consents to, and no written report before the destruction.
    const application = (await s.get(`/onestop/retention/destructions/${destructionId}`, 'city')).json().application;
    expect(application).toMatchObject({ count: 1, items: expect.arrayContaining(['個人番号 (特定個人情報)']), medium: expect.stringContaining('PostgreSQL'), method: expect.stringContaining('overwritten'), planned: expect.stringContaining('市の同意') });
    expect((await s.get(`/onestop/retention/destructions/${destructionId}/report.txt`, 'city')).statusCode).toBe(409);

    const decided = await s.post(`/onestop/retention/destructions/${destructionId}/decision`, { approve: true, reason: '令和8年度 文書廃棄決裁済み', witness: '税務課 山本 (立会い)' }, 'city');
    expect(decided.statusCode).toBe(202);
    const record = await eventually(() => s.get(`/onestop/retention/destructions/${destructionId}`, 'city').then((r) => r.json()), (r) => r.status === 'done' && r.report?.imageFiles);
    expect(record).toMatchObject({ count: 1, applicationIds: [expired], decidedBy: 'city:shiyakusho', decisionReason: '令和8年度 文書廃棄決裁済み', witness: '税務課 山本 (立会い)' });
    const written = await s.get(`/onestop/retention/destructions/${destructionId}/report.txt`, 'city');
    expect(written.statusCode).toBe(200);
    expect(written.body).toContain('特定個人情報等の廃棄 (消去) 報告書');
    expect(written.body).toContain('立会人: 税務課 山本 (立会い)');
    expect(written.body).toContain('件数: 申請 1 件、個人番号 1 件、画像参照 3 件 (うちファイル削除 2 件)');
    expect(written.body).not.toContain(A);
    expect(written.body).not.toContain('保存');
    expect(record.report).toMatchObject({
      items: ['個人番号 (特定個人情報)', '申告特例申請書・添付書類の画像', expect.stringContaining('氏名・フリガナ・住所')],
      count: { applications: 1, myNumbers: 1, imageReferences: 3, personalData: 1, imageFilesDeleted: 2 },
      imageReferencesToDelete: expect.arrayContaining([seeded.application.scanRef, fixRef, '../outside.pdf']),
      imageFiles: { folder: path.resolve(s.ctx.config.onestop.scanDir), deleted: [seeded.application.scanRef, fixRef], alreadyAbsent: [], refused: [{ ref: '../outside.pdf', reason: expect.stringContaining('not inside the scan folder') }] },
      person: { proposedBy: 'admin:root', approvedBy: 'city:shiyakusho', executedBy: 'system:retention' },
    });
    expect(record.report.count.historyRows).toBeGreaterThanOrEqual(2);
    expect(record.report.method).toContain('NULL');
    // The files are gone; one outside the scan folder is never touched.
    expect(fs.existsSync(scan(seeded.application.scanRef!))).toBe(false);
    expect(fs.existsSync(scan(fixRef))).toBe(false);
    expect(fs.existsSync(outside)).toBe(true);

    const a = (await s.get(`/onestop/applications/${expired}`)).json();
    expect(a.myNumber).toMatchObject({ verdict: 'valid', sealed: false });
    expect(a.scanRef).toBeNull();
    expect(a.content).toMatchObject({ name: PURGED, nameKana: PURGED, address: PURGED, postalCode: PURGED, phone: PURGED, birthDate: PURGED, amountYen: 10_000, donationDate: '2026-11-20' });
    expect(a.changedParticulars).toEqual({ address: PURGED, name: PURGED });
    expect(a.history.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['my_number_destroyed', 'personal_data_purged']));
    const text = JSON.stringify(a) + JSON.stringify(await knex()('onestop_events').where('application_id', expired));
    for (const personal of ['保存 期子', '保存 新子', 'ホゾン', '本町87-1', '三橋町', '0944-11-2222', '832-8601', '1980-04-01']) expect([personal, text.includes(personal)]).toEqual([personal, false]);
    expect(await readNumber(expired)).toBeNull();
    // The history stays append-only outside an approved destruction.
    await expect(knex()('onestop_events').where('application_id', expired).update({ reason: 'x' })).rejects.toThrow(/append-only/);
    await expect(knex()('onestop_events').where('application_id', expired).del()).rejects.toThrow(/append-only/);

    expect(await readNumber(current)).toBe(B);
    expect((await s.get(`/onestop/applications/${current}`)).json().content.name).toBe('現在 太郎');
    expect((await s.post(`/onestop/retention/destructions/${destructionId}/decision`, { approve: false, reason: 'again' }, 'city')).statusCode).toBe(409);
  });

  test('the yearly schedule proposes what is due and the city still decides; nothing is proposed twice', async () => {
    const { application } = await seedApplication(s.ctx, { ...DONOR, name: '昔 三郎' }, { appliedAt: '2026-11-20T01:00:00.000Z', myNumber: C });
    await knex()('onestop_applications').where('id', application.id).update({ deadline_on: '2018-01-10' });

    const workflowId = `onestop-retention-proposal/test-${randomUUID()}`;
    const result = await s.ctx.client.workflow.execute(retentionProposalWorkflow, { taskQueue: s.ctx.taskQueue, workflowId, args: [{ retentionYears: 7, requestedBy: 'system:schedule' }] });
    expect(result).toMatchObject({ count: 1 });
    const id = result.destructionId!;
    const d = (await s.get(`/onestop/retention/destructions/${id}`, 'city')).json();
    expect(d).toMatchObject({ status: 'proposed', applicationIds: [application.id], proposedBy: 'system:schedule' });
    // Proposed is not destroyed: the destruction workflow waits for the city.
    expect(await readNumber(application.id)).toBe(C);
    expect((await s.ctx.client.workflow.getHandle(`retention/${id}`).describe()).status.name).toBe('RUNNING');
    const alerts = await listAlerts(knex());
    expect(alerts.find((a) => a.kind === 'destruction_proposed' && (a.details as { destructionId: string }).destructionId === id)?.message).toContain('市の承認');

    // Next year's run (or a retry) does not propose the same applications again while the city has not decided.
    const again = await s.ctx.client.workflow.execute(retentionProposalWorkflow, { taskQueue: s.ctx.taskQueue, workflowId: `${workflowId}-again`, args: [{ retentionYears: 7, requestedBy: 'system:schedule' }] });
    expect(again).toMatchObject({ count: 0 });
    expect(again.destructionId).toBeUndefined();
    // Never for a day after today.
    await expect(
      s.ctx.client.workflow.execute(retentionProposalWorkflow, { taskQueue: s.ctx.taskQueue, workflowId: `${workflowId}-future`, args: [{ retentionYears: 5, requestedBy: 'test', asOf: '2999-01-01' }] }),
    ).rejects.toThrow();

    await s.post(`/onestop/retention/destructions/${id}/decision`, { approve: true, reason: '決裁済み' }, 'city');
    await eventually(() => s.get(`/onestop/retention/destructions/${id}`, 'city').then((r) => r.json()), (r) => r.status === 'done');
    expect(await readNumber(application.id)).toBeNull();
    await captureOneStopHistory(s.ctx.client, 'retention-proposal-v1', workflowId);
  });
});
