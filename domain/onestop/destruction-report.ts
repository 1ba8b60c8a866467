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
  /** MYNUM-5: a destruction the city directed at the end of the contract. */
  purpose?: 'retention' | 'contract_end';
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
    /** MYNUM-5: a planned destruction's day and whether it was late. */
    timing?: { plannedOn: string; carriedOutOn: string; late: boolean; daysLate: number };
  } | null;
  /** MYNUM-5: the planned date of the application (null: at once after the consent). */
  plannedOn?: string | null;
  /** MYNUM-5: the physical media the application names, each with a person's record once destroyed. */
  physicalMedia?: {
    kind: string;
    description: string;
    count: number;
    destroyed: { method: string; destroyedBy: string; destroyedAt: string; witness: string | null; certificate: string } | null;
  }[];
}

/** MYNUM-5: the kinds of physical media an application may name, and their words on the report. */
export const PHYSICAL_MEDIUM_KINDS = ['paper', 'usb', 'optical_disc', 'hard_disk', 'other'] as const;
export type PhysicalMediumKind = (typeof PHYSICAL_MEDIUM_KINDS)[number];
const MEDIUM_LABELS: Record<string, string> = { paper: '紙', usb: 'USBメモリ', optical_disc: '光ディスク', hard_disk: 'ハードディスク', other: 'その他の媒体' } satisfies Record<PhysicalMediumKind, string>;

function timingLines(d: DestructionForReport): string[] {
  const t = d.report?.timing;
  if (t) return [`予定日: ${t.plannedOn}`, `実施日: ${t.carriedOutOn}${t.late ? ` (予定日より ${t.daysLate} 日遅れ: 市の同意が予定日より後)` : ' (予定日どおり)'}`];
  return d.plannedOn ? [`予定日: ${d.plannedOn}`] : [];
}

/** Each physical medium and who destroyed it how, or that it is still to be done. */
function mediaLines(d: DestructionForReport): string[] {
  const media = d.physicalMedia ?? [];
  if (media.length === 0) return [];
  return [
    '',
    '物理媒体の廃棄:',
    ...media.map((m, i) => {
      const head = `  ${i + 1}. ${MEDIUM_LABELS[m.kind] ?? m.kind}「${m.description}」 ${m.count} 点`;
      const r = m.destroyed;
      return r ? `${head}: ${jst(r.destroyedAt)} ${r.destroyedBy} が ${r.method} により廃棄、立会人 ${r.witness ?? 'なし'}、証明書 ${r.certificate}` : `${head}: 未実施`;
    }),
  ];
}

/** An instant as the report writes it: 2026年12月7日 13:05 (JST). Shared with the contract-end report. */
export const jst = (iso: string) => {
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
    d.scope === 'records' ? '保存期間を満了した記録の廃棄 (消去) 報告書' : d.purpose === 'contract_end' ? '契約終了に伴う特定個人情報等の廃棄 (消去) 報告書' : '特定個人情報等の廃棄 (消去) 報告書',
    '',
    `廃棄番号: ${d.id}`,
    `実施日時: ${jst(r.date)}`,
    `実施者: ${r.person.executedBy}`,
    `提案者: ${r.person.proposedBy}`,
    `市の同意: ${d.decidedBy ?? '—'} (${d.decidedAt ? jst(d.decidedAt) : '—'})${d.decisionReason ? ` 「${d.decisionReason}」` : ''}`,
    `立会人: ${d.witness ?? 'なし'}`,
    ...timingLines(d),
    '',
    '廃棄した項目:',
    ...r.items.map((i) => `  ・${i}`),
    `媒体: ${r.medium}`,
    countLine(d, c),
    `方法: ${r.method}`,
    ...mediaLines(d),
    '',
    '以上のとおり、市の事前の同意に基づき廃棄 (消去) したことを報告します。',
  ].join('\n');
}
