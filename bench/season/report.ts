import type { DayStat, SeasonRun } from './run';
import type { Scorecard } from './scorecard';

export interface SeasonReport {
  seed: number;
  yearDonations: number;
  season: { from: string; to: string; year: number };
  wallSeconds: number;
  cpuSeconds: { process: number; children: number };
  peakRssMiB: number;
  load: { before: number[]; after: number[] };
  stages: { stage: string; items: number; wallSeconds: number; itemsPerSecond: number | null }[];
  peakDay: DayStat | null;
  days: DayStat[];
  scorecard: Scorecard;
  result: SeasonResult;
}

export interface SeasonResult {
  donations: number;
  deadlines: number;
  missed: number;
  notFinal: number;
  duplicates: number;
  badRows: number;
  lost: number;
  /** Bad rows still held or quarantined (open) when the season ended: the operators' backlog. */
  uncleared: number;
  residentsWithGifts: number;
  wallSeconds: number;
}

export function seasonReport(input: Omit<SeasonReport, 'stages' | 'peakDay' | 'days' | 'result'> & { run: SeasonRun }): SeasonReport {
  const { run, scorecard: s } = input;
  const stages = Object.entries(run.stages).map(([stage, x]) => ({
    stage,
    items: x.items,
    wallSeconds: Math.round(x.wallMs / 100) / 10,
    itemsPerSecond: x.items && x.wallMs ? Math.round((x.items / (x.wallMs / 1000)) * 10) / 10 : null,
  }));
  const peakDay = run.days.reduce<DayStat | null>((a, d) => (!a || d.donations > a.donations ? d : a), null);
  const dup = s.duplicates;
  const result: SeasonResult = {
    donations: s.donations.planned,
    deadlines: s.deadlines.reduce((n, d) => n + d.count, 0),
    missed: s.deadlines.reduce((n, d) => n + d.missed, 0),
    notFinal: s.donations.registered - s.donations.final,
    duplicates: dup.documents + dup.mails + dup.shipments + dup.carrierRows,
    badRows: Object.values(s.badRows.planned).reduce((a, b) => a + b, 0),
    lost: s.badRows.lost.length,
    uncleared: s.cleared.stillHeld + (s.cleared.quarantine.open ?? 0),
    residentsWithGifts: s.residentsWithShipments,
    wallSeconds: input.wallSeconds,
  };
  const { run: _run, ...rest } = input;
  return { ...rest, stages, peakDay, days: run.days, result };
}

const pad = (v: unknown, n: number, right = false) => {
  const s = String(v ?? '–');
  const width = [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e7f ? 2 : 1), 0);
  return right ? ' '.repeat(Math.max(0, n - width)) + s : s + ' '.repeat(Math.max(0, n - width));
};

/** The scorecard as the console shows it. */
export function seasonTable(r: SeasonReport): string {
  const s = r.scorecard;
  const lines: string[] = [];
  lines.push(`Season ${r.season.from} → ${r.season.to} (seed ${r.seed}, ${r.result.donations} donations of a ${r.yearDonations}-donation year): ${r.wallSeconds} s wall, CPU ${r.cpuSeconds.process} s (+ servers ${r.cpuSeconds.children} s), peak RSS ${r.peakRssMiB} MiB`);
  lines.push('');
  lines.push(`${pad('deadline', 52)} ${pad('count', 7, true)} ${pad('met', 7, true)} ${pad('missed', 7, true)} ${pad('tightest (h)', 13, true)}  misses`);
  for (const d of s.deadlines) lines.push(`${pad(d.kind, 52)} ${pad(d.count, 7, true)} ${pad(d.met, 7, true)} ${pad(d.missed, 7, true)} ${pad(d.tightestMarginHours, 13, true)}  ${d.missedIds.join(' ') || '–'}`);
  lines.push('');
  lines.push(`${pad('stage', 44)} ${pad('items', 8, true)} ${pad('wall s', 9, true)} ${pad('items/s', 9, true)}`);
  for (const st of r.stages) lines.push(`${pad(st.stage, 44)} ${pad(st.items, 8, true)} ${pad(st.wallSeconds, 9, true)} ${pad(st.itemsPerSecond, 9, true)}`);
  lines.push('');
  if (r.peakDay) lines.push(`peak day ${r.peakDay.day}: ${r.peakDay.donations} donations registered, ${r.peakDay.envelopes} envelopes, ${r.peakDay.mails} mails`);
  lines.push(`donations: ${JSON.stringify(s.donations.byStatus)}; not final: ${s.donations.notFinal.length ? s.donations.notFinal.join(', ') : 'none'}`);
  lines.push(`bad rows planned ${JSON.stringify(s.badRows.planned)} → quarantined rows ${s.badRows.quarantinedRows}, held ${JSON.stringify(s.badRows.held)}, repeated rows unchanged ${s.badRows.repeatedRowsUnchanged}, lost ${s.badRows.lost.length}`);
  lines.push('');
  lines.push(`${pad('portal', 10)} ${pad('files', 6, true)} ${pad('encoding', 16)} ${pad('rows', 6, true)} ${pad('created', 8, true)} ${pad('unchanged', 10, true)} ${pad('quarantined', 12, true)} ${pad('held', 5, true)} ${pad('bad rows', 9, true)}`);
  for (const p of s.portals) lines.push(`${pad(p.portal, 10)} ${pad(p.files, 6, true)} ${pad(p.encodings, 16)} ${pad(p.rows, 6, true)} ${pad(p.created, 8, true)} ${pad(p.unchanged, 10, true)} ${pad(p.quarantined, 12, true)} ${pad(p.held, 5, true)} ${pad(p.badRowsPlanned, 9, true)}`);
  const c = s.cleared;
  lines.push(`cleared by operators: quarantine ${JSON.stringify(c.quarantine)} (${c.operator.resubmitted} corrected and re-submitted, ${c.operator.dismissed} dismissed); holds ${c.holdsReleased} released (${c.operator.releasedUnplanned} of good rows held by a finding of their own), ${c.holdsWithdrawn} withdrawn, ${c.stillHeld} still held${c.stillHeldDonations.length ? `: ${c.stillHeldDonations.join('; ')}` : ''}`);
  lines.push('');
  lines.push(`duplicates: ${JSON.stringify(s.duplicates)}; 柳川市 residents with a shipment: ${s.residentsWithShipments}`);
  lines.push(`documents: ${s.documents.envelopesPosted} envelopes posted, ${s.documents.reissuesAfterReturn} re-sent after returned mail; shipping: ${JSON.stringify(s.shipping.byStatus)}, ${s.shipping.reshipments} re-shipments`);
  lines.push(`one-stop: ${s.onestop.applications} applications (${JSON.stringify(s.onestop.byChannel)}) ${JSON.stringify(s.onestop.byStatus)}, ${s.onestop.arrivedLate} arrived after the deadline (rejected as late), ${s.onestop.resubmissionsRefused} late resubmissions refused`);
  for (const m of s.months) lines.push(`month ${m.month}: report built ${m.reportBuiltAt ?? '–'}, invoice ${m.invoiceNumber ?? '–'} issued ${m.invoiceIssuedAt ?? '–'}, accepted ${m.invoiceAcceptedAt ?? '–'} (${m.statementsConfirmed} statements confirmed, ${m.statementsDisputed} disputed, ${m.disputesResolved} disputes resolved)`);
  for (const n of s.notifications) lines.push(`申告特例通知書 ${n.donationYear}: ${n.applications} applications in ${n.files} files, run ${n.ranAt}`);
  return lines.join('\n');
}

/** The one line a CI log or a script greps for. */
export const seasonResultLine = (r: SeasonReport) => `SEASON_RESULT ${JSON.stringify(r.result)}`;
