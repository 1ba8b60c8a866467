import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Handlebars from 'handlebars';
import { warekiDate } from '../../domain/documents';
import type { InvoiceContent } from '../../domain/billing/invoice';
import { defaultTemplatesDir, type CityConfig, type DocumentRenderer } from '../documents/renderer';

/**
 * The invoice PDF: templates/documents/invoice.hbs printed by the shared Chromium of
 * the document renderer. The invoice runs over several pages (a statement per
 * supplier), unlike the renderer's one-page documents, so it goes through the
 * renderer's HTML printer directly rather than its page-counting render().
 */

const yen = (n: number) => `${n.toLocaleString('ja-JP')}円`;
const signedYen = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${yen(Math.abs(n))}`;
const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(2)}%`);
export const monthLabel = (month: string) => `${Number(month.slice(0, 4))}年${Number(month.slice(5, 7))}月`;

const fontCss = (weight: number) => pathToFileURL(require.resolve(`@fontsource/noto-sans-jp/${weight}.css`)).href;

let compiled: Handlebars.TemplateDelegate | undefined;
let city: CityConfig | undefined;

export function invoiceHtml(c: InvoiceContent, opts: { paymentDays: number; templatesDir?: string }): string {
  const dir = opts.templatesDir ?? defaultTemplatesDir();
  compiled ??= Handlebars.create().compile(fs.readFileSync(path.join(dir, 'invoice.hbs'), 'utf8'), { strict: false });
  city ??= JSON.parse(fs.readFileSync(path.join(dir, 'city.json'), 'utf8')) as CityConfig;
  return compiled({
    fontCss400: fontCss(400),
    fontCss700: fontCss(700),
    city,
    issuer: '柳川市ふるさと納税 運営業務受託者',
    number: c.number,
    issuedOn: warekiDate(c.issuedOn),
    monthLabel: monthLabel(c.month),
    scopeLabel: c.scopeLabel,
    revision: c.revision,
    revised: c.revision > 1,
    paymentDays: opts.paymentDays,
    total: yen(c.totals.totalYen),
    amountTotal: yen(c.totals.amountYen),
    tax: yen(c.totals.taxYen),
    feeLines: c.feeLines.map((f) => ({ label: f.label, basis: f.basis, amount: yen(f.amountYen), tax: f.taxYen ? yen(f.taxYen) : '—' })),
    excluded: c.baseFee.excluded.map((e) => ({ label: e.label, count: e.count, amount: yen(e.amountYen) })),
    ratio: {
      month: { cost: yen(c.ratio.month.costYen), donations: yen(c.ratio.month.donationsYen), percent: percent(c.ratio.month.ratio) },
      fy: { fromLabel: monthLabel(c.ratio.fiscalYearToDate.from), cost: yen(c.ratio.fiscalYearToDate.costYen), donations: yen(c.ratio.fiscalYearToDate.donationsYen), percent: percent(c.ratio.fiscalYearToDate.ratio) },
    },
    capFlags: c.capFlags.map((f) => ({
      donationId: f.donationId,
      gifts: f.giftCodes.join(' '),
      donation: yen(f.donationYen),
      cap: yen(f.capYen),
      previous: yen(f.previousCostYen),
      month: yen(f.monthCostYen),
      billed: yen(f.billedYen),
      excess: yen(f.excessYen),
    })),
    override: c.override,
    correction: c.correction && {
      ...c.correction,
      ofTotal: yen(c.correction.of.totalYen),
      difference: signedYen(c.correction.differenceYen),
      lines: c.correction.lines.map((l) => ({ label: l.label, before: yen(l.beforeYen), after: yen(l.afterYen), difference: signedYen(l.differenceYen) })),
    },
    statements: c.statements.map((s) => ({
      ...s,
      procurement: yen(s.procurementCostYen),
      shipping: yen(s.shippingCostYen),
      gifts: s.gifts.map((g) => ({ ...g, procurement: yen(g.procurementCostYen), shipping: yen(g.shippingCostYen) })),
    })),
  });
}

export async function renderInvoicePdf(renderer: DocumentRenderer, c: InvoiceContent, opts: { paymentDays: number; workDir: string }): Promise<Uint8Array> {
  fs.mkdirSync(opts.workDir, { recursive: true });
  const file = path.join(opts.workDir, `invoice-${c.number}-${process.pid}-${Date.now()}.html`);
  return renderer.printHtml(invoiceHtml(c, opts), file);
}
