import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Handlebars from 'handlebars';
import { carrierName } from '../../domain/carriers/catalogue';
import { withinHours } from '../../domain/callcentre/hours';
import type { ShipmentStatus } from '../../domain/shipping/types';
import { donorStatus, findDonationForStatus, recordStatusRequest, STATUS_REQUEST_KINDS, type DonorStatus, type StatusRequestKind } from '../../ledger/donor-status';
import { errorBody } from '../contract';
import { HttpError, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { projectRoot } from '../console/view';
import { line, postalCode, text } from '../schema-fragments';

/**
 * PORTAL-4: the donors' status page, public (no sign-in). Order number + postal code → what was
 * received, when the receipt was posted, the gift's shipping with tracking, the one-stop state; and a
 * request for an address change or a reissue, recorded in the call-centre log for an operator.
 * Nothing the donor did not give is shown (no name, address, phone, e-mail); a wrong postal code and an
 * unknown order number answer exactly alike (404, same words); every lookup and request counts against
 * a limit per client address and per order number.
 */
export const STATUS_LIMITS = {
  perAddress: { max: 30, timeWindow: 10 * 60_000 },
  perOrder: { max: 10, timeWindow: 60 * 60_000 },
} as const;

const UNKNOWN = 'no donation matches this order number and postal code';
const UNKNOWN_JA = '該当するご寄附が見つかりません。注文番号と郵便番号をご確認ください。';

const lookupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['orderNumber', 'postalCode'],
  properties: { orderNumber: { ...line(100), description: 'The portal order number (注文番号)' }, postalCode: { ...postalCode, description: 'The postal code given with the donation' } },
} as const;

const requestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['orderNumber', 'postalCode', 'kind'],
  properties: {
    ...lookupBody.properties,
    kind: { type: 'string', enum: STATUS_REQUEST_KINDS, description: 'address_change: 住所の変更; reissue: 受領証明書の再発行' },
    message: { ...text(1000, 0), description: 'What the donor writes (the new address, …)' },
  },
} as const;

const TOO_MANY = { 429: { description: 'Too many lookups from this address or for this order number; retry after Retry-After seconds', ...errorBody } } as const;

const RECEIPT: Record<string, string> = { initial: '寄附金受領証明書', reissue: '再発行', returned_mail: '再送' };
const SHIPMENT: Record<ShipmentStatus, string> = {
  planned: '準備中', awaiting_order: '準備中', ordered: '発送準備中', shipped: '発送済み', delivered: 'お届け済み',
  trouble: '確認中', escalated: '確認中', cancelled: '取消', closed: '完了',
};
const ONESTOP: Record<string, string> = {
  received: '受付済み（審査中）', deficient: '不備があります（期限までにご提出ください）', accepted: '受理しました',
  rejected_late: '提出期限後に届いたため受理できません（確定申告をお願いします）', closed_deficient: '不備が解消されなかったため受理できません（確定申告をお願いします）',
};

function pageRenderer() {
  const hbs = Handlebars.create();
  hbs.registerHelper('yen', (n: number) => `¥${n.toLocaleString('ja-JP')}`);
  hbs.registerHelper('gt', (a: number, b: number) => a > b);
  hbs.registerHelper('receiptLabel', (reason: string, issue: number) => (issue > 1 ? `${RECEIPT[reason] ?? reason}（第${issue}版）` : RECEIPT[reason] ?? reason));
  hbs.registerHelper('shipmentLabel', (s: ShipmentStatus) => SHIPMENT[s] ?? s);
  hbs.registerHelper('carrierLabel', (c: string) => (c ? carrierName(c as never) ?? c : ''));
  hbs.registerHelper('oneStopLabel', (s: string) => ONESTOP[s] ?? s);
  const template = hbs.compile(fs.readFileSync(path.join(projectRoot(), 'templates', 'status', 'status.hbs'), 'utf8'));
  return (data: { status?: DonorStatus; orderNumber?: string; postalCode?: string; error?: string; requested?: string }) => template(data);
}

type StatusRequest = FastifyRequest<{ Body: { orderNumber: string; postalCode: string; kind?: StatusRequestKind; message?: string } }>;

export async function registerDonorStatusRoutes(app: FastifyInstance, { config, orm }: Pick<RouteDeps, 'config' | 'orm'>): Promise<void> {
  const knex = () => orm.em.getKnex();
  const render = pageRenderer();

  await app.register(async (scope) => {
    await scope.register(formbody);
    await scope.register(rateLimit, { global: false });
    const perAddress = scope.createRateLimit({ ...STATUS_LIMITS.perAddress, keyGenerator: (req: FastifyRequest) => `status-ip:${req.ip}` });
    const perOrder = scope.createRateLimit({ ...STATUS_LIMITS.perOrder, keyGenerator: (req: FastifyRequest) => `status-order:${String((req.body as { orderNumber?: string } | undefined)?.orderNumber ?? '').trim()}` });
    /** Both limits count every lookup and request; either one exceeded is a 429 with Retry-After. */
    const limited = async (request: FastifyRequest, reply: FastifyReply) => {
      for (const limit of [perAddress, perOrder]) {
        const r = await limit(request);
        if (!r.isAllowed && r.isExceeded) {
          reply.header('retry-after', String(r.ttlInSeconds));
          throw new HttpError(429, 'too_many_requests', 'too many status lookups: try again later');
        }
      }
    };
    /** The donation the two numbers name; a wrong pair and an unknown number alike are the same 404. */
    const donationOf = async (b: { orderNumber: string; postalCode: string }) => {
      const id = await findDonationForStatus(knex(), b.orderNumber, b.postalCode);
      if (!id) throw new HttpError(404, 'not_found', UNKNOWN);
      return id;
    };
    /** Records the donor's request in the call-centre log; its reference is what the donor is told. */
    const request = async (donation: string | { orderNumber: string; postalCode: string }, b: { kind?: StatusRequestKind; message?: string }) => {
      const donationId = typeof donation === 'string' ? donation : await donationOf(donation);
      const now = new Date();
      const call = await recordStatusRequest(knex(), { donationId, kind: b.kind!, message: b.message, receivedAt: now, outOfHours: !withinHours(now, config.callCentre) });
      return { reference: call.id.slice(0, 8).toUpperCase() };
    };
    const security: never[] = [];

    scope.post<{ Body: { orderNumber: string; postalCode: string } }>(
      '/status/lookup',
      { schema: { tags: ['status'], security, summary: 'PORTAL-4: a donor’s donation by order number and postal code (public; rate-limited)', body: lookupBody, response: TOO_MANY }, preHandler: limited },
      async (req) => donorStatus(knex(), await donationOf(req.body)),
    );

    scope.post<{ Body: { orderNumber: string; postalCode: string; kind: StatusRequestKind; message?: string } }>(
      '/status/requests',
      { schema: { tags: ['status'], security, summary: 'PORTAL-4: a donor asks for an address change or a receipt reissue (recorded for an operator in the call-centre log)', body: requestBody, response: TOO_MANY }, preHandler: limited },
      async (req, reply) => reply.code(201).send({ received: true, reference: (await request(req.body, req.body)).reference }),
    );

    // The page: a form, then the same lookups server-side (no script). Not part of the JSON contract (untagged).
    const page = (reply: FastifyReply, status: number, html: string) =>
      reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'").send(html);
    const formError = (reply: FastifyReply, err: unknown, b: Partial<{ orderNumber: string; postalCode: string }>) => {
      if (err instanceof HttpError && err.statusCode === 429) return page(reply, 429, render({ error: 'しばらく時間をおいてから、もう一度お試しください。', orderNumber: b.orderNumber, postalCode: b.postalCode }));
      if (err instanceof HttpError || (err as { validation?: unknown }).validation) return page(reply, err instanceof HttpError ? err.statusCode : 400, render({ error: UNKNOWN_JA, orderNumber: b.orderNumber, postalCode: b.postalCode }));
      throw err;
    };

    scope.get('/status', { schema: { hide: true } }, async (_request, reply) => page(reply, 200, render({})));

    /** A form post: the same checks and limits as the JSON routes, answered with the page. */
    const formPost = (url: string, body: typeof lookupBody | typeof requestBody, act: (id: string, b: StatusRequest['body']) => Promise<{ code: number; requested?: string }>) =>
      scope.post(url, { schema: { hide: true, body }, attachValidation: true }, async (request: StatusRequest, reply) => {
        const b = (request.body ?? {}) as StatusRequest['body'];
        try {
          if (request.validationError) throw notFound('donation');
          await limited(request, reply);
          const id = await donationOf(b);
          const { code, requested } = await act(id, b);
          return page(reply, code, render({ status: await donorStatus(knex(), id), orderNumber: b.orderNumber, postalCode: b.postalCode, requested }));
        } catch (err) {
          return formError(reply, err, b);
        }
      });
    formPost('/status', lookupBody, async () => ({ code: 200 }));
    formPost('/status/request', requestBody, async (id, b) => ({ code: 201, requested: (await request(id, b)).reference }));
  });
}
