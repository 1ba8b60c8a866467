import fs from 'node:fs';
import path from 'node:path';
import { handoffClearance } from '../../domain/subcontractors/register';
import { registerDonation } from '../../ledger/donations';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { apiSuite, type TestApi } from '../support/api';
import { eventually, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';

/**
 * CONTRACT-3 (spec 9, 特記7): subcontractors only with the city's prior written approval, and an
 * unapproved print house receives nothing: the batch waits, the refusal is recorded, and once the city
 * approves the same batch goes out without anyone starting it again.
 */
const PRESS = 'unapproved-press';
const entry = { name: '柳川印刷株式会社', reason: '繁忙期の印刷・封入・郵送', work: '受領証明書等の印刷、封入、差出', dataPassed: ['donor_personal'], safeguards: '入退室管理、施錠保管、作業後の消去証明' };

describe('the rule', () => {
  const e = { code: 'p', name: 'P', dataPassed: ['donor_personal' as const], cityApprovedOn: '2026-12-01', revokedOn: null };
  test('approved, not revoked, for that kind of data, from the day of approval', () => {
    expect(handoffClearance('p', e, 'donor_personal', '2026-12-01')).toEqual({ cleared: true });
    expect(handoffClearance('p', undefined, 'donor_personal', '2026-12-01')).toEqual({ cleared: false, reason: 'p: 再委託先として登録されていません (CONTRACT-3)' });
    expect(handoffClearance('p', { ...e, cityApprovedOn: null }, 'donor_personal', '2026-12-01')).toEqual({ cleared: false, reason: expect.stringContaining('市の事前の書面承認') });
    expect(handoffClearance('p', { ...e, cityApprovedOn: '2026-12-02' }, 'donor_personal', '2026-12-01').cleared).toBe(false);
    expect(handoffClearance('p', e, 'my_number', '2026-12-01')).toEqual({ cleared: false, reason: expect.stringContaining('特定個人情報 (個人番号) を渡すことは承認されていません') });
    expect(handoffClearance('p', { ...e, revokedOn: '2026-12-05' }, 'donor_personal', '2026-12-05')).toEqual({ cleared: false, reason: expect.stringContaining('2026-12-05 に取り消されています') });
  });
});

describe('the register and the print drop', () => {
  let ctx: SuiteContext;
  let api: TestApi;

  beforeAll(async () => {
    ({ ctx, api } = await apiSuite('subcontractors', { worker: true, env: { PRINT_HOUSE_CODE: PRESS } }));
  });
  afterAll(() => api?.close());

  test('the admin registers, the city approves in writing or revokes; a change of work lapses the approval; bad input names the field', async () => {
    expect((await api.put('/subcontractors/call-vendor', { ...entry, name: 'コール社' }, 'operator')).statusCode).toBe(403);
    const registered = await api.put('/subcontractors/call-vendor', { ...entry, name: 'コール社', dataPassed: [] }, 'admin');
    expect(registered.statusCode).toBe(200);
    expect(registered.json().subcontractor).toMatchObject({ code: 'call-vendor', cityApprovedOn: null, clearance: { donor_personal: { cleared: false } } });

    const bad = await api.put('/subcontractors/call-vendor', { ...entry, dataPassed: ['everything'] }, 'admin');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toBe('dataPassed[0]');
    expect((await api.put('/subcontractors/Bad Code', entry, 'admin')).statusCode).toBe(400);

    expect((await api.post('/subcontractors/call-vendor/approval', { approvalDocument: '柳市第123号' }, 'admin')).statusCode).toBe(403);
    expect((await api.post('/subcontractors/nobody/approval', { approvalDocument: '柳市第123号' }, 'city')).statusCode).toBe(404);
    await api.put('/subcontractors/call-vendor', { ...entry, name: 'コール社' }, 'admin');
    const approved = (await api.post('/subcontractors/call-vendor/approval', { approvalDocument: '柳市第123号' }, 'city')).json().subcontractor;
    expect(approved).toMatchObject({ cityApprovedBy: 'city:shiyakusho', approvalDocument: '柳市第123号', clearance: { donor_personal: { cleared: true }, my_number: { cleared: false } } });
    expect(approved.cityApprovedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // Same work and data, other words: the approval stands. Other data passed: it lapses.
    expect((await api.put('/subcontractors/call-vendor', { ...entry, name: 'コール社 (社名変更)' }, 'admin')).json().subcontractor.cityApprovedOn).toBe(approved.cityApprovedOn);
    expect((await api.put('/subcontractors/call-vendor', { ...entry, dataPassed: ['donor_personal', 'my_number'] }, 'admin')).json().subcontractor.cityApprovedOn).toBeNull();

    await api.post('/subcontractors/call-vendor/approval', { approvalDocument: '柳市第124号' }, 'city');
    const revoked = (await api.post('/subcontractors/call-vendor/revocation', { reason: '監査での指摘' }, 'city')).json().subcontractor;
    expect(revoked).toMatchObject({ revocationReason: '監査での指摘', clearance: { donor_personal: { cleared: false, reason: expect.stringContaining('取り消されています') } } });
    expect((await api.get('/subcontractors', 'city')).json().subcontractors.map((s: { code: string }) => s.code)).toContain('call-vendor');
  });

  test('an unapproved print house receives no batch; once the city approves, the waiting batch goes out by itself', async () => {
    const { donation } = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix, { paymentMethod: 'credit_card', paidAt: new Date(Date.now() - 86_400_000).toISOString(), wantsOneStop: false }), 'operator:test');
    await ensureDonationWorkflow(ctx.client, donation, ctx.config);
    await eventually(() => api.get(`/donations/${donation.id}`), (r) => r.json().donation?.status === 'documents_due', 60_000);

    const started = await api.post('/print-batches', { donationIds: [donation.id] });
    expect(started.statusCode).toBe(202);
    const { batchId } = started.json();
    const refused = await eventually(
      async () => (await api.get('/subcontractors/handoff-refusals', 'operator')).json().refusals.find((r: { subject: string }) => r.subject === `print-batch/${batchId}`),
      (r) => r !== undefined,
      90_000,
    );
    expect(refused).toMatchObject({ code: PRESS, dataKind: 'donor_personal', refusal: `${PRESS}: 再委託先として登録されていません (CONTRACT-3)` });
    expect((await api.get(`/print-batches/${batchId}`)).json().batch.status).not.toBe('handed_off');
    expect(fs.existsSync(path.join(ctx.config.documents.dropDir, batchId))).toBe(false);

    await api.put(`/subcontractors/${PRESS}`, entry, 'admin');
    await api.post(`/subcontractors/${PRESS}/approval`, { approvalDocument: '柳市第200号' }, 'city');
    await eventually(() => api.get(`/print-batches/${batchId}`), (r) => r.json().batch?.status === 'handed_off', 120_000);
    expect(fs.existsSync(path.join(ctx.config.documents.dropDir, batchId, 'READY'))).toBe(true);
  });
});
