import { ApplicationFailure } from '@temporalio/common';
import { ForeignKeyConstraintViolationException } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config/env';
import type { Orm } from '../../ledger/orm';
import { findMailLogEntry, finishMailLogEntry, insertMailLogEntry, type FinalMailStatus, type MailStatus } from '../../ledger/mail-log';
import { messageIdFor, type MailAttachment, type Mailer } from './mailer';
import { MailTemplateError, renderMail, type MailTemplateData, type MailTemplateName } from './render';

export type { FinalMailStatus, MailStatus } from '../../ledger/mail-log';

/** Attachments cross Temporal as JSON: text (utf8) or bytes (base64), never a Buffer. */
export interface MailAttachmentInput {
  filename: string;
  content: string;
  encoding?: 'utf8' | 'base64';
  contentType?: string;
}

export interface SendMailInput {
  /** One mail per key, ever: stable per workflow step (e.g. `pre-shipping/<shipmentId>/<attempt>`). */
  key: string;
  /** Absent or empty → skipped_no_address. Personal data: stored in mail_log, never logged. */
  to?: string;
  template: MailTemplateName;
  /** The template's data, see MailTemplateData in render.ts. */
  data: object;
  donationId?: string;
  shipmentId?: string;
  attachments?: MailAttachmentInput[];
}

/** The mail activity as the features that send mail receive it (injected, so they import no mailer). */
export type SendMail = (input: SendMailInput) => Promise<SendMailResult>;

export interface SendMailResult {
  status: FinalMailStatus;
  /** Set when a message was composed (sent or rejected). */
  messageId?: string;
}

export interface MailActivityDeps {
  orm: Orm;
  mailer: Mailer;
  config: Pick<AppConfig, 'mail'>;
}

const FINAL: ReadonlySet<string> = new Set<FinalMailStatus>(['sent', 'rejected', 'skipped_masked', 'skipped_no_address']);
const isFinal = (status: MailStatus): status is FinalMailStatus => FINAL.has(status);

/** One plain address; display names, lists and anything with spaces are not for us to guess at. */
const ADDRESS = /^[^\s@<>(),;:"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** The recipient's domain is one of the masked relay domains or below one of them. */
export function isMaskedAddress(address: string, maskedDomains: readonly string[]): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return maskedDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

function toAttachment(a: MailAttachmentInput): MailAttachment {
  return {
    filename: a.filename,
    content: Buffer.from(a.content, a.encoding === 'base64' ? 'base64' : 'utf8'),
    contentType: a.contentType ?? 'application/octet-stream',
  };
}

/**
 * sendMail: one email per idempotency key, however often Temporal runs the activity.
 *
 * 1. Render (a template or data error is final: non-retryable).
 * 2. Insert the mail_log row — status `sending`, or the skip status for a missing/masked
 *    address — with `on conflict (idempotency_key) do nothing`. No read before the write: a
 *    first attempt (nearly every call) costs one statement.
 * 3. Conflict: read the row. A final status (sent, rejected, skipped_*) is the answer, nothing is
 *    sent. `sending` means an earlier attempt did not finish (SMTP was down: it threw; or the worker
 *    died): send again.
 * 4. Send; record `sent` or `rejected` (a permanent 5xx refusal resolves, it does not fail the
 *    workflow). A transient failure (4xx, refused connection, timeout) throws and leaves the row at
 *    `sending`, so Temporal's retry sends it.
 *
 * The remaining duplicate window: the server accepts the message (250 after DATA) and then the
 * worker dies, or the database is unreachable, before step 4's update commits. The row still says
 * `sending`, so the retry sends the message once more — at most one duplicate per such crash (two if
 * Temporal's start-to-close timeout fires while an attempt is still talking to SMTP; the mailer's
 * timeouts keep an attempt well under a minute, keep the activity timeout above that). SMTP has no
 * way to ask "did you already take this?", so this window cannot be closed from our side. What makes
 * it harmless: the resend carries the same Message-ID (derived from the key, messageIdFor), and
 * Message-ID is a message's identity — a receiver that deduplicates on it (Gmail keeps one copy per
 * Message-ID; mail clients and archives can drop or thread duplicates by it) shows the mail once,
 * and anyone comparing the two (the donor, the city's support desk) can see they are one message.
 */
export function createMailActivities({ orm, mailer, config }: MailActivityDeps) {
  const knex = () => orm.em.getKnex();

  return {
    async sendMail(input: SendMailInput): Promise<SendMailResult> {
      if (!input?.key) throw ApplicationFailure.create({ type: 'MailInputError', message: 'sendMail needs a key', nonRetryable: true });

      let rendered: { subject: string; body: string };
      try {
        rendered = renderMail(input.template, input.data as MailTemplateData[typeof input.template]);
      } catch (err) {
        if (err instanceof MailTemplateError || err instanceof RangeError) {
          throw ApplicationFailure.create({ type: 'MailTemplateError', message: err.message, nonRetryable: true });
        }
        throw err;
      }

      const to = input.to?.trim() ?? '';
      const usable = ADDRESS.test(to);
      const initial: MailStatus = !usable ? 'skipped_no_address' : isMaskedAddress(to, config.mail.maskedDomains) ? 'skipped_masked' : 'sending';
      const messageId = messageIdFor(input.key, config.mail.from);

      let inserted: { status: MailStatus }[];
      try {
        inserted = await insertMailLogEntry(knex(), {
          key: input.key,
          template: input.template,
          recipient: to || null,
          subject: rendered.subject,
          donationId: input.donationId ?? null,
          shipmentId: input.shipmentId ?? null,
          status: initial,
          response: initial === 'skipped_no_address' ? (to ? 'not a single email address' : 'no email address') : initial === 'skipped_masked' ? 'masked portal relay address' : null,
          messageId: initial === 'sending' ? messageId : null,
        });
      } catch (err) {
        if (err instanceof ForeignKeyConstraintViolationException || (err as { code?: string }).code === '23503') {
          throw ApplicationFailure.create({ type: 'DonationNotFoundError', message: `donation ${input.donationId} is not in the ledger`, nonRetryable: true });
        }
        throw err;
      }

      if (inserted.length === 0) {
        const existing = await findMailLogEntry(knex(), input.key);
        if (!existing) throw new Error(`mail_log row ${input.key} vanished between insert and read`);
        if (isFinal(existing.status)) {
          return existing.message_id ? { status: existing.status, messageId: existing.message_id } : { status: existing.status };
        }
        // `sending`: an earlier attempt did not finish; this one sends (the same Message-ID).
        if (initial !== 'sending') {
          await finishMailLogEntry(knex(), input.key, initial, 'address no longer usable on retry');
          return { status: initial };
        }
      } else if (initial !== 'sending') {
        return { status: initial };
      }

      // Throws on transient failures: the row stays `sending` and Temporal retries.
      const result = await mailer.send({
        to,
        subject: rendered.subject,
        text: rendered.body,
        messageId,
        attachments: input.attachments?.map(toAttachment),
      });
      const status: FinalMailStatus = result.outcome === 'sent' ? 'sent' : 'rejected';
      await finishMailLogEntry(knex(), input.key, status, result.response || null);
      return { status, messageId };
    },
  };
}

export type MailActivities = ReturnType<typeof createMailActivities>;
