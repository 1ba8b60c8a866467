import type { Client } from '@temporalio/client';
import type { Orm } from '../ledger/orm';
import { createDocumentActivities } from './documents/print-batch';
import type { DocumentRenderer } from './documents/renderer';
import type { PrintingService } from './documents/printing-service';
import { createIntakeActivities, type StartImportedDonation } from './intake';
import { createLedgerActivities } from './ledger';
import { createCalendarActivities } from './calendar';
import { createOneStopActivities, type OneStopActivitySettings } from './onestop';
import type { Mailer } from './mail/mailer';
import { createMailActivities } from './mail/send-mail';
import { createShippingActivities } from './shipping';
import { createReportActivities, type ReportActivitySettings } from './reports';
import type { AppConfig, IntakeConfig, MailConfig } from '../config/env';
import { createBillingActivities } from './billing';

export interface ActivityDeps {
  orm: Orm;
  /** For activities that signal workflows (print batches tell donations their documents are posted). */
  temporal: Client;
  documents: {
    printer: PrintingService;
    renderer: () => Promise<DocumentRenderer>;
    workDir: string;
  };
  /**
   * Workflow starts that activities make, bound to the process's client and configuration by
   * activityDepsFromConfig: activity modules import no workflow client (.dependency-cruiser.cjs).
   */
  workflows: { startImportedDonation: StartImportedDonation };
  /** PORTAL-1: inbox folder and endpoints, corrected portal mappings. */
  intake: IntakeConfig;
  /** ONESTOP-4/REC-1: keys, drop folder, scan folder. */
  onestop: OneStopActivitySettings;
  /** SMTP (SHIP-4 pre-shipping mail and other notices); sendMail is idempotent per key through mail_log. */
  mailer: Mailer;
  mailConfig: MailConfig;
  /** SHIP-1…5: order time, re-shipment limit, carrier drop folder and account codes. */
  shipping: AppConfig['shipping'];
  /** BILL-1…5: fee rates, deadlines, operators' and city's addresses. */
  billing: AppConfig['billing'];
  /** REPORT-1/2: where reports go and who is told. */
  reports: ReportActivitySettings;
}

/** All activities the worker registers, built from their dependencies (samples' dependency-injection pattern). */
export function createActivities(deps: ActivityDeps) {
  const mail = createMailActivities({ orm: deps.orm, mailer: deps.mailer, config: { mail: deps.mailConfig } });
  return {
    ...createLedgerActivities(deps),
    ...createCalendarActivities(),
    ...createDocumentActivities({ orm: deps.orm, temporal: deps.temporal, ...deps.documents }),
    ...createIntakeActivities({ orm: deps.orm, temporal: deps.temporal, startImportedDonation: deps.workflows.startImportedDonation, intake: deps.intake }),
    ...createOneStopActivities({ orm: deps.orm, onestop: deps.onestop, sendMail: mail.sendMail }),
    ...mail,
    ...createShippingActivities({ orm: deps.orm, temporal: deps.temporal, shipping: deps.shipping, sendMail: mail.sendMail }),
    ...createReportActivities({ orm: deps.orm, temporal: deps.temporal, sendMail: mail.sendMail, reports: deps.reports }),
    ...createBillingActivities({ orm: deps.orm, mailer: deps.mailer, mailConfig: deps.mailConfig, billing: deps.billing, renderer: deps.documents.renderer, workDir: deps.documents.workDir }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
