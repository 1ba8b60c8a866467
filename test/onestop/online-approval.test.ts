import { registerDonation } from '../../ledger/donations';
import { onlineIntakeApprovalInForce, recordOnlineIntakeApproval } from '../../ledger/online-intake-approval';
import { addDays, jstDate } from '../../domain/jst';
import { isolatedDatabase, suiteContext, type SuiteContext } from '../support/context';
import { apiTokens, startApi, type TestApi } from '../support/api';
import { oneStopDonation, paperApplication } from '../support/factory';

/**
 * ONESTOP-3: electronic one-stop applications only after the city approves. A database of its own: a
 * fresh system, where no approval has ever been recorded, and whose approval this suite revokes without
 * touching the suites that share the run's ledger.
 */
let db: Awaited<ReturnType<typeof isolatedDatabase>>;
let ctx: SuiteContext;
let api: TestApi;
const Y = Number(jstDate(new Date()).slice(0, 4));
const TODAY = jstDate(new Date());

beforeAll(async () => {
  db = await isolatedDatabase('onestop_approval');
  ctx = await suiteContext('onestop-approval', { API_TOKENS: apiTokens() }, { databaseUrl: db.url });
  api = await startApi(ctx);
});

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

async function donation() {
  const { donation: d } = await registerDonation(
    ctx.orm.em.fork(),
    oneStopDonation(ctx.prefix, Y),
    'test:setup',
  );
  return d;
}

const online = (donationId: string, n: string, service = 'jichitai-mypage') => ({
  service,
  applicationNumber: `${ctx.prefix}-MP-${n}`,
  submittedAt: `${Y}-12-01T03:00:00Z`,
  donationId,
  applicant: { name: '大谷 翔平', nameKana: 'オオタニ ショウヘイ', address: '福岡県柳川市本町87-1', birthDate: '1994-07-05' },
  myNumber: '123456789018',
  donationDate: `${Y}-11-20`,
  amountYen: 30_000,
  declarations: { specialTaxpayer: true, fiveOrFewerMunicipalities: true },
  identityVerification: { method: 'jpki' },
});

const paper = (donationId: string) => paperApplication(donationId, Y, '123456789018');

test('on a fresh system online applications are refused with 409 naming the missing 承認, before the body is looked at; paper intake goes on', async () => {
  const state = await api.get('/onestop/online-intake/approval', 'operator');
  expect(state.statusCode).toBe(200);
  expect(state.json()).toEqual({ approval: null, accepting: false, history: [] });

  const d = await donation();
  for (const body of [online(d.id, 'fresh'), {}, { service: 'NOT A CODE', myNumber: 'x' }]) {
    const res = await api.post('/onestop/applications/online', body);
    expect({ status: res.statusCode, error: res.json().error }).toEqual({ status: 409, error: 'conflict' });
    expect(res.json().message).toContain('承認');
    expect(res.json().fields).toBeUndefined();
  }
  // Not even the body's media type is looked at.
  const text = await api.app.inject({ method: 'POST', url: '/onestop/applications/online', headers: { ...api.headers('operator'), 'content-type': 'text/plain' }, payload: 'hello' });
  expect(text.statusCode).toBe(409);
  // Authentication still comes first.
  expect((await api.app.inject({ method: 'POST', url: '/onestop/applications/online', payload: {} })).statusCode).toBe(401);
  expect((await api.post('/onestop/applications/online', {}, 'city')).statusCode).toBe(403);
  expect(await ctx.orm.em.getKnex()('onestop_applications').where({ donation_id: d.id }).first()).toBeUndefined();

  const p = await api.post('/onestop/applications/paper', paper(d.id));
  expect(p.statusCode).toBe(201);
  expect(p.json()).toMatchObject({ channel: 'paper', donationId: d.id });
});

test('the city records its approval (who, when, services, end date); the named services are taken, others refused; only the city records or revokes', async () => {
  expect((await api.post('/onestop/online-intake/approval', { services: ['jichitai-mypage'] }, 'operator')).statusCode).toBe(403);
  expect((await api.post('/onestop/online-intake/approval', { services: ['jichitai-mypage'] }, 'admin')).statusCode).toBe(403);
  const past = await api.post('/onestop/online-intake/approval', { services: ['jichitai-mypage'], validUntil: addDays(TODAY, -1) }, 'city');
  expect(past.statusCode).toBe(400);
  expect(past.json().fields).toEqual([{ field: 'validUntil', reason: 'must not be before today (JST)' }]);
  const none = await api.post('/onestop/online-intake/approval', { services: [] }, 'city');
  expect(none.statusCode).toBe(400);
  expect(none.json().fields[0].field).toBe('services');

  const until = `${Y + 1}-03-31`;
  const res = await api.post('/onestop/online-intake/approval', { services: ['jichitai-mypage', 'furusato-mypage'], validUntil: until, note: '市長決裁 第123号' }, 'city');
  expect(res.statusCode).toBe(201);
  const approval = res.json().approval;
  expect(approval).toMatchObject({ services: ['jichitai-mypage', 'furusato-mypage'], validUntil: until, note: '市長決裁 第123号', approvedBy: 'city:shiyakusho', endedAt: null, inForce: true });
  expect(Date.parse(approval.approvedAt)).toBeGreaterThan(Date.now() - 60_000);

  for (const who of ['operator', 'city', 'supplier', 'admin'] as const) {
    const got = await api.get('/onestop/online-intake/approval', who);
    expect({ who, status: got.statusCode, accepting: got.json().accepting, id: got.json().approval?.id }).toEqual({ who, status: 200, accepting: true, id: approval.id });
  }

  const d = await donation();
  const other = await api.post('/onestop/applications/online', online(d.id, 'other', 'some-other-service'));
  expect(other.statusCode).toBe(409);
  expect(other.json().message).toMatch(/承認.*some-other-service/);
  // With the approval in force the body is validated as before.
  const bad = await api.post('/onestop/applications/online', { ...online(d.id, 'bad'), myNumber: undefined, amountYen: 0 });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields.map((f: { field: string }) => f.field)).toContain('amountYen');

  const ok = await api.post('/onestop/applications/online', online(d.id, 'ok'));
  expect(ok.statusCode).toBe(201);
  expect(ok.json()).toMatchObject({ channel: 'online', online: { service: 'jichitai-mypage', reference: `${ctx.prefix}-MP-ok` } });
});

test('a new approval replaces the open one; a revocation stops online intake at once (409 saying so), paper intake goes on', async () => {
  const first = (await api.post('/onestop/online-intake/approval', { services: ['jichitai-mypage'] }, 'city')).json().approval;
  const second = (await api.post('/onestop/online-intake/approval', { services: ['jichitai-mypage'] }, 'city')).json().approval;
  const history = (await api.get('/onestop/online-intake/approval')).json().history;
  expect(history[0]).toMatchObject({ id: second.id, endedAt: null });
  expect(history[1]).toMatchObject({ id: first.id, endKind: 'superseded', endedBy: 'city:shiyakusho', inForce: false });

  expect((await api.post('/onestop/online-intake/approval/revocation', { reason: '委託契約の見直し' }, 'operator')).statusCode).toBe(403);
  expect((await api.post('/onestop/online-intake/approval/revocation', {}, 'city')).json().fields).toEqual([{ field: 'reason', reason: expect.any(String) }]);
  const revoked = await api.post('/onestop/online-intake/approval/revocation', { reason: '委託契約の見直し' }, 'city');
  expect(revoked.statusCode).toBe(200);
  expect(revoked.json().approval).toMatchObject({ id: second.id, endKind: 'revoked', endReason: '委託契約の見直し', endedBy: 'city:shiyakusho', inForce: false });
  expect((await api.get('/onestop/online-intake/approval')).json()).toMatchObject({ approval: null, accepting: false });
  expect((await api.post('/onestop/online-intake/approval/revocation', { reason: 'again' }, 'city')).statusCode).toBe(409);

  const d = await donation();
  const refused = await api.post('/onestop/applications/online', online(d.id, 'after-revocation'));
  expect(refused.statusCode).toBe(409);
  expect(refused.json().message).toContain('承認');
  expect((await api.post('/onestop/applications/paper', paper(d.id))).statusCode).toBe(201);
});

test('an approval ends after its last day (JST, inclusive)', async () => {
  const knex = ctx.orm.em.getKnex();
  const a = await recordOnlineIntakeApproval(knex, { services: ['jichitai-mypage'], validUntil: `${Y + 1}-03-31` }, 'city:test');
  expect((await onlineIntakeApprovalInForce(knex, `${Y + 1}-03-31`))?.id).toBe(a.id);
  expect(await onlineIntakeApprovalInForce(knex, `${Y + 1}-04-01`)).toBeUndefined();
});
