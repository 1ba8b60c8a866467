import type { DonorFields } from './donor';
import { isYanagawaPostalCode, prefecturesForPostalCode } from './intake/postal';

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

/**
 * INTAKE-4, full rule set (portal intake). Each finding is a named flag with
 * a reason an operator can act on; any finding holds the donation in its
 * workflow until an operator corrects and releases it, or cancels it.
 * `reviewFlags` above stays the hand-entry subset.
 */
export type IntakeReviewFlag =
  | ReviewFlag
  | 'amount_above_gift_price'
  | 'postal_code_address_mismatch'
  | 'incomplete_address'
  | 'possible_duplicate_order'
  | 'missing_kana'
  | 'missing_email'
  | 'invalid_characters';

export interface ReviewFinding {
  flag: IntakeReviewFlag;
  reason: string;
}

export interface FullReviewInput {
  channel: string;
  donor: DonorFields;
  amountYen: number;
  /** The chosen gifts' price on this portal (the portal's own price where one is recorded). */
  giftPriceYen: number;
  hasGift: boolean;
  /** The source always carries an email (portal exports); phone, FAX and counter donors often have none. */
  emailExpected?: boolean;
  /** Donations of the same donor, gifts and amount made shortly before or after, on other portals. */
  likelyDuplicates: { portal: string; portalOrderId: string }[];
}

// 〓 (geta) and "?" are what Shift_JIS exports write for characters they cannot encode (𠮷 → ?),
// U+FFFD what a wrong decoding leaves, the private-use area what 外字 become.
const SUBSTITUTES = /[〓\uFFFD?？\uE000-\uF8FF\u0000-\u001F\u007F]/gu;

function invalidCharacters(donor: DonorFields): string[] {
  const found: string[] = [];
  for (const field of ['name', 'nameKana', 'address'] as const) {
    const hits = [...new Set(donor[field]?.match(SUBSTITUTES) ?? [])];
    if (hits.length) found.push(`${field} contains ${hits.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}${c >= ' ' ? ` "${c}"` : ''}`).join(', ')}`);
  }
  return found;
}

const SHIPPED_POSTAL = { isYanagawa: isYanagawaPostalCode, prefectures: prefecturesForPostalCode };

export function reviewFindings(input: FullReviewInput, postal = SHIPPED_POSTAL): ReviewFinding[] {
  const { donor } = input;
  const out: ReviewFinding[] = [];
  const resident = livesInYanagawa(donor);
  const yanagawaCode = postal.isYanagawa(donor.postalCode);
  if (input.hasGift && (resident || yanagawaCode)) {
    out.push({ flag: 'yanagawa_resident_with_gift', reason: `SHIP-6: the donor's ${resident ? 'address' : 'postal code'} is in ${CITY_NAME}; a resident may not receive a gift` });
  }
  if (input.hasGift && input.amountYen < input.giftPriceYen) {
    out.push({ flag: 'amount_below_gift_price', reason: `donated ${input.amountYen} yen, the gift costs ${input.giftPriceYen} yen on this portal` });
  } else if (input.hasGift && input.channel === 'portal' && input.amountYen > input.giftPriceYen) {
    // Portals charge exactly the listed price; a difference means a price change or a wrong gift code.
    out.push({ flag: 'amount_above_gift_price', reason: `donated ${input.amountYen} yen, the gift is listed at ${input.giftPriceYen} yen on this portal` });
  }
  const prefectures = postal.prefectures(donor.postalCode);
  if (yanagawaCode !== resident && (yanagawaCode || donor.prefecture === CITY_PREFECTURE)) {
    out.push({ flag: 'postal_code_address_mismatch', reason: yanagawaCode ? `postal code ${donor.postalCode} is ${CITY_NAME}'s but the address is not` : `the address is in ${CITY_NAME} but postal code ${donor.postalCode} is not one of its codes` });
  } else if (prefectures && !prefectures.includes(donor.prefecture)) {
    out.push({ flag: 'postal_code_address_mismatch', reason: `postal code ${donor.postalCode} belongs to ${prefectures.join('/')}, the address says ${donor.prefecture}` });
  }
  const address = donor.address.replace(/\s/g, '');
  if (address.length < 4 || !/[0-9０-９一二三四五六七八九十丁目番地号]/.test(address) || !/[市区町村郡]/.test(address)) {
    out.push({ flag: 'incomplete_address', reason: `address "${donor.address}" lacks a ${/[市区町村郡]/.test(address) ? 'house number (番地)' : 'city, ward, town or village'}` });
  }
  for (const d of input.likelyDuplicates) {
    out.push({ flag: 'possible_duplicate_order', reason: `same donor, gifts and amount as ${d.portal} order ${d.portalOrderId}` });
  }
  if (!donor.nameKana?.trim()) out.push({ flag: 'missing_kana', reason: 'no フリガナ: the receipt and one-stop matching need it' });
  if (!donor.phone) out.push({ flag: 'missing_phone', reason: 'no phone number to contact the donor' });
  if (!donor.email && input.emailExpected) out.push({ flag: 'missing_email', reason: 'the portal record has no email address' });
  const bad = invalidCharacters(donor);
  if (bad.length) out.push({ flag: 'invalid_characters', reason: `${bad.join('; ')} (a character the portal could not encode, or 外字): confirm the spelling with the donor` });
  // One flag per kind; duplicates may name several orders.
  return out.filter((f, i) => f.flag === 'possible_duplicate_order' || out.findIndex((g) => g.flag === f.flag) === i);
}
