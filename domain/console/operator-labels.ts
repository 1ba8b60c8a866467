import type { PrintItemReason } from '../printed-documents';

/** The console's words for the operator pages of issue 17 (print batches, …); Records, so a new code without a label does not compile. */
export const PRINT_BATCH_STATUS_LABELS: Record<'collected' | 'rendered' | 'handed_off' | 'posted', string> = {
  collected: '対象を確定',
  rendered: 'PDF作成済み',
  handed_off: '印刷会社へ引渡し済み（投函待ち）',
  posted: '投函済み',
};

export const PRINT_BATCH_KIND_LABELS: Record<'scheduled' | 'on_demand', string> = { scheduled: '定時', on_demand: '臨時' };

export const PRINT_ITEM_REASON_LABELS: Record<PrintItemReason, string> = {
  initial: '初回送付',
  reissue: '再発行',
  returned_mail: '返戻後の再送',
  payment_form: '払込取扱票',
  onestop_notice: 'ワンストップ通知',
};
