import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { RetryPolicy, SearchAttributeUpdatePair } from '@temporalio/common';
import type { LedgerActivities } from '../../activities/donation/ledger';
import type { ShippingActivities } from '../../activities/shipping/shipping';
import type { CancellationMailActivities } from '../../activities/donation/cancellation-mail';
import { cancelShipmentSignal, shipmentWorkflowId, type ShipmentPolicy } from '../shipping/definitions';
import { shipmentWorkflow } from '../shipping/shipment-workflow';
import { documentsDeadline, reminderAt } from '../../domain/deadlines';
import { CANCELLABLE_STATUSES, CORRECTABLE_STATUSES, type DonationStatus } from '../../domain/donation-status';
import { CANCELLABLE_AFTER_RECEIPT } from '../../domain/cancellation';
import { formatFieldErrors, normalizeDonorFields, validateDonorChanges } from '../../domain/donor';
import { normalizeShipTo } from '../../domain/shipping/ship-to';
import {
  DocumentsDeadline,
  DonationImportLate,
  DonationPaymentDate,
  DonationPortal,
  DonationReviewFlags,
  DonationStatusAttr,
} from '../../domain/search-attributes';
import {
  cancelSignal,
  confirmAddressUpdate,
  correctDonorUpdate,
  correctShipToUpdate,
  mailReturnedSignal,
  documentsSentSignal,
  paymentConfirmedSignal,
  releaseHoldSignal,
  statusQuery,
  type CancelRequest,
  type DocumentsSent,
  type DonationStatusView,
  type AddressConfirmation,
  type DonationWorkflowInput,
  type DonorCorrection,
  type MailReturned,
  type PaymentConfirmed,
  type ReleaseHold,
  type ShipToCorrection,
} from './definitions';

type ShipmentPlan = Awaited<ReturnType<ShippingActivities['planDonationShipments']>>;

// The ledger is the system of record: keep trying while the database is down,
// but give up at once on a donation that does not exist.
const ledgerRetry: RetryPolicy = { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['DonationNotFoundError'] };
const ledger = proxyActivities<LedgerActivities>({ startToCloseTimeout: '30 seconds', retry: ledgerRetry });
// Transition writes are short, idempotent single-row transactions: as local activities they run
// inside the workflow task, so received → paid → documents_due costs one task instead of five.
const localLedger = proxyLocalActivities<LedgerActivities>({ startToCloseTimeout: '30 seconds', retry: ledgerRetry });
const shippingRetry: RetryPolicy = { initialInterval: '2 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes: ['ShipmentNotFoundError'] };
const shipping = proxyActivities<ShippingActivities>({ startToCloseTimeout: '1 minute', retry: shippingRetry });
// Planning is a few statements on the donation's own rows: run in the workflow task it
// costs no activity task and no second workflow task (most donations have nothing to ship).
const localShipping = proxyLocalActivities<ShippingActivities>({ startToCloseTimeout: '1 minute', retry: shippingRetry });
// CALL-5: the city's notice of a cancellation after the receipt; SMTP trouble is retried a while, then the donation closes anyway (mail_log keeps the attempt).
const cityMail = proxyActivities<CancellationMailActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 12, nonRetryableErrorTypes: ['DonationNotFoundError'] } });
/** For executions started before the policy carried shipping settings. */
const DEFAULT_SHIPMENT_POLICY: ShipmentPolicy = { maxReshipments: 2, deliveryOverdueDays: 7 };

/**
 * One durable workflow per donation (寄附). It owns the lifecycle and every
 * deadline; the ledger mirrors each transition through activities so that
 * search and statistics never have to ask Temporal.
 *
 * received → (held) → awaiting_payment → paid → documents_due → documents_sent → completed
 *                                      ↘ cancelled (until a gift is shipped; after the receipt it is voided: CALL-5)
 * documents_sent → mail_returned → documents_due → documents_sent … (DOCS-4, while the return window lasts)
 */
export async function donationWorkflow(input: DonationWorkflowInput): Promise<DonationStatusView> {
  const { workflowId } = workflowInfo();
  // v4 is one patch for several changes because every patch costs a marker and a search-attribute
  // update in each new execution: search attributes changed within one workflow task go to the
  // server as one update (each is a history event and a visibility write), shipment planning runs
  // as a local activity, review-flag and late-import search attributes, review-hold alerts. It
  // implies the earlier patches, so a v4 execution records none of their markers.
  // v5 (implies v4): the gift plan is awaited before the documents transition (see `gifts` below).
  // v6 (implies v5): a cancellation is accepted after the receipt is posted too (CALL-5: the receipt is voided).
  // donation-v7 (asked only by a cancellation after the receipt, so no other execution records it): the city is mailed.
  const v6 = patched('donation-v6');
  const v5 = v6 || patched('donation-v5');
  const v4 = v5 || patched('donation-v4');
  const writes = v4 || patched('ledger-writes-as-local-activities') ? localLedger : ledger;
  const coalesceAttributes = v4;
  const pendingAttributes = new Map<string, SearchAttributeUpdatePair>();
  const setAttribute = (pair: SearchAttributeUpdatePair) => {
    if (coalesceAttributes) pendingAttributes.set(pair.key.name, pair);
    else upsertSearchAttributes([pair]);
  };
  const flushAttributes = () => {
    if (pendingAttributes.size === 0) return;
    upsertSearchAttributes([...pendingAttributes.values()]);
    pendingAttributes.clear();
  };
  /** Every wait flushes first, so the Temporal UI never shows a state the workflow has left. */
  const waitFor = (fn: () => boolean, timeout?: number | string): Promise<boolean | void> => {
    flushAttributes();
    return timeout === undefined ? condition(fn) : condition(fn, timeout as number);
  };
  const view: DonationStatusView = {
    donationId: input.donationId,
    portal: input.portal,
    portalOrderId: input.portalOrderId,
    status: 'received',
    reviewFlags: [...input.reviewFlags],
    paymentMethod: input.paymentMethod,
    paidAt: input.paidAt,
    alerts: [],
    corrections: 0,
    returnedMail: 0,
    ignored: [],
  };
  let payment: PaymentConfirmed | undefined = input.paidAt ? { paidAt: input.paidAt, actor: 'system:intake' } : undefined;
  let holdRelease: ReleaseHold | undefined;
  let documents: DocumentsSent | undefined = input.documentsSentAt ? { sentAt: input.documentsSentAt, actor: 'system:migration' } : undefined;
  let cancel: CancelRequest | undefined;
  let mailReturn: MailReturned | undefined;
  let addressConfirmed: AddressConfirmation | undefined;
  let seq = 0;
  const nextKey = () => `${workflowId}#${++seq}`;

  // Handlers that write to the ledger run one at a time so corrections land in the order they were accepted.
  let handlerChain: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = handlerChain.then(work, work);
    handlerChain = run.catch(() => undefined);
    return run;
  };

  setHandler(statusQuery, () => view);

  setHandler(paymentConfirmedSignal, (p) => {
    if (payment || view.status === 'cancelled') view.ignored.push(`paymentConfirmed by ${p.actor} while ${view.status}`);
    else payment = p;
  });
  setHandler(releaseHoldSignal, (r) => {
    if (view.status !== 'held' && view.status !== 'received') view.ignored.push(`releaseHold by ${r.actor} while ${view.status}`);
    else holdRelease = r;
  });
  setHandler(documentsSentSignal, (d) => {
    // 'paid' too: the ledger shows documents_due a moment before this workflow does, and a batch may be that quick.
    if ((view.status !== 'documents_due' && view.status !== 'paid') || documents) view.ignored.push(`documentsSent by ${d.actor} while ${view.status}`);
    else documents = d;
  });
  setHandler(mailReturnedSignal, (m) => {
    if (view.status !== 'documents_sent' || mailReturn) view.ignored.push(`mailReturned by ${m.actor} while ${view.status}`);
    else mailReturn = m;
  });
  // CALL-5: which states accept a cancellation is domain/cancellation's rule (shipped gifts are refused before the signal).
  const cancellable = v6 ? [...CANCELLABLE_STATUSES, ...CANCELLABLE_AFTER_RECEIPT] : CANCELLABLE_STATUSES;
  setHandler(cancelSignal, (c) => {
    if (!cancellable.includes(view.status) || cancel) view.ignored.push(`cancel by ${c.actor} while ${view.status}`);
    else cancel = c;
  });

  const applyCorrection = (correction: DonorCorrection) =>
    serialized(async () => {
      const result = await ledger.applyDonorCorrection({
        donationId: input.donationId,
        changes: normalizeDonorFields(correction.changes),
        actor: correction.actor,
        reason: correction.reason,
        at: new Date().toISOString(),
        key: nextKey(),
      });
      view.corrections += 1;
      return result;
    });
  const validateCorrection = (correction: DonorCorrection, allowEmpty: boolean) => {
    if (!correction?.actor?.trim()) throw new Error('actor is required');
    if (!correction.reason?.trim()) throw new Error('reason is required');
    if (allowEmpty && Object.keys(correction.changes ?? {}).length === 0) return;
    const errors = validateDonorChanges(correction.changes ?? {});
    if (errors.length) throw new Error(formatFieldErrors(errors));
  };

  setHandler(correctDonorUpdate, applyCorrection, {
    // Runs before the update is accepted: a rejected correction leaves no trace in history.
    validator: (correction) => {
      if (!CORRECTABLE_STATUSES.includes(view.status)) throw new Error(`donation is ${view.status}; corrections are closed`);
      validateCorrection(correction, false);
    },
  });

  // 送付先: the activity writes the address and its ship_to_corrected event in one transaction. Whether a
  // shipment is already ordered is the ledger's to say (the supplier order run tells the child, not this
  // workflow), so that rejection comes from the activity, as a failed update naming the shipment.
  setHandler(
    correctShipToUpdate,
    (correction: ShipToCorrection) =>
      serialized(async () => {
        try {
          return await ledger.correctShipTo({
            donationId: input.donationId,
            shipTo: normalizeShipTo(correction.shipTo).shipTo,
            actor: correction.actor,
            reason: correction.reason,
            at: new Date().toISOString(),
            key: nextKey(),
          });
        } catch (err) {
          // The caller reads the ledger's reason, not "activity task failed".
          if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
            throw ApplicationFailure.create({ type: err.cause.type ?? undefined, message: err.cause.message, nonRetryable: true });
          }
          throw err;
        }
      }),
    {
      validator: (correction) => {
        if (!CORRECTABLE_STATUSES.includes(view.status)) throw new Error(`donation is ${view.status}; corrections are closed`);
        if (!correction?.actor?.trim()) throw new Error('actor is required');
        if (!correction.reason?.trim()) throw new Error('reason is required');
        if (correction.shipTo === undefined) throw new Error('shipTo is required (null = to the donor)');
        const { errors } = normalizeShipTo(correction.shipTo);
        if (errors.length) throw new Error(formatFieldErrors(errors));
      },
    },
  );

  setHandler(
    confirmAddressUpdate,
    async (confirmation) => {
      const result = Object.keys(confirmation.changes).length ? await applyCorrection(confirmation) : { eventId: '', changed: [] };
      addressConfirmed = confirmation;
      return result;
    },
    {
      validator: (confirmation) => {
        if (view.status !== 'mail_returned' || addressConfirmed) throw new Error(`donation is ${view.status}; there is no returned mail waiting for an address`);
        validateCorrection(confirmation, true);
      },
    },
  );

  const transition = async (to: DonationStatus, actor: string, reason?: string, fields?: Record<string, string>) => {
    const from = view.status;
    await writes.recordTransition({
      donationId: input.donationId,
      from,
      to,
      at: new Date().toISOString(),
      actor,
      reason,
      fields,
      key: nextKey(),
    });
    view.status = to;
    setAttribute({ key: DonationStatusAttr, value: to });
  };

  const finish = async () => {
    flushAttributes();
    await condition(allHandlersFinished);
    return view;
  };

  // Gift deliveries run as child workflows beside the documents; the donation completes when both are done.
  const children: ChildWorkflowHandle<typeof shipmentWorkflow>[] = [];
  const planner = v4 ? localShipping : shipping;
  const planGifts = (paidAt: string) => planner.planDonationShipments({ donationId: input.donationId, paidAt, shippedBefore: input.giftsShippedAt });
  const shipGifts = async (paidAt: string, planned?: ShipmentPlan) => {
    const plan = planned ?? (await planGifts(paidAt));
    view.giftFulfilment = plan.fulfilment;
    view.shipments = [];
    if (plan.fulfilment === 'no_gift_resident') {
      // The notice is a courtesy; a mail that cannot be composed must not stop the donation.
      await shipping.sendNoGiftNotice({ donationId: input.donationId }).catch(() => undefined);
      return;
    }
    for (const s of plan.shipments) {
      if (cancel) break;
      const childId = shipmentWorkflowId(input.donationId, s.giftLineId, s.deliveryNo);
      children.push(
        await startChild(shipmentWorkflow, {
          workflowId: childId,
          args: [{ ...s, donationId: input.donationId, policy: input.policy.shipping ?? DEFAULT_SHIPMENT_POLICY }],
          // A gift already with the supplier keeps going even if the donation is cancelled meanwhile.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
      );
      view.shipments.push({ workflowId: childId, giftCode: s.giftCode, deliveryNo: s.deliveryNo, deliveries: s.deliveries, notBefore: s.notBefore, status: 'planned' });
    }
    const entries = view.shipments;
    await Promise.all(
      children.map(async (child, i) => {
        try {
          entries[i].status = (await child.result()).status;
        } catch {
          entries[i].status = 'failed';
        }
      }),
    );
  };

  const cancelled = async () => {
    const c = cancel as CancelRequest;
    const afterReceipt = CANCELLABLE_AFTER_RECEIPT.includes(view.status);
    view.cancelReason = c.reason;
    await transition('cancelled', c.actor, c.reason);
    // v7: after the receipt (now voided by the transition) the city is told at once by mail, once per donation (mail_log key).
    if (afterReceipt && patched('donation-v7')) await cityMail.mailCityOfCancellation({ donationId: input.donationId }).catch(() => undefined);
    // Deliveries not yet ordered stop; ordered ones are the operator's to settle with the supplier.
    for (const [i, child] of children.entries()) {
      // v6: a delivery whose workflow has already ended (a cancellation after the receipt) has nothing to stop.
      if (v6 && view.shipments?.[i] && view.shipments[i].status !== 'planned') continue;
      await child.signal(cancelShipmentSignal, { actor: c.actor, reason: c.reason });
    }
    return finish();
  };

  if (coalesceAttributes) {
    setAttribute({ key: DonationPortal, value: input.portal });
    setAttribute({ key: DonationStatusAttr, value: view.status });
  } else {
    upsertSearchAttributes([
      { key: DonationPortal, value: input.portal },
      { key: DonationStatusAttr, value: view.status },
    ]);
  }
  // INTAKE-4 / PORTAL-1: the finding codes and a late import are what an operator filters on in the UI.
  const flagAttributes = v4;
  if (flagAttributes && view.reviewFlags.length > 0) setAttribute({ key: DonationReviewFlags, value: [...view.reviewFlags] });
  if (flagAttributes && input.importLate !== undefined) setAttribute({ key: DonationImportLate, value: input.importLate });

  // The operator who clears a review hold is the author of the transition that follows it.
  let releasedBy: ReleaseHold | undefined;
  if (view.reviewFlags.length > 0) {
    await transition('held', 'system:review', `flagged: ${view.reviewFlags.join(', ')}`);
    const decided = () => holdRelease !== undefined || cancel !== undefined;
    const { reviewReminderHours, reviewEscalationHours } = input.policy;
    if (v4 && reviewReminderHours && reviewEscalationHours) {
      // A hold nobody decides on would silently miss the documents deadline later: remind, then escalate.
      const heldSince = new Date().toISOString();
      const heldAt = Date.now();
      for (const [kind, hours] of [['review_reminder', reviewReminderHours], ['review_escalation', reviewEscalationHours]] as const) {
        const wait = heldAt + hours * 3_600_000 - Date.now();
        if (wait > 0 && (await waitFor(decided, wait))) break;
        if (decided()) break;
        const at = new Date().toISOString();
        await writes.recordReviewAlert({ donationId: input.donationId, kind, at, heldSince, flags: [...view.reviewFlags], key: nextKey() });
        view.alerts.push({ kind, at });
      }
    }
    await waitFor(decided);
    if (cancel) return cancelled();
    releasedBy = holdRelease;
    view.reviewFlags = [];
    if (flagAttributes) setAttribute({ key: DonationReviewFlags, value: [] });
  }
  const releaseNote = releasedBy ? `review cleared: ${releasedBy.reason}` : undefined;

  if (!payment) {
    await transition('awaiting_payment', releasedBy?.actor ?? 'system:intake', releaseNote);
    releasedBy = undefined;
    await waitFor(() => payment !== undefined || cancel !== undefined);
    if (cancel) return cancelled();
  }

  const paid = payment as PaymentConfirmed;
  const paidAt = new Date(paid.paidAt);
  if (paid.method) view.paymentMethod = paid.method;
  view.paidAt = paidAt.toISOString();
  const paidNote = [releasedBy ? releaseNote : undefined, paid.reference ? `payment ${paid.reference}` : undefined].filter(Boolean).join('; ');
  await transition('paid', releasedBy?.actor ?? paid.actor, paidNote || undefined, {
    paidAt: view.paidAt,
    paymentMethod: view.paymentMethod,
  });
  setAttribute({ key: DonationPaymentDate, value: paidAt });
  // Kept as a settled value so a failure surfaces where the donation waits for its gifts, not as a stray rejection.
  let gifts: Promise<unknown> | undefined;
  if (v5) {
    // Two local activities in flight at once (the plan and the documents transition) resolve in the order
    // they finish when first run but in the order they were scheduled on replay, so the commands each one's
    // continuation issues (child starts, search attributes) could swap places: a nondeterminism failure
    // whenever a cached execution is evicted. v5 awaits the plan first; child starts then resolve on history events.
    const planned = await planGifts(view.paidAt).then((plan) => ({ plan }), (err: unknown) => ({ err }));
    gifts = 'err' in planned ? Promise.resolve(planned.err) : shipGifts(view.paidAt, planned.plan).then(() => undefined, (err: unknown) => err);
  } else if (v4 || patched('gift-shipments')) gifts = shipGifts(view.paidAt).then(() => undefined, (err: unknown) => err);

  const deadline = documentsDeadline(paidAt);
  view.deadline = deadline;
  view.reminderAt = reminderAt(deadline, input.policy.reminderLeadDays, paidAt);
  setAttribute({ key: DocumentsDeadline, value: new Date(deadline.dueAt) });
  await transition('documents_due', 'system:deadline', `documents due by ${deadline.dueOn} (${deadline.rule})`, {
    documentsDueOn: deadline.dueOn,
    documentsDueAt: deadline.dueAt,
  });

  const settled = () => documents !== undefined || cancel !== undefined;
  const alertAt = async (kind: 'reminder' | 'escalation', at: string) => {
    const wait = Date.parse(at) - Date.now();
    if (wait > 0 && (await waitFor(settled, wait))) return;
    if (settled()) return;
    const firedAt = new Date().toISOString();
    await writes.recordDeadlineAlert({ donationId: input.donationId, kind, at: firedAt, dueOn: deadline.dueOn, key: nextKey() });
    view.alerts.push({ kind, at: firedAt });
  };
  await alertAt('reminder', view.reminderAt);
  await alertAt('escalation', deadline.dueAt);
  await waitFor(settled);
  if (cancel) return cancelled();

  const recordSent = async () => {
    const sent = documents as DocumentsSent;
    view.documentsSentAt = new Date(sent.sentAt).toISOString();
    await transition('documents_sent', sent.actor, sent.reference, { documentsSentAt: view.documentsSentAt });
  };
  await recordSent();

  // DOCS-4: undelivered envelopes come back for a while after posting; each round
  // waits for a confirmed address, then the documents go out again in the next batch.
  const returnWindowDays = input.policy.returnWindowDays ?? 0;
  if ((v4 || patched('docs-4-returned-mail')) && returnWindowDays > 0) {
    for (;;) {
      const returned = await waitFor(() => mailReturn !== undefined || (v6 && cancel !== undefined), `${returnWindowDays} days`);
      if (v6 && cancel) return cancelled();
      if (!returned) break;
      const ret = mailReturn as MailReturned;
      view.returnedMail += 1;
      await transition('mail_returned', ret.actor, ret.reason, { returnedAt: ret.returnedAt });
      await waitFor(() => addressConfirmed !== undefined || (v6 && cancel !== undefined));
      if (v6 && cancel) return cancelled();
      const confirmation = addressConfirmed as AddressConfirmation;
      documents = undefined;
      await transition('documents_due', confirmation.actor, `address confirmed (${confirmation.reason}); documents to be re-sent`);
      await waitFor(() => documents !== undefined || (v6 && cancel !== undefined));
      if (v6 && cancel) return cancelled();
      mailReturn = undefined;
      addressConfirmed = undefined;
      await recordSent();
    }
  }

  if (v6 && gifts) {
    // Gifts still on their way to the supplier: a cancellation after the receipt stops them (shipped ones are refused by the API).
    let giftsSettled = false;
    void gifts.then(() => (giftsSettled = true));
    await waitFor(() => giftsSettled || cancel !== undefined);
    if (cancel) return cancelled();
  }
  flushAttributes();
  const giftFailure = await gifts;
  if (giftFailure) throw giftFailure;
  await transition('completed', 'system:lifecycle');
  return finish();
}
