import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import type { Orm } from '../ledger/orm';
import type { ActivityDeps } from './feature';
import { lazyRenderer } from './documents/lazy-renderer';
import { reportActivitySettings } from './reports/reports';
import { oneStopActivitySettings } from './onestop/onestop';
import { ensureImportedDonationWorkflow } from '../workflows/intake/client';
import { FolderDropPrintingService } from './documents/printing-service';
import { SmtpMailer, UnconfiguredMailer, type Mailer } from './mail/mailer';

/**
 * The mailer for this configuration: SMTP_URL, or the local sink that `npm start` runs when it is
 * unset. In production nothing runs that sink, so sends fail (and are retried) with a clear message.
 */
export function mailerFromConfig(config: AppConfig): Mailer {
  if (config.mail.smtpUrl) return new SmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from });
  if (config.production) return new UnconfiguredMailer('SMTP_URL is not set: production has no local mail sink');
  return new SmtpMailer({ url: `smtp://127.0.0.1:${config.mail.sinkPort}`, from: config.mail.from });
}

/**
 * The production wiring of activity dependencies from configuration; `close` releases what they hold (Chromium, SMTP connections).
 * This is the activities' composition root: the one module under activities/ that may import a workflow client, to bind the
 * workflow starts activities make (ActivityDeps.workflows) to the process's client.
 */
export function activityDepsFromConfig(config: AppConfig, orm: Orm, temporal: Client): { deps: ActivityDeps; close: () => Promise<void> } {
  const renderer = lazyRenderer(config.documents.chromiumPath);
  const mailer = mailerFromConfig(config);
  return {
    deps: {
      orm,
      temporal,
      documents: { printer: new FolderDropPrintingService(config.documents.dropDir, config.documents.printHouse), renderer: renderer.get, workDir: config.documents.workDir },
      mailer,
      mailConfig: config.mail,
      shipping: config.shipping,
      billing: config.billing,
      reports: reportActivitySettings(config),
      onestop: oneStopActivitySettings(config),
      intake: config.intake,
      workflows: {
        // Imported donations start on the queue of the worker that imports them.
        startImportedDonation: (donation, taskQueue, start, intake) =>
          ensureImportedDonationWorkflow(temporal, donation, { ...config, temporal: { ...config.temporal, taskQueue } }, start, intake),
      },
    },
    close: async () => {
      await renderer.close();
      await mailer.close();
    },
  };
}
