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

export const STATEMENT_STATUS_LABELS: Record<'sent' | 'confirmed' | 'disputed', string> = { sent: '事業者の確認待ち', confirmed: '確認済み', disputed: '異議あり' };

export const DISPUTE_STATUS_LABELS: Record<'open' | 'resolved', string> = { open: '調査中', resolved: '解決済み' };

export const BILLING_STAGE_LABELS: Record<'month_open' | 'gathering' | 'awaiting_confirmation' | 'awaiting_report_inspection' | 'invoicing' | 'invoice_issued' | 'invoice_rejected' | 'awaiting_payment' | 'paid', string> = {
  month_open: '月の途中',
  gathering: '明細を作成中',
  awaiting_confirmation: '事業者の確認待ち',
  awaiting_report_inspection: '月次報告の検査待ち',
  invoicing: '請求書を作成中',
  invoice_issued: '請求書を発行済み（市の確認待ち）',
  invoice_rejected: '請求書が差し戻された',
  awaiting_payment: '市の支払待ち',
  paid: '支払済み',
};

export const INVOICE_STATUS_LABELS: Record<'issued' | 'accepted' | 'rejected' | 'superseded', string> = { issued: '市の確認待ち', accepted: '受理', rejected: '差戻し', superseded: '次の版に置換え' };

export const TROUBLE_KIND_LABELS: Record<'delay' | 'damage' | 'loss', string> = { delay: '遅延', damage: '破損', loss: '紛失' };

export const STOCK_ALERT_LABELS: Record<'low' | 'sold_out' | 'oversold', string> = { low: '残りわずか', sold_out: '売り切れ', oversold: '売り越し' };
