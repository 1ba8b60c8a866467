import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { WorkflowFailedError } from '@temporalio/client';
import { handlingArea } from '../../domain/onestop/handling-area';
import { clearForMyNumber } from '../../ledger/mynumber-handlers';
import { findMyNumberExport, latestNotificationPackage, listMyNumberExports } from '../../ledger/mynumber-exports';
import { myNumberExportWorkflow } from '../../workflows/onestop/mynumber-export-workflow';
import { conflict, HttpError, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { idParams } from '../schemas';
import { myNumberHandler } from './my-number-handler';
import { line, text } from '../schema-fragments';

const EXPORTERS = ['operator', 'admin'] as const;
const year = { type: 'integer', minimum: 2008, maximum: 2100 } as const;

/**
 * MYNUM-2 (特記4): 特定個人情報 leaves the 取扱区域 only as a package encrypted to the city's OpenPGP
 * key, made by a person on the MYNUM-1 register from a terminal inside the area, and registered
 * (who, from where, what, how many, where to, the package's sha256). A refusal is logged as a
 * refused read is, and says why.
 */
export function registerMyNumberExportRoutes(app: FastifyInstance, { orm, temporal, config }: RouteDeps): void {
  const knex = () => orm.em.getKnex();
  const area = handlingArea(config.onestop.handlingArea);

  app.post<{ Body: { donationYear: number; destination: string; purpose: string; includeScans?: boolean } }>(
    '/mynumber/exports',
    {
      schema: {
        tags: ['onestop'],
        summary: 'MYNUM-2: export a donation year’s 申告特例通知書 package, encrypted to the city’s OpenPGP key and registered (a person on the MYNUM-1 register, from inside the 取扱区域)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['donationYear', 'destination', 'purpose'],
          properties: {
            donationYear: year,
            destination: { ...line(200), description: 'where the package goes (the designated means and place, MYNUM-4)' },
            purpose: text(500, 4),
            includeScans: { type: 'boolean', default: false, description: 'also pack the year’s application scans (an end-of-contract return, MYNUM-5); every referenced scan must be in the scan folder' },
          },
        },
      },
      config: { roles: [...EXPORTERS] },
    },
    async (request, reply) => {
      const b = request.body;
      const who = myNumberHandler(request.principal!, request.ip);
      const clearance = await clearForMyNumber(knex(), { ...who, action: 'export', reasonGiven: b.purpose }, area);
      if (!clearance.cleared) throw new HttpError(403, 'forbidden', `特定個人情報を持ち出せません: ${clearance.reason}`);
      if (!config.onestop.exportKey) throw conflict('no city key is declared (MYNUMBER_EXPORT_KEY_FILE): 特定個人情報 is never exported unencrypted');
      if (!(await latestNotificationPackage(knex(), b.donationYear))) throw conflict(`the donation year ${b.donationYear} has no 申告特例通知書 package yet: run ONESTOP-4 first (POST /onestop/notifications)`);
      const exportId = randomUUID();
      try {
        const made = await temporal.workflow.execute(myNumberExportWorkflow, {
          taskQueue: config.temporal.taskQueue,
          workflowId: `mynumber-export/${exportId}`,
          args: [{ exportId, donationYear: b.donationYear, ...who, destination: b.destination, purpose: b.purpose, includeScans: b.includeScans === true }],
          workflowExecutionTimeout: '15 minutes',
        });
        return reply.code(201).send({ export: made, file: `/mynumber/exports/${exportId}/package.tar.gpg` });
      } catch (err) {
        // A refusal the activity found (a package file changed since the run) is the caller's to fix.
        if (err instanceof WorkflowFailedError) throw conflict((err.cause?.cause as Error | undefined)?.message ?? err.cause?.message ?? 'the export was refused');
        throw err;
      }
    },
  );

  app.get<{ Querystring: { donationYear?: number } }>(
    '/mynumber/exports',
    {
      schema: { tags: ['onestop'], summary: 'MYNUM-2: the register of exports of 特定個人情報, newest first', querystring: { type: 'object', additionalProperties: false, properties: { donationYear: year } } },
      config: { roles: ['operator', 'admin', 'city'] },
    },
    async (request) => ({ exports: await listMyNumberExports(knex(), request.query.donationYear) }),
  );

  app.get<{ Params: { id: string } }>(
    '/mynumber/exports/:id',
    { schema: { tags: ['onestop'], summary: 'MYNUM-2: one export’s register entry', params: idParams }, config: { roles: ['operator', 'admin', 'city'] } },
    async (request) => {
      const e = await findMyNumberExport(knex(), request.params.id);
      if (!e) throw notFound(`export ${request.params.id}`);
      return { export: e };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/mynumber/exports/:id/package.tar.gpg',
    {
      schema: { tags: ['onestop'], summary: 'MYNUM-2: the encrypted package itself (only the city’s key opens it), to a person on the register inside the 取扱区域; checked against its registered sha256', params: idParams },
      config: { roles: [...EXPORTERS] },
    },
    async (request, reply) => {
      const e = await findMyNumberExport(knex(), request.params.id);
      if (!e) throw notFound(`export ${request.params.id}`);
      const clearance = await clearForMyNumber(knex(), { ...myNumberHandler(request.principal!, request.ip), action: 'export', reasonGiven: `${e.id} の持ち出し` }, area);
      if (!clearance.cleared) throw new HttpError(403, 'forbidden', `特定個人情報を持ち出せません: ${clearance.reason}`);
      const bytes = fs.existsSync(e.packageFile) ? fs.readFileSync(e.packageFile) : undefined;
      if (!bytes || createHash('sha256').update(bytes).digest('hex') !== e.sha256) throw conflict(`the package of export ${e.id} is missing or changed since it was registered`);
      return reply.header('content-type', 'application/pgp-encrypted').header('content-disposition', `attachment; filename="mynumber-export-${e.id}.tar.gpg"`).header('cache-control', 'no-store').send(bytes);
    },
  );
}
