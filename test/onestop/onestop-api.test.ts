import { registerDonation } from '../../ledger/donations';
import { resealMyNumbers } from '../../ledger/onestop';
import { myNumberKeys } from '../../config/env';
import { eventually, type SuiteContext } from '../support/context';
import { apiSuite, apiTokens, type TestApi } from '../support/api';
import { approveOnlineIntake, clearHandler } from './support';

const HAKEN_TOKEN = 'haken-admin-token-0001';
import { newDonation, oneStopDonation, paperApplication } from '../support/factory';
import { addDays, jstDate } from '../../domain/jst';
import { oneStopDeadline } from '../../domain/onestop/deadline';
import { captureOneStopHistory } from './histories';

/**
 * ONESTOP-1/2/3/5, DOCS-5, SEC-1/2 through the API, the real workflow on the
 * run's dev server and the real ledger.
 */
let ctx: SuiteContext;
let api: TestApi;
const logLines: string[] = [];


// Valid check digits, worked out by hand (see rules.test.ts): planted so the leak test can look for them.
/**
 * The donation year is this year in Japan: its deadline (Jan 10 of the next year, holiday-adjusted; 2026 → 2027-01-12,
 * rules.test.ts) is always ahead, so the deficient applications' workflows on the dev server (real clock) stay open
 * for their resubmissions. Dates in that year may lie ahead of today: nothing here refuses an arrival in the future.
 */
const Y = Number(jstDate(new Date()).slice(0, 4));
const DEADLINE = oneStopDeadline(Y);
const AFTER_DEADLINE = addDays(DEADLINE, 1);
const PLANTED = '123456789018';
const SECOND = '111111111118';

beforeAll(async () => {
  // Log everything the API logs, at the most talkative level, to look for the number in it.
  const logger = { level: 'trace', stream: { write: (line: string) => void logLines.push(line) } };
  // A second admin, never registered as a handler (MYNUM-1), beside the suite's roles.
  ({ ctx, api } = await apiSuite('onestop', { worker: true, logger, env: { API_TOKENS: `${apiTokens()},admin:haken:${HAKEN_TOKEN}` } }));
  await clearHandler(api, 'admin:root');
  await approveOnlineIntake(api);
});

afterAll(() => api?.close());

/** A bank-transfer donation applied for on Nov 20 of Y (JST): 寄附年月日 Y-11-20, deadline DEADLINE. */
async function donation(overrides: Parameters<typeof newDonation>[1] = {}) {
  const em = ctx.orm.em.fork();
  const { donation } = await registerDonation(em, oneStopDonation(ctx.prefix, Y, overrides), 'test:setup');
  return donation;
}

const paper = (donationId: string, overrides: Record<string, unknown> = {}) => paperApplication(donationId, Y, PLANTED, overrides);

const application = (id: string) => api.get(`/onestop/applications/${id}`).then((r) => r.json());
const settled = (id: string, status: string) => eventually(() => application(id), (a) => a.status === status && a.workflow?.state === status);

describe('paper applications (ONESTOP-1, ONESTOP-2)', () => {
  test('a complete application is accepted and its 受付済み通知 queued for mail (DOCS-5); a second one for the donation is a 409', async () => {
    const d = await donation();
    const res = await api.post('/onestop/applications/paper', paper(d.id));
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ donationId: d.id, workflowId: `onestop/${d.id}`, channel: 'paper', arrivedOn: `${Y}-12-01`, deadlineOn: DEADLINE, myNumber: { verdict: 'valid', sealed: true } });
    expect(JSON.stringify(created)).not.toContain(PLANTED);

    const a = await settled(created.id, 'accepted');
    expect(a.findings).toEqual([]);
    expect(a.notices).toEqual([expect.objectContaining({ kind: 'accepted', channel: 'mail', status: 'pending' })]);
    expect(a.history.map((e: { kind: string }) => e.kind)).toEqual(['received', 'review']);
    expect(a.decidedAt).not.toBeNull();

    const again = await api.post('/onestop/applications/paper', paper(d.id));
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain(created.id);
  });

  test('a deficient application gets a notice naming what is missing; the resubmission is reviewed again and accepted', async () => {
    const d = await donation();
    const res = await api.post(
      '/onestop/applications/paper',
      paper(d.id, {
        formVersion: 'old_with_gender',
        applicant: { name: '大谷 翔平', nameKana: 'オオタニ シヨウヘイ', address: '柳川市本町８７－１', gender: '男' },
        checkboxes: { first: true, second: false },
        attachments: [{ kind: 'notification_card', matchesApplication: false }, { kind: 'drivers_license' }],
      }),
    );
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    const a = await settled(id, 'deficient');
    expect(a.findings.map((f: { severity: string; code: string }) => `${f.severity}:${f.code}`)).toEqual([
      'deficiency:notification_card_mismatch',
      'deficiency:checkbox_2_unticked',
      'note:nameKana_notation',
      'note:address_notation',
      'note:old_form_with_gender',
    ]);
    expect(a.content).not.toHaveProperty('gender');
    expect(a.notices).toEqual([expect.objectContaining({ kind: 'deficiency', channel: 'mail' })]);
    expect(a.notices[0].findings.map((f: { code: string }) => f.code)).toEqual(['notification_card_mismatch', 'checkbox_2_unticked']);

    const fix = await api.post(`/onestop/applications/${id}/resubmission`, { arrivedOn: `${Y}-12-10`, scanRef: 'scan://onestop/fix.pdf', attachments: [{ kind: 'juminhyo_with_number' }], checkboxes: { second: true } });
    expect(fix.statusCode).toBe(202);
    const accepted = await settled(id, 'accepted');
    expect(accepted.reviewRound).toBe(2);
    expect(accepted.content.checkboxes).toEqual({ first: true, second: true });
    expect(accepted.history.map((e: { kind: string }) => e.kind)).toEqual(['received', 'review', 'resubmission', 'review']);
    expect(accepted.notices.map((n: { kind: string }) => n.kind)).toEqual(['deficiency', 'accepted']);
    await captureOneStopHistory(ctx.client, 'onestop-v1-deficient-resubmitted-accepted', accepted.workflowId);

    expect((await api.post(`/onestop/applications/${id}/resubmission`, { arrivedOn: `${Y}-12-11` })).statusCode).toBe(409);
  });

  test('an application that arrives after the deadline is rejected with a notice to file a tax return', async () => {
    const d = await donation();
    const res = await api.post('/onestop/applications/paper', paper(d.id, { arrivedOn: AFTER_DEADLINE }));
    const a = await settled(res.json().id, 'rejected_late');
    expect(a.findings).toEqual([expect.objectContaining({ code: 'arrived_after_deadline', severity: 'rejection' })]);
    expect(a.notices).toEqual([expect.objectContaining({ kind: 'late_rejection' })]);
    expect(a.notices[0].findings[0].reason).toContain('確定申告');
    await captureOneStopHistory(ctx.client, 'onestop-v1-late', a.workflowId);
  });

  test('an invalid 個人番号 is a deficiency, not a refused request; the bad digits are kept sealed', async () => {
    const d = await donation();
    const res = await api.post('/onestop/applications/paper', paper(d.id, { myNumber: '123456789011' }));
    expect(res.statusCode).toBe(201);
    expect(res.json().myNumber).toEqual({ verdict: 'bad_check_digit', sealed: true, destroyedAt: null });
    const a = await settled(res.json().id, 'deficient');
    expect(a.findings.map((f: { code: string }) => f.code)).toEqual(['my_number_check_digit']);
    await api.post(`/onestop/applications/${a.id}/resubmission`, { arrivedOn: `${Y}-12-05`, myNumber: SECOND });
    const fixed = await settled(a.id, 'accepted');
    expect(fixed.myNumber.verdict).toBe('valid');
    const read = await api.get(`/onestop/applications/${a.id}/my-number?reason=${encodeURIComponent('照合: 再提出の番号確認')}`, 'admin');
    expect(read.json().myNumber).toBe(SECOND);
  });

  test('a bad request is a 400 naming each field', async () => {
    const res = await api.post('/onestop/applications/paper', { arrivedOn: 'yesterday', formVersion: 'v3', applicant: { name: '' }, checkboxes: { first: 'yes' }, attachments: [{ kind: 'library_card' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['arrivedOn', 'scanRef', 'formVersion', 'applicant.name', 'applicant.nameKana', 'applicant.address', 'checkboxes.second', 'attachments[0].kind']),
    );
    const noDonation = await api.post('/onestop/applications/paper', paper(undefined as unknown as string, { donationId: undefined }));
    expect(noDonation.statusCode).toBe(400);
    expect(noDonation.json().fields).toEqual([{ field: 'donation', reason: 'donationId or portal and portalOrderId are required' }]);
    expect((await api.post('/onestop/applications/paper', paper('00000000-0000-4000-8000-000000000000'))).statusCode).toBe(404);
    expect((await api.post('/onestop/applications/paper', paper('00000000-0000-4000-8000-000000000000'), 'city')).statusCode).toBe(403);
  });
});

describe('online applications (ONESTOP-3, ONESTOP-5)', () => {
  test('a 自治体マイページ-style application signed with JPKI is accepted and notified by email; the same application sent twice is one', async () => {
    const d = await donation();
    const body = {
      service: 'jichitai-mypage',
      applicationNumber: `${ctx.prefix}-MP-1`,
      submittedAt: `${Y}-12-24T15:30:00Z`, // Dec 25 in Japan
      portal: d.portal.code,
      portalOrderId: d.portalOrderId,
      applicant: { name: '大谷 翔平', nameKana: 'オオタニ ショウヘイ', address: '福岡県柳川市本町87-1', email: 'donor@example.jp', birthDate: '1994-07-05' },
      myNumber: PLANTED,
      donationDate: `${Y}-11-20`,
      amountYen: 30_000,
      declarations: { specialTaxpayer: true, fiveOrFewerMunicipalities: true },
      identityVerification: { method: 'jpki' },
    };
    const res = await api.post('/onestop/applications/online', body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ channel: 'online', arrivedOn: `${Y}-12-25`, online: { service: 'jichitai-mypage', reference: body.applicationNumber } });
    const a = await settled(res.json().id, 'accepted');
    expect(a.findings.map((f: { code: string }) => f.code)).toEqual(['identity_by_jpki']);
    expect(a.notices).toEqual([expect.objectContaining({ kind: 'accepted', channel: 'email' })]);

    const again = await api.post('/onestop/applications/online', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(a.id);
  });
});

describe('変更届出書', () => {
  test('a change of address is applied and kept as history; one after the deadline is refused', async () => {
    const d = await donation();
    const id = (await api.post('/onestop/applications/paper', paper(d.id))).json().id;
    await settled(id, 'accepted');
    const res = await api.post(`/onestop/applications/${id}/change-notice`, { arrivedOn: `${Y}-12-20`, reason: '転居 (12/15)', changes: { postalCode: '832-8601', address: '福岡県柳川市本町87-1 市役所前' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().particulars.address).toBe('福岡県柳川市本町87-1 市役所前');
    const a = await application(id);
    expect(a.status).toBe('accepted');
    expect(a.changedParticulars).toEqual({ postalCode: '832-8601', address: '福岡県柳川市本町87-1 市役所前' });
    expect(a.content.address).toBe('福岡県柳川市本町87-1');
    const change = a.history.find((e: { kind: string }) => e.kind === 'change_notice');
    expect(change).toMatchObject({ actor: 'operator:tanaka', reason: '転居 (12/15)', before: { address: '福岡県柳川市本町87-1', postalCode: '832-0045' } });
    expect(change.after).toMatchObject({ address: '福岡県柳川市本町87-1 市役所前', arrivedOn: `${Y}-12-20` });

    const late = await api.post(`/onestop/applications/${id}/change-notice`, { arrivedOn: AFTER_DEADLINE, reason: '転居', changes: { address: '福岡県柳川市三橋町1' } });
    expect(late.statusCode).toBe(400);
    expect(late.json().fields[0].field).toBe('arrivedOn');
  });
});

describe('個人番号 protection (SEC-1, SEC-2)', () => {
  let id: string;
  beforeAll(async () => {
    const d = await donation();
    id = (await api.post('/onestop/applications/paper', paper(d.id))).json().id;
    await settled(id, 'accepted');
  });

  test('only admin reads the number, only with a reason, and every read is logged (who, when, which application, why)', async () => {
    expect((await api.get(`/onestop/applications/${id}/my-number?reason=check`, 'operator')).statusCode).toBe(403);
    expect((await api.get(`/onestop/applications/${id}/my-number?reason=check`, 'city')).statusCode).toBe(403);
    const noReason = await api.get(`/onestop/applications/${id}/my-number`, 'admin');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().fields).toEqual([{ field: 'querystring.reason', reason: 'is required' }]);

    const read = await api.get(`/onestop/applications/${id}/my-number?reason=${encodeURIComponent('申告特例通知書の照合')}`, 'admin');
    expect(read.statusCode).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(read.json()).toEqual({ applicationId: id, myNumber: PLANTED });

    const log = await api.get(`/onestop/applications/${id}/my-number/access-log`, 'city');
    expect(log.json().reads).toEqual([expect.objectContaining({ actor: 'admin:root', role: 'admin', reason: '申告特例通知書の照合', source: 'api' })]);

    // MYNUM-1: an admin not on the register is refused, saying why, and the refusal is logged; so is one not yet trained.
    const asHaken = (reason: string) => api.app.inject({ method: 'GET', url: `/onestop/applications/${id}/my-number?reason=${encodeURIComponent(reason)}`, headers: { authorization: `Bearer ${HAKEN_TOKEN}` } });
    const unregistered = await asHaken('繁忙期の応援');
    expect([unregistered.statusCode, unregistered.json().message]).toEqual([403, expect.stringContaining('取扱者名簿に登録されていません')]);
    expect(unregistered.body).not.toContain(PLANTED);
    await clearHandler(api, 'admin:haken', { dispatched: true, trainedOn: null });
    const untrained = await asHaken('研修前の確認');
    expect([untrained.statusCode, untrained.json().message]).toEqual([403, expect.stringContaining('研修の受講が記録されていません')]);
    const refusals = (await api.get(`/onestop/applications/${id}/my-number/refusals`, 'city')).json().refusals;
    expect(refusals.map((r: { actor: string; reasonGiven: string }) => [r.actor, r.reasonGiven])).toEqual([['admin:haken', '繁忙期の応援'], ['admin:haken', '研修前の確認']]);
    expect((await api.get(`/onestop/applications/${id}/my-number/access-log`, 'city')).json().reads).toHaveLength(1);
    // Trained, the same person reads.
    await clearHandler(api, 'admin:haken', { dispatched: true });
    expect((await asHaken('研修後の確認')).json().myNumber).toBe(PLANTED);
    // A 作業責任者 needs the city's approval as well, dated the day it is recorded.
    await clearHandler(api, 'admin:haken', { kind: 'responsible' });
    expect((await asHaken('承認前の確認')).statusCode).toBe(403);
    expect((await api.post('/mynumber/handlers/admin:haken/approval', {}, 'operator')).statusCode).toBe(403);
    const approved = await api.post('/mynumber/handlers/admin:haken/approval', {}, 'city');
    expect(approved.json().handler).toMatchObject({ kind: 'responsible', cityApprovedBy: 'city:shiyakusho', clearance: { cleared: true } });
    expect((await asHaken('承認後の確認')).statusCode).toBe(200);
    expect(Date.parse(log.json().reads[0].accessedAt)).toBeGreaterThan(Date.now() - 60_000);
    await expect(ctx.orm.em.getKnex()('my_number_access_log').where('application_id', id).del()).rejects.toThrow(/append-only/);
  });

  test('key rotation re-seals every number under the new key and old rows still open meanwhile', async () => {
    const old = ctx.config.myNumber!;
    const newKey = Buffer.alloc(32, 7).toString('base64');
    const ring = myNumberKeys({ MY_NUMBER_KEYS: `${old.activeKeyId}:${old.keys.get(old.activeKeyId)!.toString('base64')},rotated-${ctx.prefix}:${newKey}` }, false)!;
    const resealed = await resealMyNumbers(ctx.orm.em.getKnex(), ring);
    expect(resealed).toBeGreaterThan(0);
    const row = await ctx.orm.em.getKnex()('onestop_applications').where('id', id).first();
    expect(row.my_number_key_id).toBe(`rotated-${ctx.prefix}`);
    // Put the suite back under the configured key so the API (which holds only that key) can read again.
    expect(await resealMyNumbers(ctx.orm.em.getKnex(), { ...ring, activeKeyId: old.activeKeyId })).toBeGreaterThan(0);
    expect((await api.get(`/onestop/applications/${id}/my-number?reason=after-rotation`, 'admin')).json().myNumber).toBe(PLANTED);
  });

  test('a planted number is nowhere in clear: not in Temporal history, the database or the API log', async () => {
    const knex = ctx.orm.em.getKnex();
    const workflowIds: string[] = (
      await knex('onestop_applications as a').join('donations as d', 'd.id', 'a.donation_id').where('d.portal_order_id', 'like', `${ctx.prefix}-%`).select('a.workflow_id')
    ).map((r: { workflow_id: string }) => r.workflow_id);
    expect(workflowIds.length).toBeGreaterThan(3);
    for (const workflowId of workflowIds) {
      const history = await ctx.client.workflow.getHandle(workflowId).fetchHistory();
      const text = JSON.stringify(history);
      expect(text).not.toContain(PLANTED);
      expect(text).not.toContain(SECOND);
    }

    // A text dump of every table in the ledger.
    const tables: string[] = (await knex('information_schema.tables').select('table_name').where({ table_schema: 'public', table_type: 'BASE TABLE' })).map((r: { table_name: string }) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(['onestop_applications', 'onestop_events', 'onestop_notices', 'my_number_access_log']));
    for (const table of tables) {
      const rows = await knex.raw(`select t::text as line from "${table}" t`);
      for (const { line } of rows.rows as { line: string }[]) {
        expect(line.includes(PLANTED) ? `${table}: ${line.slice(0, 80)}` : '').toBe('');
        expect(line.includes(SECOND) ? `${table}: ${line.slice(0, 80)}` : '').toBe('');
      }
    }
    // …but it is there, sealed.
    const sealed = await knex('onestop_applications').where('id', id).first();
    expect(Buffer.isBuffer(sealed.my_number_sealed)).toBe(true);

    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.filter((l) => l.includes(PLANTED) || l.includes(SECOND))).toEqual([]);
  });
});

describe('Temporal payloads are sealed by the PayloadCodec (SEC-1)', () => {
  test('history holds only ciphertext; the codec server decodes it for an admin and nobody else', async () => {
    const d = await donation();
    const id = (await api.post('/onestop/applications/paper', paper(d.id))).json().id;
    await settled(id, 'accepted');
    const history = await ctx.client.workflow.getHandle(`onestop/${d.id}`).fetchHistory();
    const started = history.events![0].workflowExecutionStartedEventAttributes!;
    const payload = started.input!.payloads![0];
    expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
    // Even the application id, harmless as it is, is not readable by the server.
    expect(JSON.stringify(history)).not.toContain(id);
    expect(Buffer.from(JSON.stringify(history)).toString('base64')).not.toContain(Buffer.from(id).toString('base64'));

    const wire = { payloads: [{ metadata: Object.fromEntries(Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(payload.data!).toString('base64') }] };
    const decoded = await api.app.inject({ method: 'POST', url: '/codec/decode', payload: wire, headers: { ...api.headers('admin'), origin: 'http://localhost:8233' } });
    expect(decoded.statusCode).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    const clear = decoded.json().payloads[0];
    expect(Buffer.from(clear.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(clear.data, 'base64').toString())).toMatchObject({ applicationId: id });
    expect((await api.app.inject({ method: 'POST', url: '/codec/decode', payload: wire, headers: api.headers('operator') })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'POST', url: '/codec/decode', payload: wire })).statusCode).toBe(401);
    const preflight = await api.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
  });

  test('failure messages are encrypted too (encodeCommonAttributes); the client still reads them', async () => {
    const ghost = '00000000-0000-4000-8000-00000000dead';
    const workflowId = `onestop-test/${ctx.prefix}`;
    const run = ctx.client.workflow.execute('oneStopApplicationWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [{ applicationId: ghost, reminderDaysBefore: [] }] });
    await expect(run).rejects.toMatchObject({ cause: { cause: { message: expect.stringContaining(`one-stop application ${ghost} is not in the ledger`) } } });
    const text = JSON.stringify(await ctx.client.workflow.getHandle(workflowId).fetchHistory());
    expect(text).toContain('Encoded failure');
    expect(text).not.toContain(ghost);
    expect(text).not.toContain('not in the ledger');
  });
});

describe('status for the city', () => {
  test('counts per state, deficiencies outstanding and days to the deadline', async () => {
    const d = await donation();
    await api.post('/onestop/applications/paper', paper(d.id, { attachments: [] }));
    const summary = await eventually(
      () => api.get('/onestop/summary', 'city').then((r) => r.json()),
      (s) => (s.deficienciesOutstanding?.identity_document_missing ?? 0) >= 1,
    );
    const due = summary.deadlines.find((x: { deadlineOn: string }) => x.deadlineOn === DEADLINE);
    expect(due.counts.accepted).toBeGreaterThanOrEqual(3);
    expect(due.counts.deficient).toBeGreaterThanOrEqual(1);
    expect(due.counts.rejected_late).toBeGreaterThanOrEqual(1);
    expect(due.daysToDeadline).toBe(Math.round((Date.parse(DEADLINE) - Date.parse(summary.today)) / 86_400_000));
    expect(summary.deficienciesOutstanding.number_check_document_missing).toBeGreaterThanOrEqual(1);
    expect(summary.pendingNotices.accepted).toBeGreaterThanOrEqual(3);
    expect((await api.get('/onestop/summary', 'supplier')).statusCode).toBe(403);
  });
});

// Retention and destruction (REC-1) are proved in retention.test.ts: the only suite that makes applications expire,
// so that no other suite's proposal can pick them up.
