import type { Channel, DonationStatus, PaymentMethod } from '../donation-status';
import { ONESTOP_STATUS_LABELS as REPORT_ONESTOP_STATUS_LABELS } from '../reports/sections';

/** The console's Japanese words for the system's codes; a Record, so a new code without a label does not compile. */
export const DONATION_STATUS_LABELS: Record<DonationStatus, string> = {
  received: '受付',
  held: '審査保留',
  awaiting_payment: '入金待ち',
  paid: '入金済み',
  documents_due: '書類発送待ち',
  documents_sent: '書類発送済み',
  mail_returned: '郵便物返戻',
  completed: '完了',
  cancelled: '取消',
};

export const CHANNEL_LABELS: Record<Channel, string> = { portal: 'ポータル', phone: '電話', fax: 'FAX', mail: '郵送', counter: '窓口' };

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  credit_card: 'クレジットカード',
  bank_transfer: '銀行振込',
  postal_transfer: '郵便振替',
  convenience_store: 'コンビニ払い',
  cash: '現金',
  other: 'その他',
};

export const SHIPMENT_STATUS_LABELS: Record<string, string> = {
  planned: '予定',
  awaiting_order: '発注待ち',
  ordered: '発注済み',
  shipped: '発送済み',
  delivered: '配達完了',
  trouble: 'トラブル',
  escalated: '再発送判断待ち',
  cancelled: '取消',
  closed: '終了',
};

/** The monthly report's words for one-stop states (domain/reports/sections.ts), and 'none' for the search filter. */
export const ONESTOP_STATUS_LABELS: Record<string, string> = { none: '申請なし', ...REPORT_ONESTOP_STATUS_LABELS };
