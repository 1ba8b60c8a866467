import { proxyActivities } from '@temporalio/workflow';
import type { OneStopActivities } from '../../activities/onestop/onestop';
import type { IncidentCityMail } from '../../domain/onestop/incidents';

// One attempt at the mail is bounded by INCIDENT_MAIL_TIMEOUT_MS (20 s) inside the activity; an
// unreachable server is recorded as `failed`, not thrown. What is retried here is a worker that died
// mid-send or a ledger that could not record the outcome: the mail_log key incident/<id> keeps it to
// one mail.
const mail = proxyActivities<OneStopActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['IncidentNotFound'] },
});
const resend = proxyActivities<OneStopActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});

/**
 * SEC-3: mails a recorded incident's report to the city (CITY_INCIDENT_EMAIL), started by
 * POST /incidents right after the ledger stored the incident (and its pending mail record). When the
 * mail got through, earlier reports that could not be sent (failed, or pending after a crash) go too.
 * Returns the mail record the incident shows (cityMail).
 */
export async function incidentReportWorkflow(input: { incidentId: string }): Promise<IncidentCityMail> {
  const cityMail = await mail.mailIncidentToCity({ incidentId: input.incidentId });
  if (cityMail.status === 'sent') {
    try {
      await resend.resendIncidentMails({});
    } catch {
      // The waiting ones wait for the next incident; this one's mail went.
    }
  }
  return cityMail;
}
