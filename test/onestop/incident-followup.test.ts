import { recordIncident } from '../../ledger/onestop';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';

/**
 * SEC-3 after the report: the city's instructions are tracked to done (once), follow-up reports are
 * kept, and the affected logs are frozen as evidence whose digest shows any later change.
 */
let ctx: SuiteContext;
let api: TestApi;
let incidentId: string;
const login = `evidence-${Date.now().toString(36)}`;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('incident-followup'));
  const knex = ctx.orm.em.getKnex();
  ({ id: incidentId } = await recordIncident(knex, { content: '受領証明書の誤送付', affectedPeople: 2, place: '印刷会社', circumstances: '封入誤り', discoveredAt: '2019-03-02T01:00:00.000Z', reportedBy: '作業責任者 山田' }, 'operator:tanaka'));
  // The window's sign-ins: three in it, one just after; another suite's rows are at today's date.
  await knex('console_sign_ins').insert([
    { login, outcome: 'signed_in', ip: '10.20.1.1', at: new Date('2019-03-01T00:00:00Z') },
    { login, outcome: 'bad_password', ip: '192.0.2.1', at: new Date('2019-03-01T12:00:00Z') },
    { login, outcome: 'locked', ip: '192.0.2.1', at: new Date('2019-03-01T23:59:59Z') },
    { login, outcome: 'signed_in', ip: '10.20.1.1', at: new Date('2019-03-02T00:00:00Z') },
  ]);
});
afterAll(() => api?.close());

test('the city instructs; the contractor reports each instruction done once; follow-ups are kept; all in one file', async () => {
  const given = await api.post(`/incidents/${incidentId}/instructions`, { instruction: '対象者への謝罪と回収を行い、結果を報告すること', dueOn: '2019-03-08' }, 'city');
  expect(given.statusCode).toBe(201);
  const n = given.json().instruction.id;
  expect(given.json().instruction).toMatchObject({ givenBy: 'city:shiyakusho', dueOn: '2019-03-08', doneAt: null });
  expect((await api.post(`/incidents/${incidentId}/instructions`, { instruction: '自分で指示' }, 'operator')).statusCode).toBe(403);
  expect((await api.post('/incidents/00000000-0000-4000-8000-000000000000/instructions', { instruction: '不明' }, 'city')).statusCode).toBe(404);

  let file = (await api.get(`/incidents/${incidentId}/follow-up`, 'city')).json();
  expect(file.open).toBe(1);

  const done = await api.post(`/incidents/${incidentId}/instructions/${n}/done`, { report: '2名に謝罪し、2通とも回収した' }, 'operator');
  expect(done.statusCode).toBe(200);
  expect(done.json().instruction).toMatchObject({ doneBy: 'operator:tanaka', doneReport: '2名に謝罪し、2通とも回収した' });
  const again = await api.post(`/incidents/${incidentId}/instructions/${n}/done`, { report: '書き換え' }, 'operator');
  expect(again.statusCode).toBe(409);
  expect((await api.post(`/incidents/${incidentId}/instructions/999999/done`, { report: 'x' }, 'operator')).statusCode).toBe(404);

  expect((await api.post(`/incidents/${incidentId}/follow-ups`, { report: '原因: 封入機の設定誤り。再発防止: 二重確認を導入' }, 'admin')).statusCode).toBe(201);
  file = (await api.get(`/incidents/${incidentId}/follow-up`, 'city')).json();
  expect(file.open).toBe(0);
  expect(file.instructions[0].doneReport).toBe('2名に謝罪し、2通とも回収した');
  expect(file.followUps.map((f: { report: string }) => f.report)).toEqual(['原因: 封入機の設定誤り。再発防止: 二重確認を導入']);

  // The record of a completed instruction cannot be rewritten, not even in SQL.
  await expect(ctx.orm.em.getKnex()('incident_instructions').where({ id: n }).update({ done_report: '改ざん' })).rejects.toThrow(/completed once and never changed/);
});

test('a log frozen as evidence keeps its digest; a later change to its rows is detected', async () => {
  const bad = await api.post(`/incidents/${incidentId}/evidence`, { log: 'console_sign_ins', from: '2019-03-02T00:00:00Z', to: '2019-03-01T00:00:00Z' }, 'operator');
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields).toEqual([{ field: 'to', reason: 'must be after from' }]);
  expect((await api.post(`/incidents/${incidentId}/evidence`, { log: 'mail_log', from: '2019-03-01T00:00:00Z', to: '2019-03-02T00:00:00Z' }, 'operator')).statusCode).toBe(400);
  expect((await api.post(`/incidents/${incidentId}/evidence`, { log: 'console_sign_ins', from: '2019-03-01T00:00:00Z', to: '2999-01-01T00:00:00Z' }, 'operator')).statusCode).toBe(400);

  const frozen = await api.post(`/incidents/${incidentId}/evidence`, { log: 'console_sign_ins', from: '2019-03-01T00:00:00Z', to: '2019-03-02T00:00:00Z' }, 'operator');
  expect(frozen.statusCode).toBe(201);
  const evidence = frozen.json().evidence;
  expect(evidence).toMatchObject({ log: 'console_sign_ins', rows: 3, frozenBy: 'operator:tanaka' });
  expect(evidence.sha256).toMatch(/^[0-9a-f]{64}$/);

  const check = () => api.get(`/incidents/${incidentId}/evidence/${evidence.id}/verification`, 'city');
  expect((await check()).json()).toMatchObject({ intact: true, now: { rows: 3, sha256: evidence.sha256 } });

  // Rows added later with a back-dated time are not part of what was frozen.
  await ctx.orm.em.getKnex()('console_sign_ins').insert({ login, outcome: 'signed_in', ip: '10.20.1.1', at: new Date('2019-03-01T06:00:00Z') });
  expect((await check()).json().intact).toBe(true);

  // Someone with the database's rights alters a frozen row: the digest says so.
  await ctx.orm.em.getKnex().transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx('console_sign_ins').where({ login, outcome: 'bad_password' }).update({ ip: '10.20.1.1' });
  });
  const after = (await check()).json();
  expect(after.intact).toBe(false);
  expect(after.now.sha256).not.toBe(evidence.sha256);
  expect((await api.get(`/incidents/${incidentId}/follow-up`, 'operator')).json().evidence).toHaveLength(1);
});
