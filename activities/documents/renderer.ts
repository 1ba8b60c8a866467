import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Handlebars from 'handlebars';
import puppeteer, { type Browser } from 'puppeteer-core';
import { PDFDocument } from 'pdf-lib';
import { warekiDate, yen } from '../../domain/documents';
import { jstDate } from '../../domain/jst';
import type { DonorFields } from '../../domain/donor';
import { deficiencyItemText, taxYearLabel, warekiDateWithWeekday } from '../../domain/onestop/notices';
import { PRINTED_DOCUMENT_TITLES, type PrintedDocument } from '../../domain/printed-documents';

export { PRINTED_DOCUMENT_TITLES, type PrintedDocument } from '../../domain/printed-documents';

/** Everything a donor's documents print about one donation. No My Number: forms leave it blank. */
export interface PacketData {
  donationId: string;
  portalName: string;
  portalOrderId: string;
  donor: DonorFields;
  amountYen: number;
  /** The date of receipt: card → application date, transfer → transfer date (DOCS-1, research §3.1). */
  receivedAt: string;
  purpose?: string;
  wantsOneStop: boolean;
  disasterRelief: boolean;
  receiptNumber?: string;
  /** 1 for the first issue; 2.. for reissues, printed as 再発行. */
  issue: number;
  documents: PrintedDocument[];
  applicationArrivedOn?: string;
  /** One-stop notices other than 受付済み: the deadline and the findings they name (codes and fields, never values). */
  notice?: { deadlineOn: string; findings: { code: string; field?: string }[] };
}

export interface CityConfig {
  cityName: string;
  prefecture: string;
  mayorTitle: string;
  mayorName: string;
  postalCode: string;
  address: string;
  phone: string;
  department: string;
  onestopReturn: { postalCode: string; address: string; recipient: string; note: string };
  /** DOCS-3 (7(11)ア): the inquiry contact printed on the one-stop return envelope — the call centre (7(8)ア). */
  inquiry: { name: string; phone: string; fax: string; email: string; hours: string };
  postalTransfer: { accountNumber: string; accountName: string };
  receiptWording: { standard: string; disasterRelief: string };
  letter: { standard: string; disasterRelief: string; reissue: string };
}

const TEMPLATE_FILES: Record<PrintedDocument, string> = {
  thank_you_letter: 'thank-you-letter.hbs',
  donation_receipt: 'donation-receipt.hbs',
  onestop_form: 'onestop-form.hbs',
  onestop_example: 'onestop-example.hbs',
  return_envelope: 'return-envelope.hbs',
  postal_transfer_form: 'postal-transfer-form.hbs',
  onestop_accepted_notice: 'onestop-accepted-notice.hbs',
  onestop_deficiency_notice: 'onestop-deficiency-notice.hbs',
  onestop_reminder_notice: 'onestop-reminder-notice.hbs',
  onestop_late_rejection_notice: 'onestop-late-rejection-notice.hbs',
  onestop_closed_deficient_notice: 'onestop-closed-deficient-notice.hbs',
};

export interface RendererOptions {
  templatesDir: string;
  chromiumPath: string;
  /** Donations per Chromium page.pdf call: large enough to amortise the call, small enough to keep memory flat. */
  chunkSize?: number;
}

export function defaultTemplatesDir(): string {
  // Works from the sources and from dist/ alike: templates/ sits at the project root.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'templates', 'documents');
}

/** A chunk an earlier attempt rendered, if its file is there whole (the page count it must have). */
async function loadKeptChunk(file: string, pages: number): Promise<PDFDocument | undefined> {
  if (!fs.existsSync(file)) return undefined;
  try {
    const pdf = await PDFDocument.load(fs.readFileSync(file));
    return pdf.getPageCount() === pages ? pdf : undefined;
  } catch {
    return undefined;
  }
}

function fontCss(weight: number): string {
  return pathToFileURL(require.resolve(`@fontsource/noto-sans-jp/${weight}.css`)).href;
}

/**
 * Renders donors' documents to print-ready A4 PDF with one shared Chromium.
 * Every document is exactly one page, so a packet's page range follows from
 * its document count.
 */
export class DocumentRenderer {
  private constructor(
    private readonly browser: Browser,
    private readonly city: CityConfig,
    private readonly layout: Handlebars.TemplateDelegate,
    private readonly documents: Record<PrintedDocument, Handlebars.TemplateDelegate>,
    private readonly chunkSize: number,
  ) {}

  static async launch(opts: RendererOptions): Promise<DocumentRenderer> {
    const hbs = Handlebars.create();
    const read = (file: string) => fs.readFileSync(path.join(opts.templatesDir, file), 'utf8');
    hbs.registerPartial('addressWindow', read('address-window.hbs'));
    const documents = Object.fromEntries(
      Object.entries(TEMPLATE_FILES).map(([kind, file]) => [kind, hbs.compile(read(file), { strict: false })]),
    ) as Record<PrintedDocument, Handlebars.TemplateDelegate>;
    const city = JSON.parse(read('city.json')) as CityConfig;
    const browser = await puppeteer.launch({
      executablePath: opts.chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    return new DocumentRenderer(browser, city, hbs.compile(read('layout.hbs')), documents, opts.chunkSize ?? 100);
  }

  get cityConfig(): CityConfig {
    return this.city;
  }

  private pageHtml(kind: PrintedDocument, p: PacketData, issuedOn: string): string {
    const receivedOn = warekiDate(jstDate(new Date(p.receivedAt)));
    const reissue = p.issue > 1;
    const enclosures = p.documents.filter((d) => d !== 'thank_you_letter').map((d) => PRINTED_DOCUMENT_TITLES[d]);
    return this.documents[kind]({
      city: this.city,
      donor: p.donor,
      amount: yen(p.amountYen),
      receivedOn,
      issuedOn,
      reissue,
      issue: p.issue,
      receiptNumber: p.receiptNumber,
      purpose: p.purpose ?? '市長におまかせ',
      portalName: p.portalName,
      portalOrderId: p.portalOrderId,
      wantsOneStop: p.wantsOneStop && p.documents.includes('onestop_form'),
      enclosures,
      reference: `${p.portalOrderId}`,
      letterText: reissue ? this.city.letter.reissue : p.disasterRelief ? this.city.letter.disasterRelief : this.city.letter.standard,
      receiptWording: p.disasterRelief ? this.city.receiptWording.disasterRelief : this.city.receiptWording.standard,
      donationYearWareki: warekiDate(jstDate(new Date(p.receivedAt))).replace(/\d+月\d+日$/, '').replace(/年$/, '年'),
      submittedBlank: '令和　',
      myNumberBoxes: Array.from({ length: 12 }),
      applicationArrivedOn: p.applicationArrivedOn ? warekiDate(p.applicationArrivedOn) : '',
      // One-stop notices (DOCS-5): what is missing in words, the deadline with its weekday, the tax year of the 確定申告.
      noticeItems: p.notice?.findings.map((f) => deficiencyItemText(f)) ?? [],
      deadline: p.notice ? warekiDateWithWeekday(p.notice.deadlineOn) : '',
      taxYear: taxYearLabel(jstDate(new Date(p.receivedAt))),
    });
  }

  /**
   * One PDF for all packets, pages in packet order. `onChunk` reports progress (for heartbeats).
   * `issuedOn` (YYYY-MM-DD, JST) is the date printed as issued; default today. With `chunkDir`,
   * each chunk's PDF is kept there (`chunk-<start>-<count>.pdf`, written whole or not at all) and
   * a chunk whose file is already there is taken from it instead of being rendered again: a
   * retried batch render goes on where the last attempt stopped, as long as it runs where those
   * files are. The caller keys the folder by what the chunks depend on (batch, issue date).
   */
  async render(packets: PacketData[], workDir: string, onChunk?: (done: number) => void, options: { issuedOn?: string; chunkDir?: string } = {}): Promise<Uint8Array> {
    fs.mkdirSync(workDir, { recursive: true });
    if (options.chunkDir) fs.mkdirSync(options.chunkDir, { recursive: true });
    const issuedOn = warekiDate(options.issuedOn ?? jstDate(new Date()));
    const merged = await PDFDocument.create();
    for (let start = 0; start < packets.length; start += this.chunkSize) {
      const chunk = packets.slice(start, start + this.chunkSize);
      const expected = chunk.reduce((n, p) => n + p.documents.length, 0);
      const kept = options.chunkDir ? path.join(options.chunkDir, `chunk-${start}-${chunk.length}.pdf`) : undefined;
      let part = kept ? await loadKeptChunk(kept, expected) : undefined;
      if (!part) {
        const html = this.layout({
          fontCss400: fontCss(400),
          fontCss700: fontCss(700),
          packets: chunk.map((p) => ({ documents: p.documents.map((kind) => this.pageHtml(kind, p, issuedOn)) })),
        });
        const pdf = await this.printHtml(html, path.join(workDir, `chunk-${start}.html`));
        part = await PDFDocument.load(pdf);
        if (part.getPageCount() !== expected) throw new Error(`layout overflow: ${expected} documents rendered as ${part.getPageCount()} pages`);
        if (kept) {
          fs.writeFileSync(`${kept}.part`, pdf);
          fs.renameSync(`${kept}.part`, kept);
        }
      }
      const pages = await merged.copyPages(part, part.getPageIndices());
      pages.forEach((page) => merged.addPage(page));
      onChunk?.(start + chunk.length);
    }
    return merged.save();
  }

  /** Prints one finished HTML page set (A4) as it is: for documents of several pages such as the invoice (BILL-3). */
  async printHtml(html: string, file: string): Promise<Uint8Array> {
    // file:// so the page may load the font files that ship in node_modules.
    fs.writeFileSync(file, html);
    const page = await this.browser.newPage();
    try {
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
      // font-display: swap would otherwise let Chromium print before the Japanese glyphs arrive.
      await page.evaluate('document.fonts.ready.then(() => true)');
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, timeout: 300_000 });
    } finally {
      await page.close();
      fs.rmSync(file, { force: true });
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
