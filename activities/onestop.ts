import { ApplicationFailure } from '@temporalio/common';
import type { Orm } from '../ledger/orm';
import { deadlineEndsAt, reviewApplication, type Finding, type ReviewOutcome } from '../domain/onestop';
import { donationFacts, executeDestruction, findApplication, OneStopError, type NoticeKind, type OneStopStatus } from '../ledger/onestop';

/**
 * Activities of OneStopApplicationWorkflow. They take the application id and
 * read everything else from the ledger, so no personal data (least of all the
 * 個人番号) passes through workflow history: results carry only codes, dates
 * and reasons that name fields, never their values.
 */
export interface ReviewResult {
  outcome: ReviewOutcome;
  round: number;
  findings: Finding[];
  deadlineOn: string;
  deadlineEndsAt: string;
}

const STATUS_OF: Record<ReviewOutcome, OneStopStatus> = { accepted: 'accepted', deficient: 'deficient', late: 'rejected_late' };

function missing(applicationId: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'OneStopApplicationNotFound', message: `one-stop application ${applicationId} is not in the ledger`, nonRetryable: true });
}

export function createOneStopActivities(deps: { orm: Orm }) {
  const knex = () => deps.orm.em.getKnex();

  return {
    /** Reviews the application as it stands and records the verdict; a retry with the same key finds it recorded. */
    async reviewOneStopApplication(input: { applicationId: string; key: string; actor: string }): Promise<ReviewResult> {
      const app = await findApplication(knex(), input.applicationId);
      if (!app) throw missing(input.applicationId);
      const facts = await donationFacts(knex(), app.donationId);
      if (!facts) throw missing(input.applicationId);
      const review = reviewApplication({ content: app.currentContent, myNumber: app.myNumber.verdict, arrivedOn: app.arrivedOn, deadline: app.deadlineOn, donation: facts });
      const status = STATUS_OF[review.outcome];
      const round = await knex().transaction(async (trx) => {
        const done = await trx('onestop_events').select('id').where('idempotency_key', input.key).first();
        if (done) return app.reviewRound;
        await trx('onestop_applications')
          .where('id', app.id)
          .update({
            status,
            findings: JSON.stringify(review.findings),
            review_round: trx.raw('review_round + 1'),
            decided_at: status === 'deficient' ? null : trx.fn.now(),
            updated_at: trx.fn.now(),
          });
        await trx('onestop_events').insert({
          application_id: app.id,
          kind: 'review',
          actor: input.actor,
          before: JSON.stringify({ status: app.status }),
          after: JSON.stringify({ status, findings: review.findings.map((f) => f.code) }),
          idempotency_key: input.key,
        });
        return app.reviewRound + 1;
      });
      return { outcome: review.outcome, round, findings: review.findings, deadlineOn: app.deadlineOn, deadlineEndsAt: deadlineEndsAt(app.deadlineOn).toISOString() };
    },

    /**
     * Queues a notice for the mail or email run (DOCS-5, deficiency follow-up).
     * Email when the donor applied online and gave an address; paper otherwise.
     */
    async recordOneStopNotice(input: { applicationId: string; kind: NoticeKind; key: string }): Promise<{ channel: 'mail' | 'email' }> {
      const app = await findApplication(knex(), input.applicationId);
      if (!app) throw missing(input.applicationId);
      const channel = app.channel === 'online' && app.currentContent.email ? 'email' : 'mail';
      const findings = input.kind === 'deficiency' || input.kind === 'reminder' || input.kind === 'closed_deficient' ? app.findings.filter((f) => f.severity === 'deficiency') : app.findings.filter((f) => f.severity === 'rejection');
      await knex()('onestop_notices')
        .insert({ application_id: app.id, kind: input.kind, channel, findings: JSON.stringify(findings), idempotency_key: input.key })
        .onConflict('idempotency_key')
        .ignore();
      return { channel };
    },

    /** REC-1: runs an approved destruction; returns counts only (the record itself stays in the ledger). */
    async executeRetentionDestruction(input: { destructionId: string; actor: string }): Promise<{ applications: number; myNumbers: number; imageReferences: number }> {
      try {
        const report = await executeDestruction(knex(), input.destructionId, input.actor);
        return report.count;
      } catch (err) {
        if (err instanceof OneStopError) throw ApplicationFailure.create({ type: 'DestructionRefused', message: err.message, nonRetryable: true });
        throw err;
      }
    },

    /** The deadline passed with the deficiency unresolved: the donor has to file a tax return instead. */
    async closeOneStopApplication(input: { applicationId: string; key: string; actor: string }): Promise<void> {
      await knex().transaction(async (trx) => {
        const done = await trx('onestop_events').select('id').where('idempotency_key', input.key).first();
        if (done) return;
        const updated = await trx('onestop_applications').where({ id: input.applicationId, status: 'deficient' }).update({ status: 'closed_deficient', decided_at: trx.fn.now(), updated_at: trx.fn.now() });
        if (updated === 0) return;
        await trx('onestop_events').insert({
          application_id: input.applicationId,
          kind: 'closed_deficient',
          actor: input.actor,
          reason: 'deadline passed with deficiencies outstanding',
          before: JSON.stringify({ status: 'deficient' }),
          after: JSON.stringify({ status: 'closed_deficient' }),
          idempotency_key: input.key,
        });
      });
    },
  };
}

export type OneStopActivities = ReturnType<typeof createOneStopActivities>;
