import fs from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { mailerFromConfig } from '../../activities/deps';
import { createActivities } from '../../activities';
import { oneStopActivitySettings } from '../../activities/onestop/onestop';
import { reportActivitySettings } from '../../activities/reports/reports';
import { SmtpMailer, messageIdFor, type Mailer } from '../../activities/mail/mailer';
import { createMailActivities, type SendMailInput } from '../../activities/mail/send-mail';
import { renderMail } from '../../activities/mail/render';
import { registerDonation } from '../../ledger/donations';
import { findFreePort } from '../../scripts/stack/temporal-dev-server';
import { suiteContext, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';

/** sendMail against a real SMTP server (the suite's sink) and the real ledger: one mail per key, bounces recorded, outages retried. */
let ctx: SuiteContext;
let mailer: Mailer;
let mail: ReturnType<typeof createMailActivities>;
let n = 0;
const key = (what: string) => `${ctx.prefix}/${what}/${++n}`;

const preShipping = {
  donorName: '髙橋 一郎',
  giftName: '柳川名物 うなぎのせいろ蒸し 4食',
  plannedShipOn: '2026-12-08',
  supplierName: '柳川うなぎ本舗',
  temperature: 'frozen' as const,
  carrier: 'yamato_b2',
  trackingNumber: '4912-3456-7890',
  portalName: 'ふるさとチョイス',
  portalOrderId: 'C-2026-0001',
};

const mailLog = (k: string) => ctx.orm.em.getKnex()('mail_log').where({ idempotency_key: k }).first();
const received = (address: string) => ctx.mail.messages().filter((m) => m.to.includes(address));

beforeAll(async () => {
  ctx = await suiteContext('mail');
  mailer = mailerFromConfig(ctx.config);
  mail = createMailActivities({ orm: ctx.orm, mailer, config: ctx.config });
});

afterAll(async () => {
  await mailer?.close();
  await ctx?.close();
});

afterEach(() => {
  ctx.mail.setRejectRecipients(undefined);
  ctx.mail.setDeferRecipients(undefined);
});

test('a pre-shipping mail arrives with its subject, body, From and deterministic Message-ID, and is logged as sent', async () => {
  const k = key('pre-shipping');
  const to = `ichiro-${n}@example.jp`;
  const result = await mail.sendMail({ key: k, to, template: 'pre-shipping', data: preShipping });

  const expectedId = messageIdFor(k, ctx.config.mail.from);
  expect(result).toEqual({ status: 'sent', messageId: expectedId });
  const [m] = received(to);
  expect(m.parsed.subject).toBe('【柳川市ふるさと納税】返礼品発送のお知らせ（柳川名物 うなぎのせいろ蒸し 4食）');
  expect(m.parsed.messageId).toBe(expectedId);
  expect(m.parsed.from?.value).toEqual([{ name: '柳川市ふるさと納税', address: 'furusato@city.yanagawa.example' }]);
  expect(m.envelope.mailFrom).toBe('furusato@city.yanagawa.example');
  expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  const text = m.parsed.text!;
  for (const phrase of ['髙橋 一郎 様', '発送予定日        2026年12月8日(火)', '柳川うなぎ本舗', 'ヤマト運輸', '4912-3456-7890', '冷凍便でのお届けです', '電話 0944-73-8111']) expect(text).toContain(phrase);
  expect(text).toBe(renderMail('pre-shipping', preShipping).body);
  expect(m.parsed.html).toBe(false);
  expect(fs.readFileSync(m.file!).equals(m.raw)).toBe(true); // the sink keeps an .eml of every message

  const row = await mailLog(k);
  expect(row).toMatchObject({ status: 'sent', template: 'pre-shipping', recipient: to, subject: m.parsed.subject, message_id: expectedId });
  expect(row.response).toMatch(/^250/);
});

test('the same key twice sends once and answers the first result', async () => {
  const k = key('twice');
  const to = `twice-${n}@example.jp`;
  const input: SendMailInput = { key: k, to, template: 'pre-shipping', data: preShipping };
  const first = await mail.sendMail(input);
  const again = await mail.sendMail({ ...input, data: { ...preShipping, giftName: '別の返礼品' } });
  const concurrent = await Promise.all([mail.sendMail(input), mail.sendMail(input)]);
  expect(again).toEqual(first);
  expect(concurrent).toEqual([first, first]);
  expect(received(to)).toHaveLength(1);
  expect(await ctx.orm.em.getKnex()('mail_log').where({ idempotency_key: k }).count({ n: '*' })).toEqual([{ n: '1' }]);
});

test('a permanently rejected recipient (550) is recorded as rejected and does not throw; a repeat does not retry it', async () => {
  ctx.mail.setRejectRecipients(/^bounce-/);
  const k = key('bounce');
  const to = `bounce-${n}@example.jp`;
  const result = await mail.sendMail({ key: k, to, template: 'pre-shipping', data: preShipping });
  expect(result).toEqual({ status: 'rejected', messageId: messageIdFor(k, ctx.config.mail.from) });
  expect(received(to)).toHaveLength(0);
  const row = await mailLog(k);
  expect(row.status).toBe('rejected');
  expect(row.response).toMatch(/^550/);
  expect(row.response).not.toContain(to);

  ctx.mail.setRejectRecipients(undefined);
  expect(await mail.sendMail({ key: k, to, template: 'pre-shipping', data: preShipping })).toEqual(result);
  expect(received(to)).toHaveLength(0);
});

test('a masked portal relay address is skipped and recorded; so is a missing or unusable address', async () => {
  const masked = key('masked');
  const to = `abc${n}@pc.fw.rakuten.ne.jp`;
  expect(await mail.sendMail({ key: masked, to, template: 'pre-shipping', data: preShipping })).toEqual({ status: 'skipped_masked' });
  expect(received(to)).toHaveLength(0);
  expect(await mailLog(masked)).toMatchObject({ status: 'skipped_masked', recipient: to, message_id: null });

  const none = key('none');
  expect(await mail.sendMail({ key: none, template: 'pre-shipping', data: preShipping })).toEqual({ status: 'skipped_no_address' });
  expect(await mailLog(none)).toMatchObject({ status: 'skipped_no_address', recipient: null });
  const bad = key('bad');
  expect(await mail.sendMail({ key: bad, to: 'a@example.jp, b@example.jp', template: 'pre-shipping', data: preShipping })).toEqual({ status: 'skipped_no_address' });
  expect(ctx.mail.messages().filter((m) => m.to.includes('a@example.jp'))).toHaveLength(0);
});

test('SMTP down: the activity throws (retryable) and leaves the row sending; the retry sends exactly once with the same Message-ID', async () => {
  const deadMailer = new SmtpMailer({ url: `smtp://127.0.0.1:${await findFreePort()}`, from: ctx.config.mail.from, connectionTimeoutMs: 2000 });
  const down = createMailActivities({ orm: ctx.orm, mailer: deadMailer, config: ctx.config });
  const k = key('down');
  const to = `down-${n}@example.jp`;
  const input: SendMailInput = { key: k, to, template: 'pre-shipping', data: preShipping };
  try {
    const err = await down.sendMail(input).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure); // a plain error: Temporal retries it with backoff
    expect(err!.name).toBe('MailTransientError');
    expect(err!.message).toMatch(/ECONNREFUSED/);
    expect(err!.message).not.toContain(to);
    expect((await mailLog(k)).status).toBe('sending');
  } finally {
    await deadMailer.close();
  }

  const retried = await mail.sendMail(input);
  expect(retried).toEqual({ status: 'sent', messageId: messageIdFor(k, ctx.config.mail.from) });
  expect(received(to).map((m) => m.parsed.messageId)).toEqual([retried.messageId]);
  expect((await mailLog(k)).status).toBe('sent');
});

test('a temporary refusal (451) throws so Temporal retries; the address stays out of the error', async () => {
  ctx.mail.setDeferRecipients(/^later-/);
  const k = key('defer');
  const to = `later-${n}@example.jp`;
  await expect(mail.sendMail({ key: k, to, template: 'pre-shipping', data: preShipping })).rejects.toMatchObject({
    name: 'MailTransientError',
    responseCode: 451,
    message: expect.not.stringContaining(to),
  });
  expect((await mailLog(k)).status).toBe('sending');
  ctx.mail.setDeferRecipients(undefined);
  expect((await mail.sendMail({ key: k, to, template: 'pre-shipping', data: preShipping })).status).toBe('sent');
  expect(received(to)).toHaveLength(1);
});

test('a supplier order mail arrives with its CSV attachment intact', async () => {
  const k = key('supplier-order');
  const to = `orders-${n}@farm.example.jp`;
  const csv = '受注番号,返礼品,お届け先氏名\r\nC-1,うなぎのせいろ蒸し,髙橋 一郎\r\n';
  const sjisLike = Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x0d, 0x0a]);
  const result = await mail.sendMail({
    key: k,
    to,
    template: 'supplier-order',
    data: { supplierName: '柳川うなぎ本舗', orderNumber: 42, shipBy: '2026-12-08', lineCount: 1, attachmentName: 'order-42.csv' },
    attachments: [
      { filename: 'order-42.csv', content: csv, contentType: 'text/csv; charset=utf-8' },
      { filename: 'order-42-sjis.csv', content: sjisLike.toString('base64'), encoding: 'base64', contentType: 'text/csv; charset=Shift_JIS' },
    ],
  });
  expect(result.status).toBe('sent');
  const [m] = received(to);
  expect(m.subject).toBe('【柳川市ふるさと納税】返礼品発送依頼 No.42（2026年12月8日(火)発送分）');
  expect(m.text).toContain('添付のCSVファイル（order-42.csv）');
  expect(m.parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
    ['order-42.csv', 'text/csv'],
    ['order-42-sjis.csv', 'text/csv'],
  ]);
  expect(m.attachments[0].content.toString('utf8')).toBe(csv);
  expect(m.attachments[1].content.equals(sjisLike)).toBe(true);
});

test('the mail is linked to its donation; a donation that is not in the ledger is a non-retryable failure', async () => {
  const { donation } = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix), 'operator:test');
  const k = key('resident');
  const to = `resident-${n}@example.jp`;
  const data = { donorName: '柳川 太郎', amountYen: 10_000, receivedOn: '2026-11-20', giftName: 'あまおう', portalName: 'ふるさとチョイス', portalOrderId: 'C-9' };
  expect((await mail.sendMail({ key: k, to, template: 'no-gift-resident', data, donationId: donation.id })).status).toBe('sent');
  expect((await mailLog(k)).donation_id).toBe(donation.id);
  expect(received(to)[0].text).toContain('返礼品（あまおう）はお送りいたしかねます');

  await expect(
    mail.sendMail({ key: key('ghost'), to, template: 'no-gift-resident', data, donationId: '00000000-0000-4000-8000-000000000000' }),
  ).rejects.toMatchObject({ type: 'DonationNotFoundError', nonRetryable: true });
});

test('bad template data is a non-retryable failure and nothing is logged or sent', async () => {
  const k = key('bad-data');
  await expect(mail.sendMail({ key: k, to: 'x@example.jp', template: 'pre-shipping', data: { donorName: 'x' } })).rejects.toMatchObject({
    type: 'MailTemplateError',
    nonRetryable: true,
  });
  expect(await mailLog(k)).toBeUndefined();
});

test('billing mails render through the shared renderer; a missing field is named before anything is logged', async () => {
  const data = { runId: 'billing-2026-10', monthLabel: '2026年10月', number: 'INV-202610-R1', revision: 1, revised: false, total: '1,234,567円', tax: '112,233円', capFlags: 0, paymentDays: 30 };
  const text = renderMail('billing-invoice', data);
  expect(text.subject).toContain('2026年10月');
  expect(text.body).toContain('INV-202610-R1');
  expect(text.body).toContain('1,234,567円');
  const k = key('billing-missing');
  await expect(mail.sendMail({ key: k, to: 'city@example.jp', template: 'billing-invoice', data: { ...data, number: '' } })).rejects.toMatchObject({
    type: 'MailTemplateError',
    message: 'mail billing-invoice needs number',
  });
  expect(await mailLog(k)).toBeUndefined();
});

test('the worker registers sendMail from the same dependencies', () => {
  const acts = createActivities({
    orm: ctx.orm,
    temporal: ctx.client,
    documents: {} as never,
    mailer,
    mailConfig: ctx.config.mail,
    shipping: ctx.config.shipping,
    billing: ctx.config.billing,
    reports: reportActivitySettings(ctx.config),
    onestop: oneStopActivitySettings(ctx.config),
    intake: ctx.config.intake,
    workflows: { startImportedDonation: async () => undefined },
  });
  expect(typeof acts.sendMail).toBe('function');
});
