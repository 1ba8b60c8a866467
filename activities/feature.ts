import type { Client } from '@temporalio/client';
import type { Orm } from '../ledger/orm';
import type { DocumentRenderer } from './documents/renderer';
import type { PrintingService } from './documents/printing-service';
import type { StartImportedDonation } from './intake/intake';
import type { OneStopActivitySettings } from './onestop/onestop';
import type { Mailer } from './mail/mailer';
import type { SendMail } from './mail/send-mail';
import type { ReportActivitySettings } from './reports/reports';
import type { AppConfig, IntakeConfig, MailConfig } from '../config/env';

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

/** Activities every feature may use, built once per worker and handed to each feature's factory. */
export interface SharedActivities {
  sendMail: SendMail;
}

/**
 * A feature's activity registry (activities/<feature>/registry.ts): builds its activities from
 * the worker's dependencies. activities/index.ts walks every feature's factory.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activity signatures differ; the registry keeps each factory's own type
export type ActivityFeature = (deps: ActivityDeps, shared: SharedActivities) => Record<string, (...args: any[]) => Promise<unknown>>;

/** For a feature whose work needs no activity of its own. */
export const noActivities = (() => ({})) satisfies ActivityFeature;
