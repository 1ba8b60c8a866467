/**
 * MYNUM-5 (特記12): the final report to the city at the end of the contract — per donation year what
 * the city directed and where it went (returned: the MYNUM-2 export and the MYNUM-4 handover the city
 * confirmed; destroyed: the destruction and its record), what the system still holds, and the years
 * holding 特定個人情報 that were not directed. Ids, years, counts and checksums only; never a number.
 */
import { jst } from './destruction-report';

export interface ContractEndReportInput {
  id: string;
  reason: string;
  directedBy: string;
  directedAt: string;
  destruction: { id: string; status: string; executedAt: string | null; decidedBy: string | null; count: number; physicalMedia: { description: string; count: number; destroyed: { certificate: string } | null }[] };
  years: {
    donationYear: number;
    action: 'return' | 'destroy';
    applications: number;
    remaining: number;
    returned: { exportId: string; handoverId: string; packageSha256: string; receiver: string | null; confirmedBy: string | null; confirmedAt: string | null } | null;
  }[];
  notDirected: { donationYear: number; applications: number }[];
}


function yearLines(y: ContractEndReportInput['years'][number], destructionId: string): string[] {
  const head = `■ ${y.donationYear}年分 (申請 ${y.applications} 件): 市の指示 ${y.action === 'return' ? '返却' : '廃棄'}`;
  const r = y.returned;
  const returned = y.action === 'return'
    ? [r ? `  返却: 暗号化持出し ${r.exportId} (MYNUM-2) を受渡し ${r.handoverId} (MYNUM-4) で ${r.receiver ?? '—'} へ、市の受領確認 ${r.confirmedBy ?? '—'} ${r.confirmedAt ? jst(r.confirmedAt) : ''} (SHA-256 ${r.packageSha256})` : '  返却: 未了']
    : [];
  return [head, ...returned, `  本システム上の消去: 廃棄 ${destructionId}、残り ${y.remaining} 件${y.remaining === 0 ? ' (完了)' : ''}`];
}

export function contractEndReportText(c: ContractEndReportInput): string {
  const d = c.destruction;
  const media = d.physicalMedia.map((m, i) => `  ${i + 1}. ${m.description} ${m.count} 点: ${m.destroyed ? `廃棄済み (証明書 ${m.destroyed.certificate})` : '未実施'}`);
  const complete = c.years.every((y) => y.remaining === 0 && (y.action === 'destroy' || y.returned)) && d.physicalMedia.every((m) => m.destroyed) && c.notDirected.length === 0;
  return [
    '契約終了に伴う特定個人情報等の返却・廃棄 最終報告書',
    '',
    `指示番号: ${c.id}`,
    `市の指示: ${c.directedBy} (${jst(c.directedAt)}) 「${c.reason}」`,
    `廃棄: ${d.id} (${d.status === 'done' ? `実施 ${d.executedAt ? jst(d.executedAt) : ''}、市の同意 ${d.decidedBy ?? '—'}` : d.status === 'proposed' ? '市の同意待ち' : d.status}、対象 ${d.count} 件)`,
    '',
    ...c.years.flatMap((y) => yearLines(y, d.id)),
    ...(media.length ? ['', '物理媒体:', ...media] : []),
    '',
    c.notDirected.length ? `指示のない年分 (個人番号等を保有): ${c.notDirected.map((n) => `${n.donationYear}年分 ${n.applications} 件`).join('、')}` : '指示のない年分: なし',
    '',
    complete ? '以上のとおり、市の指示に基づき特定個人情報等を返却・廃棄し、本システムに残っていないことを報告します。' : '未了の項目があります (上記)。',
  ].join('\n');
}
