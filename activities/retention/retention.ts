import { ApplicationFailure } from '@temporalio/common';
import { jstDate } from '../../domain/jst';
import type { RecordClass } from '../../domain/retention/classes';
import type { Orm } from '../../ledger/orm';
import { OneStopError, recordImageDeletion, type ImageDeletion } from '../../ledger/onestop';
import { recordDestructionTiming, timingOf, type DestructionTiming } from '../../ledger/destruction-plan';
import { executeRecordsDestruction, proposeRecordsDestruction, type FileRoot, type FileToDelete } from '../../ledger/retention';
import { deleteFilesInside } from '../onestop/onestop';

export interface RetentionActivityDeps {
  orm: Orm;
  /** The folders a records destruction deletes files in (nothing outside them is followed); read when used. */
  folders: () => Record<FileRoot, string>;
}

/** Deletes the files of a done destruction, one folder at a time, and keeps the outcome in its record (once). */
export function deleteRecordFiles(folders: Record<FileRoot, string>, files: FileToDelete[]): ImageDeletion {
  const roots = Object.keys(folders) as FileRoot[];
  const outcomes = roots.map((root) => deleteFilesInside(folders[root], files.filter((f) => f.root === root).map((f) => f.ref)));
  return {
    folder: roots.map((r) => `${r}: ${outcomes[roots.indexOf(r)].folder}`).join(', '),
    deleted: outcomes.flatMap((o) => o.deleted),
    alreadyAbsent: outcomes.flatMap((o) => o.alreadyAbsent),
    refused: outcomes.flatMap((o) => o.refused),
    at: new Date().toISOString(),
  };
}

/** REC-1 for every record (ledger/retention.ts): the yearly proposal and the approved destruction. */
export function createRetentionActivities(deps: RetentionActivityDeps) {
  const knex = () => deps.orm.em.getKnex();
  const refused = (err: unknown) => (err instanceof OneStopError ? ApplicationFailure.create({ type: 'DestructionRefused', message: err.message, nonRetryable: true }) : err);
  return {
    /** MYNUM-5: the day a planned destruction was carried out (the workflow's clock), added to its record once: on time or late. */
    async recordDestructionTiming(input: { destructionId: string; plannedOn: string; carriedOutOn: string }): Promise<DestructionTiming> {
      return recordDestructionTiming(knex(), input.destructionId, timingOf(input.plannedOn, input.carriedOutOn)).catch((err) => {
        throw refused(err);
      });
    },

    /** Yearly: proposes what is past its class's period today (never a later day); the city still decides. */
    async proposeRecordsDestruction(input: { id: string; asOf: string; years: Record<RecordClass, number>; actor: string }): Promise<{ id?: string; count: number; counts: Record<RecordClass, number> }> {
      const today = jstDate(new Date());
      if (input.asOf > today) throw ApplicationFailure.create({ type: 'DestructionRefused', message: `asOf ${input.asOf} is after today (${today})`, nonRetryable: true });
      const r = await proposeRecordsDestruction(knex(), { asOf: input.asOf, years: input.years, id: input.id, skipEmpty: true }, input.actor);
      return r.id ? { id: r.id, count: r.count, counts: r.counts } : { count: 0, counts: r.counts };
    },

    /**
     * An approved records destruction: the ledger in one transaction (a retry after a crash finds
     * it done or not begun), then the files it lists, whose outcome is added to the record once.
     * Returns counts only.
     */
    async executeRecordsDestruction(input: { destructionId: string; actor: string }): Promise<Record<string, number>> {
      try {
        const report = await executeRecordsDestruction(knex(), input.destructionId, input.actor);
        const files = report.imageFiles ?? (await recordImageDeletion(knex(), input.destructionId, deleteRecordFiles(deps.folders(), report.filesToDelete ?? [])));
        return { ...report.count, imageFilesDeleted: files.deleted.length };
      } catch (err) {
        throw refused(err);
      }
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
