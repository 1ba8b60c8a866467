import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { mailerFromConfig } from '../../activities/deps';
import { messageIdFor, type Mailer } from '../../activities/mail/mailer';
import { createMailActivities } from '../../activities/mail/send-mail';
import { createOneStopActivities, oneStopActivitySettings } from '../../activities/onestop/onestop';
import type { Finding } from '../../domain/onestop';
import type { OneStopNoticeKind } from '../../domain/onestop/notices';
import { jstDate } from '../../domain/jst';
import { registerDonation } from '../../ledger/donations';
import { eventually } from '../support/context';
import { newDonation } from '../support/factory';
import { pdfPageTexts } from '../support/pdf';
import { approveOnlineIntake, oneStopSuite, seedApplication, type OneStopSuite } from './support';

/**
 * DOCS-5 and the deficiency follow-up: email notices go out through sendMail
 * (the suite's real SMTP sink) once per notice; bounced or masked addresses and
 * paper applicants get their notice in the daily print batch, sent when the
 * batch is confirmed posted.
 */
let s: OneStopSuite;
let mailer: Mailer;
let onestop: ReturnType<typeof createOneStopActivities>;
let n = 0;

beforeAll(async () => {
  s = await oneStopSuite('onestop-notices');
  await approveOnlineIntake(s);
  mailer = mailerFromConfig(s.ctx.config);
  const mail = createMailActivities({ orm: s.ctx.orm, mailer, config: s.ctx.config });
  onestop = createOneStopActivities({ orm: s.ctx.orm, onestop: oneStopActivitySettings(s.ctx.config), sendMail: mail.sendMail });
});

afterAll(async () => {
  await mailer?.close();
  await s?.close();
});

afterEach(() => s.ctx.mail.setRejectRecipients(undefined));

const knex = () => s.ctx.orm.em.getKnex();
const received = (address: string) => s.ctx.mail.messages().filter((m) => m.to.includes(address));
const noticeRow = (key: string) => knex()('onestop_notices').where('idempotency_key', key).first();

const DEFICIENT: Finding[] = [
  { code: 'notification_card_mismatch', severity: 'deficiency', field: 'attachments', reason: '通知カード proves the number only when its 氏名・住所 match the application' },
  { code: 'checkbox_2_unticked', severity: 'deficiency', field: 'checkboxes.second', reason: 'チェック欄② is not ticked' },
  { code: 'nameKana_notation', severity: 'note', field: 'nameKana', reason: 'フリガナ differs only in notation' },
];
const LATE: Finding[] = [{ code: 'arrived_after_deadline', severity: 'rejection', field: 'arrivedOn', reason: 'arrived after the deadline (2027-01-12); 確定申告' }];

const FINDINGS: Record<OneStopNoticeKind, { status: string; findings: Finding[] }> = {
  accepted: { status: 'accepted', findings: [] },
  deficiency: { status: 'deficient', findings: DEFICIENT },
  reminder: { status: 'deficient', findings: DEFICIENT },
  late_rejection: { status: 'rejected_late', findings: LATE },
  closed_deficient: { status: 'closed_deficient', findings: DEFICIENT },
};

/** A donation of 2026-11-20 (deadline 2027-01-12, a Tuesday) and its application as the review left it. */
async function seed(kind: OneStopNoticeKind, opts: { email?: string; arrivedOn?: string } = {}) {
  n += 1;
  const { donation, application } = await seedApplication(
    s.ctx,
    { name: `柳川 花子${n}`, nameKana: 'ヤナガワ ハナコ', prefecture: '福岡県', address: `柳川市本町${n}-1`, postalCode: '832-0045' },
    { appliedAt: '2026-11-20T01:00:00.000Z', myNumber: '123456789018', amountYen: 30_000, content: opts.email ? { email: opts.email } : {} },
  );
  await knex()('onestop_applications')
    .where('id', application.id)
    .update({ channel: opts.email ? 'online' : 'paper', status: FINDINGS[kind].status, findings: JSON.stringify(FINDINGS[kind].findings), ...(opts.arrivedOn ? { arrived_on: opts.arrivedOn } : {}) });
  return { donation, application, key: `test/${application.id}#notice-${kind}` };
}

/** What each email must say: subject and body parts. */
const EXPECTED: Record<OneStopNoticeKind, { subject: string[]; body: string[] }> = {
  accepted: { subject: ['【柳川市】ワンストップ特例申請書 受付のお知らせ'], body: ['受け付けましたのでお知らせします', '30,000円', '令和8年11月20日'] },
  deficiency: {
    subject: ['不備のお知らせ', '令和9年1月12日(火)必着'],
    body: ['■ 不備の内容', '通知カードの氏名・住所が申請書と一致しない', 'チェック欄②', '令和9年1月12日(火) 必着', 'ワンストップ特例申請受付センター', '令和8年分の確定申告'],
  },
  reminder: { subject: ['不備書類のご提出のお願い', '令和9年1月12日(火)必着'], body: ['まだ書類が届いておりません', '通知カードの氏名・住所', 'チェック欄②', '令和9年1月12日(火) 必着'] },
  late_rejection: { subject: ['受付期限後の到着について', '確定申告のお願い'], body: ['提出期限を過ぎて到着したため', '令和9年1月13日', '令和9年1月12日(火) 必着', '令和8年分の確定申告', '寄附金受領証明書'] },
  closed_deficient: { subject: ['不備が解消されなかったため、確定申告をお願いします'], body: ['■ 解消されなかった不備', 'チェック欄②', '令和8年分の確定申告'] },
};

describe('email notices (DOCS-5, deficiency follow-up)', () => {
  test.each(Object.keys(EXPECTED) as OneStopNoticeKind[])('%s: one email with its subject and body, the notice sent with the time; a retry or repeat sends nothing more', async (kind) => {
    const to = `${kind.replace('_', '-')}-${s.ctx.prefix}@example.jp`;
    const { application, key } = await seed(kind, { email: to, arrivedOn: kind === 'late_rejection' ? '2027-01-13' : undefined });
    const before = Date.now();

    expect(await onestop.recordOneStopNotice({ applicationId: application.id, kind, key })).toEqual({ channel: 'email' });
    const mails = received(to);
    expect(mails).toHaveLength(1);
    const [m] = mails;
    for (const part of EXPECTED[kind].subject) expect(m.subject).toContain(part);
    expect(m.text).toContain(`柳川 花子${n} 様`);
    for (const part of EXPECTED[kind].body) expect(m.text).toContain(part);
    // Notes are not deficiencies and are not mentioned; findings never carry values.
    expect(m.text).not.toContain('フリガナ');
    expect(m.messageId).toBe(messageIdFor(key, s.ctx.config.mail.from));
    expect(m.text).not.toContain('123456789018');

    const row = await noticeRow(key);
    expect(row).toMatchObject({ channel: 'email', status: 'sent', email_status: 'sent' });
    expect(new Date(row.sent_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await knex()('mail_log').where('idempotency_key', key).first()).toMatchObject({ status: 'sent', template: `onestop-${kind.replace('_', '-')}-notice`, recipient: to });

    // Temporal retrying the activity, or the workflow asking again: the same key, no second mail.
    expect(await onestop.recordOneStopNotice({ applicationId: application.id, kind, key })).toEqual({ channel: 'email' });
    expect(received(to)).toHaveLength(1);
    expect((await noticeRow(key)).sent_at).toEqual(row.sent_at);
  });

  test('a bounced or masked address falls back to paper: the notice stays pending for the print batch, the mail log says why', async () => {
    s.ctx.mail.setRejectRecipients(/^bounce-/);
    const bounced = await seed('deficiency', { email: `bounce-${s.ctx.prefix}@example.jp` });
    expect(await onestop.recordOneStopNotice({ applicationId: bounced.application.id, kind: 'deficiency', key: bounced.key })).toEqual({ channel: 'mail' });
    expect(await noticeRow(bounced.key)).toMatchObject({ channel: 'mail', status: 'pending', email_status: 'rejected', sent_at: null, print_batch_id: null });
    expect(await knex()('mail_log').where('idempotency_key', bounced.key).first()).toMatchObject({ status: 'rejected' });

    const masked = await seed('accepted', { email: `abc123-${s.ctx.prefix}@pc.fw.rakuten.ne.jp` });
    expect(await onestop.recordOneStopNotice({ applicationId: masked.application.id, kind: 'accepted', key: masked.key })).toEqual({ channel: 'mail' });
    expect(await noticeRow(masked.key)).toMatchObject({ channel: 'mail', status: 'pending', email_status: 'skipped_masked' });

    // Repeating does not try the email again.
    s.ctx.mail.setRejectRecipients(undefined);
    expect(await onestop.recordOneStopNotice({ applicationId: bounced.application.id, kind: 'deficiency', key: bounced.key })).toEqual({ channel: 'mail' });
    expect(received(`bounce-${s.ctx.prefix}@example.jp`)).toHaveLength(0);
  });

  test('through the workflow: an online applicant is told by email what is missing, then that the application is accepted', async () => {
    // A donation of this year in Japan: its deadline (next January) is ahead, so the workflow on the dev server
    // (real clock) keeps the deficient application open for the resubmission.
    const y = Number(jstDate(new Date()).slice(0, 4));
    const { donation: d } = await registerDonation(
      s.ctx.orm.em.fork(),
      newDonation(s.ctx.prefix, { donor: { name: '柳川 一郎', nameKana: 'ヤナガワ イチロウ', postalCode: '832-0811', prefecture: '福岡県', address: '柳川市三橋町1', phone: '0944-00-0000' }, amountYen: 20_000, appliedAt: `${y}-11-20T01:00:00.000Z` }),
      'test:setup',
    );
    const to = `ichiro-${s.ctx.prefix}@example.jp`;
    const res = await s.post('/onestop/applications/online', {
      service: 'jichitai-mypage',
      applicationNumber: `${s.ctx.prefix}-MP-notice`,
      submittedAt: `${y}-12-01T03:00:00Z`,
      donationId: d.id,
      applicant: { name: '柳川 一郎', nameKana: 'ヤナガワ イチロウ', address: '福岡県柳川市三橋町1', email: to, birthDate: '1980-04-01' },
      myNumber: '123456789018',
      donationDate: `${y}-11-20`,
      amountYen: 20_000,
      declarations: { specialTaxpayer: true, fiveOrFewerMunicipalities: true },
      identityVerification: { method: 'image_upload', images: [{ kind: 'my_number_card', sides: ['back'] }] },
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    const get = () => s.get(`/onestop/applications/${id}`).then((r) => r.json());

    const deficient = await eventually(get, (a) => a.workflow?.state === 'deficient' && a.notices[0]?.status === 'sent');
    expect(deficient.notices).toEqual([expect.objectContaining({ kind: 'deficiency', channel: 'email', status: 'sent', emailStatus: 'sent', sentAt: expect.any(String) })]);
    const [first] = received(to);
    expect(first.subject).toContain('不備のお知らせ');
    expect(first.text).toContain('本人確認書類の写しが添付されていません');

    expect((await s.post(`/onestop/applications/${id}/resubmission`, { arrivedOn: `${y}-12-10`, attachments: [{ kind: 'drivers_license' }] })).statusCode).toBe(202);
    const accepted = await eventually(get, (a) => a.workflow?.state === 'accepted' && a.notices.length === 2 && a.notices[1].status === 'sent');
    expect(accepted.notices.map((x: { kind: string; channel: string }) => `${x.kind}:${x.channel}`)).toEqual(['deficiency:email', 'accepted:email']);
    const mails = received(to);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining('不備のお知らせ'), '【柳川市】ワンストップ特例申請書 受付のお知らせ']);
    expect(mails[1].text).toContain('20,000円');
  });
});

describe('paper notices in the print batch (DOCS-5)', () => {
  test('pending paper notices of every kind are printed in their own envelopes, listed in the manifest, and sent only once the batch is posted', async () => {
    const kinds: OneStopNoticeKind[] = ['accepted', 'deficiency', 'reminder', 'late_rejection', 'closed_deficient'];
    const seeded = [];
    for (const kind of kinds) {
      const x = await seed(kind, { arrivedOn: kind === 'late_rejection' ? '2027-01-13' : undefined });
      expect(await onestop.recordOneStopNotice({ applicationId: x.application.id, kind, key: x.key })).toEqual({ channel: 'mail' });
      seeded.push({ ...x, kind, name: `柳川 花子${n}` });
    }
    // An email notice that bounced goes on paper too.
    s.ctx.mail.setRejectRecipients(/^paper-bounce-/);
    const bounced = await seed('accepted', { email: `paper-bounce-${s.ctx.prefix}@example.jp` });
    expect(await onestop.recordOneStopNotice({ applicationId: bounced.application.id, kind: 'accepted', key: bounced.key })).toEqual({ channel: 'mail' });
    seeded.push({ ...bounced, kind: 'accepted' as const, name: `柳川 花子${n}` });
    const donationIds = seeded.map((x) => x.donation.id);

    const started = await s.post('/print-batches', { donationIds });
    expect(started.statusCode).toBe(202);
    const { batchId } = started.json();
    const batch = () => s.get(`/print-batches/${batchId}`).then((r) => r.json());
    const view = await eventually(batch, (b) => b.batch?.status === 'handed_off', 90_000);
    expect(view.batch).toMatchObject({ envelopes: 6, documents: 6, pages: 6 });
    expect(view.items.map((i: { reason: string }) => i.reason)).toEqual(Array(6).fill('onestop_notice'));
    expect(view.items.map((i: { donationId: string }) => i.donationId)).toEqual(donationIds);

    const drop = path.join(s.ctx.config.documents.dropDir, batchId);
    const manifestText = fs.readFileSync(path.join(drop, 'manifest.csv'), 'utf8');
    const [header, ...lines] = manifestText.slice(1).trim().split('\r\n').map((l) => l.split(','));
    const manifest = lines.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    expect(manifest.map((m) => [m.reason, m.documents, m.page_from, m.page_to, m.envelope, m.receipt_number])).toEqual([
      ['onestop_notice', '申告特例申請 受付済み通知', '1', '1', '長3窓付', ''],
      ['onestop_notice', '申告特例申請 不備のお知らせ', '2', '2', '長3窓付', ''],
      ['onestop_notice', '申告特例申請 不備書類ご提出のお願い', '3', '3', '長3窓付', ''],
      ['onestop_notice', '申告特例申請 期限後到着のお知らせ', '4', '4', '長3窓付', ''],
      ['onestop_notice', '申告特例申請 不備未解消のお知らせ', '5', '5', '長3窓付', ''],
      ['onestop_notice', '申告特例申請 受付済み通知', '6', '6', '長3窓付', ''],
    ]);
    expect(manifest.map((m) => m.portal_order_id)).toEqual(seeded.map((x) => x.donation.portalOrderId));
    expect(manifestText).not.toMatch(/柳川 花子|本町/);

    const pdf = fs.readFileSync(path.join(drop, 'batch.pdf'));
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(6);
    const pages = await pdfPageTexts(pdf);
    seeded.forEach((x, i) => {
      expect(pages[i]).toContain(`${x.name} 様`);
      expect(pages[i]).toContain('〒832-0045');
      expect(pages[i]).toContain('30,000円');
    });
    expect(pages[0]).toContain('申告特例申請 受付済み通知');
    expect(pages[1]).toContain('申告特例申請書の不備のお知らせ');
    // pdf.js (in pdf-parse) extracts the middle dot ・ as ‧.
    expect(pages[1]).toMatch(/通知カードの氏名[・‧]住所が申請書と一致しない/);
    expect(pages[1]).toContain('チェック欄②');
    expect(pages[1]).toContain('令和9年1月12日(火) 必着');
    expect(pages[1]).not.toContain('フリガナ');
    expect(pages[2]).toContain('不備書類ご提出のお願い');
    expect(pages[3]).toContain('受付期限後の到着');
    expect(pages[3]).toContain('令和9年1月13日');
    expect(pages[3]).toContain('令和8年分の確定申告');
    expect(pages[4]).toContain('不備が解消されなかった');
    expect(pages[4]).toContain('令和8年分の確定申告');

    // Printed and handed off is not posted: the notices wait, and no other batch takes them.
    for (const x of seeded) expect(await noticeRow(x.key)).toMatchObject({ status: 'pending', channel: 'mail', print_batch_id: batchId, sent_at: null });
    const again = await s.post('/print-batches', { donationIds });
    const empty = await s.ctx.client.workflow.getHandle(again.json().workflowId).result();
    expect(empty.status).toBe('empty');

    const postedAt = new Date(Date.now() - 60_000).toISOString();
    expect((await s.post(`/print-batches/${batchId}/posted`, { postedAt })).statusCode).toBe(202);
    await eventually(batch, (b) => b.workflow?.status === 'notified', 30_000);
    for (const x of seeded) {
      const row = await noticeRow(x.key);
      expect(row).toMatchObject({ status: 'sent', channel: 'mail', print_batch_id: batchId });
      expect(new Date(row.sent_at).toISOString()).toBe(postedAt);
    }
    const app = (await s.get(`/onestop/applications/${seeded[1].application.id}`)).json();
    expect(app.notices).toEqual([expect.objectContaining({ kind: 'deficiency', channel: 'mail', status: 'sent', sentAt: postedAt, printBatchId: batchId })]);
    const events = await knex()('donation_events').where({ donation_id: seeded[0].donation.id, kind: 'onestop_notice_posted' });
    expect(events).toHaveLength(1);
  });
});
