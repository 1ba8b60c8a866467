import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { warekiDate, yen } from '../../domain/documents';
import { carrierName } from '../../domain/carriers/catalogue';
import { isIsoDate, jstDate } from '../../domain/jst';
import { defaultTemplatesDir, type CityConfig, type PacketData } from '../documents/renderer';
import { deficiencyItemText, taxYearLabel, warekiDateWithWeekday } from '../../domain/onestop/notices';

/**
 * The one mail renderer: plain-text mail from templates/mail/<name>.txt.hbs (plain text because
 * portal relay addresses such as 楽天あんしんメルアド and many donors' clients strip HTML). The
 * first line is "件名: …", the rest is the body; the city's contact comes from
 * templates/documents/city.json.
 */
export interface MailText {
  subject: string;
  body: string;
}

export const MAIL_TEMPLATES = [
  'onestop-accepted-notice',
  'pre-shipping',
  'no-gift-resident',
  'supplier-order',
  'onestop-deficiency-notice',
  'onestop-reminder-notice',
  'onestop-late-rejection-notice',
  'onestop-closed-deficient-notice',
  'onestop-incident-report',
  'report-notice',
  'report-overdue',
  'quality-demand',
  'billing-statement',
  'billing-reminder',
  'billing-escalation',
  'billing-invoice',
  'billing-payment-reminder',
  'billing-payment-overdue',
  'donation-cancelled-city',
  'recruitment-report',
] as const;
export type MailTemplateName = (typeof MAIL_TEMPLATES)[number];

/** Temperature classes as in gifts.temperature. */
export type Temperature = 'ambient' | 'chilled' | 'frozen';

/** SHIP-4: to the donor, before (or when) the gift leaves the supplier. */
export interface PreShippingMailData {
  donorName: string;
  giftName: string;
  /** YYYY-MM-DD, Japan. */
  plannedShipOn: string;
  supplierName: string;
  temperature?: Temperature;
  /** A carrier code (domain/carriers/catalogue) or a display name. */
  carrier?: string;
  trackingNumber?: string;
  portalName?: string;
  portalOrderId?: string;
  /** 定期便: this delivery's number and how many there are. */
  deliveryNo?: number;
  deliveries?: number;
}

/** SHIP-6: the donor lives in the city, so no 返礼品; the donation and its documents stand. */
export interface NoGiftResidentMailData {
  donorName: string;
  amountYen: number;
  /** YYYY-MM-DD (Japan) or an ISO instant: the date of receipt. */
  receivedOn: string;
  giftName?: string;
  portalName?: string;
  portalOrderId?: string;
}

/** 発送依頼 to a supplier; the lines themselves travel as an attached CSV and on the supplier portal. */
export interface SupplierOrderMailData {
  supplierName: string;
  orderNumber: string | number;
  /** YYYY-MM-DD, Japan. */
  shipBy: string;
  lineCount: number;
  /** Name of the attached CSV, if one is attached. */
  attachmentName?: string;
}

/** DOCS-5 受付済み通知 by email: the fields of the documents packet it prints. */
export type OneStopAcceptedMailData = Pick<PacketData, 'portalName' | 'portalOrderId' | 'amountYen' | 'receivedAt' | 'applicationArrivedOn'> & {
  donor: { name: string };
};

/**
 * DOCS-5 deficiency follow-up by email (deficiency, reminder, late rejection, closed deficient): the
 * donation as the 受付済み通知 names it, the deadline, and the findings the notice is about — codes
 * and fields only, put into words for the donor by domain/onestop/notices.ts.
 */
export type OneStopNoticeMailData = OneStopAcceptedMailData & {
  /** YYYY-MM-DD: the holiday-adjusted deadline (翌年1月10日). */
  deadlineOn: string;
  findings: { code: string; field?: string }[];
};

/** SEC-3: the report text of domain/onestop/incidents.ts, as it is (lines, so that line breaks survive). */
export interface IncidentReportMailData {
  subject: string;
  lines: string[];
}

/** CALL-5: the city is told at once of a donation cancelled after its receipt was posted (the receipts voided). */
export interface DonationCancelledCityMailData {
  portalName: string;
  portalOrderId: string;
  donorName: string;
  amountYen: number;
  /** ISO instant: when the donation was received. */
  receivedAt: string;
  /** ISO instant. */
  cancelledAt: string;
  voided: string[];
  posted: string[];
  reason: string;
  actor: string;
}

/** GIFT-6: the month's recruitment report to the city, its figures (the CSV is attached). */
export interface RecruitmentReportMailData {
  month: string;
  from: string;
  to: string;
  briefings: number;
  attendees: number;
  wouldBe: number;
  interested: number;
  inquiries: number;
  proposed: number;
  approved: number;
  rejected: number;
  approvedSuppliers: number;
}

export interface MailTemplateData {
  'onestop-accepted-notice': OneStopAcceptedMailData;
  'pre-shipping': PreShippingMailData;
  'no-gift-resident': NoGiftResidentMailData;
  'supplier-order': SupplierOrderMailData;
  'onestop-deficiency-notice': OneStopNoticeMailData;
  'onestop-reminder-notice': OneStopNoticeMailData;
  'onestop-late-rejection-notice': OneStopNoticeMailData;
  'onestop-closed-deficient-notice': OneStopNoticeMailData;
  'onestop-incident-report': IncidentReportMailData;
  'report-notice': ReportNoticeMailData;
  'report-overdue': ReportOverdueMailData;
  'quality-demand': QualityDemandMailData;
  'billing-statement': BillingStatementMailData;
  'billing-reminder': BillingAlertMailData;
  'billing-escalation': BillingAlertMailData;
  'billing-invoice': BillingInvoiceMailData;
  'billing-payment-reminder': BillingPaymentMailData;
  'billing-payment-overdue': BillingPaymentMailData;
  'donation-cancelled-city': DonationCancelledCityMailData;
  'recruitment-report': RecruitmentReportMailData;
}

/** BILL-1: a supplier's statement (revision), its lines attached as CSV. Amounts arrive formatted. */
export interface BillingStatementMailData {
  supplierName: string;
  monthLabel: string;
  revision: number;
  corrected: boolean;
  resolution?: string;
  lines: number;
  procurement: string;
  shipping: string;
  attachmentName: string;
  invoiceDay: number;
  confirmBy: string;
}

/** BILL-3: confirmation reminders and the missed-invoice escalation, to operators. */
export interface BillingAlertMailData {
  runId: string;
  monthLabel: string;
  invoiceDue: string;
  pending: string[];
  paymentDays: number;
}

/** BILL-3: an invoice revision issued to the city. */
export interface BillingInvoiceMailData {
  runId: string;
  monthLabel: string;
  number: string;
  revision: number;
  revised: boolean;
  total: string;
  tax: string;
  capFlags: number;
  paymentDays: number;
}

/** BILL-4: payment reminder to the city, overdue notice to operators. */
export interface BillingPaymentMailData extends BillingAlertMailData {
  number: string;
  total: string;
  paid: string;
  dueOn: string;
}

/** REPORT-1: to the city, when a month's 月次業務報告書 (a revision) is built. */
export interface ReportNoticeMailData {
  /** YYYY-MM */
  month: string;
  revision: number;
  count: number;
  amountYen: number;
  /** YYYY-MM-DD */
  dueOn: string;
  late?: boolean;
}

/** REPORT-1: to the city, when the report is not built by its due day. */
export interface ReportOverdueMailData {
  month: string;
  dueOn: string;
  attempts: number;
  reason: string;
}

/** CALL-3: a demand for measures to a supplier or carrier about a gift complaint. */
export interface QualityDemandMailData {
  measureId: string;
  partyName: string;
  demand: string;
  /** YYYY-MM-DD */
  dueOn: string;
  receivedOn: string;
  category: string;
  subject: string;
  giftName?: string;
  trackingNumber?: string;
  /** The reminder sent when the due day ended without a reply. */
  reminder?: boolean;
}

/** Data a template cannot be rendered from: retrying will not help. */
export class MailTemplateError extends Error {
  override name = 'MailTemplateError';
}

const TEMPERATURES: Record<Temperature, string> = { ambient: '常温', chilled: '冷蔵', frozen: '冷凍' };

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

/** 2026年12月8日(火) */
export function japaneseDate(isoDate: string): string {
  if (!isIsoDate(isoDate)) throw new MailTemplateError(`not a date (YYYY-MM-DD): ${isoDate}`);
  const [y, m, d] = isoDate.split('-').map(Number);
  return `${y}年${m}月${d}日(${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]})`;
}

/** A date of receipt given as a JST date or as an instant. */
function dayOf(value: string): string {
  if (isIsoDate(value)) return value;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new MailTemplateError(`not a date: ${value}`);
  return jstDate(t);
}

function need(data: Record<string, unknown>, name: MailTemplateName, fields: string[]): void {
  const missing = fields.filter((f) => data[f] === undefined || data[f] === null || data[f] === '');
  if (missing.length) throw new MailTemplateError(`mail ${name} needs ${missing.join(', ')}`);
}

/** Values that would break the "件名:" line or the layout: newlines inside names become spaces. */
function oneLine<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/[\r\n\t]+/g, ' ').trim() as T;
  if (Array.isArray(value)) return value.map(oneLine) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, oneLine(v)])) as T;
  return value;
}

/** The deficiency follow-up: the accepted notice's fields, the deadline with its weekday, what is missing in words, the tax year. */
function noticeView(p: OneStopNoticeMailData, name: MailTemplateName): Record<string, unknown> {
  // The same donation fields as the 受付済み通知 (a missing one is reported under that template's name).
  const base = VIEWS['onestop-accepted-notice'](p);
  if (!p.deadlineOn || !isIsoDate(p.deadlineOn)) throw new MailTemplateError(`mail ${name} needs deadlineOn (YYYY-MM-DD)`);
  if (!Array.isArray(p.findings)) throw new MailTemplateError(`mail ${name} needs findings`);
  return {
    ...base,
    items: p.findings.map((f) => deficiencyItemText(f)),
    deadline: warekiDateWithWeekday(p.deadlineOn),
    taxYear: taxYearLabel(jstDate(new Date(p.receivedAt))),
  };
}

/** A view for data that arrives already formatted: it only checks the fields the template needs. */
function preformatted<N extends MailTemplateName>(name: N, fields: string[]): (d: MailTemplateData[N]) => Record<string, unknown> {
  return (d) => {
    need(d as never, name, fields);
    return { ...d };
  };
}

/** The template's view: raw data in, display strings out. */
const VIEWS: { [N in MailTemplateName]: (d: MailTemplateData[N]) => Record<string, unknown> } = {
  'onestop-accepted-notice': (p) => {
    need(p as never, 'onestop-accepted-notice', ['portalName', 'portalOrderId', 'amountYen', 'receivedAt']);
    if (!p.donor?.name) throw new MailTemplateError('mail onestop-accepted-notice needs donor.name');
    return {
      donor: p.donor,
      amount: yen(p.amountYen),
      receivedOn: warekiDate(jstDate(new Date(p.receivedAt))),
      portalName: p.portalName,
      portalOrderId: p.portalOrderId,
      applicationArrivedOn: p.applicationArrivedOn ? warekiDate(p.applicationArrivedOn) : '',
    };
  },
  'onestop-deficiency-notice': (p) => noticeView(p, 'onestop-deficiency-notice'),
  'onestop-reminder-notice': (p) => noticeView(p, 'onestop-reminder-notice'),
  'onestop-late-rejection-notice': (p) => noticeView(p, 'onestop-late-rejection-notice'),
  'onestop-closed-deficient-notice': (p) => noticeView(p, 'onestop-closed-deficient-notice'),
  'onestop-incident-report': (d) => {
    need(d as never, 'onestop-incident-report', ['subject']);
    if (!Array.isArray(d.lines) || d.lines.length === 0) throw new MailTemplateError('mail onestop-incident-report needs lines');
    return { subject: d.subject, lines: d.lines };
  },
  'report-notice': (d) => {
    need(d as never, 'report-notice', ['month', 'revision', 'dueOn']);
    const [y, m] = d.month.split('-').map(Number);
    return { ...d, monthLabel: `${y}年${m}月`, amount: yen(d.amountYen ?? 0), count: (d.count ?? 0).toLocaleString('ja-JP'), dueOn: japaneseDate(d.dueOn), regenerated: d.revision > 1 };
  },
  'report-overdue': (d) => {
    need(d as never, 'report-overdue', ['month', 'dueOn', 'reason']);
    const [y, m] = d.month.split('-').map(Number);
    return { ...d, monthLabel: `${y}年${m}月`, dueOn: japaneseDate(d.dueOn) };
  },
  'quality-demand': (d) => {
    need(d as never, 'quality-demand', ['measureId', 'partyName', 'demand', 'dueOn', 'receivedOn', 'category', 'subject']);
    return { ...d, dueOn: japaneseDate(d.dueOn), receivedOn: japaneseDate(d.receivedOn) };
  },
  'pre-shipping': (d) => {
    need(d as never, 'pre-shipping', ['donorName', 'giftName', 'plannedShipOn', 'supplierName']);
    const temperature = d.temperature ?? 'ambient';
    if (!(temperature in TEMPERATURES)) throw new MailTemplateError(`mail pre-shipping: unknown temperature ${temperature}`);
    return {
      ...d,
      plannedShipOn: japaneseDate(d.plannedShipOn),
      carrierName: d.carrier ? carrierName(d.carrier) : '',
      temperatureLabel: TEMPERATURES[temperature],
      chilled: temperature === 'chilled',
      frozen: temperature === 'frozen',
      delivery: d.deliveries && d.deliveries > 1 && d.deliveryNo ? `定期便 全${d.deliveries}回のうち第${d.deliveryNo}回` : '',
    };
  },
  'no-gift-resident': (d) => {
    need(d as never, 'no-gift-resident', ['donorName', 'amountYen', 'receivedOn']);
    return { ...d, amount: yen(d.amountYen), receivedOn: warekiDate(dayOf(d.receivedOn)) };
  },
  'supplier-order': (d) => {
    need(d as never, 'supplier-order', ['supplierName', 'orderNumber', 'shipBy', 'lineCount']);
    return { ...d, shipBy: japaneseDate(d.shipBy) };
  },
  // Billing formats its amounts and dates itself (activities/billing/billing.ts): the views only check what the templates need.
  'billing-statement': preformatted('billing-statement', ['supplierName', 'monthLabel', 'revision', 'attachmentName', 'confirmBy']),
  'billing-reminder': preformatted('billing-reminder', ['runId', 'monthLabel', 'invoiceDue']),
  'billing-escalation': preformatted('billing-escalation', ['runId', 'monthLabel', 'invoiceDue']),
  'billing-invoice': preformatted('billing-invoice', ['runId', 'monthLabel', 'number', 'revision', 'total']),
  'billing-payment-reminder': preformatted('billing-payment-reminder', ['runId', 'monthLabel', 'number', 'total', 'dueOn']),
  'billing-payment-overdue': preformatted('billing-payment-overdue', ['runId', 'monthLabel', 'number', 'total', 'dueOn']),
  'recruitment-report': (d) => {
    need(d as never, 'recruitment-report', ['month', 'from', 'to']);
    const [y, m] = d.month.split('-').map(Number);
    return { ...d, monthLabel: `${y}年${m}月`, from: japaneseDate(d.from), to: japaneseDate(d.to) };
  },
  'donation-cancelled-city': (d) => {
    need(d as never, 'donation-cancelled-city', ['portalName', 'portalOrderId', 'donorName', 'amountYen', 'receivedAt', 'cancelledAt', 'reason', 'actor']);
    const at = new Date(d.cancelledAt);
    const time = new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(11, 16);
    return {
      ...d,
      amount: yen(d.amountYen),
      receivedOn: warekiDate(jstDate(new Date(d.receivedAt))),
      cancelledAt: `${warekiDate(jstDate(at))} ${time}`,
      voided: d.voided.length ? d.voided.join('、') : 'なし',
      posted: d.posted.join('、'),
    };
  },
};

// Plain text: no HTML escaping of names such as 「髙橋 & Co.」. A private instance keeps helpers and partials of other code out.
const hbs = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();
const cities = new Map<string, CityConfig>();

function template(file: string): Handlebars.TemplateDelegate {
  let t = compiled.get(file);
  if (!t) {
    t = hbs.compile(fs.readFileSync(file, 'utf8'), { noEscape: true });
    compiled.set(file, t);
  }
  return t;
}

function city(documentsDir: string): CityConfig {
  let c = cities.get(documentsDir);
  if (!c) {
    c = JSON.parse(fs.readFileSync(path.join(documentsDir, 'city.json'), 'utf8')) as CityConfig;
    cities.set(documentsDir, c);
  }
  return c;
}

export function isMailTemplate(name: string): name is MailTemplateName {
  return (MAIL_TEMPLATES as readonly string[]).includes(name);
}

/**
 * Renders templates/mail/<name>.txt.hbs. `documentsDir` is templates/documents (city.json); the
 * mail templates sit beside it in templates/mail, as for renderMailNotice.
 */
export function renderMail<N extends MailTemplateName>(name: N, data: MailTemplateData[N], documentsDir = defaultTemplatesDir()): MailText {
  if (!isMailTemplate(name)) throw new MailTemplateError(`unknown mail template ${String(name)}`);
  if (!data || typeof data !== 'object') throw new MailTemplateError(`mail ${name} needs its data`);
  const view = (VIEWS[name] as (d: MailTemplateData[N]) => Record<string, unknown>)(oneLine(data));
  const text = template(path.join(path.dirname(documentsDir), 'mail', `${name}.txt.hbs`))({ ...view, city: city(documentsDir) });
  const [first, ...rest] = text.split('\n');
  if (!first.startsWith('件名: ')) throw new MailTemplateError(`mail template ${name} must start with "件名: "`);
  const subject = first.slice('件名: '.length).trim();
  if (!subject) throw new MailTemplateError(`mail template ${name} rendered an empty subject`);
  return { subject, body: rest.join('\n').replace(/^\n+/, '').replace(/\n{3,}/g, '\n\n') };
}
