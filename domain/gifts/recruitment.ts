import { reportCsv } from '../reports/csv';
import { section } from '../reports/sections';

/**
 * What a supplier briefing was for (spec 7(9)ウ): recruiting suppliers (募集説明会, GIFT-6), presenting success
 * cases (成功事例報告会, GIFT-3) or training and guiding suppliers on quality (品質向上研修・指導, GIFT-3).
 */
export const BRIEFING_KINDS = ['recruitment', 'success_cases', 'quality_training'] as const;
export type BriefingKind = (typeof BRIEFING_KINDS)[number];
/** The kinds the supplier quality report lists (GIFT-3); the recruitment report counts only `recruitment`. */
export const QUALITY_BRIEFING_KINDS = ['success_cases', 'quality_training'] as const satisfies readonly BriefingKind[];

/** GIFT-6 (spec 7(9)ウ): what the city is told about supplier recruitment over a period (JST dates, inclusive). */
export interface RecruitmentReport {
  from: string;
  to: string;
  briefings: { heldOn: string; place: string; title: string; attendees: number; wouldBe: number; interested: number }[];
  totals: { briefings: number; attendees: number; wouldBe: number; interested: number; inquiries: number; proposed: number; approved: number; rejected: number; approvedSuppliers: number };
  /** CALL-4 inquiries from would-be suppliers (no known supplier code) received in the period. */
  inquiries: { receivedOn: string; subject: string; callerName: string | null; status: string }[];
  /** GIFT-4 suppliers proposed or decided in the period. */
  suppliers: { code: string | null; name: string; status: string; proposedOn: string | null; decidedOn: string | null; decidedBy: string | null; reason: string | null }[];
}


const STATUS_LABELS: Record<string, string> = { proposed: '提案中', approved: '承認', rejected: '不承認' };

/** The report as the city files it: CSV blocks in the monthly report's layout (UTF-8 with BOM, CRLF). */
export function recruitmentReportCsv(r: RecruitmentReport): Buffer {
  const t = r.totals;
  return reportCsv([
    section('summary', `事業者募集状況報告 ${r.from}〜${r.to}`, ['項目', '値'], [
      ['説明会 開催回数', t.briefings],
      ['説明会 参加事業者数', t.attendees],
      ['うち未登録事業者', t.wouldBe],
      ['うち参加希望', t.interested],
      ['未登録事業者からの問合せ', t.inquiries],
      ['事業者 提案', t.proposed],
      ['事業者 承認', t.approved],
      ['事業者 不承認', t.rejected],
      ['承認済み事業者数（現在）', t.approvedSuppliers],
    ]),
    section('briefings', '説明会', ['開催日', '場所', '名称', '参加', '未登録', '参加希望'], r.briefings.map((b) => [b.heldOn, b.place, b.title, b.attendees, b.wouldBe, b.interested])),
    section('inquiries', '未登録事業者からの問合せ', ['受付日', '件名', '事業者', '状態'], r.inquiries.map((c) => [c.receivedOn, c.subject, c.callerName ?? '', c.status])),
    section('suppliers', '事業者の提案と市の決定', ['事業者コード', '事業者', '状態', '提案日', '決定日', '決定者', '理由'], r.suppliers.map((s) => [s.code ?? '', s.name, STATUS_LABELS[s.status] ?? s.status, s.proposedOn ?? '', s.decidedOn ?? '', s.decidedBy ?? '', s.reason ?? ''])),
  ]);
}
