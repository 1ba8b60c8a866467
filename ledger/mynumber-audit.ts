import type { Knex } from '@mikro-orm/postgresql';
import { jstDateTime, type AuditTable } from '../domain/onestop/audit-pack';
import type { HandlingHours } from '../domain/onestop/handling-report';
import { addDays, jstStartOfDay } from '../domain/jst';
import { handlerNotices, listHandlers } from './mynumber-handlers';
import { exportsBetween } from './mynumber-exports';
import { handlingReport } from './mynumber-handling';
import { listHandovers } from './mynumber-handovers';
import { listDestructions } from './onestop';
import { listSubcontractors } from './subcontractors';

/**
 * MYNUM-6 (特記13, 14): what the city's auditor reads of a period, gathered at once — the access and
 * refusal logs, the register and its notices, exports, handovers, destructions, subcontractors and the
 * handling report. Application ids and people, never a 個人番号 (the number is not read here).
 */
export async function myNumberAuditData(knex: Knex, period: { from: string; to: string }, hours: HandlingHours) {
  const start = jstStartOfDay(period.from);
  const end = jstStartOfDay(addDays(period.to, 1));
  const within = (q: Knex.QueryBuilder, column: string) => q.where(column, '>=', start).andWhere(column, '<', end).orderBy('id');
  const [reads, refusals, handlers, notices, exports, handovers, onestopDestructions, recordDestructions, subcontractors, report] = await Promise.all([
    within(knex('my_number_access_log').select('accessed_at', 'actor', 'role', 'application_id', 'reason', 'source', 'terminal'), 'accessed_at'),
    within(knex('my_number_access_refusals').select('refused_at', 'actor', 'role', 'action', 'application_id', 'source', 'terminal', 'reason_given', 'refusal'), 'refused_at'),
    listHandlers(knex),
    handlerNotices(knex, period),
    exportsBetween(knex, start, end),
    listHandovers(knex),
    listDestructions(knex, { scope: 'onestop' }),
    listDestructions(knex, { scope: 'records' }),
    listSubcontractors(knex),
    handlingReport(knex, period, hours),
  ]);
  return { period, reads, refusals, handlers, notices, exports, handovers, destructions: [...onestopDestructions, ...recordDestructions], subcontractors, report };
}

export type MyNumberAuditData = Awaited<ReturnType<typeof myNumberAuditData>>;

const yes = (b: boolean | null | undefined) => (b ? 'はい' : '');

/** The audit data as the pack's tables, with the column names an auditor reads (MYNUM-6). */
export function auditTables(d: MyNumberAuditData): AuditTable[] {
  return [
    {
      file: '01-access-log.csv', title: '個人番号の閲覧記録', about: '期間中に個人番号を読んだ記録 (誰が、いつ、どの申請を、なぜ、どの端末から)',
      header: ['日時', '操作者', '役割', '申請ID', '理由', '経路', '端末'],
      rows: d.reads.map((r: any) => [jstDateTime(new Date(r.accessed_at).toISOString()), r.actor, r.role, r.application_id, r.reason, r.source, r.terminal]),
    },
    {
      file: '02-refusals.csv', title: '拒否された閲覧・持出し', about: '名簿外・誓約や研修の欠け・取扱区域外などで拒否された試み (理由付き)',
      header: ['日時', '操作者', '役割', '種別', '申請ID', '経路', '端末', '申告された理由', '拒否理由'],
      rows: d.refusals.map((r: any) => [jstDateTime(new Date(r.refused_at).toISOString()), r.actor, r.role, r.action === 'export' ? '持出し' : '閲覧', r.application_id, r.source, r.terminal, r.reason_given, r.refusal]),
    },
    {
      file: '03-handlers.csv', title: '取扱者名簿 (作成時点)', about: '作業責任者・作業従事者 (派遣の別、市への報告日、承認、誓約書、研修、有効期限、削除)',
      header: ['操作者', '氏名', '区分', '派遣', '市へ報告', '市の承認', '承認者', '誓約書', '研修', '有効期限', '削除'],
      rows: d.handlers.map((h) => [h.actor, h.name, h.kind === 'responsible' ? '作業責任者' : '作業従事者', yes(h.dispatched), h.cityNotifiedOn, h.cityApprovedOn, h.cityApprovedBy, h.pledgeSignedOn, h.trainedOn, h.validUntil, h.removedOn]),
    },
    {
      file: '04-register-notices.csv', title: '名簿の変更通知', about: '期間中の名簿の登録・変更・承認・削除の通知',
      header: ['通知日', '操作者', '種別', '内容', '記録者', '記録日時'],
      rows: d.notices.map((n) => [n.noticedOn, n.actor, n.kind, n.notice, n.recordedBy, jstDateTime(n.recordedAt)]),
    },
    {
      file: '05-exports.csv', title: '持出し (暗号化パッケージ)', about: '取扱区域から出た特定個人情報 (誰が、どの端末から、何を、何件、どこへ、sha256)',
      header: ['日時', '操作者', '端末', '寄附年', 'ファイル数', '件数', '持出し先', '目的', '暗号鍵 (市)', 'sha256'],
      rows: d.exports.map((e) => [jstDateTime(e.createdAt), e.actor, e.terminal, e.donationYear, e.files, e.applications, e.destination, e.purpose, e.recipientKey, e.sha256]),
    },
    {
      file: '06-handovers.csv', title: '受渡し', about: '市が指定した方法・日・場所と、引渡し・受領確認の記録',
      header: ['寄附年', '方法', '予定日', '場所', '指定者', '状態', 'sha256', '件数', '受領者', '引渡し日時', '確認者', '確認日時'],
      rows: d.handovers.map((h) => [h.donationYear, h.means, h.plannedOn, h.place, h.designatedBy, h.status, h.packageSha256, h.packageApplications, h.receiver, jstDateTime(h.handedOverAt), h.confirmedBy, jstDateTime(h.confirmedAt)]),
    },
    {
      file: '07-destructions.csv', title: '廃棄', about: '廃棄の事前申請・市の同意・立会人・実施 (一件ごと)',
      header: ['ID', '対象', '状態', '基準日', '件数', '申請者', '申請日時', '決定者', '決定日時', '決定理由', '立会人', '実施日時'],
      rows: d.destructions.map((x) => [x.id, x.scope === 'records' ? '記録' : 'ワンストップ申請', x.status, x.asOf, x.count, x.proposedBy, jstDateTime(x.proposedAt), x.decidedBy, jstDateTime(x.decidedAt), x.decisionReason, x.witness, jstDateTime(x.executedAt)]),
    },
    {
      file: '08-subcontractors.csv', title: '再委託先', about: '再委託先、渡すデータ、安全管理措置、市の事前承認と取消し',
      header: ['コード', '名称', '理由', '業務', '安全管理措置', '承認者', '承認文書', '取消者', '取消理由'],
      rows: d.subcontractors.map((s) => [s.code, s.name, s.reason, s.work, s.safeguards, s.cityApprovedBy, s.approvalDocument, s.revokedBy, s.revocationReason]),
    },
    {
      file: '09-handling-by-person.csv', title: '取扱状況 (人別)', about: '期間中の閲覧件数・申請数・時間外・拒否・端末 (取扱状況報告と同じ集計)',
      header: ['操作者', '役割', '閲覧', '申請数', '時間外', '拒否', '端末'],
      rows: d.report.actors.map((a) => [a.actor, a.role, a.reads, a.applications, a.afterHours, a.refusals, a.terminals.join(' ')]),
    },
  ];
}
