import { isYanagawaPostalCode } from '../intake/postal';

/**
 * SHIP-6: a gift must never go to a donor living in Yanagawa City (地方税法
 * 第37条の2: 返礼品 are for donors from outside the municipality). Either signal
 * suffices: a postal code of the city, or an address written as being in it —
 * a wrong postal code must not let a resident's gift through.
 */
export function livesInYanagawa(donor: { postalCode: string; prefecture: string; address: string }): boolean {
  if (isYanagawaPostalCode(donor.postalCode)) return true;
  const full = `${donor.prefecture}${donor.address}`.replace(/\s/g, '');
  return /^(福岡県)?柳川市/.test(full);
}
