import type { DonorFields } from './donor';

/**
 * INTAKE-4 疑義データ: findings that hold a donation for an operator before any
 * document or gift goes out. Each finding is a stable code an operator can
 * filter on; the intake issue adds more (duplicates, postal-code/address checks).
 */
export type ReviewFlag = 'yanagawa_resident_with_gift' | 'amount_below_gift_price' | 'missing_phone';

export const CITY_NAME = '柳川市';
export const CITY_PREFECTURE = '福岡県';

export interface ReviewInput {
  donor: Pick<DonorFields, 'prefecture' | 'address' | 'phone'>;
  amountYen: number;
  /** Sum of the chosen gifts' donation prices for this portal. */
  giftPriceYen: number;
  hasGift: boolean;
}

export function livesInYanagawa(donor: Pick<DonorFields, 'prefecture' | 'address'>): boolean {
  const address = donor.address.replace(/\s/g, '');
  return donor.prefecture === CITY_PREFECTURE && (address.startsWith(CITY_NAME) || address.startsWith(`${CITY_PREFECTURE}${CITY_NAME}`));
}

export function reviewFlags(input: ReviewInput): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  // SHIP-6: residents of the city may donate, but may not receive a gift.
  if (input.hasGift && livesInYanagawa(input.donor)) flags.push('yanagawa_resident_with_gift');
  if (input.hasGift && input.amountYen < input.giftPriceYen) flags.push('amount_below_gift_price');
  if (!input.donor.phone) flags.push('missing_phone');
  return flags;
}
