import type { Knex } from '@mikro-orm/postgresql';

export type LateBounceOutcome = 'notice_to_paper' | 'mail_rejected' | 'unknown_message' | 'not_a_failure' | 'not_a_dsn';

/** Whether this mailbox file was read before (its name and digest). */
export async function bounceRead(knex: Knex, source: string): Promise<boolean> {
  return !!(await knex('mail_bounces').where({ source }).first('source'));
}

/**
 * DOCS-5: applies one DSN read from the mailbox, once per source, in one transaction. A permanent
 * failure of a message we sent marks its mail_log row rejected (the DSN's status as the response), and
 * a one-stop notice sent by that email falls back to paper exactly as an immediate 5xx does: channel
 * mail, pending again for the next print batch, email_status bounced_late.
 */
export async function applyLateBounce(
  knex: Knex,
  b: { source: string; originalMessageId?: string; action?: string; status?: string; permanentFailure: boolean; isDsn: boolean },
): Promise<LateBounceOutcome> {
  return knex.transaction(async (trx) => {
    const known = await trx('mail_bounces').where({ source: b.source }).first('outcome');
    if (known) return known.outcome as LateBounceOutcome;
    const mail = b.originalMessageId ? await trx('mail_log').where({ message_id: b.originalMessageId }).first('id', 'idempotency_key', 'status') : undefined;
    let outcome: LateBounceOutcome;
    if (!b.isDsn) outcome = 'not_a_dsn';
    else if (!mail) outcome = 'unknown_message';
    else if (!b.permanentFailure) outcome = 'not_a_failure';
    else {
      await trx('mail_log').where({ id: mail.id }).update({ status: 'rejected', response: `late bounce (DSN): ${b.action ?? '?'} ${b.status ?? '?'}`, updated_at: trx.fn.now() });
      const moved = await trx('onestop_notices')
        .where({ idempotency_key: mail.idempotency_key, channel: 'email' })
        .update({ channel: 'mail', status: 'pending', sent_at: null, email_status: 'bounced_late' });
      outcome = moved > 0 ? 'notice_to_paper' : 'mail_rejected';
    }
    await trx('mail_bounces').insert({ source: b.source, original_message_id: b.originalMessageId ?? null, action: b.action ?? null, dsn_status: b.status ?? null, mail_log_id: mail?.id ?? null, outcome });
    return outcome;
  });
}
