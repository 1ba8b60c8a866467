import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config/env';
import { CANCELLABLE_STATUSES, type DonationStatus } from '../../domain/donation-status';
import { validateDonor, validateDonorChanges, type FieldError } from '../../domain/donor';
import { jstDate, jstStartOfDay, addDays } from '../../domain/jst';
import { Donation } from '../../ledger/entities';
import { DuplicateConflictError, IntakeValidationError, donationEvents, registerDonation, searchDonations, type NewDonation } from '../../ledger/donations';
import type { Orm } from '../../ledger/orm';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import {
  cancelSignal,
  correctDonorUpdate,
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

  app.get<{ Querystring: Json }>('/donations', { schema: { tags: ['donations'], summary: 'Search donations', querystring: s.searchQuery }, config: { roles: READ } }, async (request) => {
    const q = request.query;
    if (q.amountMin !== undefined && q.amountMax !== undefined && q.amountMin > q.amountMax) throw badRequest([{ field: 'querystring.amountMax', reason: 'must not be below amountMin' }]);
    return searchDonations(em(), {
      portal: q.portal,
      status: q.status,
      appliedFrom: q.appliedFrom ? jstStartOfDay(q.appliedFrom).toISOString() : undefined,
      appliedTo: q.appliedTo ? jstStartOfDay(addDays(q.appliedTo, 1)).toISOString() : undefined,
      amountMin: q.amountMin,
      amountMax: q.amountMax,
      donor: q.donor,
      atRisk: q.atRisk,
      atRiskDays: config.donation.atRiskDays,
      limit: q.limit,
      offset: q.offset,
    });
  });

  app.get<{ Params: { id: string } }>('/donations/:id', { schema: { tags: ['donations'], summary: 'A donation: ledger row and live workflow state', params: s.idParams }, config: { roles: READ } }, async (request) => {
    const donation = await load(request.params.id);
    return { donation: detail(donation), workflow: await liveStatus(donation) };
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

  app.post<{ Params: { id: string }; Body: Json }>('/donations/:id/payment', { schema: { tags: ['donations'], summary: 'Confirm payment (入金確認)', params: s.idParams, body: s.paymentBody }, config: { roles: WRITE } }, async (request, reply) => {
    const donation = await load(request.params.id);
    requireStatus(donation, await currentStatus(donation), ['received', 'held', 'awaiting_payment'], 'confirm payment');
    if (Date.parse(request.body.paidAt) > Date.now() + 60_000) throw badRequest([{ field: 'paidAt', reason: 'is in the future' }]);
    await temporal.workflow.getHandle(donation.workflowId).signal(paymentConfirmedSignal, { actor: actorOf(request.principal!), paidAt: request.body.paidAt, method: request.body.method, reference: request.body.reference });
    return reply.code(202).send({ accepted: true });
  });

  app.post<{ Params: { id: string }; Body: Json }>('/donations/:id/cancel', { schema: { tags: ['donations'], summary: 'Cancel a donation', params: s.idParams, body: s.reasonBody }, config: { roles: WRITE } }, async (request, reply) => {
    const donation = await load(request.params.id);
    requireStatus(donation, await currentStatus(donation), CANCELLABLE_STATUSES, 'cancel');
    await temporal.workflow.getHandle(donation.workflowId).signal(cancelSignal, { actor: actorOf(request.principal!), reason: request.body.reason });
    return reply.code(202).send({ accepted: true });
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
