import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { jstDate } from '../../domain/jst';

/**
 * The console's handlebars: templates under templates/console, one layout, partials from
 * templates/console/partials, and the formatting every page shares (JST dates, ¥ amounts).
 */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export const templatesDir = (): string => path.join(projectRoot(), 'templates', 'console');

const JST_MS = 9 * 3_600_000;

/** 2026-12-06 09:30 (JST). */
export function jstDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Date(d.getTime() + JST_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** ¥12,000 */
export function yenAmount(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  return `¥${Number(value).toLocaleString('ja-JP')}`;
}

export function consoleHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('yen', (v: unknown) => yenAmount(v as number));
  hbs.registerHelper('count', (v: unknown) => Number(v ?? 0).toLocaleString('ja-JP'));
  hbs.registerHelper('jstDateTime', (v: unknown) => jstDateTime(v as string));
  hbs.registerHelper('jstDate', (v: unknown) => (v ? (/^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? String(v) : jstDate(new Date(v as string))) : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('json', (v: unknown) => JSON.stringify(v, null, 2));
  /** The error message for a field, if the form came back with one. */
  hbs.registerHelper('fieldError', (errors: Record<string, string> | undefined, field: string) => errors?.[field]);
  const partials = path.join(templatesDir(), 'partials');
  for (const file of fs.readdirSync(partials)) {
    if (file.endsWith('.hbs')) hbs.registerPartial(file.replace(/\.hbs$/, ''), fs.readFileSync(path.join(partials, file), 'utf8'));
  }
  return hbs;
}
