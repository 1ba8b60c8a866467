import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { messageIdFor } from '../../activities/mail/mailer';
import { createMailActivities } from '../../activities/mail/send-mail';
import { mailerFromConfig } from '../../activities/deps';
import { createOneStopActivities, oneStopActivitySettings } from '../../activities/onestop/onestop';
import { startSmtpSink, type SmtpSink } from '../../scripts/stack/smtp-sink';
import { lateBounceWorkflow } from '../../workflows/onestop/late-bounce-workflow';
import { lateBounceSchedule } from '../../workflows/onestop/schedule';
import { oneStopSuite, seedApplication, type OneStopSuite } from './support';

/**
 * DOCS-5 late bounces: a notice emailed and accepted by the SMTP server, then a DSN delivered later by a
 * real SMTP peer into the DSN mailbox; the scheduled workflow (run here on the suite's worker) reads it
 * and the notice goes to paper as an immediate 5xx makes it.
 */
let s: OneStopSuite;
let dsnDir: string;
let bounceMailbox: SmtpSink;
let n = 0;

beforeAll(async () => {
  dsnDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-dsn-'));
  s = await oneStopSuite('onestop-late-bounces', { MAIL_DSN_DIR: dsnDir, MAIL_DSN_CHECK_MINUTES: '5' });
  // The bounce address's mailbox: an SMTP peer that keeps each message as .eml in the DSN folder.
  bounceMailbox = await startSmtpSink({ port: 0, dir: dsnDir });
});

afterAll(async () => {
  await bounceMailbox?.stop();
  await s?.close();
  fs.rmSync(dsnDir, { recursive: true, force: true });
});

const knex = () => s.ctx.orm.em.getKnex();

/** An online application's deficiency notice, emailed now and accepted by the SMTP server. */
async function emailedNotice() {
  n += 1;
  const to = `late-${n}-${s.ctx.prefix}@example.jp`;
  const { application } = await seedApplication(
    s.ctx,
    { name: `柳川 次郎${n}`, nameKana: 'ヤナガワ ジロウ', prefecture: '福岡県', address: `柳川市本町${n}-2`, postalCode: '832-0045' },
    { appliedAt: '2026-11-20T01:00:00.000Z', myNumber: '123456789018', content: { email: to } },
  );
  await knex()('onestop_applications').where('id', application.id).update({ channel: 'online', status: 'deficient', findings: JSON.stringify([{ code: 'checkbox_2_unticked', severity: 'deficiency', field: 'checkboxes.second', reason: 'チェック欄② is not ticked' }]) });
  const mailer = mailerFromConfig(s.ctx.config);
  const mail = createMailActivities({ orm: s.ctx.orm, mailer, config: s.ctx.config });
  const onestop = createOneStopActivities({ orm: s.ctx.orm, onestop: oneStopActivitySettings(s.ctx.config), sendMail: mail.sendMail });
  const key = `test/${application.id}#notice-deficiency`;
  expect(await onestop.recordOneStopNotice({ applicationId: application.id, kind: 'deficiency', key })).toEqual({ channel: 'email' });
  await mailer.close();
  return { key, to, messageId: messageIdFor(key, s.ctx.config.mail.from) };
}

/** A DSN as an MTA writes it (RFC 3464), sent by SMTP to the bounce mailbox. */
async function deliverDsn(o: { to: string; messageId: string; action: string; status: string }) {
  const boundary = `dsn-${Math.random().toString(16).slice(2)}`;
  const raw = [
    'From: MAILER-DAEMON@mx.example.jp',
    'To: bounces@city.yanagawa.example',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <dsn-${boundary}@mx.example.jp>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.jp. Your message could not be delivered.',
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.jp',
    '',
    `Final-Recipient: rfc822; ${o.to}`,
    `Action: ${o.action}`,
    `Status: ${o.status}`,
    'Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable',
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    'From: furusato@city.yanagawa.example',
    `To: ${o.to}`,
    `Message-ID: ${o.messageId}`,
    'Subject: notice',
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: bounceMailbox.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: '', to: 'bounces@city.yanagawa.example' }, raw });
  transport.close();
}

const runWorkflow = () => s.ctx.client.workflow.execute(lateBounceWorkflow, { taskQueue: s.ctx.taskQueue, workflowId: `late-bounces-${s.ctx.prefix}-${Math.random().toString(16).slice(2)}`, args: [{ dir: dsnDir }] });

test('a DSN arriving after the notice was sent moves it to paper, once; a delay notice and an unknown message change nothing', async () => {
  const bounced = await emailedNotice();
  const delayed = await emailedNotice();
  expect(await knex()('onestop_notices').where('idempotency_key', bounced.key).first()).toMatchObject({ channel: 'email', status: 'sent', email_status: 'sent' });

  await deliverDsn({ to: bounced.to, messageId: bounced.messageId, action: 'failed', status: '5.1.1' });
  await deliverDsn({ to: delayed.to, messageId: delayed.messageId, action: 'delayed', status: '4.4.1' });
  await deliverDsn({ to: 'someone@example.jp', messageId: '<not-ours@elsewhere.example>', action: 'failed', status: '5.1.1' });
  expect(fs.readdirSync(dsnDir).filter((f) => f.endsWith('.eml'))).toHaveLength(3);

  const counts = await runWorkflow();
  expect(counts).toEqual({ files: 3, notice_to_paper: 1, mail_rejected: 0, unknown_message: 1, not_a_failure: 1, not_a_dsn: 0 });
  // As an immediate 5xx: channel mail, pending for the next print batch.
  expect(await knex()('onestop_notices').where('idempotency_key', bounced.key).first()).toMatchObject({ channel: 'mail', status: 'pending', sent_at: null, email_status: 'bounced_late', print_batch_id: null });
  expect(await knex()('mail_log').where('idempotency_key', bounced.key).first()).toMatchObject({ status: 'rejected', response: 'late bounce (DSN): failed 5.1.1' });
  expect(await knex()('onestop_notices').where('idempotency_key', delayed.key).first()).toMatchObject({ channel: 'email', status: 'sent' });

  // Read files leave the mailbox; running again changes nothing.
  expect(fs.readdirSync(dsnDir).filter((f) => f.endsWith('.eml'))).toEqual([]);
  expect(fs.readdirSync(path.join(dsnDir, 'read'))).toHaveLength(3);
  expect(await runWorkflow()).toMatchObject({ files: 0 });
  // A file read again after a crash between the ledger and the move is applied once.
  const [first] = fs.readdirSync(path.join(dsnDir, 'read'));
  fs.copyFileSync(path.join(dsnDir, 'read', first), path.join(dsnDir, first));
  const again = await runWorkflow();
  expect(again.files).toBe(1);
  expect(await knex()('mail_bounces').whereIn('original_message_id', [bounced.messageId]).count({ n: '*' }).first()).toEqual({ n: '1' });
});

test('the schedule reads the configured mailbox every MAIL_DSN_CHECK_MINUTES', () => {
  const shape = lateBounceSchedule.shape(s.ctx.config, 'mail-late-bounces')!;
  expect(shape.spec).toEqual({ intervals: [{ every: '5 minutes' }] });
  expect(shape.action).toMatchObject({ workflowType: lateBounceWorkflow, args: [{ dir: dsnDir }], taskQueue: s.ctx.taskQueue });
});
