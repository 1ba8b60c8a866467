import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { CALL_CATEGORIES, CALL_CHANNELS, CALL_STATUSES, GIFT_COMPLAINT_CATEGORIES, deskDay, withinHours } from '../../domain/callcentre';
import { addDays, jstDate, jstStartOfDay } from '../../domain/jst';
import { TROUBLE_KINDS } from '../../domain/shipping/types';
import { addFollowUp, callEvents, CallConflictError, CallNotFoundError, changeStatus, createCall, findCall, listCalls, missingLinks, recordCancellation, recordReshipment, setOutcome } from '../../ledger/callcentre';
import { findDonationForCancellation } from '../../ledger/donations';
import { decideAndCancel, refusal } from '../donation/cancellation';
import type { Orm } from '../../ledger/orm';
import { findShipment } from '../../ledger/shipments';
import type { TroubleReport } from '../../workflows/shipping/definitions';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest, conflict, ledgerAnswers, notFound } from '../errors';
import { isoDate } from '../schema-fragments';
import { reportShipmentTrouble } from '../shipping/trouble';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
/** A closed object: only the properties named. */
const closed = <P extends Record<string, unknown>>(properties: P) => ({ type: 'object', additionalProperties: false, properties }) as const;
const links = closed({ donorId: uuid, donationId: uuid, giftCode: text(100), supplierCode: text(100), shipmentId: uuid });
const tags = ['call centre'];
/** A read's schema: its query closed to the properties named. */
const reading = (summary: string, properties: Record<string, unknown>) => ({ summary, querystring: closed(properties) });
/** A write on one call's schema: its id in the path, a closed body with the fields named. */
const onCall = (summary: string, required: string[], properties: Record<string, unknown>) => ({ summary, params: idParams, body: { type: 'object', required, additionalProperties: false, properties } });

/**
 * CALL-1…4: the call centre's inquiry and complaint log. Operators write; the city reads
 * everything (CALL-2); suppliers have no access. A gift complaint can start a re-shipment (CALL-3).
 */
export function registerCallCentreRoutes(app: FastifyInstance, { config, orm, temporal }: { config: AppConfig; orm: Orm; temporal: Client }): void {
  const knex = () => orm.em.getKnex();

  const ledger = ledgerAnswers(CallNotFoundError, CallConflictError);

  app.get<{ Querystring: Json }>(
    '/call-centre/hours',
    { schema: { tags, ...reading('Whether the desk is open on a day (Japan time) and its hours (CALL-1)', { date: isoDate }) }, config: { roles: READ } },
    async (request) => {
      const date: string = request.query.date ?? jstDate(new Date());
      return { ...deskDay(date, config.callCentre), openNow: date === jstDate(new Date()) ? withinHours(new Date(), config.callCentre) : undefined };
    },
  );

  app.post<{ Body: Json }>(
    '/calls',
    {
      schema: {
        tags: ['call centre'],
        summary: 'Record an inquiry or complaint (phone, FAX, email, letter, counter)',
        body: {
          type: 'object',
          required: ['channel', 'category', 'subject', 'body'],
          additionalProperties: false,
          properties: {
            channel: { type: 'string', enum: [...CALL_CHANNELS] },
            category: { type: 'string', enum: [...CALL_CATEGORIES] },
            complaint: { type: 'boolean', default: false },
            subject: text(200),
            body: text(10_000),
            receivedAt: { type: 'string', format: 'date-time' },
            caller: { type: 'object', additionalProperties: false, properties: { name: text(200), contact: text(200) } },
            links,
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const b = request.body;
      const receivedAt = b.receivedAt ? new Date(b.receivedAt) : new Date();
      const errors = await missingLinks(knex(), b.links ?? {});
      if (receivedAt.getTime() > Date.now() + 5 * 60_000) errors.push({ field: 'receivedAt', reason: 'is in the future' });
      if (b.category === '事業者からの問合せ' && !b.links?.supplierCode && !b.caller?.name) errors.push({ field: 'caller.name', reason: 'is required for a supplier inquiry without links.supplierCode (would-be supplier)' });
      if (errors.length) throw badRequest(errors);
      const call = await createCall(
        knex(),
        {
          channel: b.channel,
          category: b.category,
          complaint: b.complaint,
          subject: b.subject,
          body: b.body,
          callerName: b.caller?.name,
          callerContact: b.caller?.contact,
          ...(b.links ?? {}),
          receivedAt,
          outOfHours: !withinHours(receivedAt, config.callCentre),
        },
        actorOf(request.principal!),
      );
      return reply.code(201).send({ call });
    },
  );

  app.get<{ Querystring: Json }>(
    '/calls',
    { schema: { tags, ...reading('The call log, newest first (the city reads it all: CALL-2)', {
      status: { type: 'string', enum: [...CALL_STATUSES] },
      category: { type: 'string', enum: [...CALL_CATEGORIES] },
      complaint: { type: 'boolean' },
      reportToCity: { type: 'boolean' },
      from: isoDate,
      to: isoDate,
      ...links.properties,
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      offset: { type: 'integer', minimum: 0, default: 0 },
    }) }, config: { roles: READ } },
    async (request) => {
      const q = request.query;
      if (q.from && q.to && q.from > q.to) throw badRequest([{ field: 'querystring.to', reason: 'must not be before from' }]);
      return listCalls(knex(), {
        status: q.status,
        category: q.category,
        complaint: q.complaint,
        reportToCity: q.reportToCity,
        from: q.from ? jstStartOfDay(q.from) : undefined,
        to: q.to ? jstStartOfDay(addDays(q.to, 1)) : undefined,
        donorId: q.donorId,
        donationId: q.donationId,
        giftCode: q.giftCode,
        supplierCode: q.supplierCode,
        shipmentId: q.shipmentId,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/calls/:id',
    { schema: { tags: ['call centre'], summary: 'A call with its history', params: idParams }, config: { roles: READ } },
    async (request) => {
      const call = await findCall(knex(), request.params.id);
      if (!call) throw notFound(`call ${request.params.id}`);
      return { call, history: await callEvents(knex(), call.id) };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/calls/:id/status',
    { schema: { tags, ...onCall('未対応 → 対応中 → 対応済み → 完了; back to 対応中 only as a reopen with a reason', ['status'], { status: { type: 'string', enum: [...CALL_STATUSES] }, reason: text(2000) }) }, config: { roles: WRITE } },
    async (request) => {
      const call = await findCall(knex(), request.params.id);
      if (!call) throw notFound(`call ${request.params.id}`);
      // A reopen without a reason is a malformed request: name the field.
      if (request.body.status === '対応中' && (call.status === '対応済み' || call.status === '完了') && !request.body.reason) throw badRequest([{ field: 'reason', reason: `is required to reopen a ${call.status} call` }]);
      return { call: await ledger(() => changeStatus(knex(), call.id, request.body.status, request.body.reason, actorOf(request.principal!))) };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/calls/:id/follow-ups',
    { schema: { tags, ...onCall('Append a follow-up: who, when, what', ['note'], { note: text(10_000), at: { type: 'string', format: 'date-time' }, by: text(200) }) }, config: { roles: WRITE } },
    async (request, reply) => {
      const actor = actorOf(request.principal!);
      const at = request.body.at ? new Date(request.body.at) : new Date();
      if (at.getTime() > Date.now() + 5 * 60_000) throw badRequest([{ field: 'at', reason: 'is in the future' }]);
      const call = await ledger(() => addFollowUp(knex(), request.params.id, { at, by: request.body.by ?? actor, note: request.body.note }, actor));
      return reply.code(201).send({ call, history: await callEvents(knex(), call.id) });
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/calls/:id/outcome',
    { schema: { tags, ...onCall("Record the call's outcome", ['outcome'], { outcome: text(10_000) }) }, config: { roles: WRITE } },
    async (request) => ({ call: await ledger(() => setOutcome(knex(), request.params.id, request.body.outcome, actorOf(request.principal!))) }),
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/calls/:id/reshipment',
    { schema: { tags, ...onCall("A gift complaint re-ships its linked shipment (CALL-3, SHIP-5), as POST /shipments/:id/trouble with source call_centre", ['kind'], { kind: { type: 'string', enum: [...TROUBLE_KINDS] }, note: text(2000) }) }, config: { roles: WRITE } },
    async (request, reply) => {
      const call = await findCall(knex(), request.params.id);
      if (!call) throw notFound(`call ${request.params.id}`);
      const fields = [];
      if (!call.complaint) fields.push({ field: 'call.complaint', reason: 'must be true: only a complaint re-ships' });
      if (!GIFT_COMPLAINT_CATEGORIES.includes(call.category)) fields.push({ field: 'call.category', reason: `must be ${GIFT_COMPLAINT_CATEGORIES.join(' or ')}, is ${call.category}` });
      if (!call.shipmentId) fields.push({ field: 'call.links.shipmentId', reason: 'is required: link the shipment the complaint is about' });
      if (fields.length) throw badRequest(fields);
      if (call.status === '完了') throw conflict(`call ${call.id} is 完了; reopen it first`);
      if (call.reshipmentRequestedAt) throw conflict(`call ${call.id} already started a re-shipment at ${call.reshipmentRequestedAt}`);
      const shipment = await findShipment(knex(), call.shipmentId!);
      if (!shipment) throw notFound(`shipment ${call.shipmentId}`);

      const actor = actorOf(request.principal!);
      const trouble: TroubleReport = { actor, kind: request.body.kind, note: request.body.note ?? `${call.subject} (call ${call.id})`, source: 'call_centre' };
      const reshipment = await reportShipmentTrouble({ config, temporal }, shipment, trouble);
      const result: Record<string, unknown> = reshipment.reopened
        ? { shipmentId: shipment.id, kind: trouble.kind, reopened: true, workflowId: reshipment.workflowId }
        : { shipmentId: shipment.id, kind: trouble.kind, workflowId: reshipment.workflowId, ...(reshipment.outcome as object) };
      const updated = await ledger(() => recordReshipment(knex(), call.id, result, actor));
      return reply.code(202).send({ call: updated, reshipment: result });
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/calls/:id/cancellation',
    { schema: { tags, ...onCall("CALL-5: the donor asks the desk to cancel the call's linked donation; the rule per state is POST /donations/:id/cancel's (after the receipt it is voided, the city is mailed at once and the call goes to the city's report; a shipped gift is refused: 400; a completed or cancelled donation: 409 with the reason; a refusal is recorded on the call)", ['reason'], { reason: text(2000) }) }, config: { roles: WRITE } },
    async (request, reply) => {
      const call = await findCall(knex(), request.params.id);
      if (!call) throw notFound(`call ${request.params.id}`);
      if (!call.donationId) throw badRequest([{ field: 'call.links.donationId', reason: 'is required: link the donation the donor wants to cancel' }]);
      if (call.status === '完了') throw conflict(`call ${call.id} is 完了; reopen it first`);
      const donation = await findDonationForCancellation(knex(), call.donationId);
      if (!donation) throw notFound(`donation ${call.donationId}`);
      const actor = actorOf(request.principal!);
      const answer = await decideAndCancel({ temporal, knex: knex() }, donation, { actor, reason: `${request.body.reason} (call ${call.id})` });
      const result = answer.accepted
        ? { accepted: true, stage: answer.stage, reason: request.body.reason, donationId: donation.id }
        : { accepted: false, reason: answer.reason, donationId: donation.id };
      // The desk's answer is on the call either way: a refusal is what the donor was told.
      const updated = await ledger(() => recordCancellation(knex(), call.id, result, actor));
      if (!answer.accepted) throw refusal(donation.id, answer);
      return reply.code(202).send({ call: updated, cancellation: result });
    },
  );
}
