import { incidentReportText } from '../../domain/onestop/incidents';
import { oneStopSuite, type OneStopSuite } from './support';

/** SEC-3: an incident recorded by an operator is the city's to read at once, with content, count, place and circumstances. */
let s: OneStopSuite;

beforeAll(async () => {
  s = await oneStopSuite('incidents');
});

afterAll(async () => {
  await s?.close();
});

const incident = {
  content: '受付済み通知の誤送付 (別の寄附者の住所へ郵送)',
  affectedPeople: 2,
  affectedRecords: 2,
  place: '受託者事務所 (発送作業室)',
  circumstances: '封入時に宛名と通知の組合せを取り違えた。受取人からの電話で判明し、回収済み。',
  discoveredAt: '2026-11-25T01:30:00.000Z',
  reportedBy: '田中 (業務責任者)',
};

test('recorded by an operator, visible to the city at once, marked as reported to the city when created', async () => {
  const before = Date.now();
  const res = await s.post('/incidents', incident);
  expect(res.statusCode).toBe(201);
  const created = res.json();
  expect(created).toMatchObject({ ...incident, recordedBy: 'operator:tanaka' });
  expect(Date.parse(created.reportedToCityAt)).toBeGreaterThanOrEqual(before - 1000);
  expect(created.reportedToCityAt).toBe(created.createdAt);

  const list = await s.get('/incidents', 'city');
  expect(list.statusCode).toBe(200);
  expect(list.json().incidents[0]).toEqual(expect.objectContaining({ id: created.id, content: incident.content, affectedPeople: 2, place: incident.place, circumstances: incident.circumstances }));
  const one = (await s.get(`/incidents/${created.id}`, 'city')).json();
  expect(one.report.subject).toContain('【事故報告】受付済み通知の誤送付');
  for (const part of ['■ 内容', incident.content, '2人 / 2件', incident.place, incident.circumstances, '2026-11-25 10:30 (JST)', '田中 (業務責任者)']) expect(one.report.text).toContain(part);

  expect((await s.get('/incidents', 'supplier')).statusCode).toBe(403);
  expect((await s.post('/incidents', incident, 'city')).statusCode).toBe(403);
  expect((await s.post('/incidents', incident, 'admin')).statusCode).toBe(201);
  // A report is evidence: it cannot be changed or removed afterwards.
  await expect(s.ctx.orm.em.getKnex()('incidents').where('id', created.id).update({ content: 'x' })).rejects.toThrow(/append-only/);
  await expect(s.ctx.orm.em.getKnex()('incidents').where('id', created.id).del()).rejects.toThrow(/append-only/);
});

test('content, a count, place, circumstances and the discovery time are required; each bad field is named', async () => {
  const missing = await s.post('/incidents', { content: '紛失' });
  expect(missing.statusCode).toBe(400);
  expect(missing.json().fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['place', 'circumstances', 'discoveredAt', 'reportedBy']));
  const { affectedPeople, affectedRecords, ...noCount } = incident;
  const countless = await s.post('/incidents', noCount);
  expect(countless.statusCode).toBe(400);
  expect(countless.json().fields[0].field).toBe('affectedPeople');
  expect((await s.post('/incidents', { ...incident, discoveredAt: '2999-01-01T00:00:00Z' })).json().fields[0].field).toBe('discoveredAt');
  expect((await s.post('/incidents', { ...incident, affectedPeople: -1 })).statusCode).toBe(400);
  expect(affectedPeople + affectedRecords).toBe(4);
});

test('the report text for the mailer names the count even when only records are known', () => {
  const { text } = incidentReportText({ id: 'x', ...incident, affectedPeople: null, affectedRecords: 1500, recordedBy: 'operator:a', createdAt: '2026-11-25T02:00:00Z', reportedToCityAt: '2026-11-25T02:00:00Z' });
  expect(text).toContain('1,500件');
  expect(text).not.toContain('人 /');
});
