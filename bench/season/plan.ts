import type { PaymentMethod } from '../../domain/donation-status';
import { addDays } from '../../domain/jst';
import { syntheticDonor, type SyntheticDonor } from './donors';
import { Random } from './random';

/**
 * The season's events, drawn once from the seed before anything runs, so that a run can be
 * repeated exactly: every donation with its day and hour, channel, gift, payment and what will
 * happen to it later (a transfer paid days after, never paid, a one-stop application and whether
 * it is deficient and resubmitted, returned mail, a gift lost or damaged in transit), and the
 * bad rows real portal files carry.
 */
export type BadRow = 'missing_kana' | 'unknown_gift' | 'duplicate_order' | 'yanagawa_address' | 'unencodable';
export const BAD_ROWS: readonly BadRow[] = ['missing_kana', 'unknown_gift', 'duplicate_order', 'yanagawa_address', 'unencodable'];

/** The eight portals with an import layout (domain/portals/catalogue.ts, builtInMapping). */
export type SeasonPortal = 'rakuten' | 'choice' | 'satofull' | 'furunavi' | 'ana' | 'amazon' | 'mynavi' | 'city';
/**
 * How a mid-sized city's portal donations divide between its portals (an assumption after the
 * portals' published shares of the national market, 楽天 and チョイス first): the share of each.
 */
export const PORTAL_SHARES: readonly (readonly [SeasonPortal, number])[] = [
  ['rakuten', 0.36], ['choice', 0.22], ['satofull', 0.16], ['furunavi', 0.1], ['ana', 0.04], ['amazon', 0.04], ['mynavi', 0.03], ['city', 0.05],
];
const ORDER_PREFIX: Record<SeasonPortal, string> = { rakuten: 'RK', choice: 'CH', satofull: 'SF', furunavi: 'FN', ana: 'ANA', amazon: 'AMZ', mynavi: 'MN', city: 'YC' };
/** Share of the one-stop applications of portal donors sent online (自治体マイページ-style services, JPKI) instead of on paper. */
export const ONLINE_ONESTOP_SHARE = 0.4;
/** The online service the city approved (ONESTOP-3) for the season's online applications. */
export const ONLINE_SERVICE = 'jichitai-mypage';

/** What the operator does with a bad row that ended held or quarantined, and how many days after its import. */
export interface BadRowResolution {
  afterDays: number;
  /** 'correct': corrected (by phone with the donor) and released or re-submitted; 'reject': cancelled or dismissed. */
  action: 'correct' | 'reject';
  /** What the donor tells the operator on the phone: the フリガナ the file lacked, the name it could not encode. */
  donorChanges?: { name?: string; nameKana?: string };
  /** The gift the donor chose, whose code the portal's file got wrong (an unknown gift code). */
  giftCode?: string;
}

export interface SeasonGift {
  code: string;
  name: string;
  priceYen: number;
  supplier: number;
}

export interface PlannedDonation {
  n: number;
  orderId: string;
  /** 'portal': a row of the day's file of `portal`; otherwise a hand entry (phone, FAX, mail). */
  channel: 'portal' | 'phone' | 'fax' | 'mail';
  portal?: SeasonPortal;
  day: string;
  appliedAt: string;
  donor: SyntheticDonor;
  gift: SeasonGift | { code: string; name: string; priceYen: number; supplier: -1 };
  amountYen: number;
  payment: PaymentMethod;
  /** Days after applying that a transfer is paid (0 for cards: paid at once); null = never paid (cancelled by an operator). */
  paidAfterDays: number | null;
  /** Paper (the form arrives by mail) or online (a linked service, identity by JPKI: never deficient). */
  oneStop?: { arrivesAfterDays: number; deficient: boolean; resubmitAfterDays?: number; online?: boolean };
  /** The donor's envelope comes back this many days after posting (DOCS-4). */
  returnedAfterDays?: number;
  /** The carrier reports the gift lost or damaged instead of delivered (SHIP-5). */
  transitTrouble?: 'damage' | 'loss';
  bad?: BadRow;
  /** A held or quarantined bad row is cleared by an operator (a re-exported row needs nothing). */
  resolution?: BadRowResolution;
}

export interface SeasonPlan {
  year: number;
  days: string[];
  gifts: SeasonGift[];
  donations: PlannedDonation[];
  /**
   * Portal rows exported again, by the day of the file that carries them again: the portal's next file with orders of that day
   * (a file of nothing but an order already sent would be the same bytes as an earlier one, which the importer takes once).
   */
  repeats: Map<string, PlannedDonation[]>;
}

export interface PlanOptions {
  seed: number;
  /** The fiscal year's donations; the season draws December's and January's share of them. */
  yearDonations: number;
  year: number;
  /** Share of the year's donations made in December (≈ 30 % for 柳川市) and January. */
  decemberShare: number;
  januaryShare: number;
  /** Share of the portal rows that are bad. */
  badShare: number;
  /**
   * Only the donations made between these days (MM-DD; `from` in December, `to` in December or
   * January) and the days from `from` on: a shorter season drawn from the same plan (the CI season).
   */
  window?: { from: string; to: string };
}

export const DEFAULT_PLAN: Omit<PlanOptions, 'seed' | 'yearDonations' | 'year'> = { decemberShare: 0.3, januaryShare: 0.04, badShare: 0.015 };

const GIFT_NAMES = ['うなぎのせいろ蒸し', '有明海産 焼き海苔', '柳川鍋セット', 'あまおう', '川下り羊羹', 'むつごろう蒲焼', '地酒 飲み比べ', '柳川みかん', 'さげもん 小', '筑後米 5kg'];
export const SUPPLIER_COUNT = 6;

export function seasonGifts(): SeasonGift[] {
  return GIFT_NAMES.map((name, i) => ({ code: `season-g${String(i + 1).padStart(2, '0')}`, name, priceYen: 10_000 + (i % 4) * 5_000, supplier: i % SUPPLIER_COUNT }));
}

/** Relative volume of each day: December builds up to the year end with a spike on the 31st; January is quiet, the New Year quieter. */
function dayWeights(year: number): { day: string; weight: number; month: 12 | 1 }[] {
  const out: { day: string; weight: number; month: 12 | 1 }[] = [];
  for (let d = 1; d <= 31; d++) {
    const ramp = 1 + 3 * (d / 31) ** 3;
    out.push({ day: `${year}-12-${String(d).padStart(2, '0')}`, weight: d === 31 ? 4 * ramp * 3 : d >= 28 ? ramp * 1.6 : ramp, month: 12 });
  }
  for (let d = 1; d <= 31; d++) out.push({ day: `${year + 1}-01-${String(d).padStart(2, '0')}`, weight: d <= 3 ? 0.5 : 1, month: 1 });
  return out;
}

export function seasonPlan(o: PlanOptions): SeasonPlan {
  const rng = new Random(o.seed);
  const gifts = seasonGifts();
  const weights = dayWeights(o.year);
  const totals = { 12: Math.round(o.yearDonations * o.decemberShare), 1: Math.round(o.yearDonations * o.januaryShare) };
  const monthWeight = { 12: 0, 1: 0 };
  for (const w of weights) monthWeight[w.month] += w.weight;
  const donations: PlannedDonation[] = [];
  const state: DrawState = { cleared: 0, credit: new Map() };
  let n = 0;
  let carry = 0;
  for (const w of weights) {
    const exact = (totals[w.month] * w.weight) / monthWeight[w.month] + carry;
    const count = Math.floor(exact);
    carry = exact - count;
    for (let k = 0; k < count; k++) donations.push(planDonation(rng, o, gifts, w.day, ++n, state));
  }
  const dayOf = (md: string) => `${md.startsWith('12') ? o.year : o.year + 1}-${md}`;
  const from = o.window ? dayOf(o.window.from) : `${o.year}-12-01`;
  const to = o.window ? dayOf(o.window.to) : weights[weights.length - 1].day;
  const days: string[] = [];
  for (let d = from; d <= addDays(to, 10); d = addDays(d, 1)) days.push(d);
  const inWindow = (d: PlannedDonation) => d.day >= from && d.day <= to;
  const season = donations.filter(inWindow);
  // The duplicate_order bad rows: the portal exports the same order again in its next file (one donation, never two).
  const repeats = new Map<string, PlannedDonation[]>();
  for (const d of season.filter((x) => x.bad === 'duplicate_order')) {
    const next = season.find((x) => x.portal === d.portal && x.day > d.day)?.day;
    if (next) repeats.set(next, [...(repeats.get(next) ?? []), d]);
  }
  return { year: o.year, days, gifts, donations: season, repeats };
}

/** What the draw carries from one donation to the next. */
interface DrawState {
  /** Bad rows an operator clears, so far. */
  cleared: number;
  /** Each portal's credit: its share added per portal donation, the portal with the most credit takes the order (each holds its share in any stretch of days). */
  credit: Map<SeasonPortal, number>;
}

function nextPortal(state: DrawState): SeasonPortal {
  let best: SeasonPortal = PORTAL_SHARES[0][0];
  for (const [portal, share] of PORTAL_SHARES) {
    state.credit.set(portal, (state.credit.get(portal) ?? 0) + share);
    if (state.credit.get(portal)! > state.credit.get(best)!) best = portal;
  }
  state.credit.set(best, state.credit.get(best)! - 1);
  return best;
}

function planDonation(rng: Random, o: PlanOptions, gifts: SeasonGift[], day: string, n: number, state: DrawState): PlannedDonation {
  const portal = rng.chance(0.9) ? nextPortal(state) : undefined;
  // Busy in the evening, quiet at night; the Dec 31 rush runs to midnight.
  const hour = rng.chance(0.7) ? rng.int(18, 23) : rng.int(7, 17);
  const appliedAt = new Date(`${day}T${String(hour).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00+09:00`).toISOString();
  const gift = rng.pick(gifts);
  const bad: BadRow | undefined = portal && rng.chance(o.badShare) ? rng.pick(BAD_ROWS) : undefined;
  const donor = syntheticDonor(rng, n, { resident: bad === 'yanagawa_address' });
  const donorChanges = bad === 'missing_kana' ? { nameKana: donor.nameKana } : bad === 'unencodable' ? { name: `吉野 ${donor.name.split(' ')[1] ?? '太郎'}` } : undefined;
  if (bad === 'missing_kana') donor.nameKana = '';
  // What a Shift_JIS export writes for a character it cannot encode (𠮷 → 〓); the donor accepts 吉 on the phone.
  if (bad === 'unencodable') donor.name = `〓野 ${donor.name.split(' ')[1] ?? '太郎'}`;
  // Amazonふるさと納税 takes Amazon Pay only.
  const payment: PaymentMethod = portal ? (portal === 'amazon' || rng.chance(0.82) ? 'credit_card' : 'bank_transfer') : rng.chance(0.5) ? 'bank_transfer' : 'postal_transfer';
  const paidAfterDays = payment === 'credit_card' ? 0 : rng.chance(0.04) ? null : payment === 'bank_transfer' ? rng.int(1, 7) : rng.int(3, 10);
  const wantsOneStop = rng.chance(0.3);
  const planned: PlannedDonation = {
    n,
    orderId: `${portal ? ORDER_PREFIX[portal] : 'TEL'}-${day.replace(/-/g, '')}-${String(n).padStart(6, '0')}`,
    channel: portal ? 'portal' : rng.pick(['phone', 'fax', 'mail'] as const),
    ...(portal ? { portal } : {}),
    day,
    appliedAt,
    donor,
    gift: bad === 'unknown_gift' ? { code: `season-unknown-${n}`, name: '存在しない返礼品', priceYen: gift.priceYen, supplier: -1 } : gift,
    amountYen: gift.priceYen,
    payment,
    paidAfterDays,
    ...(bad ? { bad } : {}),
  };
  // The operator clears a held or quarantined row on the day of its import or the next; some are withdrawn or dismissed.
  if (bad && bad !== 'duplicate_order') {
    // Every sixth such row is withdrawn by the donor (held: cancelled) or dismissed (quarantined); the rest are corrected.
    state.cleared += 1;
    planned.resolution = { afterDays: rng.int(0, 1), action: state.cleared % 6 === 2 ? 'reject' : 'correct', ...(donorChanges ? { donorChanges } : {}), ...(bad === 'unknown_gift' ? { giftCode: gift.code } : {}) };
  }
  if (wantsOneStop && paidAfterDays !== null && !bad) {
    if (portal && rng.chance(ONLINE_ONESTOP_SHARE)) planned.oneStop = { arrivesAfterDays: rng.int(1, 10), deficient: false, online: true };
    else {
      const deficient = rng.chance(0.1);
      planned.oneStop = { arrivesAfterDays: rng.int(4, 20), deficient, ...(deficient && rng.chance(0.7) ? { resubmitAfterDays: rng.int(3, 14) } : {}) };
    }
  }
  if (!bad && paidAfterDays !== null && rng.chance(0.005)) planned.returnedAfterDays = rng.int(3, 7);
  if (!bad && paidAfterDays !== null && rng.chance(0.01)) planned.transitTrouble = rng.chance(0.5) ? 'damage' : 'loss';
  return planned;
}
