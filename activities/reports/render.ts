import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Handlebars from 'handlebars';
import puppeteer from 'puppeteer-core';
import { monthLabel } from '../../domain/reports/month';
import { reportSections } from '../../domain/reports/sections';
import type { MonthlyReportData } from '../../domain/reports/types';
import { defaultTemplatesDir, type CityConfig } from '../documents/renderer';

/**
 * The 月次業務報告書 as PDF: templates/documents/monthly-report.hbs (the city edits wording and
 * layout there), flowing over as many A4 pages as the tables need — unlike the one-page donor
 * documents, so it has its own template and its own short-lived Chromium (once a month).
 */
const fontCss = (weight: number) => pathToFileURL(require.resolve(`@fontsource/noto-sans-jp/${weight}.css`)).href;

function jstStamp(iso: string): string {
  const t = new Date(Date.parse(iso) + 9 * 3600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 16)}`;
}

export function monthlyReportHtml(data: MonthlyReportData, meta: { revision: number; dueOn: string }, templatesDir = defaultTemplatesDir()): string {
  const hbs = Handlebars.create();
  hbs.registerHelper('fmt', (v: unknown) => (typeof v === 'number' ? v.toLocaleString('ja-JP') : String(v ?? '')));
  const template = hbs.compile(fs.readFileSync(path.join(templatesDir, 'monthly-report.hbs'), 'utf8'));
  const city = JSON.parse(fs.readFileSync(path.join(templatesDir, 'city.json'), 'utf8')) as CityConfig;
  return template({
    fontCss400: fontCss(400),
    fontCss700: fontCss(700),
    city,
    monthLabel: monthLabel(data.month),
    revision: meta.revision,
    dueOn: meta.dueOn,
    generatedAt: jstStamp(data.generatedAt),
    sections: reportSections(data),
  });
}

export async function renderMonthlyReportPdf(html: string, chromiumPath: string): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monthly-report-'));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, html);
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    // file:// so the page may load the font files that ship in node_modules.
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
    await page.evaluate('document.fonts.ready.then(() => true)');
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: '<div style="font-size:7pt;width:100%;text-align:center;color:#444"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
      timeout: 300_000,
    });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
