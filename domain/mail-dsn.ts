/**
 * DOCS-5: a delivery status notification (RFC 3464: multipart/report; report-type=delivery-status)
 * as far as we need it — the failed message's Message-ID (from its returned headers), the per-recipient
 * Action and Status. Anything else is not a DSN. The report's parts are plain 7-bit text (RFC 3464 §2.1),
 * so they are read from the raw message by its boundary.
 */
export interface Dsn {
  originalMessageId?: string;
  action?: string;
  status?: string;
  /** A permanent failure (Action failed, Status 5.x.x): the message will not arrive. */
  permanentFailure: boolean;
}

const field = (text: string, name: string) => new RegExp(`^${name}:[ \\t]*(.+)$`, 'mi').exec(text)?.[1].trim();

/** Header block and body of a MIME entity (CRLF or LF line ends). */
function split(entity: string): { headers: string; body: string } {
  const m = /\r?\n\r?\n/.exec(entity);
  const headers = m ? entity.slice(0, m.index) : entity;
  return { headers: headers.replace(/\r?\n[ \t]+/g, ' '), body: m ? entity.slice(m.index + m[0].length) : '' };
}

export function parseDsn(raw: Buffer): Dsn | undefined {
  const { headers, body } = split(raw.toString('latin1'));
  const type = field(headers, 'Content-Type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\/report/i.test(type) || !/report-type="?delivery-status"?/i.test(type) || !boundary) return undefined;
  const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--')).map((p) => split(p.replace(/^\r?\n/, '')));
  const report = parts.find((p) => /^message\/(global-)?delivery-status/i.test(field(p.headers, 'Content-Type') ?? ''));
  if (!report) return undefined;
  const returned = parts.find((p) => /^(text\/rfc822-headers|message\/rfc822|message\/global-headers)/i.test(field(p.headers, 'Content-Type') ?? ''));
  const originalMessageId = returned ? field(returned.body, 'Message-ID') : undefined;
  const action = field(report.body, 'Action')?.toLowerCase();
  const status = field(report.body, 'Status')?.match(/^\d\.\d{1,3}\.\d{1,3}/)?.[0];
  return { originalMessageId, action, status, permanentFailure: action === 'failed' && !!status && status.startsWith('5.') };
}
