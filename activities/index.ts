import type { Client } from '@temporalio/client';
import type { Orm } from '../ledger/orm';
import { createDocumentActivities } from './documents/print-batch';
import type { DocumentRenderer } from './documents/renderer';
import type { PrintingService } from './documents/printing-service';
import { createIntakeActivities } from './intake';
import { createLedgerActivities } from './ledger';
import { createCalendarActivities } from './calendar';
import { createOneStopActivities } from './onestop';

export interface ActivityDeps {
  orm: Orm;
  /** For activities that signal workflows (print batches tell donations their documents are posted). */
  temporal: Client;
  documents: {
    printer: PrintingService;
    renderer: () => Promise<DocumentRenderer>;
    workDir: string;
  };
}

/** All activities the worker registers, built from their dependencies (samples' dependency-injection pattern). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps),
    ...createCalendarActivities(),
    ...createDocumentActivities({ orm: deps.orm, temporal: deps.temporal, ...deps.documents }),
    ...createIntakeActivities({ orm: deps.orm, temporal: deps.temporal }),
    ...createOneStopActivities({ orm: deps.orm }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
