import type { Orm } from '../ledger/orm';
import { createLedgerActivities } from './ledger';

export interface ActivityDeps {
  orm: Orm;
}

/** All activities the worker registers, built from their dependencies (samples' dependency-injection pattern). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
