import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config/env';
import { type DonationStatus } from '../../domain/donation-status';
import { decideAndCancel, refusal } from './cancellation';
import { validateDonor, validateDonorChanges, type FieldError } from '../../domain/donor';
import { normalizeShipTo, type ShipToInput } from '../../domain/shipping/ship-to';
import { jstDate, jstStartOfDay, addDays } from '../../domain/jst';
import { atRiskCutoff } from '../../domain/deadlines';
import { Donation } from '../../ledger/entities';
import { DuplicateConflictError, IntakeValidationError, donationEvents, registerDonation, type NewDonation } from '../../ledger/donations';
import type { Orm } from '../../ledger/orm';
import { findShipTo } from '../../ledger/ship-to';
import { CursorError, searchLedger, type SearchFilters } from '../../ledger/search';
import { exportStream, type ExportEncoding } from '../../ledger/export';
import { DONATION_STATUSES } from '../../domain/donation-status';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import {
  correctDonorUpdate,
  correctShipToUpdate,
  documentsSentSignal,
  paymentConfirmedSignal,
  releaseHoldSignal,
  statusQuery,
  type DonationStatusView,
} from '../../workflows/donation/definitions';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest, conflict, HttpError, notFound } from '../errors';
import * as s from '../schemas';

const codes = (description: string) => ({ type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 50, description });
const ledgerFilterProperties = {
  status: { type: 'array', items: { type: 'string', enum: DONATION_STATUSES }, description: 'Any of' },
  portal: codes('Any of these portal codes'),
  gift: codes('Any gift line with one of these gift codes'),
  supplier: codes('Any gift from one of these suppliers (supplier code)'),
  prefecture: { type: 'array', items: { type: 'string', minLength: 2, maxLength: 4 }, maxItems: 47, description: "Donor's prefecture, any of" },
  appliedFrom: { type: 'string', format: 'date', description: 'JST date, inclusive' },
  appliedTo: { type: 'string', format: 'date', description: 'JST date, inclusive' },
  paidFrom: { type: 'string', format: 'date', description: 'JST date, inclusive' },
  paidTo: { type: 'string', format: 'date', description: 'JST date, inclusive' },
  amountMin: { type: 'integer', minimum: 0 },
  amountMax: { type: 'integer', minimum: 0 },
  reviewFlagged: { type: 'boolean', description: 'true: any review flag; false: none' },
  reviewFlag: codes('Has any of these review flags'),
  disasterRelief: { type: 'boolean' },
  wantsOneStop: { type: 'boolean' },
  onestopStatus: { type: 'array', items: { type: 'string', enum: ['none', 'received', 'deficient', 'accepted', 'rejected_late', 'closed_deficient'] }, description: "One-stop application state, any of; 'none' = no application" },
  shipmentStatus: { type: 'array', items: { type: 'string', enum: ['planned', 'awaiting_order', 'ordered', 'shipped', 'delivered', 'trouble', 'escalated', 'cancelled', 'closed'] }, description: 'Any shipment in one of these states' },
  donor: { type: 'string', minLength: 1, maxLength: 100, description: 'Part of the donor name or kana' },
  donorKana: { type: 'string', minLength: 1, maxLength: 100, description: 'Start of the donor kana (フリガナ; hiragana accepted)' },
  atRisk: { type: 'boolean', description: 'Documents due soon or late and not yet sent (sorted soonest first, offset paging)' },
} as const;
const ledgerSearchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...ledgerFilterProperties,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 100_000, default: 0 },
    after: { type: 'string', minLength: 1, maxLength: 200, description: 'Keyset cursor: nextCursor of the previous page' },
    exactTotals: { type: 'boolean', default: false, description: 'Count a huge result exactly (slow); otherwise above 20,000 matches totals are estimates and totalsExact is false' },
  },
} as const;
const ledgerExportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...ledgerFilterProperties, encoding: { type: 'string', enum: ['utf8', 'sjis'], default: 'utf8' } },
} as const;

export interface DonationRouteDeps {
  config: AppConfig;
  orm: Orm;
  temporal: Client;
}

function detail(d: Donation) {
  return {
    id: d.id,
    portal: d.portal.code,
    portalOrderId: d.portalOrderId,
    channel: d.channel,
    status: d.status,
    amountYen: d.amountYen,
    paymentMethod: d.paymentMethod,
    purpose: d.purpose ?? null,
    wantsOneStop: d.wantsOneStop,
    disasterRelief: d.disasterRelief,
    reviewFlags: d.reviewFlags,
    appliedAt: d.appliedAt.toISOString(),
    paidAt: d.paidAt?.toISOString() ?? null,
    documentsDueOn: d.documentsDueOn ?? null,
    reminderAt: d.reminderAt?.toISOString() ?? null,
    escalatedAt: d.escalatedAt?.toISOString() ?? null,
    documentsSentAt: d.documentsSentAt?.toISOString() ?? null,
    completedAt: d.completedAt?.toISOString() ?? null,
    cancelledAt: d.cancelledAt?.toISOString() ?? null,
    workflowId: d.workflowId,
    donor: {
      name: d.donor.name,
      nameKana: d.donor.nameKana,
      postalCode: d.donor.postalCode,
      prefecture: d.donor.prefecture,
      address: d.donor.address,
      phone: d.donor.phone ?? null,
      email: d.donor.email ?? null,
    },
    gifts: d.giftLines.isInitialized() ? d.giftLines.getItems().map((l) => ({ code: l.gift.code, quantity: l.quantity, unitPriceYen: l.unitPriceYen })) : [],
  };
}

export function registerDonationRoutes(app: FastifyInstance, { config, orm, temporal }: DonationRouteDeps): void {
  const em = () => orm.em.fork() as EntityManager;

  async function load(id: string): Promise<Donation> {
    const donation = await em().findOne(Donation, { id }, { populate: ['donor', 'giftLines', 'giftLines.gift', 'portal'] });
    if (!donation) throw notFound(`donation ${id}`);
    return donation;
  }

  /** The live state, from the workflow; the ledger mirror when no worker answers. */
  async function liveStatus(d: Donation): Promise<DonationStatusView | null> {
    try {
      return await temporal.workflow.getHandle(d.workflowId).query(statusQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      app.log.warn({ err, workflowId: d.workflowId }, 'status query failed; answering from the ledger');
      return null;
    }
  }

  async function currentStatus(d: Donation): Promise<DonationStatus> {
    return (await liveStatus(d))?.status ?? d.status;
  }

  function requireStatus(d: Donation, status: DonationStatus, allowed: readonly DonationStatus[], action: string) {
    if (!allowed.includes(status)) throw conflict(`cannot ${action}: donation ${d.id} is ${status} (allowed when ${allowed.join(', ')})`);
  }

  app.post<{ Body: Json }>('/donations', { schema: { tags: ['donations'], summary: 'Enter a donation by hand (phone, FAX, mail, counter)', body: s.createDonationBody }, config: { roles: WRITE } }, async (request, reply) => {
    const body = request.body;
    const errors: FieldError[] = validateDonor(body.donor);
    if (body.channel === 'portal' && (body.portal === 'direct' || !body.portalOrderId)) errors.push({ field: 'portalOrderId', reason: 'is required for a portal donation, with the portal code' });
    if (body.channel !== 'portal' && body.portal !== 'direct' && !body.portalOrderId) errors.push({ field: 'portalOrderId', reason: `is required when entering a ${body.portal} donation by hand` });
    if (body.paidAt && body.appliedAt && Date.parse(body.paidAt) < Date.parse(body.appliedAt) - 86_400_000) errors.push({ field: 'paidAt', reason: 'is before the application' });
    if (errors.length) throw badRequest(errors);

    const now = new Date();
    const input: NewDonation = {
      portal: body.portal,
      portalOrderId: body.portalOrderId ?? `D${jstDate(now).replace(/-/g, '')}-${randomUUID().slice(0, 8).toUpperCase()}`,
      channel: body.channel,
      donor: body.donor,
      amountYen: body.amountYen,
      paymentMethod: body.paymentMethod,
      appliedAt: body.appliedAt ?? now.toISOString(),
      paidAt: body.paidAt,
      purpose: body.purpose,
      wantsOneStop: body.wantsOneStop,
      disasterRelief: body.disasterRelief,
      gifts: body.gifts.map((g: { code: string; quantity: number }) => ({ code: g.code, quantity: g.quantity })),
    };
    let outcome;
    try {
      outcome = await registerDonation(em(), input, actorOf(request.principal!));
    } catch (err) {
      if (err instanceof IntakeValidationError) throw badRequest(err.errors);
      if (err instanceof DuplicateConflictError) throw conflict(err.message);
      throw err;
    }
    // Answer from the entity registration produced: re-reading it would cost the busiest route a third of its queries.
    const donation = outcome.donation;
    await ensureDonationWorkflow(temporal, donation, config);
    return reply.code(outcome.created ? 201 : 200).send({ donation: detail(donation) });
  });

  /** LEDGER-2/3: the filters shared by the search and the CSV export, validated; instants are JST days. */
  function filtersOf(q: Json): SearchFilters {
    const errors: FieldError[] = [];
    if (q.amountMin !== undefined && q.amountMax !== undefined && q.amountMin > q.amountMax) errors.push({ field: 'querystring.amountMax', reason: 'must not be below amountMin' });
    if (q.appliedFrom && q.appliedTo && q.appliedFrom > q.appliedTo) errors.push({ field: 'querystring.appliedTo', reason: 'must not be before appliedFrom' });
    if (q.paidFrom && q.paidTo && q.paidFrom > q.paidTo) errors.push({ field: 'querystring.paidTo', reason: 'must not be before paidFrom' });
    if (errors.length) throw badRequest(errors);
    const from = (d?: string) => (d ? jstStartOfDay(d).toISOString() : undefined);
    const to = (d?: string) => (d ? jstStartOfDay(addDays(d, 1)).toISOString() : undefined);
    return {
      status: q.status,
      portal: q.portal,
      gift: q.gift,
      supplier: q.supplier,
      prefecture: q.prefecture,
      appliedFrom: from(q.appliedFrom),
      appliedTo: to(q.appliedTo),
      paidFrom: from(q.paidFrom),
      paidTo: to(q.paidTo),
      amountMin: q.amountMin,
      amountMax: q.amountMax,
      reviewFlagged: q.reviewFlagged,
      reviewFlag: q.reviewFlag,
      disasterRelief: q.disasterRelief,
      wantsOneStop: q.wantsOneStop,
      onestopStatus: q.onestopStatus,
      shipmentStatus: q.shipmentStatus,
      donor: q.donor,
      donorKana: q.donorKana,
      // DOCS-1: due within the window, or whose last print day (a deadline in a closed stretch) falls within it.
      documentsDueBefore: q.atRisk ? atRiskCutoff(new Date(), config.donation.atRiskDays, config.documents.yearEndClosure) : undefined,
    };
  }

  app.get<{ Querystring: Json }>('/donations', { schema: { tags: ['donations'], summary: 'Search donations (LEDGER-2): any combination of filters, totals for the whole result (estimated above 20,000 matches: totalsExact false), offset or keyset (after=nextCursor) paging', querystring: ledgerSearchQuery }, config: { roles: READ } }, async (request) => {
    const q = request.query;
    const filters = filtersOf(q);
    if (q.after !== undefined && q.offset) throw badRequest([{ field: 'querystring.after', reason: 'cannot be combined with offset' }]);
    try {
      return await searchLedger(em(), filters, { limit: q.limit, offset: q.offset, after: q.after }, { exactTotals: q.exactTotals });
    } catch (err) {
      if (err instanceof CursorError) throw badRequest([{ field: 'querystring.after', reason: err.message }]);
      throw err;
    }
  });

  app.get<{ Querystring: Json }>('/donations/export', { schema: { tags: ['donations'], summary: 'CSV export of a search (LEDGER-3), streamed: UTF-8 with BOM (default) or Shift_JIS; CRLF; unencodable characters become 〓 and are counted on a last note line', querystring: ledgerExportQuery }, config: { roles: READ } }, async (request, reply) => {
    const q = request.query;
    const filters = filtersOf(q);
    const encoding: ExportEncoding = q.encoding ?? 'utf8';
    const stamp = jstDate(new Date()).replace(/-/g, '');
    reply
      .header('content-type', encoding === 'sjis' ? 'text/csv; charset=Shift_JIS' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="donations-${stamp}.csv"`)
      .header('cache-control', 'no-store');
    return reply.send(exportStream(em(), filters, { encoding }));
  });

  app.get<{ Params: { id: string } }>('/donations/:id', { schema: { tags: ['donations'], summary: 'A donation: ledger row and live workflow state', params: s.idParams }, config: { roles: READ } }, async (request) => {
    const donation = await load(request.params.id);
    return {
      // 送付先: where the gifts go when it is not the donor (null = the donor's address).
      donation: { ...detail(donation), shipTo: await findShipTo(em().getKnex(), donation.id) },
      workflow: await liveStatus(donation),
    };
  });

  app.get<{ Params: { id: string } }>('/donations/:id/events', { schema: { tags: ['donations'], summary: 'The donation event log (append-only)', params: s.idParams }, config: { roles: READ } }, async (request) => {
    await load(request.params.id);
    const events = await donationEvents(em(), request.params.id);
    return {
      events: events.map((e) => ({
        id: String(e.id),
        kind: e.kind,
        fromStatus: e.fromStatus ?? null,
        toStatus: e.toStatus ?? null,
        actor: e.actor,
        occurredAt: e.occurredAt.toISOString(),
        reason: e.reason ?? null,
        before: e.before ?? null,
        after: e.after ?? null,
      })),
    };
  });

  app.post<{ Params: { id: string }; Body: Json }>('/donations/:id/corrections', { schema: { tags: ['donations'], summary: 'Correct the donor (INTAKE-2)', params: s.idParams, body: s.correctionBody }, config: { roles: WRITE } }, async (request) => {
    const errors = validateDonorChanges(request.body.changes);
    if (errors.length) throw badRequest(errors);
    const donation = await load(request.params.id);
    try {
      return await temporal.workflow.getHandle(donation.workflowId).executeUpdate(correctDonorUpdate, {
        args: [{ actor: actorOf(request.principal!), reason: request.body.reason, changes: request.body.changes }],
      });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'rejected', `correction rejected: ${err.cause?.message ?? err.message}`);
      if (err instanceof WorkflowNotFoundError) throw conflict(`donation ${donation.id} has no running workflow; corrections are closed`);
      throw err;
    }
  });

  app.put<{ Params: { id: string }; Body: Json }>(
    '/donations/:id/ship-to',
    { schema: { tags: ['donations'], summary: '送付先: correct where the gifts go (null = to the donor), until a shipment is ordered', params: s.idParams, body: s.shipToBody }, config: { roles: WRITE } },
    async (request) => {
      // Normalised and checked like a donor's address (kana is optional on a label); the workflow's validator checks the same.
      const raw = request.body.shipTo as ShipToInput | null;
      const { shipTo, errors } = normalizeShipTo(raw);
      if (errors.length) throw badRequest(errors);
      const donation = await load(request.params.id);
      // The DonationWorkflow owns the change: its correctShipTo update writes the address and the event.
      try {
        return await temporal.workflow.getHandle(donation.workflowId).executeUpdate(correctShipToUpdate, {
          args: [{ actor: actorOf(request.principal!), reason: request.body.reason, shipTo }],
        });
      } catch (err) {
        // A shipment already ordered (named by the ledger) or a donation past correction.
        if (err instanceof WorkflowUpdateFailedError) throw conflict(err.cause?.message ?? err.message);
        if (err instanceof WorkflowNotFoundError) throw conflict(`donation ${donation.id} has no running workflow; corrections are closed`);
        throw err;
      }
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>('/donations/:id/payment', { schema: { tags: ['donations'], summary: 'Confirm payment (入金確認)', params: s.idParams, body: s.paymentBody }, config: { roles: WRITE } }, async (request, reply) => {
    const donation = await load(request.params.id);
    requireStatus(donation, await currentStatus(donation), ['received', 'held', 'awaiting_payment'], 'confirm payment');
    if (Date.parse(request.body.paidAt) > Date.now() + 60_000) throw badRequest([{ field: 'paidAt', reason: 'is in the future' }]);
    await temporal.workflow.getHandle(donation.workflowId).signal(paymentConfirmedSignal, { actor: actorOf(request.principal!), paidAt: request.body.paidAt, method: request.body.method, reference: request.body.reference });
    return reply.code(202).send({ accepted: true });
  });

  app.post<{ Params: { id: string }; Body: Json }>('/donations/:id/cancel', { schema: { tags: ['donations'], summary: 'Cancel a donation (CALL-5: before payment, after payment, after the receipt — which is voided and the city mailed; a shipped gift is refused, 400; a completed or cancelled donation, 409 with the reason)', params: s.idParams, body: s.reasonBody }, config: { roles: WRITE } }, async (request, reply) => {
    const donation = await load(request.params.id);
    const answer = await decideAndCancel({ temporal, knex: em().getKnex() }, donation, { actor: actorOf(request.principal!), reason: request.body.reason });
    if (!answer.accepted) throw refusal(donation.id, answer);
    return reply.code(202).send({ accepted: true, stage: answer.stage });
  });

  app.post<{ Params: { id: string }; Body: Json }>('/donations/:id/review/release', { schema: { tags: ['donations'], summary: 'Clear a review hold (INTAKE-4)', params: s.idParams, body: s.reasonBody }, config: { roles: WRITE } }, async (request, reply) => {
    const donation = await load(request.params.id);
    requireStatus(donation, await currentStatus(donation), ['held'], 'release the review hold');
    await temporal.workflow.getHandle(donation.workflowId).signal(releaseHoldSignal, { actor: actorOf(request.principal!), reason: request.body.reason });
    return reply.code(202).send({ accepted: true });
  });

  app.post<{ Params: { id: string }; Body: Json }>('/donations/:id/documents-sent', { schema: { tags: ['donations'], summary: 'Record that the receipt and letter were posted', params: s.idParams, body: s.documentsSentBody }, config: { roles: WRITE } }, async (request, reply) => {
    const donation = await load(request.params.id);
    requireStatus(donation, await currentStatus(donation), ['documents_due'], 'record documents as sent');
    await temporal.workflow.getHandle(donation.workflowId).signal(documentsSentSignal, { actor: actorOf(request.principal!), sentAt: request.body.sentAt, reference: request.body.reference });
    return reply.code(202).send({ accepted: true });
  });
}
