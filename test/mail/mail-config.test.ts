import path from 'node:path';
import { DEFAULT_MAIL_FROM, loadConfig } from '../../config/env';
import { isMaskedAddress } from '../../activities/mail/send-mail';
import { isPermanentRejection, messageIdFor, redactAddress } from '../../activities/mail/mailer';
import { renderMail } from '../../activities/mail/render';

test('mail defaults: no SMTP_URL (npm start runs the sink on 2525), the city sender, Rakuten relay addresses masked', () => {
  const { mail, dataDir } = loadConfig({});
  expect(mail).toEqual({ smtpUrl: undefined, from: DEFAULT_MAIL_FROM, maskedDomains: ['pc.fw.rakuten.ne.jp'], sinkPort: 2525, dsnDir: path.join(dataDir, 'mail-dsn'), dsnCheckMinutes: 15 });
});

test('mail variables are read and validated', () => {
  const { mail } = loadConfig({ SMTP_URL: 'smtp://u:p@mail.example.jp:587', MAIL_FROM: 'Furusato <f@yanagawa.example.jp>', MAIL_MASKED_DOMAINS: ' @Relay.Example.jp, fw.rakuten.ne.jp ', SMTP_SINK_PORT: '2626', MAIL_DSN_DIR: '/srv/mail/dsn', MAIL_DSN_CHECK_MINUTES: '5' });
  expect(mail).toEqual({ smtpUrl: 'smtp://u:p@mail.example.jp:587', from: 'Furusato <f@yanagawa.example.jp>', maskedDomains: ['relay.example.jp', 'fw.rakuten.ne.jp'], sinkPort: 2626, dsnDir: '/srv/mail/dsn', dsnCheckMinutes: 5 });
  expect(loadConfig({ MAIL_MASKED_DOMAINS: '' }).mail.maskedDomains).toEqual([]);
});

test.each([
  [{ SMTP_URL: 'mail.example.jp:587' }, /SMTP_URL must/],
  [{ SMTP_URL: 'http://mail.example.jp' }, /SMTP_URL must start with smtp/],
  [{ MAIL_FROM: 'not an address' }, /MAIL_FROM must be one address/],
  [{ MAIL_FROM: 'a@example.jp, b@example.jp' }, /MAIL_FROM must be one address/],
  [{ MAIL_MASKED_DOMAINS: 'not a domain' }, /MAIL_MASKED_DOMAINS/],
  [{ SMTP_SINK_PORT: '0' }, /SMTP_SINK_PORT must be between/],
])('%j is refused with a message naming the variable', (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});

test('masked domains match the domain and its subdomains only', () => {
  const masked = ['pc.fw.rakuten.ne.jp'];
  expect(isMaskedAddress('x@pc.fw.rakuten.ne.jp', masked)).toBe(true);
  expect(isMaskedAddress('x@PC.FW.Rakuten.ne.jp', masked)).toBe(true);
  expect(isMaskedAddress('x@a.pc.fw.rakuten.ne.jp', masked)).toBe(true);
  expect(isMaskedAddress('x@notpc.fw.rakuten.ne.jp', masked)).toBe(false);
  expect(isMaskedAddress('pc.fw.rakuten.ne.jp@example.jp', masked)).toBe(false);
});

test('Message-IDs are stable per key, distinct across keys, and carry the sender domain', () => {
  const from = '柳川市 <furusato@city.yanagawa.example>';
  expect(messageIdFor('k/1', from)).toBe(messageIdFor('k/1', from));
  expect(messageIdFor('k/1', from)).not.toBe(messageIdFor('k/2', from));
  expect(messageIdFor('k/1', from)).toMatch(/^<[0-9a-f]{40}\.furusato@city\.yanagawa\.example>$/);
});

test('only a permanent reply to RCPT TO or DATA counts as a bounce', () => {
  expect(isPermanentRejection(Object.assign(new Error(), { responseCode: 550, command: 'RCPT TO', permanent: true }))).toBe(true);
  expect(isPermanentRejection(Object.assign(new Error(), { responseCode: 552, command: 'DATA' }))).toBe(true);
  expect(isPermanentRejection(Object.assign(new Error(), { responseCode: 503, command: 'RCPT TO' }))).toBe(false);
  expect(isPermanentRejection(Object.assign(new Error(), { responseCode: 451, command: 'RCPT TO', permanent: false }))).toBe(false);
  expect(isPermanentRejection(Object.assign(new Error(), { responseCode: 550, command: 'MAIL FROM', permanent: true }))).toBe(false);
  expect(isPermanentRejection(Object.assign(new Error(), { code: 'ESOCKET' }))).toBe(false);
  expect(redactAddress('550 5.1.1 <Taro@Example.jp>: unknown', 'taro@example.jp')).toBe('550 5.1.1 <<recipient>>: unknown');
});

test('the no-gift-resident mail explains SHIP-6 politely and keeps the donation', () => {
  const { subject, body } = renderMail('no-gift-resident', { donorName: '柳川 太郎', amountYen: 30_000, receivedOn: '2026-11-20T03:00:00.000Z' });
  expect(subject).toBe('【柳川市】ふるさと納税のご寄附と返礼品についてのお知らせ');
  for (const phrase of ['柳川 太郎 様', '総務省告示', '返礼品はお送りいたしかねます', '寄附金受領証明書', '30,000円', '令和8年11月20日']) expect(body).toContain(phrase);
  expect(body).not.toContain('受付番号');
});

test('pre-shipping mail: chilled note, no tracking yet, names on one line', () => {
  const { subject, body } = renderMail('pre-shipping', { donorName: '山田\n花子', giftName: 'あまおう\r\n1kg', plannedShipOn: '2027-01-15', supplierName: '柳川いちご園', temperature: 'chilled', deliveryNo: 1, deliveries: 3 });
  expect(subject).toBe('【柳川市ふるさと納税】返礼品発送のお知らせ（あまおう 1kg）');
  expect(body).toContain('山田 花子 様');
  expect(body).toContain('冷蔵便でのお届けです');
  expect(body).not.toContain('冷凍便');
  expect(body).toContain('定期便 全3回のうち第1回');
  expect(body).toContain('2027年1月15日(金)');
  expect(body).not.toContain('お問い合わせ番号  ');
});
