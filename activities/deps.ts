import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import type { Orm } from '../ledger/orm';
import type { ActivityDeps } from '.';
import { lazyRenderer } from './documents/lazy-renderer';
import { FolderDropPrintingService } from './documents/printing-service';

/** The production wiring of activity dependencies from configuration; `close` releases what they hold (Chromium). */
export function activityDepsFromConfig(config: AppConfig, orm: Orm, temporal: Client): { deps: ActivityDeps; close: () => Promise<void> } {
  const renderer = lazyRenderer(config.documents.chromiumPath);
  return {
    deps: {
      orm,
      temporal,
      documents: { printer: new FolderDropPrintingService(config.documents.dropDir), renderer: renderer.get, workDir: config.documents.workDir },
    },
    close: renderer.close,
  };
}
