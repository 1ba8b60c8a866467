import { PERSONAL_FIELDS } from '../onestop/notification';

/**
 * REC-1: the kinds of record kept for a retention period (5–7 years, set by the city in the
 * configuration, RETENTION_YEARS and RETENTION_YEARS_<CLASS>) and then destroyed on the city's
 * approval. The one-stop applications have their own class in the onestop feature
 * (ONESTOP_RETENTION_YEARS); these are the rest of the ledger and the files written from it.
 */
export const RECORD_CLASSES = [
  'donors',
  'donations',
  'ship_to',
  'calls',
  'catalogue_requests',
  'mail_log',
  'import_quarantine',
  'import_files',
  'print_batches',
  'carrier_files',
  'reports',
] as const;

export type RecordClass = (typeof RECORD_CLASSES)[number];

export const isRecordClass = (v: unknown): v is RecordClass => typeof v === 'string' && (RECORD_CLASSES as readonly string[]).includes(v);

/** The environment variable that sets one class's years (RETENTION_YEARS_SHIP_TO, …). */
export const retentionYearsVariable = (c: RecordClass) => `RETENTION_YEARS_${c.toUpperCase()}`;

export const RETENTION_YEARS_RANGE = { min: 5, max: 7 } as const;

/** What each class is, what its period counts from, and what its destruction does (the prior application's words, MYNUM-5). */
export const RECORD_CLASS_INFO: Record<RecordClass, { label: string; from: string; destroys: string }> = {
  donors: { label: '寄附者台帳 (寄附者・名寄せ)', from: '最後の寄附の完了 (取消) 日', destroys: '氏名・フリガナ・郵便番号・住所・電話・メール、名寄せの鍵と生年月日' },
  donations: { label: '寄附とその履歴', from: '寄附の完了 (取消) 日', destroys: '履歴 (変更前後) の氏名・フリガナ・住所・郵便番号・電話・メール・生年月日' },
  ship_to: { label: '送付先', from: '寄附の完了 (取消) 日', destroys: '送付先の氏名・フリガナ・郵便番号・住所・電話' },
  calls: { label: 'コールセンター記録', from: '完了日', destroys: '件名・内容・対応結果・連絡者名・連絡先、経過メモ' },
  catalogue_requests: { label: '資料請求', from: '送付 (取消) 日', destroys: '氏名・フリガナ・郵便番号・住所・電話・メール・備考' },
  mail_log: { label: 'メール送信記録', from: '送信日', destroys: '宛先・応答' },
  import_quarantine: { label: '取込保留行', from: '解決 (却下) 日', destroys: '保留した行の内容と修正値' },
  import_files: { label: '取込ファイル', from: '取込完了日', destroys: 'ポータルから受け取ったファイル本体' },
  print_batches: { label: '印刷バッチ (PDF・マニフェスト)', from: '投函日', destroys: 'PDF とマニフェストのファイル' },
  carrier_files: { label: '配送業者・事業者向けファイル', from: '出荷日', destroys: '配送業者取込ファイル' },
  reports: { label: '月次業務報告書のファイル', from: '作成日', destroys: 'PDF・CSV のファイルと保存した写し (集計値は残す)' },
};

/** Keys holding personal values in before/after and detail JSON (camelCase and the ledger's snake_case). */
export const RECORD_PERSONAL_KEYS: readonly string[] = [
  ...PERSONAL_FIELDS,
  'name_kana',
  'postal_code',
  'birth_date',
  'callerName',
  'caller_name',
  'callerContact',
  'caller_contact',
  'recipient',
];
