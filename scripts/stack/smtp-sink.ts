import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * A development and test SMTP server that delivers nowhere: every message it
 * accepts is kept in memory and, when `dir` is given, written there as .eml
 * (open it with any mail client). Plain SMTP on 127.0.0.1 only: no AUTH, no TLS.
 */

export interface ReceivedMail {
  envelope: { mailFrom: string; rcptTo: string[] };
  /** Shorthands: the envelope recipients, and the decoded subject, text, Message-ID and attachments. */
  to: string[];
  subject: string;
  text: string;
  messageId?: string;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
  raw: Buffer;
  parsed: ParsedMail;
  receivedAt: Date;
  /** Where the .eml was written, when the sink has a dir. */
  file?: string;
}

export interface SmtpSinkOptions {
  /** 0 = any free port (see `port` on the result). */
  port: number;
  host?: string;
  dir?: string;
  /** RCPT TO addresses answered with 550 (a permanent bounce). */
  rejectRecipients?: RegExp;
  /** RCPT TO addresses answered with 451 (try again later). */
  deferRecipients?: RegExp;
}

export interface SmtpSink {
  host: string;
  port: number;
  /** smtp://127.0.0.1:<port> */
  url: string;
  messages(): ReceivedMail[];
  clear(): void;
  setRejectRecipients(pattern?: RegExp): void;
  setDeferRecipients(pattern?: RegExp): void;
  stop(): Promise<void>;
}

function matches(pattern: RegExp | undefined, address: string): boolean {
  if (!pattern) return false;
  pattern.lastIndex = 0; // a /g pattern keeps state between test() calls
  return pattern.test(address);
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('error', reject);
    stream.once('end', () => resolve(Buffer.concat(chunks)));
  });
}

export async function startSmtpSink(opts: SmtpSinkOptions): Promise<SmtpSink> {
  const host = opts.host ?? '127.0.0.1';
  let rejectRecipients = opts.rejectRecipients;
  let deferRecipients = opts.deferRecipients;
  let received: ReceivedMail[] = [];
  let seq = 0;
  if (opts.dir) fs.mkdirSync(opts.dir, { recursive: true });

  const server = new SMTPServer({
    name: 'furusato-smtp-sink',
    banner: 'furusato-ops development mail sink (nothing is delivered)',
    secure: false,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    size: 25 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (matches(rejectRecipients, address.address)) return callback(smtpError('5.1.1 Mailbox unavailable (sink: rejectRecipients)', 550));
      if (matches(deferRecipients, address.address)) return callback(smtpError('4.2.0 Try again later (sink: deferRecipients)', 451));
      callback();
    },
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) return callback(smtpError('5.3.4 Message too big', 552));
          const parsed = await simpleParser(raw);
          const receivedAt = new Date();
          const rcptTo = session.envelope.rcptTo.map((r) => r.address);
          const mail: ReceivedMail = {
            envelope: { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo },
            to: rcptTo,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId,
            attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
            raw,
            parsed,
            receivedAt,
          };
          if (opts.dir) {
            seq += 1;
            const stamp = receivedAt.toISOString().replace(/[-:.]/g, '');
            mail.file = path.join(opts.dir, `${stamp}-${process.pid}-${String(seq).padStart(4, '0')}.eml`);
            await fs.promises.writeFile(mail.file, raw);
          }
          // Kept before the 250 goes out: when the client's send resolves, messages() has it.
          received.push(mail);
          callback(null, 'Queued in the development sink (not delivered)');
        })
        .catch((err: Error) => callback(smtpError(`4.3.0 Sink could not store the message: ${err.message}`, 451)));
    },
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // Later socket errors (a client vanishing mid-session) must not crash the process.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    messages: () => [...received],
    clear: () => {
      received = [];
    },
    setRejectRecipients: (pattern) => {
      rejectRecipients = pattern;
    },
    setDeferRecipients: (pattern) => {
      deferRecipients = pattern;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
