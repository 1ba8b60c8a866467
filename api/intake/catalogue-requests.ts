import type { FastifyInstance } from 'fastify';
import {
  CATALOGUE_CHANNELS,
  CATALOGUE_ITEM_NAMES,
  CATALOGUE_ITEMS,
  CATALOGUE_STATUSES,
  validateCatalogueRequest,
  type CatalogueChannel,
  type CatalogueItem,
  type CatalogueStatus,
} from '../../domain/intake/catalogue';
import { addDays, jstStartOfDay } from '../../domain/jst';
import {
  cancelCatalogueRequest,
  CatalogueRequestError,
  createCatalogueRequest,
  getCatalogueRequest,
  ImportFileNotFoundError,
  listCatalogueRequests,
  markCatalogueSent,
} from '../../ledger/intake';
import type { Orm } from '../../ledger/orm';
import { actorOf } from '../auth';
import { badRequest, HttpError, notFound } from '../errors';
import { email, katakana, nonBlank, phone, postalCode, prefecture } from '../schema-fragments';
import { READ, WRITE } from '../roles';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const page = { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 }, offset: { type: 'integer', minimum: 0, default: 0 } } as const;
const str = (max: number) => ({ type: 'string', maxLength: max }) as const;

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function asHttp(err: unknown): never {
  if (err instanceof ImportFileNotFoundError) throw notFound(err.message.replace(/ not found$/, ''));
  if (err instanceof CatalogueRequestError) throw new HttpError(409, 'conflict', err.message);
  throw err;
}

/**
 * INTAKE-3 資料請求: requests for the printed catalogue are recorded (operators
 * and admins; the city reads), the mailing list of open requests is exported
 * for the mail room, and mailed requests are marked sent.
 */
export function registerCatalogueRequestRoutes(app: FastifyInstance, { orm }: { orm: Orm }): void {
  app.post<{
    Body: { requester: Record<string, string>; items: CatalogueItem[]; copies?: number; channel: CatalogueChannel; requestedAt?: string; note?: string };
  }>(
    '/catalogue-requests',
    {
      schema: {
        tags: ['intake'],
        summary: 'INTAKE-3: record a request for the printed catalogue; the same person asking again for the same items while one is waiting gets that one (200)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['requester', 'channel'],
          properties: {
            requester: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'postalCode', 'prefecture', 'address'],
              // The donor rules (domain/intake/catalogue.ts checks the requester as a donor; kana optional).
              properties: { name: nonBlank(100), nameKana: katakana(100), postalCode, prefecture, address: nonBlank(200), phone, email },
            },
            items: { type: 'array', items: { type: 'string', enum: [...CATALOGUE_ITEMS] }, minItems: 1, maxItems: CATALOGUE_ITEMS.length, default: ['catalogue'], description: 'What to send; default the catalogue' },
            copies: { type: 'integer', minimum: 1, maximum: 20 },
            channel: { type: 'string', enum: [...CATALOGUE_CHANNELS] },
            requestedAt: { type: 'string', format: 'date-time', description: 'When the donor asked; default now' },
            note: str(1000),
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const errors = validateCatalogueRequest(request.body);
      if (errors.length) throw badRequest(errors);
      const { request: saved, created } = await createCatalogueRequest(orm, request.body, actorOf(request.principal!));
      return reply.code(created ? 201 : 200).send({ created, request: saved });
    },
  );

  app.get<{ Querystring: { status?: CatalogueStatus; requestedFrom?: string; requestedTo?: string; limit: number; offset: number } }>(
    '/catalogue-requests',
    {
      schema: {
        tags: ['intake'],
        summary: 'INTAKE-3: catalogue requests, oldest first (filter by status and JST request dates)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: [...CATALOGUE_STATUSES] }, requestedFrom: { type: 'string', format: 'date' }, requestedTo: { type: 'string', format: 'date' }, ...page },
        },
      },
      config: { roles: READ },
    },
    async (request) =>
      listCatalogueRequests(orm, {
        ...request.query,
        requestedFrom: request.query.requestedFrom ? jstStartOfDay(request.query.requestedFrom).toISOString() : undefined,
        requestedTo: request.query.requestedTo ? jstStartOfDay(addDays(request.query.requestedTo, 1)).toISOString() : undefined,
      }),
  );

  app.get(
    '/catalogue-requests/mailing-list.csv',
    {
      schema: { tags: ['intake'], summary: 'INTAKE-3: the requests still to be mailed as a CSV for address labels (UTF-8 with BOM, CRLF), oldest first' },
      config: { roles: WRITE },
    },
    async (_request, reply) => {
      const lines = [['id', '郵便番号', '都道府県', '住所', '氏名', '電話番号', '送付物', '部数', '受付日'].join(',')];
      for (let offset = 0; ; offset += 1000) {
        const { requests } = await listCatalogueRequests(orm, { status: 'requested', limit: 1000, offset });
        for (const r of requests) {
          lines.push(
            [r.id, r.requester.postalCode, r.requester.prefecture, r.requester.address, `${r.requester.name} 様`, r.requester.phone ?? '', r.items.map((i) => CATALOGUE_ITEM_NAMES[i]).join('・'), r.copies, r.requestedAt.slice(0, 10)]
              .map(csvCell)
              .join(','),
          );
        }
        if (requests.length < 1000) break;
      }
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="catalogue-mailing-list.csv"').send(`\uFEFF${lines.join('\r\n')}\r\n`);
    },
  );

  app.get<{ Params: { id: string } }>('/catalogue-requests/:id', { schema: { tags: ['intake'], summary: 'One catalogue request', params: idParams }, config: { roles: READ } }, async (request) => {
    const r = await getCatalogueRequest(orm, request.params.id);
    if (!r) throw notFound(`catalogue request ${request.params.id}`);
    return { request: r };
  });

  app.post<{ Body: { ids: string[]; sentAt?: string; reference?: string } }>(
    '/catalogue-requests/sent',
    {
      schema: {
        tags: ['intake'],
        summary: 'INTAKE-3: mark requests as mailed (one envelope run); repeating it is harmless; a cancelled or unknown id refuses the whole call (409/404 not partially applied)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ids'],
          properties: {
            ids: { type: 'array', items: { type: 'string', format: 'uuid' }, minItems: 1, maxItems: 5000 },
            sentAt: { type: 'string', format: 'date-time', description: 'Default now' },
            reference: { type: 'string', maxLength: 200, description: 'e.g. the mailing run or 発送ロット' },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request) => {
      try {
        return await markCatalogueSent(orm, request.body.ids, request.body, actorOf(request.principal!));
      } catch (err) {
        return asHttp(err);
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/catalogue-requests/:id/cancel',
    {
      schema: {
        tags: ['intake'],
        summary: 'INTAKE-3: cancel a request that has not been mailed (e.g. the caller withdrew it)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } },
      },
      config: { roles: WRITE },
    },
    async (request) => {
      try {
        return { request: await cancelCatalogueRequest(orm, request.params.id, request.body.reason, actorOf(request.principal!)) };
      } catch (err) {
        return asHttp(err);
      }
    },
  );
}
