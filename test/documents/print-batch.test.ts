import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { Donation, DonationEvent } from '../../ledger/entities';
import { registerDonation, type NewDonation } from '../../ledger/donations';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { statusQuery } from '../../workflows/donation/definitions';
import { printBatchWorkflow } from '../../workflows';
import { batchPostedSignal, printBatchStatusQuery } from '../../workflows/documents/definitions';
import { isClosedDay } from '../../domain/intake/business-days';
import { nextPrintDay } from '../../domain/deadlines';
import { addDays, jstDate } from '../../domain/jst';
import { apiSuite, type TestApi } from '../support/api';
import { eventually, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';
import { pdfPageTexts } from '../support/pdf';
import { maybeCaptureHistory } from '../support/histories';

let ctx: SuiteContext;
let operator: TestApi;

beforeAll(async () => {
  ({ ctx, api: operator } = await apiSuite('print', { worker: true, env: { DOCS_RETURN_WINDOW_DAYS: '30' } }));
});

afterAll(async () => {
  await operator?.close();
});

async function donation(overrides: Partial<NewDonation>) {
  const { donation } = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix, overrides), 'operator:test');
  const handle = await ensureDonationWorkflow(ctx.client, donation, ctx.config);
  return { donation, handle };
}

const ledger = (id: string) => ctx.orm.em.fork().findOneOrFail(Donation, { id }, { populate: ['donor'] });
const api = (method: 'GET' | 'POST', url: string, payload?: object) => (method === 'GET' ? operator.get(url) : operator.post(url, payload));

/** Starts an on-demand batch for these donations and waits until the printer has it. */
async function batchFor(ids: string[]) {
  const started = await api('POST', '/print-batches', { donationIds: ids });
  expect(started.statusCode).toBe(202);
  const { batchId } = started.json();
  const view = await eventually(() => api('GET', `/print-batches/${batchId}`), (r) => r.json().batch?.status === 'handed_off', 60_000);
  return { batchId, view: view.json() };
}

async function post(batchId: string) {
  expect((await api('POST', `/print-batches/${batchId}/posted`, { postedAt: new Date().toISOString() })).statusCode).toBe(202);
  await eventually(() => api('GET', `/print-batches/${batchId}`), (r) => r.json().workflow?.status === 'notified', 30_000);
}

function readManifest(batchId: string) {
  const text = fs.readFileSync(path.join(ctx.config.documents.dropDir, batchId, 'manifest.csv'), 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  const [header, ...rows] = text.slice(1).trim().split('\r\n').map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

test('a batch runs from paid donations to documents sent: merged PDF and manifest to the printer, sent only once posted', async () => {
  const early = await donation({ paymentMethod: 'credit_card', paidAt: new Date(Date.now() - 5 * 86_400_000).toISOString(), wantsOneStop: false });
  const late = await donation({ paymentMethod: 'credit_card', paidAt: new Date(Date.now() - 86_400_000).toISOString(), wantsOneStop: true });
  const transfer = await donation({ paymentMethod: 'postal_transfer', wantsOneStop: false });
  await eventually(() => ledger(late.donation.id), (d) => d.status === 'documents_due');
  await eventually(() => ledger(early.donation.id), (d) => d.status === 'documents_due');
  await eventually(() => ledger(transfer.donation.id), (d) => d.status === 'awaiting_payment');

  const { batchId, view } = await batchFor([late.donation.id, early.donation.id, transfer.donation.id]);
  // Earliest deadline first, then the payment forms.
  expect(view.items.map((i: { donationId: string }) => i.donationId)).toEqual([early.donation.id, late.donation.id, transfer.donation.id]);
  expect(view.items.map((i: { reason: string }) => i.reason)).toEqual(['initial', 'initial', 'payment_form']);
  expect(view.batch).toMatchObject({ envelopes: 3, documents: 8, pages: 8 });

  const drop = path.join(ctx.config.documents.dropDir, batchId);
  expect(fs.existsSync(path.join(drop, 'READY'))).toBe(true);
  const pdf = fs.readFileSync(path.join(drop, 'batch.pdf'));
  expect((await PDFDocument.load(pdf)).getPageCount()).toBe(8);
  const manifest = readManifest(batchId);
  expect(manifest.map((m) => [m.portal_order_id, m.page_from, m.page_to, m.envelope])).toEqual([
    [early.donation.portalOrderId, '1', '2', '長3窓付'],
    [late.donation.portalOrderId, '3', '7', '長3窓付'],
    [transfer.donation.portalOrderId, '8', '8', '長3窓付'],
  ]);
  expect(manifest[1].documents).toBe('お礼状・寄附金受領証明書・申告特例申請書・申告特例申請書 記載例・返信用封筒');
  const pages = await pdfPageTexts(pdf);
  expect(pages[1]).toContain(manifest[0].receipt_number);
  expect(pages[3]).toContain(manifest[1].receipt_number);
  expect(pages[4]).toContain('申告特例申請書');
  expect(pages[7]).toContain('払込取扱票');
  expect(pages[0]).toContain('山田 花子 様');
  // The manifest is for stuffing envelopes: order numbers and pages, no names or addresses.
  expect(fs.readFileSync(path.join(drop, 'manifest.csv'), 'utf8')).not.toMatch(/山田|千代田/);

  // Handed off is not posted: the donations still wait.
  expect((await ledger(early.donation.id)).status).toBe('documents_due');

  await post(batchId);
  for (const d of [early, late]) {
    const row = await eventually(() => ledger(d.donation.id), (r) => r.status === 'documents_sent');
    expect(row.documentsSentAt).toBeInstanceOf(Date);
  }
  expect((await ledger(transfer.donation.id)).postalTransferFormSentAt).toBeInstanceOf(Date);
  const posted = await ctx.orm.em.fork().find(DonationEvent, { donation: early.donation.id, kind: 'documents_posted' });
  expect(posted).toHaveLength(1);
  expect(posted[0].after).toMatchObject({ batchId, receiptNumber: manifest[0].receipt_number });
  const receipts = (await api('GET', `/donations/${early.donation.id}/receipts`)).json().receipts;
  expect(receipts).toEqual([expect.objectContaining({ number: manifest[0].receipt_number, issue: 1, reissue: false, postedAt: expect.any(String) })]);

  // A second batch finds nothing more for these donations.
  const again = await api('POST', '/print-batches', { donationIds: [early.donation.id, late.donation.id, transfer.donation.id] });
  const empty = await eventually(() => ctx.client.workflow.getHandle(`print-batch/${again.json().batchId}`).result(), () => true);
  expect(empty.status).toBe('empty');
});

test('returned mail: the donation waits for a confirmed address, then the whole packet is re-issued in the next batch; every round is logged', async () => {
  const { donation: d, handle } = await donation({ paymentMethod: 'credit_card', paidAt: new Date().toISOString(), wantsOneStop: true });
  await eventually(() => ledger(d.id), (r) => r.status === 'documents_due');
  const first = await batchFor([d.id]);
  await post(first.batchId);
  await eventually(() => handle.query(statusQuery), (s) => s.status === 'documents_sent');

  expect((await api('POST', `/donations/${d.id}/address-confirmation`, { reason: 'too early', changes: {} })).statusCode).toBe(409);
  expect((await api('POST', `/donations/${d.id}/returned-mail`, { reason: '宛所尋ねあたりません' })).statusCode).toBe(202);
  await eventually(() => ledger(d.id), (r) => r.status === 'mail_returned');
  expect((await ledger(d.id)).returnedMailCount).toBe(1);

  const confirmed = await api('POST', `/donations/${d.id}/address-confirmation`, { reason: '電話で転居先を確認', changes: { postalCode: '150-0002', prefecture: '東京都', address: '渋谷区渋谷2-24-12' } });
  expect(confirmed.statusCode).toBe(200);
  await eventually(() => ledger(d.id), (r) => r.status === 'documents_due');

  const second = await batchFor([d.id]);
  expect(second.view.items).toEqual([expect.objectContaining({ reason: 'returned_mail', documents: ['thank_you_letter', 'donation_receipt', 'onestop_form', 'onestop_example', 'return_envelope'] })]);
  const receiptNumber = second.view.items[0].receiptNumber;
  expect(receiptNumber).toBe(`${first.view.items[0].receiptNumber}-2`);
  const pages = await pdfPageTexts(fs.readFileSync(path.join(ctx.config.documents.dropDir, second.batchId, 'batch.pdf')));
  expect(pages[0]).toContain('渋谷区渋谷2-24-12');
  expect(pages[1]).toContain(receiptNumber);

  await post(second.batchId);
  await eventually(() => ledger(d.id), (r) => r.status === 'documents_sent');
  const log = (await api('GET', `/donations/${d.id}/events`)).json().events;
  expect(log.map((e: { kind: string; toStatus: string | null }) => (e.kind === 'transition' ? e.toStatus : e.kind))).toEqual([
    'created', 'paid', 'documents_due', 'documents_posted', 'documents_sent', 'mail_returned', 'donor_correction', 'documents_due', 'documents_posted', 'documents_sent',
  ]);
  expect(log.find((e: { toStatus: string }) => e.toStatus === 'mail_returned')).toMatchObject({ actor: 'operator:tanaka', reason: '宛所尋ねあたりません' });
  await maybeCaptureHistory(ctx.client, 'donation-v5-returned-mail', d.workflowId);
  await maybeCaptureHistory(ctx.client, 'print-batch-v1-returned-mail', `print-batch/${second.batchId}`);
});

test('an operator reissues a receipt: numbered, marked 再発行, printed in the next batch; one pending reissue at a time', async () => {
  const { donation: d } = await donation({ paymentMethod: 'credit_card', paidAt: new Date().toISOString() });
  expect((await api('POST', `/donations/${d.id}/receipts/reissue`, { reason: '紛失' })).statusCode).toBe(409);
  await eventually(() => ledger(d.id), (r) => r.status === 'documents_due');
  const first = await batchFor([d.id]);
  await post(first.batchId);

  const reissue = await api('POST', `/donations/${d.id}/receipts/reissue`, { reason: '紛失のため再発行' });
  expect(reissue.statusCode).toBe(201);
  expect(reissue.json()).toEqual({ receiptNumber: `${first.view.items[0].receiptNumber}-2`, issue: 2 });
  expect((await api('POST', `/donations/${d.id}/receipts/reissue`, { reason: 'twice' })).statusCode).toBe(409);

  const second = await batchFor([d.id]);
  expect(second.view.items).toEqual([expect.objectContaining({ reason: 'reissue', receiptNumber: reissue.json().receiptNumber, documents: ['thank_you_letter', 'donation_receipt'] })]);
  const [letter, receipt] = await pdfPageTexts(fs.readFileSync(path.join(ctx.config.documents.dropDir, second.batchId, 'batch.pdf')));
  expect(letter).toContain('再発行');
  expect(receipt).toContain(reissue.json().receiptNumber);
  await post(second.batchId);
  const receipts = (await api('GET', `/donations/${d.id}/receipts`)).json().receipts;
  expect(receipts.map((r: { issue: number; reason: string; postedAt: string | null }) => [r.issue, r.reason, r.postedAt !== null])).toEqual([
    [1, 'initial', true],
    [2, 'reissue', true],
  ]);
});

test('a scheduled batch skips the days the city is closed unless the city asked for batches on closed days, or a document due cannot wait for the next print day (DOCS-1)', async () => {
  const { donation: d } = await donation({ paymentMethod: 'credit_card', paidAt: new Date().toISOString() });
  const { donation: late } = await donation({ paymentMethod: 'credit_card', paidAt: new Date().toISOString() });
  await eventually(() => ledger(d.id), (r) => r.status === 'documents_due');
  await eventually(() => ledger(late.id), (r) => r.status === 'documents_due');
  const dueOn = (await ledger(d.id)).documentsDueOn!;
  const firstClosedFrom = (from: string) => {
    let day = from;
    while (!isClosedDay(day)) day = addDays(day, 1);
    return day;
  };
  // Days relative to the deadline, so every case runs whatever today is: a closed day whose next print day
  // comes before the deadline (the document can wait), and one on or after the deadline (it cannot).
  const CLOSED = firstClosedFrom(addDays(jstDate(new Date()), 1));
  const CLOSED_TOO_LATE = firstClosedFrom(dueOn);
  const OPEN = '2026-11-20'; // a Friday
  expect(nextPrintDay(CLOSED) <= dueOn).toBe(true);
  expect(isClosedDay(OPEN)).toBe(false);
  const run = (on: string, runOnClosedDays: boolean, ids: string[]) =>
    ctx.client.workflow.start(printBatchWorkflow, {
      taskQueue: ctx.taskQueue,
      workflowId: `print-batch/test-${randomUUID()}`,
      args: [{ kind: 'scheduled', requestedBy: 'system:schedule', donationIds: ids, maxEnvelopes: 10, runOnClosedDays, on }],
    });
  expect((await (await run(CLOSED, false, [d.id])).result()).status).toBe('skipped_closed_day');
  // Year-end mode: the batch runs on the closed day and takes the envelope the skipped run left.
  const yearEnd = await run(CLOSED, true, [d.id]);
  const view = await eventually(() => yearEnd.query(printBatchStatusQuery), (v) => v.status === 'handed_off');
  expect(view.envelopes).toBe(1);
  await yearEnd.signal(batchPostedSignal, { actor: 'printer:test', postedAt: new Date().toISOString() });
  expect((await yearEnd.result()).status).toBe('notified');
  // On an open day the ordinary run is not skipped: it collects, and finds nothing left.
  expect((await (await run(OPEN, false, [d.id])).result()).status).toBe('empty');
  // A closed day on or after a document's deadline: it cannot wait for the next print day, so the run happens.
  const forced = await run(CLOSED_TOO_LATE, false, [late.id]);
  const forcedView = await eventually(() => forced.query(printBatchStatusQuery), (v) => v.status === 'handed_off');
  expect(forcedView).toMatchObject({ closedDayRun: true, envelopes: 1 });
  await forced.signal(batchPostedSignal, { actor: 'printer:test', postedAt: new Date().toISOString() });
  expect((await forced.result()).status).toBe('notified');
});
