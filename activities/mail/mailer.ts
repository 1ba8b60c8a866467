import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';

/**
 * Outgoing email over SMTP. The mailer never logs: recipients are personal data
 * and are kept only in the ledger's mail_log (see send-mail.ts).
 */

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  /** Plain text only: portal relay addresses and many donors' clients strip HTML. */
  text: string;
  /** `<…@domain>`, deterministic per idempotency key (messageIdFor), the same on every attempt. */
  messageId: string;
  attachments?: MailAttachment[];
}

export type SendResult =
  | { outcome: 'sent'; messageId: string; response: string }
  /** The server refused the recipient or the message for good (5xx on RCPT TO or DATA): a bounce, not a failure to retry. */
  | { outcome: 'rejected'; messageId: string; response: string; responseCode?: number };

export interface Mailer {
  /** Resolves when the server accepted or permanently refused the mail; throws MailTransientError when it is worth trying again. */
  send(m: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}

/** 4xx replies, refused or dropped connections, timeouts, authentication: Temporal retries the activity with backoff. */
export class MailTransientError extends Error {
  override name = 'MailTransientError';
  constructor(
    message: string,
    readonly code?: string,
    readonly responseCode?: number,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The address part of a From value such as `柳川市ふるさと納税 <furusato@city.yanagawa.example>`. */
export function senderAddress(from: string): string {
  const [first] = addressparser(from, { flatten: true });
  if (!first?.address) throw new Error(`not an email address: ${from}`);
  return first.address;
}

/**
 * The Message-ID for an idempotency key: the same key gives the same header on every attempt, so
 * a receiver (or a person) can tell a resend after a crash from a second mail. The key is hashed:
 * keys carry donation IDs and characters a Message-ID may not contain.
 */
export function messageIdFor(key: string, from: string): string {
  const domain = senderAddress(from).split('@').pop()!.toLowerCase();
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40);
  return `<${hash}.furusato@${domain}>`;
}

/** Replaces the recipient's address in server text (e.g. "550 5.1.1 <taro@…>: unknown user") so it does not travel into Temporal or logs. */
export function redactAddress(text: string, address: string): string {
  if (!address) return text;
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(escaped, 'gi'), '<recipient>');
}

/**
 * A permanent refusal of this recipient or message: a 5xx reply (not 503, a sequencing error) to
 * RCPT TO or to DATA (before or after the message text). 5xx to MAIL FROM or AUTH is our own
 * configuration and is not treated as a bounce.
 */
export function isPermanentRejection(err: NodemailerError): boolean {
  const code = err.responseCode;
  const permanent = err.permanent ?? (typeof code === 'number' && code >= 500 && code < 600 && code !== 503);
  return permanent === true && (err.command === 'RCPT TO' || err.command === 'DATA');
}

export interface SmtpMailerOptions {
  /** smtp://user:pass@host:587 or smtps://…:465 */
  url: string;
  from: string;
  maxConnections?: number;
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** Nodemailer's pooled SMTP transport; nodemailer itself never retries a message (Temporal does). */
export class SmtpMailer implements Mailer {
  private readonly transport;
  private readonly envelopeFrom: string;

  constructor(private readonly opts: SmtpMailerOptions) {
    this.envelopeFrom = senderAddress(opts.from);
    this.transport = nodemailer.createTransport({
      url: opts.url,
      pool: true,
      maxConnections: opts.maxConnections ?? 3,
      maxMessages: 100,
      // A message whose connection closed mid-send fails at once: the activity's retry (with the same
      // Message-ID) is the one place that decides to try again, and it records that it did.
      maxRequeues: 0,
      connectionTimeout: opts.connectionTimeoutMs ?? 10_000,
      greetingTimeout: opts.connectionTimeoutMs ?? 10_000,
      socketTimeout: opts.socketTimeoutMs ?? 60_000,
      // Attachments are Buffers we made; never let a message make the mailer read files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      debug: false,
    });
  }

  async send(m: OutgoingMail): Promise<SendResult> {
    try {
      const info = await this.transport.sendMail({
        from: this.opts.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: m.messageId,
        envelope: { from: this.envelopeFrom, to: [m.to] },
        // RFC 3834: notices are machine-sent; auto-responders should not answer them.
        headers: { 'Auto-Submitted': 'auto-generated' },
        attachments: m.attachments?.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
      const rejected = (info.rejected ?? []).length > 0;
      if (rejected) {
        // Only one recipient: nodemailer reports its refusal as an error, so this is defensive.
        return { outcome: 'rejected', messageId: m.messageId, response: redactAddress(String(info.response ?? 'rejected'), m.to) };
      }
      return { outcome: 'sent', messageId: m.messageId, response: redactAddress(String(info.response ?? ''), m.to) };
    } catch (e) {
      const err = e as NodemailerError;
      if (isPermanentRejection(err)) {
        return { outcome: 'rejected', messageId: m.messageId, response: redactAddress(err.response ?? err.message, m.to), responseCode: err.responseCode };
      }
      const code = err.code ?? 'UNKNOWN';
      const detail = err.originalCode && err.originalCode !== code ? `${code}/${err.originalCode}` : code;
      throw new MailTransientError(
        `SMTP send failed (${detail}${err.command ? ` on ${err.command}` : ''}): ${redactAddress(err.message ?? String(e), m.to)}`,
        err.code,
        err.responseCode,
        err.command,
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** Used when nothing can carry mail (production without SMTP_URL): every send fails with a message that says why, and is retried. */
export class UnconfiguredMailer implements Mailer {
  constructor(private readonly reason: string) {}
  async send(): Promise<SendResult> {
    throw new MailTransientError(this.reason, 'ECONFIG');
  }
  async close(): Promise<void> {}
}
