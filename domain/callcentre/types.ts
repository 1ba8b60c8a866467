/** CALL-1…4: how an inquiry arrived, what it is about, and where it stands. */
/** `web`: a request left on the donors' status page (PORTAL-4). */
export const CALL_CHANNELS = ['phone', 'fax', 'email', 'letter', 'counter', 'web'] as const;
export type CallChannel = (typeof CALL_CHANNELS)[number];

/** 事業者からの問合せ: would-be and current suppliers (CALL-4). */
export const CALL_CATEGORIES = ['寄附手続き', '返礼品', '配送', '証明書', 'ワンストップ', '事業者からの問合せ', 'その他'] as const;
export type CallCategory = (typeof CALL_CATEGORIES)[number];

/** Gift complaints (CALL-3) may start a re-shipment. */
export const GIFT_COMPLAINT_CATEGORIES: readonly CallCategory[] = ['返礼品', '配送'];

export const CALL_STATUSES = ['未対応', '対応中', '対応済み', '完了'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export interface TransitionCheck {
  ok: boolean;
  /** Why not, for the 409. */
  reason?: string;
  reopen?: boolean;
}

/**
 * 未対応 → 対応中 → 対応済み → 完了, one step at a time. Going back is only a reopen
 * (対応済み or 完了 → 対応中) and needs a reason; 対応済み needs an outcome first.
 */
export function checkTransition(from: CallStatus, to: CallStatus, hasOutcome: boolean): TransitionCheck {
  const i = CALL_STATUSES.indexOf(from);
  const j = CALL_STATUSES.indexOf(to);
  if (i === j) return { ok: false, reason: `the call is already ${from}` };
  if (j === i + 1) {
    if (to === '対応済み' && !hasOutcome) return { ok: false, reason: 'record the outcome (POST /calls/:id/outcome) before marking the call 対応済み' };
    return { ok: true };
  }
  if (j > i) return { ok: false, reason: `cannot skip from ${from} to ${to}: next is ${CALL_STATUSES[i + 1]}` };
  if (to === '対応中' && (from === '対応済み' || from === '完了')) return { ok: true, reopen: true };
  return { ok: false, reason: `cannot go back from ${from} to ${to}; only a reopen to 対応中 (with a reason) is allowed` };
}
