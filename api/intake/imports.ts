import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { MIGRATION_SOURCE, portalsWithAdapters } from '../../domain/portals';
import { jstStartOfDay, addDays } from '../../domain/jst';
import { IntakeValidationError } from '../../ledger/donations';
import { ImportFile, QuarantineEntry } from '../../ledger/entities';
import {
  CampaignError,
  closeCampaign,
  correctQuarantine,
  getCampaign,
  listCampaigns,
  openCampaign,
  dismissQuarantine,
  donationIntake,
  ImportFileNotFoundError,
  importReport,
  listQuarantine,
  QuarantineError,
  resubmitQuarantine,
  slaSummary,
  storeImportFile,
} from '../../ledger/intake';
import type { Orm } from '../../ledger/orm';
import { ensureImportedDonationWorkflow, ensureImportWorkflow } from '../../workflows/intake/client';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { notAPortalText } from '../../domain/portals/encoding';
import { badRequest, HttpError, notFound } from '../errors';

export interface IntakeRouteDeps {
  config: AppConfig;
  orm: Orm;
  temporal: Client;
}

/** A hand upload waits this long for its report; a bigger file answers 202 and the report is read later. */
const WAIT_MS = 60_000;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const quarantineParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } } as const;
const corrections = { type: 'object', additionalProperties: { type: 'string', maxLength: 500 }, description: 'Column name in the file → corrected value' } as const;
const page = { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 }, offset: { type: 'integer', minimum: 0, default: 0 } } as const;

function quarantineView(e: QuarantineEntry) {
  const header = e.header;
  return {
    id: String(e.id),
    fileId: e.fileId,
    row: e.rowNumber,
    lastRow: e.lastRow,
    portal: e.portal,
    portalOrderId: e.portalOrderId ?? null,
    kind: e.kind,
    issues: e.issues,
    status: e.status,
    corrections: e.corrections,
    // The rows as the operator would see them in the file: column → value.
    rows: e.rows.map((cells) => Object.fromEntries(header.map((h, i) => [h.replace(/^\uFEFF/, ''), cells[i] ?? '']).filter(([, v]) => v !== ''))),
    donationId: e.donationId ?? null,
    resolvedBy: e.resolvedBy ?? null,
    resolvedAt: e.resolvedAt?.toISOString() ?? null,
    resolution: e.resolution ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}

/** A body that does not parse as the multipart it claims to be is the caller's (400); one over the limit stays 413. */
function unreadableMultipart(err: unknown): unknown {
  if ((err as { statusCode?: number }).statusCode === 413) return err;
  return badRequest([{ field: 'body', reason: `is not readable multipart/form-data (${(err as Error).message})` }]);
}

/**
 * The upload's bytes as they stream into the ledger, refused on the way when they cannot be a portal export:
 * storeImportFile deletes what it had stored when the stream throws, so a refused file leaves nothing.
 */
async function* screened(bytes: AsyncIterable<Buffer> & { truncated?: boolean }, maxBytes: number): AsyncIterable<Buffer> {
  let size = 0;
  const source = bytes[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await source.next();
    } catch (err) {
      throw unreadableMultipart(err);
    }
    if (next.done) break;
    const chunk = next.value;
    if (size === 0 && chunk.length) {
      const reason = notAPortalText(chunk);
      if (reason) throw new HttpError(415, 'unsupported_media_type', `file ${reason}; nothing was imported`, [{ field: 'file', reason }]);
    }
    size += chunk.length;
    yield chunk;
  }
  if (size === 0) throw badRequest([{ field: 'file', reason: 'is empty; nothing was imported' }]);
  // @fastify/multipart stops at the limit and marks the stream: the part stored so far is deleted with the throw.
  if (bytes.truncated) throw new HttpError(413, 'too_large', `the file exceeds ${maxBytes} bytes (INTAKE_UPLOAD_MAX_MIB); nothing was imported`);
}

/** PORTAL-1 / INTAKE-4: portal file upload with its per-row report, the quarantine, and SLA figures. */
export const intakeRoutes: FastifyPluginAsync<IntakeRouteDeps> = async (app: FastifyInstance, { config, orm, temporal }) => {
  // One file of at most INTAKE_UPLOAD_MAX_MIB (config/env.ts UPLOAD_LIMIT: 3 × the largest file a peak day makes).
  const maxFileBytes = config.intake.uploadMaxBytes;
  await app.register(multipart, { limits: { files: 1, fileSize: maxFileBytes, fields: 5 } });

  const asHttp = (err: unknown): never => {
    if (err instanceof ImportFileNotFoundError) throw notFound(err.message.replace(/ not found$/, ''));
    if (err instanceof QuarantineError) throw new HttpError(409, 'conflict', err.message, err.issues.map((i) => ({ field: i.column ?? '(row)', reason: i.reason })));
    if (err instanceof IntakeValidationError) throw badRequest(err.errors);
    if (err instanceof CampaignError) throw new HttpError(409, 'conflict', err.message);
    throw err;
  };

  /** Stores an uploaded file, runs its import and answers with the per-row report (201 new, 200 known, 202 still running). */
  const importUpload = async (request: FastifyRequest, reply: FastifyReply, portal: string, wait: boolean, limit: number) => {
    const contentType = request.headers['content-type'] ?? '';
    if (!request.isMultipart()) throw new HttpError(415, 'unsupported_media_type', `the body must be multipart/form-data with a "file" part, not ${contentType || 'no content type'}`, [{ field: 'body', reason: 'must be multipart/form-data with a "file" part' }]);
    if (!/;\s*boundary=\S/i.test(contentType)) throw badRequest([{ field: 'body', reason: 'multipart/form-data needs a boundary parameter in Content-Type' }]);
    let part;
    try {
      part = await request.file();
    } catch (err) {
      throw unreadableMultipart(err);
    }
    if (!part) throw badRequest([{ field: 'file', reason: 'is required' }]);
    let stored;
    try {
      stored = await storeImportFile(orm, { portal, fileName: part.filename || 'upload.csv', source: 'upload', createdBy: actorOf(request.principal!), bytes: screened(part.file, maxFileBytes) });
    } catch (err) {
      asHttp(err);
    }
    const { file, existing } = stored!;
    const handle = await ensureImportWorkflow(temporal, file.id, config.temporal.taskQueue);
    let finished = false;
    if (wait) {
      finished = await Promise.race([handle.result().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), WAIT_MS).unref())]);
    }
    const report = await importReport(orm, file.id, { limit, offset: 0 });
    return reply.code(!finished ? 202 : existing ? 200 : 201).send({ existing, ...report });
  };

  app.post<{ Querystring: { portal: string; wait: boolean; limit: number } }>(
    '/intake/imports',
    {
      schema: {
        tags: ['intake'],
        summary: 'Import a portal file by hand (multipart, field "file"); answers with the per-row report',
        consumes: ['multipart/form-data'],
        querystring: {
          type: 'object',
          required: ['portal'],
          additionalProperties: false,
          properties: {
            portal: { type: 'string', enum: portalsWithAdapters(config.intake.mappingsDir) },
            wait: { type: 'boolean', default: true, description: 'Wait for the import to finish (up to a minute)' },
            limit: page.limit,
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => importUpload(request, reply, request.query.portal, request.query.wait, request.query.limit),
  );

  app.post<{ Querystring: { wait: boolean; limit: number } }>(
    '/intake/migration',
    {
      schema: {
        tags: ['intake'],
        summary:
          'LEDGER-4 / SHIP-7: import a ふるさと納税do export (multipart, field "file"): each donation enters under its own portal and its workflow starts at the stage the old system had reached; answers with the per-row report',
        consumes: ['multipart/form-data'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { wait: { type: 'boolean', default: true, description: 'Wait for the import to finish (up to a minute)' }, limit: page.limit },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => importUpload(request, reply, MIGRATION_SOURCE, request.query.wait, request.query.limit),
  );

  app.get<{ Querystring: { portal?: string; limit: number; offset: number } }>(
    '/intake/imports',
    { schema: { tags: ['intake'], summary: 'Imported files, newest first', querystring: { type: 'object', additionalProperties: false, properties: { portal: { type: 'string' }, ...page } } }, config: { roles: READ } },
    async (request) => {
      const [files, total] = await orm.em.fork().findAndCount(ImportFile, request.query.portal ? { portal: request.query.portal } : {}, { orderBy: { createdAt: 'desc' }, limit: request.query.limit, offset: request.query.offset });
      return { total, files: files.map((f) => ({ id: f.id, portal: f.portal, fileName: f.fileName, source: f.source, status: f.status, rowsDone: f.rowsDone, created: f.createdCount, unchanged: f.unchangedCount, quarantined: f.quarantinedCount, late: f.lateCount, error: f.error ?? null, createdAt: f.createdAt.toISOString(), registeredAt: f.registeredAt?.toISOString() ?? null, finishedAt: f.finishedAt?.toISOString() ?? null })) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>(
    '/intake/imports/:id',
    { schema: { tags: ['intake'], summary: 'An import and its per-row report', params: idParams, querystring: { type: 'object', additionalProperties: false, properties: page } }, config: { roles: READ } },
    async (request) => {
      const report = await importReport(orm, request.params.id, request.query);
      if (!report) throw notFound(`import ${request.params.id}`);
      return report;
    },
  );

  app.get<{ Querystring: { status?: string; portal?: string; fileId?: string; limit: number; offset: number } }>(
    '/intake/quarantine',
    {
      schema: {
        tags: ['intake'],
        summary: 'Rows that could not be imported: file, row, column and reason',
        querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['open', 'resolved', 'dismissed'], default: 'open' }, portal: { type: 'string' }, fileId: { type: 'string', format: 'uuid' }, ...page } },
      },
      config: { roles: READ },
    },
    async (request) => {
      const { total, entries } = await listQuarantine(orm, request.query);
      return { total, entries: entries.map(quarantineView) };
    },
  );

  app.get<{ Params: { id: string } }>('/intake/quarantine/:id', { schema: { tags: ['intake'], summary: 'One quarantined row', params: quarantineParams }, config: { roles: READ } }, async (request) => {
    const entry = await orm.em.fork().findOne(QuarantineEntry, { id: request.params.id });
    if (!entry) throw notFound(`quarantine entry ${request.params.id}`);
    return { entry: quarantineView(entry) };
  });

  app.patch<{ Params: { id: string }; Body: { corrections: Record<string, string> } }>(
    '/intake/quarantine/:id',
    {
      schema: { tags: ['intake'], summary: 'Correct cells of a quarantined row (by column name); answers with what is still wrong', params: quarantineParams, body: { type: 'object', additionalProperties: false, required: ['corrections'], properties: { corrections } } },
      config: { roles: WRITE },
    },
    async (request) => {
      try {
        const { entry, issues } = await correctQuarantine(orm, request.params.id, request.body.corrections, { mappingsDir: config.intake.mappingsDir });
        return { entry: quarantineView(entry), issues };
      } catch (err) {
        return asHttp(err);
      }
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/intake/quarantine/:id/resubmit',
    {
      schema: { tags: ['intake'], summary: 'Re-submit a corrected row: it enters the ledger and its workflow starts, or the remaining issues are returned (422)', params: quarantineParams, body: { type: 'object', additionalProperties: false, properties: { corrections } } },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      try {
        if (request.body?.corrections && Object.keys(request.body.corrections).length) await correctQuarantine(orm, request.params.id, request.body.corrections, { mappingsDir: config.intake.mappingsDir });
        const result = await resubmitQuarantine(orm, request.params.id, actorOf(request.principal!), {
          mappingsDir: config.intake.mappingsDir,
          ensureWorkflow: async (d, start) => {
            await ensureImportedDonationWorkflow(temporal, d, config, start);
          },
        });
        if (!result.donation) return reply.code(422).send({ error: 'still_invalid', message: result.issues.map((i) => `${i.column ?? '(row)'} ${i.reason}`).join('; '), issues: result.issues, entry: quarantineView(result.entry) });
        return { entry: quarantineView(result.entry), donationId: result.donation.id, reviewFlags: result.donation.reviewFlags };
      } catch (err) {
        return asHttp(err);
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/intake/quarantine/:id/dismiss',
    { schema: { tags: ['intake'], summary: 'Close a quarantined row without importing it (e.g. a test order)', params: quarantineParams, body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } } }, config: { roles: WRITE } },
    async (request) => {
      try {
        return { entry: quarantineView(await dismissQuarantine(orm, request.params.id, actorOf(request.principal!), request.body.reason)) };
      } catch (err) {
        return asHttp(err);
      }
    },
  );

  app.get<{ Querystring: { appliedFrom?: string; appliedTo?: string } }>(
    '/intake/sla',
    {
      schema: { tags: ['intake'], summary: 'PORTAL-1: imported donations and late imports (after the next business day), per portal', querystring: { type: 'object', additionalProperties: false, properties: { appliedFrom: { type: 'string', format: 'date' }, appliedTo: { type: 'string', format: 'date' } } } },
      config: { roles: READ },
    },
    async (request) => {
      const portals = await slaSummary(orm, {
        from: request.query.appliedFrom ? jstStartOfDay(request.query.appliedFrom).toISOString() : undefined,
        to: request.query.appliedTo ? jstStartOfDay(addDays(request.query.appliedTo, 1)).toISOString() : undefined,
      });
      return { imported: portals.reduce((s, p) => s + p.imported, 0), late: portals.reduce((s, p) => s + p.late, 0), portals };
    },
  );

  app.get<{ Params: { id: string } }>('/intake/donations/:id', { schema: { tags: ['intake'], summary: "A donation's import: application and import time, SLA, review findings with reasons", params: idParams }, config: { roles: READ } }, async (request) => {
    const intake = await donationIntake(orm, request.params.id);
    if (!intake) throw notFound(`import record of donation ${request.params.id}`);
    return {
      donationId: intake.donationId,
      importFileId: intake.importFileId ?? null,
      row: intake.rowNumber ?? null,
      appliedAt: intake.appliedAt.toISOString(),
      importedAt: intake.importedAt.toISOString(),
      dueOn: intake.dueOn,
      late: intake.late,
      reviewFindings: intake.reviewFindings,
    };
  });

  // PORTAL-3: disaster-relief campaigns. Operators open and close them; the city reads them.
  const campaignParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
  const dateTime = { type: 'string', format: 'date-time' } as const;

  app.get('/intake/campaigns', { schema: { tags: ['intake'], summary: 'PORTAL-3: disaster-relief campaigns, newest first, with their status (scheduled, open, closed)' }, config: { roles: READ } }, async () => ({
    campaigns: await listCampaigns(orm),
  }));

  app.get<{ Params: { id: string } }>(
    '/intake/campaigns/:id',
    { schema: { tags: ['intake'], summary: 'A disaster-relief campaign with the number and amount of donations taken for it', params: campaignParams }, config: { roles: READ } },
    async (request) => {
      const campaign = await getCampaign(orm, request.params.id);
      if (!campaign) throw notFound(`campaign ${request.params.id}`);
      return { campaign };
    },
  );

  app.post<{ Body: { name: string; startsAt?: string; endsAt?: string; portals: string[]; giftCodes: string[]; wholePortal: boolean; note?: string } }>(
    '/intake/campaigns',
    {
      schema: {
        tags: ['intake'],
        summary:
          'PORTAL-3: open a disaster-relief campaign. Donations applied in its period on its portals that carry one of its item codes (or all of them with wholePortal), and any the portal flags as 災害支援, are taken as relief donations: no gift, the relief letter and receipt wording',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200, description: 'e.g. 令和8年 豪雨災害支援' },
            startsAt: { ...dateTime, description: 'Default: now' },
            endsAt: { ...dateTime, description: 'Default: open until closed' },
            portals: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 50 }, maxItems: 20, default: [], description: 'Portal codes; empty = every portal' },
            giftCodes: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 50, default: [], description: "The portals' item codes for the relief (after the portal mapping)" },
            wholePortal: { type: 'boolean', default: false, description: 'Every donation on these portals in the period is for the campaign' },
            note: { type: 'string', maxLength: 1000 },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      try {
        return reply.code(201).send({ campaign: await openCampaign(orm, request.body, actorOf(request.principal!)) });
      } catch (err) {
        return asHttp(err);
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { endsAt?: string } }>(
    '/intake/campaigns/:id/close',
    {
      schema: {
        tags: ['intake'],
        summary: 'PORTAL-3: close a disaster-relief campaign now (or at endsAt); donations applied after it are ordinary again',
        params: campaignParams,
        body: { type: 'object', additionalProperties: false, properties: { endsAt: dateTime } },
      },
      config: { roles: WRITE },
    },
    async (request) => {
      try {
        return { campaign: await closeCampaign(orm, request.params.id, actorOf(request.principal!), request.body?.endsAt) };
      } catch (err) {
        return asHttp(err);
      }
    },
  );
};
