import { ApplicationFailure } from '@temporalio/common';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../ledger/orm';
import { Donation, DonationEvent, Donor } from '../../ledger/entities';
import type { PaymentMethod } from '../../domain/donation-status';
import type { DonorFields } from '../../domain/donor';
import { releaseDonationStock } from '../../ledger/stock';
import { voidReceipts } from '../../ledger/receipts';
import { donationExists, recordTransitionStatement, type TransitionInput } from '../../ledger/donations';
import { correctShipTo, ShipToError, type ShipToCorrectionInput, type ShipToCorrectionResult } from '../../ledger/ship-to';

export type { ShipToCorrectionInput, ShipToCorrectionResult } from '../../ledger/ship-to';
export type { TransitionInput } from '../../ledger/donations';

export interface DeadlineAlertInput {
  donationId: string;
  kind: 'reminder' | 'escalation';
  at: string;
  dueOn: string;
  key: string;
}

/** INTAKE-4: a review hold nobody has decided on. */
export interface ReviewAlertInput {
  donationId: string;
  kind: 'review_reminder' | 'review_escalation';
  at: string;
  heldSince: string;
  flags: string[];
  key: string;
}

export interface DonorCorrectionInput {
  donationId: string;
  changes: Partial<DonorFields>;
  actor: string;
  reason: string;
  at: string;
  key: string;
}

function notFound(donationId: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'DonationNotFoundError', message: `donation ${donationId} is not in the ledger`, nonRetryable: true });
}

/**
 * Ledger writes on behalf of workflows. Each runs in one transaction and is
 * idempotent on its key: Temporal may run an activity again after a crash.
 */
export function createLedgerActivities({ orm }: { orm: Orm }) {
  async function once<T>(key: string, work: (em: EntityManager) => Promise<T>, onRepeat: (em: EntityManager, event: DonationEvent) => T | Promise<T>): Promise<T> {
    // The event's unique idempotency key is the check: a repeated attempt fails its insert, its whole
    // transaction (status change included) rolls back, and the first attempt's event answers. No
    // read-before-write, so a first attempt — nearly every call — costs no extra query.
    try {
      return await orm.em.fork().transactional((em) => work(em));
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        const em = orm.em.fork();
        const existing = await em.findOneOrFail(DonationEvent, { idempotencyKey: key });
        return onRepeat(em, existing);
      }
      throw err;
    }
  }

  /** A write on one donation, recorded once per key (its event's idempotency key); a repeated attempt changes nothing. */
  const onceFor = (input: { key: string; donationId: string }, work: (em: EntityManager, donation: Donation) => Promise<void> | void): Promise<void> =>
    once(input.key, async (em) => work(em, await loadDonation(em, input.donationId)), () => undefined);

  async function loadDonation(em: EntityManager, donationId: string, withDonor = false): Promise<Donation> {
    // Transitions touch the donation row only; loading the donor too would add a query to every step.
    const donation = await em.findOne(Donation, { id: donationId }, withDonor ? { populate: ['donor'] } : {});
    if (!donation) throw notFound(donationId);
    return donation;
  }

  return {
    async recordTransition(input: TransitionInput): Promise<void> {
      // Every transition but a cancellation (which gives stock back) is one statement: the event
      // insert is the idempotency check, and the donation row changes only if the event went in.
      if (input.to !== 'cancelled') {
        const knex = orm.em.getKnex();
        if (await recordTransitionStatement(knex, input)) return;
        // Nothing written: either this key was recorded by an earlier attempt, or there is no such donation.
        if (!(await donationExists(knex, input.donationId))) throw notFound(input.donationId);
        return;
      }
      await onceFor(input, async (em, donation) => {
        const at = new Date(input.at);
        const f = input.fields ?? {};
        donation.status = input.to;
        if (f.paidAt) donation.paidAt = new Date(f.paidAt);
        if (f.paymentMethod) donation.paymentMethod = f.paymentMethod as PaymentMethod;
        if (f.documentsDueOn) donation.documentsDueOn = f.documentsDueOn;
        if (f.documentsDueAt) donation.documentsDueAt = new Date(f.documentsDueAt);
        if (f.documentsSentAt) donation.documentsSentAt = new Date(f.documentsSentAt);
        if (input.to === 'completed') donation.completedAt = at;
        if (input.to === 'cancelled') {
          donation.cancelledAt = at;
          // GIFT-2: the gifts go back to the portal's stock; release movements are keyed per gift line, so once only.
          await releaseDonationStock(em, donation.id, input.actor, input.reason);
          // CALL-5: a receipt already issued is voided with the cancellation.
          await voidReceipts(em, donation.id, { actor: input.actor, reason: input.reason, at, key: input.key });
        }
        if (input.to === 'mail_returned') donation.returnedMailCount += 1;
        if (input.to === 'received' || input.to === 'awaiting_payment' || input.to === 'paid') donation.reviewFlags = [];
        em.create(DonationEvent, {
          donation,
          kind: 'transition',
          fromStatus: input.from,
          toStatus: input.to,
          actor: input.actor,
          occurredAt: at,
          reason: input.reason,
          before: { status: input.from },
          after: { status: input.to, ...f },
          idempotencyKey: input.key,
        });
      });
    },

    async recordDeadlineAlert(input: DeadlineAlertInput): Promise<void> {
      await onceFor(input, async (em, donation) => {
        const at = new Date(input.at);
        if (input.kind === 'reminder') donation.reminderAt = at;
        else donation.escalatedAt = at;
        em.create(DonationEvent, {
          donation,
          kind: input.kind === 'reminder' ? 'deadline_reminder' : 'deadline_escalation',
          actor: 'system:deadline',
          occurredAt: at,
          reason:
            input.kind === 'reminder'
              ? `documents due by ${input.dueOn} have not been sent`
              : `documents deadline ${input.dueOn} passed without the documents being sent`,
          after: { dueOn: input.dueOn },
          idempotencyKey: input.key,
        });
      });
    },

    async recordReviewAlert(input: ReviewAlertInput): Promise<void> {
      await onceFor(input, async (em, donation) => {
        const hours = Math.round((Date.parse(input.at) - Date.parse(input.heldSince)) / 3_600_000);
        em.create(DonationEvent, {
          donation,
          kind: input.kind,
          actor: 'system:review',
          occurredAt: new Date(input.at),
          reason:
            input.kind === 'review_reminder'
              ? `held for review ${hours} h without a decision (${input.flags.join(', ')})`
              : `held for review ${hours} h without a decision: escalated (${input.flags.join(', ')})`,
          after: { heldSince: input.heldSince, flags: input.flags },
          idempotencyKey: input.key,
        });
      });
    },

    async applyDonorCorrection(input: DonorCorrectionInput): Promise<{ eventId: string; changed: (keyof DonorFields)[] }> {
      return once(
        input.key,
        async (em) => {
          const donation = await loadDonation(em, input.donationId, true);
          const donor: Donor = donation.donor;
          const before: Record<string, unknown> = {};
          const after: Record<string, unknown> = {};
          for (const [field, value] of Object.entries(input.changes) as [keyof DonorFields, string][]) {
            if ((donor[field] ?? null) === value) continue;
            before[field] = donor[field] ?? null;
            after[field] = value;
            donor[field] = value;
          }
          const event = em.create(DonationEvent, {
            donation,
            kind: 'donor_correction',
            actor: input.actor,
            occurredAt: new Date(input.at),
            reason: input.reason,
            before,
            after,
            idempotencyKey: input.key,
          });
          await em.flush();
          return { eventId: String(event.id), changed: Object.keys(after) as (keyof DonorFields)[] };
        },
        (_em, event) => ({ eventId: String(event.id), changed: Object.keys(event.after ?? {}) as (keyof DonorFields)[] }),
      );
    },

    /**
     * The 送付先 correction (DonationWorkflow's `correctShipTo` update): the new address and its
     * `ship_to_corrected` event in one transaction, idempotent on the key. A shipment already with
     * its supplier is a non-retryable ShipToConflictError naming it.
     */
    async correctShipTo(input: ShipToCorrectionInput): Promise<ShipToCorrectionResult> {
      try {
        return await correctShipTo(orm.em.getKnex(), input);
      } catch (err) {
        if (err instanceof ShipToError) {
          if (err.status === 'not_found') throw notFound(input.donationId);
          throw ApplicationFailure.create({ type: 'ShipToConflictError', message: err.message, nonRetryable: true });
        }
        throw err;
      }
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
