import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from '@mikro-orm/postgresql';
import { defaultTemplatesDir, type CityConfig } from './documents/renderer';
import { messageIdFor, type Mailer } from './mail/mailer';
import { isMaskedAddress, type MailAttachmentInput, type SendMailResult } from './mail/send-mail';

/**
 * Billing mail (statements to suppliers, reminders and escalations to operators,
 * invoices and payment notices to the city) from templates/mail/billing-*.txt.hbs.
 *
 * The shared mail activity only knows the templates registered in activities/mail/render.ts,
 * which belongs to other work; billing keeps its own small renderer and follows the same
 * protocol through the same mail_log table (one mail per idempotency key, the row written
 * before the SMTP conversation, the same Message-ID on a resend).
 */

export const BILLING_MAIL_TEMPLATES = ['billing-statement', 'billing-reminder', 'billing-escalation', 'billing-invoice', 'billing-payment-reminder', 'billing-payment-overdue'] as const;
export type BillingMailTemplate = (typeof BILLING_MAIL_TEMPLATES)[number];

const hbs = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();
let cityConfig: CityConfig | undefined;

export function renderBillingMail(name: BillingMailTemplate, data: Record<string, unknown>, documentsDir = defaultTemplatesDir()): { subject: string; body: string } {
  if (!BILLING_MAIL_TEMPLATES.includes(name)) throw new Error(`unknown billing mail template ${name}`);
  const file = path.join(path.dirname(documentsDir), 'mail', `${name}.txt.hbs`);
  let t = compiled.get(file);
  if (!t) {
    // Plain text: names such as 「髙橋 & Co.」 are not HTML-escaped.
    t = hbs.compile(fs.readFileSync(file, 'utf8'), { noEscape: true, strict: false });
    compiled.set(file, t);
  }
  cityConfig ??= JSON.parse(fs.readFileSync(path.join(documentsDir, 'city.json'), 'utf8')) as CityConfig;
  const [first, ...rest] = t({ ...data, city: cityConfig }).split('\n');
  if (!first.startsWith('件名: ')) throw new Error(`mail template ${name} must start with "件名: "`);
  return { subject: first.slice('件名: '.length).trim(), body: rest.join('\n').replace(/^\n+/, '').replace(/\n{3,}/g, '\n\n') };
}

const ADDRESS = /^[^\s@<>(),;:"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export interface BillingMailInput {
  key: string;
  to?: string | null;
  template: BillingMailTemplate;
  data: Record<string, unknown>;
  attachments?: MailAttachmentInput[];
}

export function createBillingMailer(deps: { knex: () => Knex; mailer: Mailer; from: string; maskedDomains: string[] }) {
  return async function sendBillingMail(input: BillingMailInput): Promise<SendMailResult> {
    let rendered: { subject: string; body: string };
    try {
      rendered = renderBillingMail(input.template, input.data);
    } catch (err) {
      throw ApplicationFailure.create({ type: 'MailTemplateError', message: (err as Error).message, nonRetryable: true });
    }
    const to = input.to?.trim() ?? '';
    const initial = !ADDRESS.test(to) ? 'skipped_no_address' : isMaskedAddress(to, deps.maskedDomains) ? 'skipped_masked' : 'sending';
    const messageId = messageIdFor(input.key, deps.from);
    const knex = deps.knex();
    const inserted = await knex('mail_log')
      .insert({ idempotency_key: input.key, template: input.template, recipient: to || null, subject: rendered.subject, status: initial, message_id: initial === 'sending' ? messageId : null })
      .onConflict('idempotency_key')
      .ignore()
      .returning(['status']);
    if (!inserted.length) {
      const existing = await knex('mail_log').where({ idempotency_key: input.key }).first('status', 'message_id');
      if (existing && existing.status !== 'sending') return existing.message_id ? { status: existing.status, messageId: existing.message_id } : { status: existing.status };
    } else if (initial !== 'sending') {
      return { status: initial };
    }
    const result = await deps.mailer.send({
      to,
      subject: rendered.subject,
      text: rendered.body,
      messageId,
      attachments: input.attachments?.map((a) => ({ filename: a.filename, content: Buffer.from(a.content, a.encoding === 'base64' ? 'base64' : 'utf8'), contentType: a.contentType ?? 'application/octet-stream' })),
    });
    const status = result.outcome === 'sent' ? 'sent' : 'rejected';
    await knex('mail_log').where({ idempotency_key: input.key, status: 'sending' }).update({ status, response: result.response || null, updated_at: knex.fn.now() });
    return { status, messageId };
  };
}
