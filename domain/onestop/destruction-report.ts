/**
 * MYNUM-5 (特記12): the written report of a destruction to the city — date and time, person, method,
 * what and how much — from the destruction's record. Pure text; never a number or a name of a donor.
 */
import { RECORD_CLASSES, RECORD_CLASS_INFO } from '../retention/classes';

export interface DestructionForReport {
  id: string;
  status: string;
  /** REC-1: one-stop applications (特定個人情報), or every other record ('records', ledger/retention.ts). */
  scope?: 'onestop' | 'records';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  witness: string | null;
  report: {
    items: string[];
    medium: string;
    method: string;
    date: string;
    count: Record<string, number>;
    person: { proposedBy: string; approvedBy: string | null; executedBy: string };
  } | null;
}

const jst = (iso: string) => {
  const d = new Date(Date.parse(iso) + 9 * 3_600_000).toISOString();
  return `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日 ${d.slice(11, 16)}`;
};

/** How much was destroyed: per application for one-stop, per record class for the rest. */
function countLine(d: DestructionForReport, c: Record<string, number>): string {
  if (d.scope !== 'records') {
    return `件数: 申請 ${c.applications ?? 0} 件、個人番号 ${c.myNumbers ?? 0} 件、画像参照 ${c.imageReferences ?? 0} 件 (うちファイル削除 ${c.imageFilesDeleted ?? 0} 件)、個人情報 ${c.personalData ?? 0} 件、履歴 ${c.historyRows ?? 0} 件`;
  }
  const classes = RECORD_CLASSES.filter((k) => (c[k] ?? 0) > 0).map((k) => `${RECORD_CLASS_INFO[k].label} ${c[k]} 件`);
  return `件数: ${[...classes, `ファイル ${c.imageReferences ?? 0} 件 (うち削除 ${c.imageFilesDeleted ?? 0} 件)`, `履歴 ${c.historyRows ?? 0} 件`].join('、')}`;
}

/** The report's text; undefined while the destruction has not been carried out. */
export function destructionReportText(d: DestructionForReport): string | undefined {
  const r = d.report;
  if (d.status !== 'done' || !r) return undefined;
  const c = r.count;
  return [
    d.scope === 'records' ? '保存期間を満了した記録の廃棄 (消去) 報告書' : '特定個人情報等の廃棄 (消去) 報告書',
    '',
    `廃棄番号: ${d.id}`,
    `実施日時: ${jst(r.date)}`,
    `実施者: ${r.person.executedBy}`,
    `提案者: ${r.person.proposedBy}`,
    `市の同意: ${d.decidedBy ?? '—'} (${d.decidedAt ? jst(d.decidedAt) : '—'})${d.decisionReason ? ` 「${d.decisionReason}」` : ''}`,
    `立会人: ${d.witness ?? 'なし'}`,
    '',
    '廃棄した項目:',
    ...r.items.map((i) => `  ・${i}`),
    `媒体: ${r.medium}`,
    countLine(d, c),
    `方法: ${r.method}`,
    '',
    '以上のとおり、市の事前の同意に基づき廃棄 (消去) したことを報告します。',
  ].join('\n');
}
