import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { warekiDate, yen } from '../../domain/documents';
import { jstDate } from '../../domain/jst';
import { defaultTemplatesDir, type CityConfig, type PacketData } from './renderer';

export interface MailText {
  subject: string;
  body: string;
}

/**
 * Email versions of notices (DOCS-5 受付済み通知 by email). Plain text: portal
 * relay addresses (楽天あんしんメルアド) and many donors' clients strip HTML.
 * The template's first line is "件名: …".
 */
export function renderMailNotice(name: 'onestop-accepted-notice', p: PacketData, templatesDir = defaultTemplatesDir()): MailText {
  const root = path.dirname(templatesDir);
  const city = JSON.parse(fs.readFileSync(path.join(templatesDir, 'city.json'), 'utf8')) as CityConfig;
  // Plain text: no HTML escaping of names such as 「髙橋 & Co.」.
  const template = Handlebars.compile(fs.readFileSync(path.join(root, 'mail', `${name}.txt.hbs`), 'utf8'), { noEscape: true });
  const text = template({
    city,
    donor: p.donor,
    amount: yen(p.amountYen),
    receivedOn: warekiDate(jstDate(new Date(p.receivedAt))),
    portalName: p.portalName,
    portalOrderId: p.portalOrderId,
    applicationArrivedOn: p.applicationArrivedOn ? warekiDate(p.applicationArrivedOn) : '',
  });
  const [first, ...rest] = text.split('\n');
  if (!first.startsWith('件名: ')) throw new Error(`mail template ${name} must start with "件名: "`);
  return { subject: first.slice('件名: '.length).trim(), body: rest.join('\n').replace(/^\n+/, '') };
}
