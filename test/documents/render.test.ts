import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { DocumentRenderer, defaultTemplatesDir, type PacketData } from '../../activities/documents/renderer';
import { receiptPacket } from '../../domain/documents';
import { renderMail } from '../../activities/mail/render';
import { pdfPageTexts } from '../support/pdf';

let renderer: DocumentRenderer;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-test-'));

beforeAll(async () => {
  renderer = await DocumentRenderer.launch({ templatesDir: defaultTemplatesDir(), chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
});

afterAll(async () => {
  await renderer?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

function packet(overrides: Partial<PacketData> = {}): PacketData {
  return {
    donationId: 'd-1',
    portalName: 'ふるさとチョイス',
    portalOrderId: 'CH-20261201-0001',
    donor: { name: '髙橋 𠮷郎', nameKana: 'タカハシ キチロウ', postalCode: '160-0023', prefecture: '東京都', address: '新宿区西新宿2-8-1', phone: '03-5321-1111' },
    amountYen: 35_000,
    receivedAt: '2026-12-01T03:00:00.000Z',
    wantsOneStop: false,
    disasterRelief: false,
    receiptNumber: 'R2026-000042',
    issue: 1,
    documents: receiptPacket(false, 'initial'),
    ...overrides,
  };
}

test('letter and receipt: two pages stating receipt, amount, date of receipt, donor, city and mayor, receipt number', async () => {
  const pdf = await renderer.render([packet()], workDir);
  const pages = await pdfPageTexts(pdf);
  expect(pages).toHaveLength(2);
  const [letter, receipt] = pages;
  expect(letter).toContain('お礼状');
  expect(letter).toContain('〒160-0023');
  expect(letter).toContain('髙橋');
  // 𠮷 lies outside the BMP; pdf.js 1.x (inside pdf-parse) folds it to U+0BB7 when extracting, so the check is on the code point's low half.
  expect(letter).toMatch(/髙橋 (𠮷|\u0BB7)郎 様/);
  for (const phrase of ['寄附金受領証明書', 'R2026-000042', '35,000円', '令和8年12月1日', '東京都新宿区西新宿2-8-1', '受領いたしました', '柳川市長']) expect(receipt).toContain(phrase);
  expect(receipt).not.toContain('災害支援');
});

test('one-stop donors also get the application form (without 性別, 個人番号 blank), the example and the return envelope', async () => {
  const pdf = await renderer.render([packet({ wantsOneStop: true, documents: receiptPacket(true, 'initial') })], workDir);
  const pages = await pdfPageTexts(pdf);
  expect(pages).toHaveLength(5);
  const [, , form, example, envelope] = pages;
  expect(form).toContain('申告特例申請書');
  expect(form).toContain('タカハシ キチロウ');
  expect(form).toContain('令和8年12月1日');
  expect(form).toContain('35,000円');
  expect(form).not.toContain('性別');
  expect(form).not.toMatch(/\d{12}/);
  expect(example).toContain('記載例');
  expect(envelope).toContain('ワンストップ特例申請受付センター');
  expect(envelope.replace(/\s/g, '')).toContain('〒832-8601');
});

test('the return envelope prints the inquiry contact from city.json (DOCS-3, spec 7(11)ア)', async () => {
  const { inquiry } = JSON.parse(fs.readFileSync(path.join(defaultTemplatesDir(), 'city.json'), 'utf8'));
  for (const key of ['name', 'phone', 'fax', 'email', 'hours']) expect(typeof inquiry[key] === 'string' && inquiry[key].length > 0).toBe(true);
  const pdf = await renderer.render([packet({ wantsOneStop: true, documents: ['return_envelope'] })], workDir);
  const [envelope] = await pdfPageTexts(pdf);
  const flat = envelope.replace(/\s/g, '');
  expect(flat).toContain('お問い合わせ先');
  for (const value of [inquiry.name, `電話${inquiry.phone}`, `FAX${inquiry.fax}`, `メール${inquiry.email}`, inquiry.hours]) expect(flat).toContain(value.replace(/\s/g, ''));
  // Still the one-stop address and its note: the contact is added, nothing replaced.
  expect(flat).toContain('ワンストップ特例申請受付センター');
  expect(flat).toContain('ワンストップ特例申請書在中');
});

test('disaster-relief donations use their own wording', async () => {
  const [, receipt] = await pdfPageTexts(await renderer.render([packet({ disasterRelief: true })], workDir));
  expect(receipt).toContain('災害支援のための寄附金');
});

test('a reissued receipt is marked 再発行 and numbered', async () => {
  const [letter, receipt] = await pdfPageTexts(await renderer.render([packet({ issue: 2, receiptNumber: 'R2026-000042-2', documents: receiptPacket(true, 'reissue') })], workDir));
  expect(letter).toContain('再発行');
  expect(receipt).toContain('R2026-000042-2');
  expect(receipt).toContain('第2回発行');
});

test('postal transfer form and acceptance notice render with the donor and amount', async () => {
  const pages = await pdfPageTexts(
    await renderer.render([packet({ documents: ['postal_transfer_form', 'onestop_accepted_notice'], applicationArrivedOn: '2026-12-20' })], workDir),
  );
  expect(pages[0]).toContain('払込取扱票');
  expect(pages[0]).toContain('35,000円');
  expect(pages[1]).toContain('受付済み通知');
  expect(pages[1]).toContain('令和8年12月20日');
});

test('several packets come out as one PDF in order, one page per document', async () => {
  const packets = [packet(), packet({ portalOrderId: 'CH-2', wantsOneStop: true, documents: receiptPacket(true, 'initial') }), packet({ portalOrderId: 'CH-3' })];
  const pdf = await renderer.render(packets, workDir);
  expect((await PDFDocument.load(pdf)).getPageCount()).toBe(9);
  const pages = await pdfPageTexts(pdf);
  expect(pages[2]).toContain('CH-2');
  expect(pages[7]).toContain('CH-3');
});

test('the 受付済み通知 also exists as a plain-text email with subject, donor, amount and dates', () => {
  const mail = renderMail('onestop-accepted-notice', packet({ donor: { ...packet().donor, name: '髙橋 & 花子' }, applicationArrivedOn: '2026-12-20' }));
  expect(mail.subject).toBe('【柳川市】ワンストップ特例申請書 受付のお知らせ');
  expect(mail.body).toContain('髙橋 & 花子 様');
  expect(mail.body).toContain('35,000円');
  expect(mail.body).toContain('令和8年12月1日');
  expect(mail.body).toContain('令和8年12月20日');
  expect(mail.body).toContain('CH-20261201-0001');
});

test('the one-stop follow-up notices (DOCS-5) are one page each, naming what is missing, the deadline and the tax return', async () => {
  const findings = [{ code: 'identity_document_missing', field: 'attachments' }, { code: 'amount_mismatch', field: 'amountYen' }, { code: 'some_future_rule', field: 'donationDate' }];
  const notice = { deadlineOn: '2027-01-12', findings };
  const documents = ['onestop_deficiency_notice', 'onestop_reminder_notice', 'onestop_late_rejection_notice', 'onestop_closed_deficient_notice'] as const;
  const pdf = await renderer.render(
    documents.map((d) => packet({ documents: [d], applicationArrivedOn: '2027-01-13', notice: d === 'onestop_late_rejection_notice' ? { ...notice, findings: [{ code: 'arrived_after_deadline', field: 'arrivedOn' }] } : notice })),
    workDir,
  );
  expect((await PDFDocument.load(pdf)).getPageCount()).toBe(4);
  const [deficiency, reminder, late, closed] = await pdfPageTexts(pdf);
  for (const page of [deficiency, reminder, late, closed]) {
    expect(page).toMatch(/髙橋 (𠮷|\u0BB7)郎 様/);
    expect(page).toContain('〒160-0023');
    expect(page).toContain('35,000円');
  }
  for (const page of [deficiency, reminder, closed]) {
    expect(page).toContain('本人確認書類の写しが添付されていません');
    expect(page).toContain('寄附金額が寄附金受領証明書の金額と一致しません');
    // A code without its own wording still names the field, never a value.
    expect(page).toContain('不備があります（寄附年月日）');
  }
  expect(deficiency).toContain('令和9年1月12日(火) 必着');
  expect(deficiency).toContain('ワンストップ特例申請受付センター');
  expect(reminder).toContain('まだ書類が届いておりません');
  expect(late).toContain('令和9年1月13日');
  expect(late).toContain('令和8年分の確定申告');
  expect(closed).toContain('令和8年分の確定申告');
});

test('a render given a chunk folder keeps each chunk; a retried render takes the kept chunks instead of printing them again, with the first attempt\'s issue date', async () => {
  const chunkDir = path.join(workDir, 'chunks-2026-12-01');
  const packets = [packet(), packet({ portalOrderId: 'CH-2' })];
  const first = await renderer.render(packets, workDir, undefined, { issuedOn: '2026-12-01', chunkDir });
  expect(fs.readdirSync(chunkDir)).toEqual(['chunk-0-2.pdf']);
  const printHtml = jest.spyOn(renderer, 'printHtml');
  try {
    const progress: number[] = [];
    const again = await renderer.render(packets, workDir, (done) => progress.push(done), { issuedOn: '2026-12-01', chunkDir });
    expect(printHtml).not.toHaveBeenCalled();
    expect(progress).toEqual([2]);
    const pages = await pdfPageTexts(again);
    expect(pages).toEqual(await pdfPageTexts(first));
    expect(pages[0]).toContain('令和8年12月1日');
    // A kept chunk that is not whole (a different page count) is printed again.
    fs.writeFileSync(path.join(chunkDir, 'chunk-0-2.pdf'), 'not a pdf');
    expect((await PDFDocument.load(await renderer.render(packets, workDir, undefined, { issuedOn: '2026-12-01', chunkDir }))).getPageCount()).toBe(4);
    expect(printHtml).toHaveBeenCalledTimes(1);
  } finally {
    printHtml.mockRestore();
  }
});
