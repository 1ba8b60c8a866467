import { ApplicationFailure } from '@temporalio/common';
import type { Orm } from '../../ledger/orm';
import { cancellationNoticeFacts } from '../../ledger/cancellation-notice';
import type { DonationCancelledCityMailData } from '../mail/render';
import type { SendMail } from '../mail/send-mail';

/** The mail's idempotency key: one notice per donation, however often the activity runs. */
export const cancellationNoticeKey = (donationId: string) => `donation-cancelled-city/${donationId}`;

/**
 * CALL-5 (spec 7(8)ア): a donation cancelled after its receipt was posted — the city is told at once by
 * mail (who refunds is the city), through the mail activity: one mail per donation by its mail_log key.
 */
export function createCancellationMailActivities(deps: { orm: Orm; sendMail: SendMail; cityEmail?: string }) {
  return {
    async mailCityOfCancellation(input: { donationId: string }): Promise<{ status: string }> {
      const f = await cancellationNoticeFacts(deps.orm.em.getKnex(), input.donationId);
      if (!f) throw ApplicationFailure.create({ type: 'DonationNotFoundError', message: `donation ${input.donationId} is not in the ledger`, nonRetryable: true });
      const result = await deps.sendMail({
        key: cancellationNoticeKey(f.donationId),
        to: deps.cityEmail,
        template: 'donation-cancelled-city',
        donationId: f.donationId,
        data: {
          portalName: f.portalName,
          portalOrderId: f.portalOrderId,
          donorName: f.donorName,
          amountYen: f.amountYen,
          receivedAt: f.appliedAt,
          cancelledAt: f.cancelledAt ?? new Date().toISOString(),
          voided: f.voided,
          posted: f.posted,
          reason: f.reason ?? '（記録なし）',
          actor: f.actor ?? '（記録なし）',
        } satisfies DonationCancelledCityMailData,
      });
      return { status: result.status };
    },
  };
}

export type CancellationMailActivities = ReturnType<typeof createCancellationMailActivities>;
