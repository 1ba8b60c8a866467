import { monthLabel } from './month';
import type { MonthlyReportData } from './types';

/**
 * The report as titled tables. The PDF and the CSV are both written from these, so the two
 * always say the same thing; the city reads the PDF and loads the CSV into its own statistics.
 */
export interface ReportSection {
  /** Stable key for machines (CSV readers, tests). */
  key: string;
  title: string;
  header: string[];
  rows: (string | number)[][];
  /** Columns holding numbers (right-aligned in the PDF, not formula-guarded in the CSV). */
  numeric: boolean[];
}

export const CHANNEL_LABELS: Record<string, string> = { phone: '電話', fax: 'FAX', email: 'メール', letter: '郵便', counter: '窓口', web: 'ステータスページ' };
export const ONESTOP_STATUS_LABELS: Record<string, string> = {
  received: '受付・審査中',
  deficient: '不備',
  accepted: '受理',
  rejected_late: '期限後到着',
  closed_deficient: '不備のまま期限終了',
};
const PARTY_LABELS: Record<string, string> = { supplier: '事業者', carrier: '配送業者' };

export const section = (key: string, title: string, header: string[], rows: (string | number)[][]): ReportSection => ({
  key,
  title,
  header,
  rows,
  numeric: header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number')),
});

const yesNo = (v: boolean) => (v ? 'はい' : 'いいえ');

export function reportSections(d: MonthlyReportData): ReportSection[] {
  const s = d.sla;
  return [
    section('summary', '概要', ['項目', '値'], [
      ['対象月', monthLabel(d.month)],
      ['期間', `${d.period.from}〜${d.period.to}`],
      ['寄附件数', d.totals.count],
      ['寄附金額（円）', d.totals.amountYen],
      ['寄附者数', d.totals.donors],
      ['キャンセル件数', d.totals.cancelled],
      ['うち災害支援 件数', d.totals.disasterRelief.count],
      ['うち災害支援 金額（円）', d.totals.disasterRelief.amountYen],
    ]),
    section('by_portal', '寄附 ポータル別', ['ポータルコード', 'ポータル', '件数', '金額（円）'], d.byPortal.map((r) => [r.portalCode, r.portalName, r.count, r.amountYen])),
    section(
      'by_gift',
      '寄附 返礼品別',
      ['返礼品コード', '返礼品', '事業者コード', '件数', '数量', '金額（円）'],
      d.byGift.map((r) => [r.giftCode ?? '', r.giftName, r.supplierCode ?? '', r.donations, r.quantity, r.amountYen]),
    ),
    section('by_prefecture', '寄附 都道府県別', ['都道府県', '件数', '金額（円）'], d.byPrefecture.map((r) => [r.prefecture, r.count, r.amountYen])),
    section('by_donor_type', '寄附 新規・リピート別', ['区分', '件数', '金額（円）', '寄附者数'], [
      ['新規', d.byDonorType.new.count, d.byDonorType.new.amountYen, d.byDonorType.new.donors],
      ['リピート', d.byDonorType.repeat.count, d.byDonorType.repeat.amountYen, d.byDonorType.repeat.donors],
    ]),
    section('by_age_band', '寄附者属性 年代別（生年月日が分かる寄附者）', ['年代', '件数', '金額（円）'], d.byAgeBand.map((r) => [r.band, r.count, r.amountYen])),
    section('donor_attributes', '寄附者属性', ['寄附者数', 'リピート寄附者数', 'リピート率（%）', '生年月日判明'], [
      [d.donorAttributes.donors, d.donorAttributes.repeatDonors, d.donorAttributes.repeatRatePercent, d.donorAttributes.withBirthDate],
    ]),
    section(
      'sla_intake',
      'SLA 翌営業日までの取込',
      ['ポータルコード', '件数', '達成', '未達'],
      [...s.intake.byPortal.map((r) => [r.portalCode, r.total, r.met, r.missed]), ['合計', s.intake.total, s.intake.met, s.intake.missed]],
    ),
    section('sla_documents', 'SLA 書類発送（入金から2週間以内）', ['期限到来', '期限内発送', '期限後発送', '未発送'], [[s.documents.due, s.documents.met, s.documents.late, s.documents.unsent]]),
    section(
      'sla_shipping',
      'SLA 返礼品出荷（週2回）',
      ['事業者コード', '事業者', '出荷曜日数/週', '例外承認', '発注日数', '出荷予定', '予定日に出荷', '遅延出荷', '未出荷', '達成'],
      [
        ...s.shipping.suppliers.map((r) => [r.supplierCode ?? '', r.supplierName, r.weekdaysPerWeek, yesNo(r.exception), r.orderDays, r.planned, r.onTime, r.late, r.unshipped, r.met ? '達成' : '未達']),
        ['合計', '', '', '', '', s.shipping.planned, s.shipping.onTime, s.shipping.late, s.shipping.unshipped, ''],
      ],
    ),
    section('shipments', '発送・再発送', ['新規発送', '再発送', '出荷', '配達完了', '再発送（遅延）', '再発送（破損）', '再発送（紛失）'], [
      [d.shipments.created, d.shipments.reshipments, d.shipments.shipped, d.shipments.delivered, d.shipments.reshipmentsByKind.delay, d.shipments.reshipmentsByKind.damage, d.shipments.reshipmentsByKind.loss],
    ]),
    section(
      'onestop',
      'ワンストップ特例申請（当月到着分、作成時点の状態）',
      ['状態', '件数'],
      [...d.onestop.byStatus.map((r) => [ONESTOP_STATUS_LABELS[r.status] ?? r.status, r.count]), ['合計', d.onestop.arrived]],
    ),
    section(
      'calls_by_channel',
      'コールセンター 受付経路別',
      ['受付経路', '件数', 'うち苦情'],
      [...d.callCentre.byChannel.map((r) => [CHANNEL_LABELS[r.channel] ?? r.channel, r.count, r.complaints]), ['合計', d.callCentre.total, d.callCentre.complaints]],
    ),
    section('calls_by_category', 'コールセンター 分類別', ['分類', '件数', 'うち苦情'], d.callCentre.byCategory.map((r) => [r.category, r.count, r.complaints])),
    section('complaint_outcomes', '苦情の対応状況', ['項目', '件数'], [
      ...d.callCentre.complaintOutcomes.byStatus.map((r) => [`状態: ${r.status}`, r.count]),
      ['対応結果の記録あり', d.callCentre.complaintOutcomes.withOutcome],
      ['再発送あり', d.callCentre.complaintOutcomes.reshipped],
      ['事業者・配送業者へ対策要求あり', d.callCentre.complaintOutcomes.withMeasures],
    ]),
    section(
      'complaints',
      '苦情一覧',
      ['受付日', '分類', '件名', '状態', '対応結果', '再発送', '対策要求'],
      d.callCentre.complaintList.map((r) => [r.receivedOn, r.category, r.subject, r.status, r.outcome ?? '', yesNo(r.reshipped), r.measures]),
    ),
    section(
      'campaigns',
      'プロモーション 費用対効果（市承認済み、当月実施分）',
      ['コード', '名称', '媒体', '開始日', '終了日', '費用（円）', '期間中件数', '期間中金額（円）', '当月件数', '当月金額（円）', '費用1円あたり寄附額（円）'],
      d.campaigns.map((c) => [c.code, c.name, c.medium, c.startsOn, c.endsOn, c.costYen, c.period.count, c.period.amountYen, c.inMonth.count, c.inMonth.amountYen, c.yenPerCostYen ?? '—']),
    ),
    section(
      'quality',
      '事業者・配送業者の品質（苦情・再発送・対策要求）',
      ['区分', 'コード', '名称', '苦情', '再発送', '対策要求', '未完了', '完了', '期限超過'],
      d.quality.map((q) => [PARTY_LABELS[q.partyKind], q.party, q.partyName, q.complaints, q.reshipments, q.measuresDemanded, q.measuresOpen, q.measuresClosed, q.measuresOverdue]),
    ),
  ];
}
