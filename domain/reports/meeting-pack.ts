import { reportCsv } from './csv';
import { monthLabel, previousMonth, sameMonthLastYear } from './month';
import { section, type ReportSection } from './sections';
import type { MonthlyReportData } from './types';
import type { ZipEntry } from './zip';

/**
 * REPORT-3 (spec 10(2)): the pack for the monthly strategy meeting with the city (戦略会議資料), one ZIP.
 * Judgement: a city clerk opens it on a Windows PC and prints or projects it, then reworks figures in Excel —
 * so the month's report as its PDF (as filed) and CSV, and the meeting's own tables as CSV (UTF-8 with BOM,
 * CRLF, the report's block layout), ASCII file names, and a contents sheet saying what each file is and
 * where the figures come from. Every figure comes from the report's own aggregates (ledger/reports.ts) and
 * the fiscal year's progress (ledger/progress.ts); nothing is computed a second way.
 */
export interface FiscalYearFigures {
  fiscalYear: number;
  asOf: string;
  donations: { count: number; amountYen: number; byPortal: { portal: string; count: number; amountYen: number }[] };
  documents: { due: number; overdue: number; sent: number };
  intake: { imported: number; late: number };
  queues: { reviewHolds: number; quarantineOpen: number };
}

/** One entry of the meeting's minutes (議事録) as the ledger keeps it (ledger/meeting-minutes.ts): append-only, a correction names the entry it corrects. */
export interface MeetingMinutesEntry {
  id: string;
  heldOn: string;
  attendees: string;
  body: string;
  corrects: string | null;
  recordedBy: string;
  recordedAt: string;
}

export interface MeetingPackInput {
  month: string;
  generatedAt: Date;
  /** The month, the one before and the same month a year earlier; null for a month before the system's years (nothing to compare). */
  current: MonthlyReportData;
  previous: MonthlyReportData | null;
  lastYear: MonthlyReportData | null;
  progress: FiscalYearFigures;
  /** The latest built revision of the month's report and its inspection state (REPORT-1), when there is one. */
  report: { revision: number; inspection: string; pdf: Buffer; csv: Buffer } | null;
  /** The minutes recorded against the month (REPORT-3), oldest first; none yet before the meeting. */
  minutes: readonly MeetingMinutesEntry[];
}

const INSPECTION_LABELS: Record<string, string> = { not_built: '未作成', awaiting_inspection: '検査待ち', passed: '検査合格', returned: '差戻し' };

const change = (now: number, before: number): string => (before === 0 ? '' : `${(((now - before) / before) * 100).toFixed(1)}`);

/** The headline figures of three months side by side, with the change in percent. */
export function comparisonSection(p: Pick<MeetingPackInput, 'current' | 'previous' | 'lastYear'>): ReportSection {
  const rows: [string, (d: MonthlyReportData) => number][] = [
    ['寄附件数', (d) => d.totals.count],
    ['寄附金額（円）', (d) => d.totals.amountYen],
    ['寄附者数', (d) => d.totals.donors],
    ['キャンセル件数', (d) => d.totals.cancelled],
    ['新規寄附者数', (d) => d.byDonorType.new.donors],
    ['リピート寄附者数', (d) => d.byDonorType.repeat.donors],
    ['書類 期限到来', (d) => d.sla.documents.due],
    ['書類 期限後・未発送', (d) => d.sla.documents.late + d.sla.documents.unsent],
    ['翌営業日取込 未達', (d) => d.sla.intake.missed],
    ['出荷 予定日に出荷', (d) => d.sla.shipping.onTime],
    ['出荷 遅延・未出荷', (d) => d.sla.shipping.late + d.sla.shipping.unshipped],
    ['再発送', (d) => d.shipments.reshipments],
    ['問合せ件数', (d) => d.callCentre.total],
    ['うち苦情', (d) => d.callCentre.complaints],
    ['ワンストップ申請 到着', (d) => d.onestop.arrived],
  ];
  const { current: c, previous: p1, lastYear: y } = p;
  const at = (d: MonthlyReportData | null, of: (d: MonthlyReportData) => number) => (d ? of(d) : '');
  const versus = (d: MonthlyReportData | null, of: (d: MonthlyReportData) => number) => (d ? change(of(c), of(d)) : '');
  return section(
    'comparison',
    `主要指標 ${monthLabel(c.month)}・前月・前年同月`,
    ['項目', monthLabel(c.month), monthLabel(previousMonth(c.month)), '前月比（%）', monthLabel(sameMonthLastYear(c.month)), '前年同月比（%）'],
    rows.map(([label, of]) => [label, of(c), at(p1, of), versus(p1, of), at(y, of), versus(y, of)]),
  );
}

/** The month's donations by portal against the month before and a year before: where the meeting looks first. */
export function portalSection(p: Pick<MeetingPackInput, 'current' | 'previous' | 'lastYear'>): ReportSection {
  const months = [p.current, p.previous, p.lastYear].filter((d): d is MonthlyReportData => d !== null);
  const codes = [...new Set(months.flatMap((d) => d.byPortal.map((r) => r.portalCode)))].sort();
  const of = (d: MonthlyReportData, code: string) => d.byPortal.find((r) => r.portalCode === code);
  const name = (code: string) => months.map((d) => of(d, code)?.portalName).find(Boolean) ?? code;
  const amount = (d: MonthlyReportData | null, code: string) => (d ? of(d, code)?.amountYen ?? 0 : '');
  return section(
    'portals',
    'ポータル別 寄附金額（円）',
    ['ポータルコード', 'ポータル', monthLabel(p.current.month), monthLabel(previousMonth(p.current.month)), monthLabel(sameMonthLastYear(p.current.month)), '当月件数'],
    codes.map((code) => [code, name(code), amount(p.current, code), amount(p.previous, code), amount(p.lastYear, code), of(p.current, code)?.count ?? 0]),
  );
}

export function fiscalYearSection(f: FiscalYearFigures): ReportSection {
  return section('fiscal_year', `${f.fiscalYear}年度 累計（${f.asOf.slice(0, 10)} 時点）`, ['項目', '値'], [
    ['寄附件数（キャンセル除く）', f.donations.count],
    ['寄附金額（円）', f.donations.amountYen],
    ...f.donations.byPortal.map((r): [string, number] => [`${r.portal} 金額（円）`, r.amountYen]),
    ['書類 発送待ち', f.documents.due],
    ['書類 期限超過', f.documents.overdue],
    ['書類 発送済み', f.documents.sent],
    ['取込 件数', f.intake.imported],
    ['取込 翌営業日超過', f.intake.late],
    ['審査保留', f.queues.reviewHolds],
    ['取込保留（隔離）', f.queues.quarantineOpen],
  ]);
}

export function campaignSection(d: MonthlyReportData): ReportSection {
  return section(
    'campaigns',
    'プロモーション 費用対効果（実施中の承認済み施策）',
    ['コード', '施策', '媒体', '期間', '費用（円）', '期間 件数', '期間 金額（円）', '当月 件数', '当月 金額（円）', '費用1円あたり寄附額'],
    d.campaigns.map((c) => [c.code, c.name, c.medium, `${c.startsOn}〜${c.endsOn}`, c.costYen, c.period.count, c.period.amountYen, c.inMonth.count, c.inMonth.amountYen, c.yenPerCostYen ?? '']),
  );
}

export function issuesSection(d: MonthlyReportData): ReportSection {
  return section(
    'issues',
    '課題 苦情・品質（事業者・配送業者別）',
    ['区分', 'コード', '名称', '苦情', '再発送', '改善要求', '未完了', '期限超過'],
    d.quality.map((q) => [q.partyKind === 'supplier' ? '事業者' : '配送業者', q.party, q.partyName, q.complaints, q.reshipments, q.measuresDemanded, q.measuresOpen, q.measuresOverdue]),
  );
}

const text = (lines: string[]) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);

/** An instant as JST to the minute: 2022-09-06 10:00. */
const jstMinute = (at: Date) => new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

/**
 * The minutes as one text sheet (議事録), oldest first as recorded: each entry with its number, when the
 * meeting was held, who attended, who recorded it and when, the entry it corrects, and its text as written.
 */
export function minutesSheet(month: string, minutes: readonly MeetingMinutesEntry[]): Buffer {
  return text([
    `柳川市ふるさと納税 戦略会議 議事録 ${monthLabel(month)}`,
    '記録は古い順です。訂正は新しい記録として残り、どの記録の訂正かを示します。',
    ...minutes.flatMap((m) => [
      '',
      `■ 記録 ${m.id}${m.corrects ? `（記録 ${m.corrects} の訂正）` : ''}`,
      `開催日: ${m.heldOn}`,
      `出席者: ${m.attendees}`,
      `記録: ${m.recordedBy}（${jstMinute(new Date(m.recordedAt))} 日本時間）`,
      '',
      ...m.body.split(/\r?\n/),
    ]),
  ]);
}

/** The files of the pack, in the order the contents sheet lists them. */
export function meetingPackEntries(p: MeetingPackInput): ZipEntry[] {
  const m = p.month;
  const report = p.report;
  const files: { name: string; what: string; bytes: Buffer }[] = [
    { name: `01_meeting-figures-${m}.csv`, what: '主要指標（当月・前月・前年同月）、ポータル別、プロモーション費用対効果、苦情・品質', bytes: reportCsv([comparisonSection(p), portalSection(p), campaignSection(p.current), issuesSection(p.current)]) },
    { name: `02_fiscal-year-${p.progress.fiscalYear}.csv`, what: `${p.progress.fiscalYear}年度の累計（進捗）`, bytes: reportCsv([fiscalYearSection(p.progress)]) },
  ];
  if (report) {
    files.push({ name: `03_monthly-report-${m}-r${report.revision}.pdf`, what: `月次業務報告書 第${report.revision}版（${INSPECTION_LABELS[report.inspection] ?? report.inspection}）`, bytes: report.pdf });
    files.push({ name: `04_monthly-report-${m}-r${report.revision}.csv`, what: `月次業務報告書 第${report.revision}版 CSV`, bytes: report.csv });
  }
  if (p.minutes.length) files.push({ name: `05_meeting-minutes-${m}.txt`, what: `戦略会議 議事録（${p.minutes.length}件の記録）`, bytes: minutesSheet(m, p.minutes) });
  const contents = text([
    `柳川市ふるさと納税 戦略会議資料 ${monthLabel(m)}`,
    `作成日時: ${jstMinute(p.generatedAt)}（日本時間）`,
    report ? `月次業務報告書: 第${report.revision}版、${INSPECTION_LABELS[report.inspection] ?? report.inspection}` : '月次業務報告書: 未作成（POST /reports/monthly/' + m + ' で作成してください）',
    p.minutes.length ? `議事録: ${p.minutes.length}件の記録（最新 ${p.minutes[p.minutes.length - 1].heldOn} 開催）` : '議事録: 未記録（会議の後、POST /reports/monthly/' + m + '/meeting-minutes で記録します）',
    '',
    '収録ファイル:',
    ...files.map((f) => `  ${f.name}  ${f.what}`),
    '',
    '数値は台帳の集計です（月次業務報告書と同じ集計、日本時間の暦月、キャンセルは件数・金額に含みません）。',
    'CSV は UTF-8（BOM 付き）です。Excel でそのまま開けます。',
  ]);
  return [{ name: `00_contents-${m}.txt`, bytes: contents }, ...files.map(({ name, bytes }) => ({ name, bytes }))];
}
