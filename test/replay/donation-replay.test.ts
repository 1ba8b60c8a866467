import { replayEach, savedHistories } from '../support/histories';

/**
 * Replays saved DonationWorkflow and PrintBatchWorkflow histories against today's workflow code. A
 * change that would break running donations (a new activity call, a reordered
 * timer, a missing patched()) fails here before it reaches production.
 */
const files = savedHistories(/\.json$/);

test('there are saved histories covering each path of the lifecycle', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'donation-v1-completed.json',
      'donation-v1-corrected-cancelled.json',
      'donation-v1-held-released.json',
      'donation-v1-escalated.json',
      'donation-v1-year-end.json',
      // v2: transition writes as local activities, payloads through the codec, returned mail.
      'donation-v2-completed.json',
      'donation-v2-corrected-cancelled.json',
      'donation-v2-held-released.json',
      'donation-v2-escalated.json',
      'donation-v2-year-end.json',
      'donation-v2-returned-mail.json',
      'print-batch-v1-returned-mail.json',
      // The notifier paging through the batch, retried part-way and resumed from its heartbeat; counts and a sample in the view.
      'print-batch-v2-scale-resumed.json',
      // v3: gift shipments as child workflows (patch gift-shipments).
      'donation-v3-gift-delivered.json',
      'donation-v3-subscription.json',
      'shipment-v1-delivered.json',
      'shipment-v1-reopened-escalated-closed.json',
      'shipment-v1-subscription-third.json',
      'supplier-orders-v1.json',
      // The order run paging through the ledger: per-carrier export summary, the notifier retried and resumed from its heartbeat.
      'supplier-orders-v2-scale-resumed.json',
      // v4: search attributes coalesced per task, review-hold alerts, shipment planning as a local activity.
      'donation-v4-completed.json',
      'donation-v4-corrected-cancelled.json',
      'donation-v4-held-released.json',
      'donation-v4-escalated.json',
      'donation-v4-year-end.json',
      'donation-v4-review-escalated.json',
      'donation-v4-gift-delivered.json',
      'donation-v4-returned-mail.json',
      // v5: the gift plan awaited before the documents transition (replays whatever order the local activities finished in).
      'donation-v5-completed.json',
      'donation-v5-corrected-cancelled.json',
      'donation-v5-held-released.json',
      'donation-v5-escalated.json',
      'donation-v5-year-end.json',
      'donation-v5-review-escalated.json',
      'donation-v5-gift-delivered.json',
      'donation-v5-returned-mail.json',
      // v6/v7 (CALL-5): a desk cancellation after the receipt — the receipt voided, the city mailed (patch donation-v7), the run closed.
      'donation-v7-cancelled-after-receipt.json',
    ]),
  );
});

// Histories captured since the PayloadCodec are sealed (dev key); older ones pass through the codec unchanged.
replayEach(files);
