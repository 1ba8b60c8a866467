import { isIsoDate, jstDate } from '../jst';
import type { ApprovalStatus } from './types';

/** GIFT-5: the acceptance period agreed with the supplier (both ends inclusive, JST dates, open when null). */
export interface AcceptanceWindow {
  active: boolean;
  approvalStatus?: ApprovalStatus;
  acceptFrom?: string | null;
  acceptUntil?: string | null;
}

export type AcceptanceState = 'accepting' | 'inactive' | 'not_approved' | 'before_period' | 'after_period';

const dayOf = (date: string | Date): string => {
  if (date instanceof Date) return jstDate(date);
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return date;
};

/** Why a gift does or does not take donations on a date (a Date is read as its Japanese calendar date). */
export function acceptanceState(gift: AcceptanceWindow, date: string | Date): AcceptanceState {
  const day = dayOf(date);
  if (gift.approvalStatus && gift.approvalStatus !== 'approved') return 'not_approved';
  if (!gift.active) return 'inactive';
  if (gift.acceptFrom && day < gift.acceptFrom) return 'before_period';
  if (gift.acceptUntil && day > gift.acceptUntil) return 'after_period';
  return 'accepting';
}

export function isAccepting(gift: AcceptanceWindow, date: string | Date): boolean {
  return acceptanceState(gift, date) === 'accepting';
}
