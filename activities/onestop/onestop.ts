import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { requireMyNumberKeys, type AppConfig, type MyNumberKeyring } from '../../config/env';
import type { Orm } from '../../ledger/orm';
import type { HandlingHours } from '../../domain/onestop/handling-report';
import { jstDate } from '../../domain/jst';
import { deadlineEndsAt, openMyNumber, reviewApplication, type Finding, type ReviewOutcome } from '../../domain/onestop';
import { LayoutError, PROVISIONAL_LAYOUT, writeNoticeFile, type NoticeRecord } from '../../domain/onestop/eltax';
import { addressWithPrefecture, municipalityByCode } from '../../domain/onestop/municipality';
import { MANIFEST_FILE, manifestCsv, NOTIFICATION_FILE_RE, notificationFileName, SENDER_CODE, type ManifestRow } from '../../domain/onestop/notification';
import {
  assignNotificationItems,
  closeDeficientApplication,
  donationFacts,
  executeDestruction,
  findApplication,
  findIncident,
  findNoticeByKey,
  mailLogResponse,
  openIncidentMails,
  recordIncidentMailOutcome,
  noticeDonationFacts,
  recordNoticeEmail,
  logMyNumberReads,
  markNotificationProblems,
  notificationFileTotals,
  notificationProblemCount,
  notificationRecipients,
  notificationSources,
  OneStopError,
  proposeDestruction,
  queueNotice,
  recordAlert,
  recordImageDeletion,
  recordNotificationRun,
  recordReview,
  type AlertKind,
  type AssignmentSummary,
  type ImageDeletion,
  type NoticeKind,
  type OneStopNoticeRow,
  type OneStopStatus,
  type ApplicationRow,
} from '../../ledger/onestop';
import { NOTICE_MAIL_TEMPLATE, noticeAddressee } from '../../domain/onestop/notices';
import { incidentReportText, type IncidentCityMail } from '../../domain/onestop/incidents';
import type { SendMail, SendMailInput, SendMailResult } from '../mail/send-mail';
import type { OneStopAcceptedMailData, OneStopNoticeMailData } from '../mail/render';

export type { SendMail };

/**
 * Activities of OneStopApplicationWorkflow. They take the application id and
 * read everything else from the ledger, so no personal data (least of all the
 * 個人番号) passes through workflow history: results carry only codes, dates
 * and reasons that name fields, never their values.
 */
export interface ReviewResult {
  outcome: ReviewOutcome;
  round: number;
  findings: Finding[];
  deadlineOn: string;
  deadlineEndsAt: string;
}

const STATUS_OF: Record<ReviewOutcome, OneStopStatus> = { accepted: 'accepted', deficient: 'deficient', late: 'rejected_late' };
/** The notice each outcome calls for (DOCS-5): 受付済み通知, the deficiency notice, the late rejection. */
const NOTICE_OF: Record<ReviewOutcome, NoticeKind> = { accepted: 'accepted', deficient: 'deficiency', late: 'late_rejection' };

/** decideOneStopApplication's answer: the review and the notice queued for its outcome. */
export interface OneStopDecision extends ReviewResult {
  notice: { kind: NoticeKind; channel: 'mail' | 'email'; emailPending: boolean };
}

function missing(applicationId: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'OneStopApplicationNotFound', message: `one-stop application ${applicationId} is not in the ledger`, nonRetryable: true });
}

/** What the one-stop activities need besides the ledger: the keys that open 個人番号, the city's drop folder, the scan folder. */
export interface OneStopActivitySettings {
  keyring: MyNumberKeyring;
  /** ONESTOP_DELIVERY_DIR: each donation year's files go into <deliveryDir>/<year>/. */
  deliveryDir: string;
  /** ONESTOP_SCAN_DIR: scan references resolve inside it; REC-1 deletes files only there. */
  scanDir: string;
  /** CITY_INCIDENT_EMAIL: where SEC-3 incident reports go; unset → nothing is sent, and the incident says so. */
  cityIncidentEmail?: string;
  /** MYNUMBER_WORKING_HOURS: reads outside them are flagged in the MYNUM-3 handling report. */
  workingHours: HandlingHours;
  /** MYNUM-2: where encrypted exports go, and the city's OpenPGP public key they are encrypted to (none: no export). */
  exportDir: string;
  exportKey?: string;
}

export function oneStopActivitySettings(config: AppConfig): OneStopActivitySettings {
  return { keyring: requireMyNumberKeys(config), deliveryDir: config.onestop.deliveryDir, scanDir: config.onestop.scanDir, cityIncidentEmail: config.onestop.cityIncidentEmail, workingHours: config.onestop.workingHours, exportDir: config.onestop.exportDir, exportKey: config.onestop.exportKey };
}

export interface NotificationDelivery {
  runId: string;
  /** False when the same files had already been delivered for the year (nothing new recorded). */
  created: boolean;
  donationYear: number;
  deliveryDir: string;
  files: number;
  applications: number;
  totalYen: number;
  /** Accepted applications not in any file (no municipality, or a value the layout cannot hold): listed for an operator. */
  problems: number;
  undecided: number;
  manifestSha256: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Atomic: the city never sees half a file. Unchanged bytes are not rewritten. */
export function writeFileAtomic(file: string, bytes: Buffer): void {
  if (fs.existsSync(file) && sha256(fs.readFileSync(file)) === sha256(bytes)) return;
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes, { mode: 0o640 });
  fs.renameSync(tmp, file);
}

/** The heartbeat details a retried attempt starts from; none outside an activity (a script). */
const heartbeatDetails = (): unknown => {
  try {
    return Context.current().info.heartbeatDetails;
  } catch {
    return undefined;
  }
};

/**
 * A notice file an earlier attempt wrote: its hash, and its records counted by the layout's fixed
 * record length (fields and line end), without reading a value in it.
 */
function keptNoticeFile(file: string): { sha256: string; records: number } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const bytes = fs.readFileSync(file);
  // The line end is ASCII (CR LF in the provisional layout): as many bytes in Shift_JIS as in UTF-8.
  const recordBytes = PROVISIONAL_LAYOUT.fields.reduce((n, f) => n + f.width, 0) + Buffer.byteLength(PROVISIONAL_LAYOUT.lineEnding);
  if (bytes.length === 0 || bytes.length % recordBytes !== 0) return undefined;
  return { sha256: sha256(bytes), records: bytes.length / recordBytes };
}

const heartbeat = (details?: unknown) => {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity (a script): nothing to report to.
  }
};

/**
 * REC-1: a scan reference ("scan://2026/abc.pdf", "2026/abc.pdf" or an
 * absolute path) as a file inside the scan folder; anything that would leave
 * the folder is refused, not followed.
 */
export function scanFile(scanDir: string, ref: string): { file: string } | { refused: string } {
  const rel = ref.replace(/^scan:\/\//, '').replace(/^file:\/\//, '');
  const root = path.resolve(scanDir);
  const file = path.resolve(root, rel);
  const inside = path.relative(root, file);
  if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) return { refused: `not inside the scan folder ${root}` };
  return { file };
}

/**
 * REC-1: deletes each reference's file inside `dir` (scanFile's rule: nothing outside it is
 * followed); what was deleted, already absent or refused, for the destruction record. Shared by
 * the one-stop and the records destructions (activities/retention).
 */
export function deleteFilesInside(dir: string, refs: string[]): ImageDeletion {
  const folder = path.resolve(dir);
  const outcome: ImageDeletion = { folder, deleted: [], alreadyAbsent: [], refused: [], at: new Date().toISOString() };
  for (const ref of refs) {
    const target = scanFile(folder, ref);
    if ('refused' in target) {
      outcome.refused.push({ ref, reason: target.refused });
      continue;
    }
    try {
      fs.unlinkSync(target.file);
      outcome.deleted.push(ref);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') outcome.alreadyAbsent.push(ref);
      else outcome.refused.push({ ref, reason: (err as NodeJS.ErrnoException).code ?? 'error' });
    }
  }
  return outcome;
}

/** SEC-3: long enough for a slow server (the mailer's own connection timeout is 10 s), short enough for the API request that waits for it. */
export const INCIDENT_MAIL_TIMEOUT_MS = 20_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface OneStopActivityDeps {
  orm: Orm;
  /** DOCS-5: email notices go out through it (mail_log, one mail per notice key). */
  sendMail: SendMail;
  onestop: OneStopActivitySettings;
}

export function createOneStopActivities(deps: OneStopActivityDeps) {
  const knex = () => deps.orm.em.getKnex();
  const onestop = () => deps.onestop;

  /** Reviews the application as the ledger holds it and records the verdict once per key. */
  const reviewAndRecord = async (input: { applicationId: string; key: string; actor: string }): Promise<{ app: ApplicationRow; result: ReviewResult }> => {
    const app = await findApplication(knex(), input.applicationId);
    if (!app) throw missing(input.applicationId);
    const facts = await donationFacts(knex(), app.donationId);
    if (!facts) throw missing(input.applicationId);
    const review = reviewApplication({ content: app.currentContent, myNumber: app.myNumber.verdict, arrivedOn: app.arrivedOn, deadline: app.deadlineOn, donation: facts });
    const status = STATUS_OF[review.outcome];
    const round = await recordReview(knex(), app, { status, findings: review.findings }, input.key, input.actor);
    return { app, result: { outcome: review.outcome, round, findings: review.findings, deadlineOn: app.deadlineOn, deadlineEndsAt: deadlineEndsAt(app.deadlineOn).toISOString() } };
  };

  /** Queues the notice once per key — email when the donor applied online with an address, paper otherwise — and reads it back as recorded. */
  const queueOutcomeNotice = async (app: ApplicationRow, kind: NoticeKind, key: string): Promise<OneStopNoticeRow> => {
    const channel = app.channel === 'online' && app.currentContent.email ? 'email' : 'mail';
    const findings = kind === 'deficiency' || kind === 'reminder' || kind === 'closed_deficient' ? app.findings.filter((f) => f.severity === 'deficiency') : app.findings.filter((f) => f.severity === 'rejection');
    const notice = (await queueNotice(knex(), { applicationId: app.id, kind, channel, findings, key })) ?? (await findNoticeByKey(knex(), key));
    if (!notice) throw new Error(`onestop notice ${key} vanished between insert and read`);
    return notice;
  };

  /** REC-1: deletes each listed scan inside the scan folder; the outcome per reference goes into the destruction record. */
  const deleteImages = async (destructionId: string, refs: string[]): Promise<ImageDeletion> =>
    recordImageDeletion(knex(), destructionId, deleteFilesInside(onestop().scanDir, refs));

  /**
   * SEC-3: mails one incident's report (incidentReportText) to the city and records the outcome on
   * the incident. One mail per incident, ever: the mail_log key is incident/<id>, so a second call
   * after a sent mail sends nothing and reports it sent. An unreachable server is `failed` (tried
   * again by resendIncidentMails), not an activity failure.
   */
  const mailIncident = async (incidentId: string): Promise<IncidentCityMail> => {
    const incident = await findIncident(knex(), incidentId);
    if (!incident) throw ApplicationFailure.create({ type: 'IncidentNotFound', message: `incident ${incidentId} is not in the ledger`, nonRetryable: true });
    const to = onestop().cityIncidentEmail;
    if (!to) return recordIncidentMailOutcome(knex(), incidentId, 'skipped_no_address', { recipient: null, lastError: 'CITY_INCIDENT_EMAIL is not set' });
    const key = `incident/${incidentId}`;
    const { subject, text } = incidentReportText(incident);
    let result: SendMailResult;
    try {
      result = await within(
        deps.sendMail({ key, to, template: 'onestop-incident-report', data: { subject, lines: text.replace(/\n$/, '').split('\n') } }),
        INCIDENT_MAIL_TIMEOUT_MS,
        'the SMTP conversation',
      );
    } catch (err) {
      return recordIncidentMailOutcome(knex(), incidentId, 'failed', { recipient: to, lastError: (err as Error).message?.slice(0, 500) ?? String(err) });
    }
    const refusal = result.status === 'sent' ? null : ((await mailLogResponse(knex(), key)) ?? result.status);
    return recordIncidentMailOutcome(knex(), incidentId, result.status, { recipient: to, lastError: refusal, messageId: result.messageId });
  };

  return {
    /** SEC-3, incidentReportWorkflow: the incident's mail to the city (mailIncident above); returns its record. */
    async mailIncidentToCity(input: { incidentId: string }): Promise<IncidentCityMail> {
      return mailIncident(input.incidentId);
    },

    /**
     * SEC-3: incident mails that did not get out (failed, or pending after a crash), oldest first,
     * each tried once more. Only those older than one attempt can take, so that a mail still being
     * sent is left alone. Returns how many were sent.
     */
    async resendIncidentMails(input: { limit?: number } = {}): Promise<{ sent: number }> {
      let sent = 0;
      for (const id of await openIncidentMails(knex(), Math.ceil(INCIDENT_MAIL_TIMEOUT_MS / 1000) + 10, input.limit ?? 10)) {
        if ((await mailIncident(id)).status === 'sent') sent += 1;
      }
      return { sent };
    },

    /** Reviews the application as it stands and records the verdict; a retry with the same key finds it recorded. */
    async reviewOneStopApplication(input: { applicationId: string; key: string; actor: string }): Promise<ReviewResult> {
      return (await reviewAndRecord(input)).result;
    },

    /**
     * The review and its notice in one step (issue 19: one activity per decision instead of two, each
     * with its own task and workflow task): the rules run over the application and its donation as
     * the ledger holds them, the verdict is recorded (key `key`) and the notice its outcome calls for
     * is queued (key `noticeKeys[outcome]`) — the same rows, with the same keys, as
     * reviewOneStopApplication followed by recordOneStopNotice. Only the ledger is touched, so the
     * workflow runs it as a local activity; an email notice is left pending (`emailPending`) for
     * recordOneStopNotice to send, which finds the queued notice by its key.
     */
    async decideOneStopApplication(input: { applicationId: string; key: string; actor: string; noticeKeys: Record<ReviewOutcome, string> }): Promise<OneStopDecision> {
      const { app, result } = await reviewAndRecord(input);
      const kind = NOTICE_OF[result.outcome];
      const notice = await queueOutcomeNotice({ ...app, findings: result.findings }, kind, input.noticeKeys[result.outcome]);
      return { ...result, notice: { kind, channel: notice.channel, emailPending: notice.channel === 'email' && notice.status !== 'sent' } };
    },

    /**
     * Queues a notice (DOCS-5, deficiency follow-up) and, for email, sends it. Email when the donor
     * applied online and gave an address; paper otherwise — the daily print batch picks up pending
     * paper notices, and they become sent when that batch is confirmed posted.
     *
     * Email: sendMail with the notice's key as idempotency key, so a retried activity or a repeated
     * call never mails twice; sent → the notice is sent (with the time). A bounce (5xx), a masked
     * portal relay address or an unusable address is recorded in mail_log and the notice falls back
     * to paper (channel mail, still pending, email_status says why); the result then says 'mail'. An
     * SMTP outage throws: the notice stays pending and Temporal retries the activity.
     */
    async recordOneStopNotice(input: { applicationId: string; kind: NoticeKind; key: string }): Promise<{ channel: 'mail' | 'email' }> {
      const app = await findApplication(knex(), input.applicationId);
      if (!app) throw missing(input.applicationId);
      const notice = await queueOutcomeNotice(app, input.kind, input.key);
      if (notice.channel === 'mail' || notice.status === 'sent') return { channel: notice.channel };

      const facts = await noticeDonationFacts(knex(), app.donationId);
      if (!facts) throw missing(input.applicationId);
      const donor = noticeAddressee(facts.donor, app.changedParticulars);
      const accepted: OneStopAcceptedMailData = {
        donor: { name: donor.name },
        portalName: facts.portalName,
        portalOrderId: facts.portalOrderId,
        amountYen: facts.amountYen,
        receivedAt: facts.receivedAt,
        applicationArrivedOn: app.arrivedOn,
      };
      const mail: Pick<SendMailInput, 'template' | 'data'> =
        notice.kind === 'accepted'
          ? { template: NOTICE_MAIL_TEMPLATE.accepted, data: accepted }
          : { template: NOTICE_MAIL_TEMPLATE[notice.kind], data: { ...accepted, deadlineOn: app.deadlineOn, findings: notice.findings.map((f) => ({ code: f.code, field: f.field })) } satisfies OneStopNoticeMailData };
      const result = await deps.sendMail({ key: notice.key, to: app.currentContent.email, donationId: app.donationId, ...mail });
      return { channel: await recordNoticeEmail(knex(), notice.id, result.status) };
    },

    /**
     * REC-1: runs an approved destruction (numbers, personal data, history in
     * one transaction), then deletes the image files it lists from the scan
     * folder and adds what happened to each to the record. Returns counts only.
     */
    async executeRetentionDestruction(input: { destructionId: string; actor: string }): Promise<{ applications: number; myNumbers: number; imageReferences: number; personalData?: number; imageFilesDeleted?: number }> {
      try {
        const report = await executeDestruction(knex(), input.destructionId, input.actor);
        const images = report.imageFiles ?? (await deleteImages(input.destructionId, report.imageReferencesToDelete ?? []));
        return { ...report.count, imageFilesDeleted: images.deleted.length };
      } catch (err) {
        if (err instanceof OneStopError) throw ApplicationFailure.create({ type: 'DestructionRefused', message: err.message, nonRetryable: true });
        throw err;
      }
    },

    /** REC-1, yearly: proposes what is past retention today (never later); the city still decides. */
    async proposeOneStopDestruction(input: { id: string; asOf: string; retentionYears: number; actor: string }): Promise<{ id?: string; count: number }> {
      const today = jstDate(new Date());
      if (input.asOf > today) throw ApplicationFailure.create({ type: 'DestructionRefused', message: `asOf ${input.asOf} is after today (${today})`, nonRetryable: true });
      const r = await proposeDestruction(knex(), { asOf: input.asOf, retentionYears: input.retentionYears, id: input.id, skipEmpty: true }, input.actor);
      return r.id ? { id: r.id, count: r.count } : { count: 0 };
    },

    /** Something operators and the city must see (GET /onestop/alerts); once per key. */
    async recordOneStopAlert(input: { kind: AlertKind; donationYear?: number; message: string; details?: Record<string, unknown>; key: string }): Promise<void> {
      await recordAlert(knex(), input);
    },

    /** ONESTOP-4: 整理番号 and receiving municipality for every accepted application of the year; counts only. */
    async assignOneStopNotifications(input: { donationYear: number }): Promise<AssignmentSummary> {
      return assignNotificationItems(knex(), input.donationYear);
    },

    /**
     * ONESTOP-4: writes one file per receiving municipality in the (provisional)
     * eLTAX layout into <deliveryDir>/<year>/, then manifest.csv last. The
     * numbers are opened here and go nowhere but into the files: the result
     * carries counts, codes and hashes. Same ledger, same bytes: a re-run
     * rewrites nothing and records no second delivery.
     *
     * One municipality at a time, in code order: its applications are read from the ledger,
     * their reads logged (SEC-2) and numbers opened, its file written, and the heartbeat says
     * `{ lastCode, files, applications }`. A retry resumes after `lastCode`: a file an earlier
     * attempt wrote is taken as it is (its hash read from the folder) when it holds as many
     * records as the ledger has for it, so the numbers are neither opened nor logged again;
     * otherwise that municipality is written again. Only one municipality's notices are in memory.
     */
    async deliverOneStopNotifications(input: { donationYear: number; requestedBy: string; workflowId: string; undecided: number }): Promise<NotificationDelivery> {
      const { keyring, deliveryDir } = onestop();
      const year = input.donationYear;
      const dir = path.join(deliveryDir, String(year));
      fs.mkdirSync(dir, { recursive: true });
      const resumed = heartbeatDetails() as { lastCode?: unknown } | undefined;
      const lastCode = typeof resumed?.lastCode === 'string' ? resumed.lastCode : undefined;
      const recipients = await notificationRecipients(knex(), year);
      const rows: ManifestRow[] = [];
      heartbeat({ lastCode, files: 0, applications: 0, of: recipients.length });

      for (const { code } of recipients) {
        const municipality = municipalityByCode(code);
        const file = notificationFileName(year, code);
        if (lastCode !== undefined && code <= lastCode && municipality) {
          const kept = keptNoticeFile(path.join(dir, file));
          const expected = await notificationFileTotals(knex(), year, code);
          if (kept && expected.count > 0 && kept.records === expected.count) {
            rows.push({ code, name: `${municipality.prefecture}${municipality.name}`, count: expected.count, totalYen: expected.totalYen, file, sha256: kept.sha256 });
            continue;
          }
        }
        const sources = await notificationSources(knex(), year, code);
        const problems: { applicationId: string; problem: string }[] = [];
        // SEC-2: one access-log row per application whose notice is made, before any number is opened.
        await logMyNumberReads(knex(), sources.map((src) => src.applicationId), { actor: 'system:onestop-notification', role: 'system', source: 'workflow' }, `申告特例通知書 ${year}年分の作成`);
        if (!municipality) {
          for (const src of sources) problems.push({ applicationId: src.applicationId, problem: 'recipient_code_unknown' });
        } else {
          const opened = sources.filter((src) => src.sealed);
          for (const src of sources) if (!src.sealed) problems.push({ applicationId: src.applicationId, problem: 'my_number_missing' });
          const buffers: Buffer[] = [];
          let totalYen = 0;
          for (const src of opened) {
            const p = src.particulars;
            const record: NoticeRecord = {
              recordType: '1',
              senderCode: SENDER_CODE,
              recipientCode: src.recipientCode,
              donationYear: String(year),
              referenceNumber: src.referenceNumber,
              myNumber: openMyNumber(keyring, src.applicationId, src.sealed!),
              nameKana: p.nameKana,
              name: p.name,
              birthDate: p.birthDate,
              postalCode: p.postalCode,
              address: addressWithPrefecture(p.address, municipality),
              donationDate: src.donationReceivedOn,
              amountYen: src.amountYen,
            };
            try {
              buffers.push(writeNoticeFile([record]));
              totalYen += src.amountYen;
            } catch (err) {
              // The message names the field (氏名 longer than 60 bytes, characters Shift_JIS cannot hold), never the value.
              if (!(err instanceof LayoutError)) throw err;
              problems.push({ applicationId: src.applicationId, problem: `unwritable: ${err.message.replace(/^record \d+: /, '')}` });
            }
          }
          if (buffers.length) {
            const bytes = Buffer.concat(buffers);
            writeFileAtomic(path.join(dir, file), bytes);
            rows.push({ code, name: `${municipality.prefecture}${municipality.name}`, count: buffers.length, totalYen, file, sha256: sha256(bytes) });
          }
        }
        await markNotificationProblems(knex(), problems);
        heartbeat({ lastCode: code, files: rows.length, applications: rows.reduce((n, r) => n + r.count, 0), of: recipients.length });
      }

      // A municipality that no longer has notices (an operator corrected an address) must not keep a stale file.
      const keep = new Set(rows.map((r) => r.file));
      for (const f of fs.readdirSync(dir)) {
        const m = NOTIFICATION_FILE_RE.exec(f);
        if ((m && Number(m[1]) === year && !keep.has(f)) || /\.tmp-\d+$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
      }
      const manifest = manifestCsv(rows);
      writeFileAtomic(path.join(dir, MANIFEST_FILE), manifest);
      const manifestSha256 = sha256(manifest);
      const applications = rows.reduce((n, r) => n + r.count, 0);
      const totalYen = rows.reduce((n, r) => n + r.totalYen, 0);
      const unmatched = await notificationProblemCount(knex(), year);
      const { runId, created } = await recordNotificationRun(knex(), {
        donationYear: year,
        deliveryDir: dir,
        manifestSha256,
        files: rows,
        applications,
        totalYen,
        problems: Number(unmatched),
        undecided: input.undecided,
        requestedBy: input.requestedBy,
        workflowId: input.workflowId,
      });
      return { runId, created, donationYear: year, deliveryDir: dir, files: rows.length, applications, totalYen, problems: Number(unmatched), undecided: input.undecided, manifestSha256 };
    },

    /** The deadline passed with the deficiency unresolved: the donor has to file a tax return instead. */
    async closeOneStopApplication(input: { applicationId: string; key: string; actor: string }): Promise<void> {
      await closeDeficientApplication(knex(), input);
    },
  };
}

export type OneStopActivities = ReturnType<typeof createOneStopActivities>;
