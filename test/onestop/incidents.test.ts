import { incidentReportText } from '../../domain/onestop/incidents';
import { findFreePort } from '../../scripts/stack/temporal-dev-server';
import { mailerFromConfig } from '../../activities/deps';
import type { Mailer } from '../../activities/mail/mailer';
import { createMailActivities } from '../../activities/mail/send-mail';
import { createOneStopActivities, oneStopActivitySettings } from '../../activities/onestop/onestop';
import { oneStopSuite, type OneStopSuite } from './support';

/** SEC-3: an incident recorded by an operator is the city's to read at once, with content, count, place and circumstances, and mailed to the city. */
let s: OneStopSuite;
let mailer: Mailer;
/** The worker's mailer: the suite's own SMTP sink, or (for a while) a server that is down. */
let current: Mailer | undefined;
const CITY = 'jiko-houkoku@city.yanagawa.example';

beforeAll(async () => {
  s = await oneStopSuite('incidents', { CITY_INCIDENT_EMAIL: CITY }, { mailer: { send: (m) => current!.send(m), close: async () => undefined } });
  mailer = mailerFromConfig(s.ctx.config);
  current = mailer;
});

afterAll(async () => {
  await mailer?.close();
  await s?.close();
});

afterEach(() => s.ctx.mail.setRejectRecipients(undefined));

const toCity = () => s.ctx.mail.messages().filter((m) => m.to.includes(CITY));

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

test('the city is mailed the report when the incident is recorded; the outcome is on the incident; never twice', async () => {
  const before = toCity().length;
  const res = await s.post('/incidents', { ...incident, circumstances: '封入時に宛名と通知の組合せを取り違えた。\n受取人からの電話で判明し、回収済み。' });
  expect(res.statusCode).toBe(201);
  const created = res.json();
  expect(created.cityMail).toMatchObject({ status: 'sent', to: CITY, attempts: 1, sentAt: expect.any(String), lastError: null });
  // The record is the report; the mail does not move the time it was reported.
  expect(created.reportedToCityAt).toBe(created.createdAt);

  const mails = toCity().slice(before);
  expect(mails).toHaveLength(1);
  expect(mails[0].subject).toBe(created.report.subject);
  expect(mails[0].text).toContain('ふるさと納税包括支援業務において、次の事故が発生しましたので報告します。');
  expect(mails[0].text).toContain(`報告番号: ${created.id}`);
  // Line breaks in the circumstances survive (the report is sent as it is).
  expect(mails[0].text).toContain('取り違えた。\n受取人からの電話');
  expect(mails[0].text).toContain('2人 / 2件');

  const seen = (await s.get(`/incidents/${created.id}`, 'city')).json();
  expect(seen.cityMail).toMatchObject({ status: 'sent', to: CITY });
  expect((await s.get('/incidents', 'city')).json().incidents.find((i: { id: string }) => i.id === created.id).cityMail.status).toBe('sent');

  // Mailing it again (a retried activity) sends nothing more.
  const activities = createOneStopActivities({ orm: s.ctx.orm, onestop: oneStopActivitySettings(s.ctx.config), sendMail: createMailActivities({ orm: s.ctx.orm, mailer, config: s.ctx.config }).sendMail });
  const again = await activities.mailIncidentToCity({ incidentId: created.id });
  expect(again).toMatchObject({ status: 'sent', attempts: 2 });
  expect(toCity().slice(before)).toHaveLength(1);
});

test('a refused mail is recorded as rejected with the reason; an unreachable server as failed, sent once SMTP works again', async () => {
  s.ctx.mail.setRejectRecipients(/^jiko-houkoku@/);
  const refused = (await s.post('/incidents', incident)).json();
  expect(refused.cityMail).toMatchObject({ status: 'rejected', lastError: expect.stringContaining('550') });
  expect(refused.cityMail.lastError).not.toContain(CITY);
  s.ctx.mail.setRejectRecipients(undefined);

  // SMTP down: nothing listens on this port.
  const down = mailerFromConfig({ ...s.ctx.config, mail: { ...s.ctx.config.mail, smtpUrl: `smtp://127.0.0.1:${await findFreePort()}` } });
  current = down;
  const failed = await s.post('/incidents', { ...incident, content: '書類の紛失 (SMTP 停止中)' });
  expect(failed.statusCode).toBe(201);
  expect(failed.json().cityMail).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/ECONNREFUSED|SMTP/) });
  current = mailer;
  await down.close();

  // The next incident that gets through takes the waiting one along (once it is older than one attempt can take).
  await s.ctx.orm.em.getKnex()('incident_city_mail').where('incident_id', failed.json().id).update({ updated_at: new Date(Date.now() - 5 * 60_000) });
  const before = toCity().length;
  expect((await s.post('/incidents', incident)).json().cityMail.status).toBe('sent');
  const subjects = toCity().slice(before).map((m) => m.subject);
  expect(subjects).toEqual(expect.arrayContaining([expect.stringContaining('書類の紛失 (SMTP 停止中)')]));
  expect((await s.get(`/incidents/${failed.json().id}`, 'city')).json().cityMail).toMatchObject({ status: 'sent', attempts: 2 });
  // The refused one is final: not mailed again.
  expect((await s.get(`/incidents/${refused.id}`, 'city')).json().cityMail).toMatchObject({ status: 'rejected', attempts: 1 });
});
