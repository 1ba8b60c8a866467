/**
 * PORTAL-2: each portal's item-upload file, described by data like the import mappings of
 * domain/portals/mappings: one JSON per portal (./uploads/<portal>.json) names the file, its
 * encoding and, per column, its header and the listing field (or a constant) it holds, with the
 * portal's limits. 楽天's item.csv layout is published; the others' are provisional until the city
 * gives the portals' own templates. A listing that breaks a limit is reported, never truncated.
 */
import iconv from 'iconv-lite';
import { cp932Width } from '../carriers/jis';
import { portalName } from '../portals/catalogue';
import type { ListingPortal } from './content';
import { imageFileName, type ImageFormat } from './images';
import amazon from './uploads/amazon.json';
import ana from './uploads/ana.json';
import choice from './uploads/choice.json';
import city from './uploads/city.json';
import furunavi from './uploads/furunavi.json';
import mynavi from './uploads/mynavi.json';
import rakuten from './uploads/rakuten.json';
import satofull from './uploads/satofull.json';

export const UPLOAD_FIELDS = ['itemCode', 'giftCode', 'giftName', 'title', 'priceYen', 'description', 'descriptionHtml', 'shippingNotes', 'shippingNotesHtml', 'imageUrls'] as const;
export type UploadField = (typeof UPLOAD_FIELDS)[number];

export interface UploadColumn {
  header: string;
  field?: UploadField;
  const?: string;
  /** The portal's limit in Shift_JIS bytes (全角 = 2). */
  maxBytes?: number;
  pattern?: string;
  reason?: string;
}

export interface UploadMapping {
  portal: ListingPortal;
  name: string;
  layout: 'published' | 'provisional';
  source: string;
  fileName: string;
  encoding: 'cp932' | 'utf-8-bom';
  /** Prefixed to each image's file name (a portal's image folder URL); empty = the bare file names. */
  imageBase: string;
  imageSeparator: string;
  maxImages: number;
  columns: UploadColumn[];
}

/** One gift's listing as a portal shows it, with the price the catalogue gives on that portal. */
export interface UploadRow {
  giftCode: string;
  giftName: string;
  title: string;
  priceYen: number;
  description: string;
  shippingNotes: string;
  images: { sha256: string; format: ImageFormat }[];
}

export interface UploadProblem {
  gift: string;
  column: string;
  reason: string;
}

/** Checks a mapping's shape when it is loaded, so a typo is reported by name. */
export function validateUploadMapping(m: unknown, portal: ListingPortal): UploadMapping {
  const x = m as UploadMapping;
  const problems: string[] = [];
  if (x.portal !== portal) problems.push(`portal must be ${portal}`);
  if (x.name !== portalName(portal)) problems.push(`name must be ${portalName(portal)}`);
  if (x.layout !== 'published' && x.layout !== 'provisional') problems.push('layout must be "published" or "provisional"');
  if (x.encoding !== 'cp932' && x.encoding !== 'utf-8-bom') problems.push('encoding must be "cp932" or "utf-8-bom"');
  if (!Array.isArray(x.columns) || !x.columns.length) problems.push('columns must be a non-empty list');
  for (const [i, c] of (x.columns ?? []).entries()) {
    if (!c.header) problems.push(`columns[${i}].header is required`);
    if ((c.field === undefined) === (c.const === undefined)) problems.push(`columns[${i}] needs exactly one of field and const`);
    if (c.field !== undefined && !(UPLOAD_FIELDS as readonly string[]).includes(c.field)) problems.push(`columns[${i}].field must be one of ${UPLOAD_FIELDS.join(', ')}`);
  }
  if (problems.length) throw new Error(`domain/listings/uploads/${portal}.json: ${problems.join('; ')}`);
  return x;
}

const SHIPPED: Record<ListingPortal, unknown> = { amazon, ana, choice, city, furunavi, mynavi, rakuten, satofull };

export const UPLOAD_MAPPINGS: Readonly<Record<ListingPortal, UploadMapping>> = Object.fromEntries(
  Object.entries(SHIPPED).map(([portal, m]) => [portal, validateUploadMapping(m, portal as ListingPortal)]),
) as Record<ListingPortal, UploadMapping>;

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br>');

function valueOf(mapping: UploadMapping, row: UploadRow, field: UploadField): string {
  switch (field) {
    case 'itemCode':
      return row.giftCode.toLowerCase();
    case 'giftCode':
      return row.giftCode;
    case 'giftName':
      return row.giftName;
    case 'title':
      return row.title;
    case 'priceYen':
      return String(row.priceYen);
    case 'description':
      return row.description;
    case 'descriptionHtml':
      return html(row.description);
    case 'shippingNotes':
      return row.shippingNotes;
    case 'shippingNotesHtml':
      return html(row.shippingNotes);
    case 'imageUrls':
      return row.images.map((i) => mapping.imageBase + imageFileName(row.giftCode, i.sha256, i.format)).join(mapping.imageSeparator);
  }
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The portal's upload file for these listings (in the order given), or the problems that keep it from being made. */
export function renderUploadFile(mapping: UploadMapping, rows: readonly UploadRow[]): { bytes: Buffer; problems: [] } | { bytes: null; problems: UploadProblem[] } {
  const problems: UploadProblem[] = [];
  const lines = [mapping.columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) {
    if (row.images.length > mapping.maxImages) problems.push({ gift: row.giftCode, column: 'images', reason: `has ${row.images.length} images; ${mapping.name} takes at most ${mapping.maxImages}` });
    const cells = mapping.columns.map((c) => {
      const value = c.const ?? valueOf(mapping, row, c.field!);
      const problem = (reason: string) => problems.push({ gift: row.giftCode, column: c.header, reason });
      if (mapping.encoding === 'cp932' && iconv.decode(iconv.encode(value, 'cp932'), 'cp932') !== value) problem('has characters Shift_JIS (CP932) cannot hold');
      else if (c.maxBytes !== undefined && cp932Width(value) > c.maxBytes) problem(`is ${cp932Width(value)} bytes; ${mapping.name} takes at most ${c.maxBytes} (全角 = 2)`);
      if (c.pattern && !new RegExp(c.pattern).test(value)) problem(c.reason ?? `must match ${c.pattern}`);
      return csvCell(value);
    });
    lines.push(cells.join(','));
  }
  if (problems.length) return { bytes: null, problems };
  const text = lines.map((l) => `${l}\r\n`).join('');
  return { bytes: mapping.encoding === 'cp932' ? iconv.encode(text, 'cp932') : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), problems: [] };
}
