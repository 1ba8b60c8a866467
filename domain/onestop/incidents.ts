/**
 * SEC-3: incidents (leak, loss, theft, tampering, misdelivery, …) are reported
 * to the city at once with content, count, place and circumstances. The record
 * is the report: the city sees it through the API the moment it is stored.
 */
export interface Incident {
  id: string;
  content: string;
  affectedPeople: number | null;
  affectedRecords: number | null;
  place: string;
  circumstances: string;
  discoveredAt: string;
  reportedBy: string;
  recordedBy: string;
  createdAt: string;
  reportedToCityAt: string;
  /**
   * The email to the city (CITY_INCIDENT_EMAIL), sent when the incident is recorded. The record
   * itself is the report (reportedToCityAt); this says whether the mail got out too. Null for
   * incidents recorded before incident mail existed.
   */
  cityMail?: IncidentCityMail | null;
}

export type IncidentMailStatus = 'pending' | 'sent' | 'rejected' | 'failed' | 'skipped_masked' | 'skipped_no_address';

export interface IncidentCityMail {
  /** sent: the city's server took it; rejected: it refused it for good; failed: SMTP could not be reached (tried again later); skipped_no_address: CITY_INCIDENT_EMAIL is not set. */
  status: IncidentMailStatus;
  to: string | null;
  attempts: number;
  sentAt: string | null;
  /** The server's refusal or the reason it could not be sent. */
  lastError: string | null;
  updatedAt: string;
}

const jst = (iso: string) => {
  const d = new Date(Date.parse(iso) + 9 * 3_600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} (JST)`;
};

/**
 * The text of the report to the city (subject and plain-text body), for the
 * mailer to send as it is. Japanese, in the order of SEC-3: content, count,
 * place, circumstances.
 */
export function incidentReportText(incident: Incident, cityName = '柳川市'): { subject: string; text: string } {
  const counts = [
    incident.affectedPeople !== null ? `${incident.affectedPeople.toLocaleString('en-US')}人` : undefined,
    incident.affectedRecords !== null ? `${incident.affectedRecords.toLocaleString('en-US')}件` : undefined,
  ].filter(Boolean);
  const text = [
    `${cityName} ふるさと納税担当 御中`,
    '',
    'ふるさと納税包括支援業務において、次の事故が発生しましたので報告します。',
    '',
    `報告番号: ${incident.id}`,
    `発見日時: ${jst(incident.discoveredAt)}`,
    `報告日時: ${jst(incident.reportedToCityAt)}`,
    `報告者: ${incident.reportedBy} (記録: ${incident.recordedBy})`,
    '',
    '■ 内容',
    incident.content,
    '',
    '■ 件数 (影響を受けた人数・件数)',
    counts.join(' / '),
    '',
    '■ 発生場所',
    incident.place,
    '',
    '■ 発生状況',
    incident.circumstances,
    '',
    '詳細と今後の経過は業務システム (GET /incidents) でご確認いただけます。',
  ].join('\n');
  return { subject: `【事故報告】${incident.content.split('\n')[0].slice(0, 60)} (${jst(incident.discoveredAt)} 発見)`, text: `${text}\n` };
}
