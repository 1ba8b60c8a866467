import fs from 'node:fs';
import path from 'node:path';
import { activityInfo, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { IntakeConfig } from '../../config/env';
import { portalsWithAdapters } from '../../domain/portals';
import type { Donation } from '../../ledger/entities';
import { importChunk, ImportFileNotFoundError, storeImportFile, type ChunkHooks, type ChunkResult } from '../../ledger/intake';
import type { Orm } from '../../ledger/orm';
import type { DonationStart } from '../../ledger/migration-import';
import { paymentConfirmedSignal } from '../../workflows/donation/definitions';

/**
 * Starts (or finds) an imported donation's workflow on `taskQueue`; `start` places a migrated
 * donation at its stage. Injected (activities/deps.ts binds workflows/intake/client's
 * ensureImportedDonationWorkflow to the process's client and configuration), so this module
 * imports no workflow client.
 */
export type StartImportedDonation = (donation: Donation, taskQueue: string, start?: DonationStart, intake?: { importLate: boolean }) => Promise<unknown>;

export interface IntakeActivityDeps {
  orm: Orm;
  temporal: Client;
  startImportedDonation: StartImportedDonation;
  /** PORTAL-1: inbox folder and endpoints, corrected mappings (AppConfig.intake). */
  intake: IntakeConfig;
}

export interface CollectedFile {
  fileId: string;
  portal: string;
  name: string;
  existing: boolean;
  /** False once an earlier collection's import finished it. */
  needsImport: boolean;
}

/**
 * Intake activities: file chunks with heartbeats (a crash resumes from the
 * ledger's resume point), and collection from portal inboxes.
 */
export function createIntakeActivities(deps: IntakeActivityDeps) {
  const { orm, temporal } = deps;

  const hooks = (): ChunkHooks => {
    // Donations start on the queue of the worker that imports them.
    const taskQueue = activityInfo().taskQueue;
    return {
      async ensureWorkflow(donation: Donation, start?: DonationStart, intake?: { importLate: boolean }) {
        await deps.startImportedDonation(donation, taskQueue, start, intake);
      },
      async paymentSeen(donation: Donation, paidAt: string) {
        await temporal.workflow.getHandle(donation.workflowId).signal(paymentConfirmedSignal, { actor: 'system:portal-import', paidAt, reference: 'portal export' });
      },
      heartbeat: (rowsDone: number) => heartbeat({ rowsDone }),
      mappingsDir: deps.intake.mappingsDir,
    };
  };

  return {
    async importFileChunk(input: { fileId: string; maxRows: number }): Promise<ChunkResult> {
      try {
        return await importChunk(orm, input.fileId, input.maxRows, hooks());
      } catch (err) {
        if (err instanceof ImportFileNotFoundError) throw ApplicationFailure.create({ type: 'ImportFileNotFoundError', message: err.message, nonRetryable: true });
        throw err;
      }
    },

    /** Takes every new file from each portal's inbox into the ledger; returns the files to import. */
    async collectPortalFiles(): Promise<CollectedFile[]> {
      const inbox = { dir: deps.intake.inboxDir, urls: deps.intake.inboxUrls };
      const out: CollectedFile[] = [];
      for (const portal of portalsWithAdapters(deps.intake.mappingsDir)) {
        const dir = path.join(inbox.dir, portal);
        if (fs.existsSync(dir)) {
          for (const name of fs.readdirSync(dir).filter((n) => /\.(csv|txt)$/i.test(n)).sort()) {
            const full = path.join(dir, name);
            const { file, existing } = await storeImportFile(orm, { portal, fileName: name, source: 'inbox', createdBy: 'system:inbox', bytes: fs.createReadStream(full) });
            // Moved only once the bytes are in the ledger, so a crash here means "collect it again", which is a no-op.
            fs.mkdirSync(path.join(dir, 'imported'), { recursive: true });
            fs.renameSync(full, path.join(dir, 'imported', `${file.id}-${name}`));
            out.push({ fileId: file.id, portal, name, existing, needsImport: file.status !== 'done' && file.status !== 'failed' });
            heartbeat({ collected: out.length });
          }
        }
        const url = inbox.urls[portal];
        if (url) {
          const listing = await fetch(url);
          if (!listing.ok) throw new Error(`portal ${portal} inbox ${url} answered ${listing.status}`);
          const files = (await listing.json()) as { name: string }[];
          for (const { name } of files) {
            const res = await fetch(`${url}/${encodeURIComponent(name)}`);
            if (!res.ok || !res.body) throw new Error(`portal ${portal} file ${name} answered ${res.status}`);
            // Same bytes as last time = the same import: the portal may list a file until it ages out.
            const { file, existing } = await storeImportFile(orm, { portal, fileName: name, source: 'http', createdBy: 'system:inbox', bytes: res.body as unknown as AsyncIterable<Uint8Array> });
            out.push({ fileId: file.id, portal, name, existing, needsImport: file.status !== 'done' && file.status !== 'failed' });
            heartbeat({ collected: out.length });
          }
        }
      }
      return out;
    },
  };
}

export type IntakeActivities = ReturnType<typeof createIntakeActivities>;
