import fs from 'node:fs';
import path from 'node:path';
import { activityInfo, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { loadConfig, type AppConfig } from '../config/env';
import { PORTALS_WITH_ADAPTERS } from '../domain/portals';
import type { Donation } from '../ledger/entities';
import { importChunk, ImportFileNotFoundError, storeImportFile, type ChunkHooks, type ChunkResult } from '../ledger/intake';
import type { Orm } from '../ledger/orm';
import type { DonationStart } from '../ledger/migration-import';
import { paymentConfirmedSignal } from '../workflows/donation/definitions';
import { ensureImportedDonationWorkflow } from '../workflows/intake/client';

/**
 * Where the scheduled import looks for new files (PORTAL-1): a folder per
 * portal under PORTAL_INBOX_DIR (default <data dir>/inbox/<portal>), and/or an
 * HTTP endpoint per portal in PORTAL_INBOX_URLS ("choice=http://…,rakuten=…")
 * answering GET <url> with [{ "name": … }] and GET <url>/<name> with the bytes.
 */
export interface InboxConfig {
  dir: string;
  urls: Record<string, string>;
}

export function inboxConfig(env: NodeJS.ProcessEnv = process.env, dataDir = loadConfig(env).dataDir): InboxConfig {
  const urls: Record<string, string> = {};
  for (const entry of (env.PORTAL_INBOX_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_-]+)=(https?:\/\/\S+)$/.exec(entry);
    if (!m) throw new Error(`PORTAL_INBOX_URLS entry "${entry}" must be portal=http(s)://…`);
    urls[m[1]] = m[2].replace(/\/$/, '');
  }
  return { dir: path.resolve(env.PORTAL_INBOX_DIR || path.join(dataDir, 'inbox')), urls };
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
export function createIntakeActivities(deps: { orm: Orm; temporal: Client; config?: AppConfig; inbox?: InboxConfig }) {
  const { orm, temporal } = deps;
  const config = () => {
    const base = deps.config ?? loadConfig();
    // Donations start on the queue of the worker that imports them.
    return { ...base, temporal: { ...base.temporal, taskQueue: activityInfo().taskQueue } };
  };

  const hooks = (): ChunkHooks => {
    const cfg = config();
    return {
      async ensureWorkflow(donation: Donation, start?: DonationStart, intake?: { importLate: boolean }) {
        await ensureImportedDonationWorkflow(temporal, donation, cfg, start, intake);
      },
      async paymentSeen(donation: Donation, paidAt: string) {
        await temporal.workflow.getHandle(donation.workflowId).signal(paymentConfirmedSignal, { actor: 'system:portal-import', paidAt, reference: 'portal export' });
      },
      heartbeat: (rowsDone: number) => heartbeat({ rowsDone }),
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
      const inbox = deps.inbox ?? inboxConfig();
      const out: CollectedFile[] = [];
      for (const portal of PORTALS_WITH_ADAPTERS) {
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
