import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldError } from '../domain/donor';
import {
  GiftRuleError,
  acceptanceState,
  activationProblems,
  costRatios,
  giftFieldErrors,
  type AcceptanceState,
  type ActivationProblem,
  type ApprovalStatus,
  type CarrierCode,
  type CostRatioReport,
  type DeliveryConstraints,
  type GiftFields,
  type Temperature,
} from '../domain/gifts';
import { Gift, Supplier } from './entities';
import { giftStockView, lockGift, setStock, syncAlerts, txKnex, type GiftStockView } from './stock';
import { approvalOf, orNull } from './rows';

/**
 * The gift catalogue (GIFT-1, GIFT-4, GIFT-5): operators propose, the city
 * decides, operators activate — only when approved, when the supplier has
 * signed the rules (SHIP-8) and when the procurement cost is within 3割 of every
 * price the gift is offered at. A change to a gift on sale must keep all of
 * that true.
 *
 * Which prices count: the gift's own ledger price (hand-entered donations) and
 * every `gift_portal_prices` row, except on a portal where the gift has a
 * listing row marked unlisted. A price row without a listing row counts:
 * before this catalogue, intake already sold gifts at those prices.
 */

type Db = ReturnType<typeof txKnex>;

export interface ListingInput {
  portal: string;
  /** The gift's name on that portal; null clears it. */
  name?: string | null;
  /** The donation amount on that portal (gift_portal_prices); null = the ledger price. */
  priceYen?: number | null;
  listed?: boolean;
  /** Only when proposing: the portal's initial allocation (GIFT-2). */
  allocated?: number | null;
}

export interface GiftChanges {
  name?: string;
  supplierCode?: string | null;
  priceYen?: number;
  costYen?: number;
  shippingCostYen?: number;
  temperature?: Temperature;
  deliveries?: number;
  deliveryIntervalDays?: number | null;
  acceptFrom?: string | null;
  acceptUntil?: string | null;
  localProductBasis?: string | null;
  deliveryConstraints?: DeliveryConstraints;
  carrier?: CarrierCode | null;
  lowStockThreshold?: number;
  autoRebalance?: boolean;
  listings?: ListingInput[];
}

export interface GiftProposal extends GiftChanges {
  code: string;
  name: string;
  priceYen: number;
  costYen: number;
  /** GIFT-5: the stock agreed with the supplier; null/absent = not tracked. */
  totalStock?: number | null;
}

export interface ListingView {
  portal: string;
  portalGiftName: string | null;
  /** The donation amount on the portal: its own price, or the ledger price. */
  priceYen: number;
  ownPrice: boolean;
  /** False only when a listing row says so; a portal price without a listing row counts as listed. */
  listed: boolean;
  allocated: number | null;
  sold: number;
  remaining: number | null;
}

export interface GiftView {
  code: string;
  name: string;
  supplier: { code: string | null; name: string; active: boolean; rulesAcknowledgedAt: string | null } | null;
  priceYen: number;
  costYen: number;
  shippingCostYen: number;
  active: boolean;
  acceptance: AcceptanceState;
  approval: { status: ApprovalStatus; proposedBy: string | null; proposedAt: string | null; decidedBy: string | null; decidedAt: string | null; note: string | null };
  temperature: Temperature;
  deliveries: number;
  deliveryIntervalDays: number | null;
  acceptFrom: string | null;
  acceptUntil: string | null;
  localProductBasis: string | null;
  deliveryConstraints: DeliveryConstraints;
  carrier: CarrierCode | null;
  listings: ListingView[];
  ratios: CostRatioReport;
  /** What would refuse activation now (empty = it could go on sale). */
  activationProblems: ActivationProblem[];
  stock: GiftStockView;
}

interface PortalRow {
  portal_code: string;
  portal_gift_name: string | null;
  price_yen: number | null;
  listed: boolean | null;
  allocated: number | null;
  sold: number | null;
}

async function portalRows(db: Db, code: string): Promise<PortalRow[]> {
  const result = await db.raw(
    `select coalesce(l.portal_code, p.portal_code) as portal_code, l.portal_gift_name, p.price_yen, l.listed, l.allocated, l.sold
       from (select * from gift_listings where gift_code = ?) l
       full join (select * from gift_portal_prices where gift_code = ?) p on p.portal_code = l.portal_code
      order by 1`,
    [code, code],
  );
  return result.rows as PortalRow[];
}

/** The prices the 3割 cap is judged on (see the module comment). */
function ratiosOf(gift: Pick<Gift, 'priceYen' | 'costYen' | 'shippingCostYen'>, portals: PortalRow[]): CostRatioReport {
  return costRatios({
    priceYen: gift.priceYen,
    costYen: gift.costYen,
    shippingCostYen: gift.shippingCostYen,
    portalPrices: portals.filter((p) => p.price_yen !== null && p.listed !== false).map((p) => ({ portal: p.portal_code, priceYen: p.price_yen as number })),
  });
}

function problemsOf(gift: Gift, ratios: CostRatioReport): ActivationProblem[] {
  const s = gift.supplier;
  return activationProblems({
    approvalStatus: gift.approvalStatus,
    supplier: s ? { code: s.code, name: s.name, active: s.active, rulesAcknowledgedAt: s.rulesAcknowledgedAt ?? null, approvalStatus: s.approvalStatus } : null,
    ratios,
  });
}

async function viewOf(em: EntityManager, gift: Gift, now = new Date()): Promise<GiftView> {
  const db = txKnex(em);
  const portals = await portalRows(db, gift.code);
  const ratios = ratiosOf(gift, portals);
  const s = gift.supplier;
  return {
    code: gift.code,
    name: gift.name,
    supplier: s ? { code: s.code ?? null, name: s.name, active: s.active, rulesAcknowledgedAt: s.rulesAcknowledgedAt?.toISOString() ?? null } : null,
    priceYen: gift.priceYen,
    costYen: gift.costYen,
    shippingCostYen: gift.shippingCostYen,
    active: gift.active,
    acceptance: acceptanceState(gift, now),
    approval: { ...approvalOf(gift), note: gift.decisionNote ?? null },
    temperature: gift.temperature,
    deliveries: gift.deliveries,
    ...orNull(gift, 'deliveryIntervalDays acceptFrom acceptUntil localProductBasis carrier'),
    deliveryConstraints: gift.deliveryConstraints ?? {},
    listings: portals.map((p) => ({
      portal: p.portal_code,
      portalGiftName: p.portal_gift_name,
      priceYen: p.price_yen ?? gift.priceYen,
      ownPrice: p.price_yen !== null,
      listed: p.listed !== false,
      allocated: p.allocated,
      sold: p.sold ?? 0,
      remaining: p.allocated === null ? null : p.allocated - (p.sold ?? 0),
    })),
    ratios,
    activationProblems: gift.active ? [] : problemsOf(gift, ratios),
    stock: (await giftStockView(db, gift.code)) as GiftStockView,
  };
}

async function loadGift(em: EntityManager, code: string, lock = false): Promise<Gift> {
  if (lock && !(await lockGift(txKnex(em), code))) throw GiftRuleError.notFound(`gift ${code}`);
  const gift = await em.findOne(Gift, { code }, { populate: ['supplier'], refresh: true });
  if (!gift) throw GiftRuleError.notFound(`gift ${code}`);
  return gift;
}

export async function giftView(em: EntityManager, code: string): Promise<GiftView> {
  return viewOf(em, await loadGift(em, code));
}

async function resolveSupplier(em: EntityManager, code: string | null | undefined, errors: FieldError[]): Promise<Supplier | null | undefined> {
  if (code === undefined) return undefined;
  if (code === null) return null;
  const supplier = await em.findOne(Supplier, { code });
  if (!supplier) errors.push({ field: 'supplierCode', reason: `unknown supplier "${code}"` });
  return supplier;
}

async function checkListings(db: Db, listings: ListingInput[] | undefined, errors: FieldError[]): Promise<void> {
  if (!listings?.length) return;
  const result = await db.raw('select code from portals where code = any(?)', [listings.map((l) => l.portal)]);
  const known = new Set((result.rows as { code: string }[]).map((r) => r.code));
  listings.forEach((l, i) => {
    if (!known.has(l.portal)) errors.push({ field: `listings[${i}].portal`, reason: `unknown portal "${l.portal}"` });
    else if (listings.findIndex((o) => o.portal === l.portal) !== i) errors.push({ field: `listings[${i}].portal`, reason: `names ${l.portal} twice` });
  });
}

function fieldsAfter(gift: Gift, c: GiftChanges): GiftFields {
  const pick = <K extends keyof GiftChanges>(key: K, current: unknown) => (c[key] === undefined ? current : c[key]);
  return {
    name: pick('name', gift.name) as string,
    priceYen: pick('priceYen', gift.priceYen) as number,
    costYen: pick('costYen', gift.costYen) as number,
    shippingCostYen: pick('shippingCostYen', gift.shippingCostYen) as number,
    temperature: pick('temperature', gift.temperature) as string,
    deliveries: pick('deliveries', gift.deliveries) as number,
    deliveryIntervalDays: pick('deliveryIntervalDays', gift.deliveryIntervalDays ?? null) as number | null,
    acceptFrom: pick('acceptFrom', gift.acceptFrom ?? null) as string | null,
    acceptUntil: pick('acceptUntil', gift.acceptUntil ?? null) as string | null,
    carrier: pick('carrier', gift.carrier ?? null) as string | null,
    deliveryConstraints: pick('deliveryConstraints', gift.deliveryConstraints ?? {}) as DeliveryConstraints,
    lowStockThreshold: pick('lowStockThreshold', gift.lowStockThreshold) as number,
  };
}

function applyChanges(gift: Gift, c: GiftChanges, supplier: Supplier | null | undefined): void {
  if (c.name !== undefined) gift.name = c.name;
  if (supplier !== undefined) gift.supplier = supplier ?? undefined;
  if (c.priceYen !== undefined) gift.priceYen = c.priceYen;
  if (c.costYen !== undefined) gift.costYen = c.costYen;
  if (c.shippingCostYen !== undefined) gift.shippingCostYen = c.shippingCostYen;
  if (c.temperature !== undefined) gift.temperature = c.temperature;
  if (c.deliveries !== undefined) gift.deliveries = c.deliveries;
  if (c.deliveryIntervalDays !== undefined) gift.deliveryIntervalDays = c.deliveryIntervalDays ?? undefined;
  if (c.acceptFrom !== undefined) gift.acceptFrom = c.acceptFrom ?? undefined;
  if (c.acceptUntil !== undefined) gift.acceptUntil = c.acceptUntil ?? undefined;
  if (c.localProductBasis !== undefined) gift.localProductBasis = c.localProductBasis ?? undefined;
  if (c.deliveryConstraints !== undefined) gift.deliveryConstraints = c.deliveryConstraints;
  if (c.carrier !== undefined) gift.carrier = c.carrier ?? undefined;
  if (c.lowStockThreshold !== undefined) gift.lowStockThreshold = c.lowStockThreshold;
  if (c.autoRebalance !== undefined) gift.autoRebalance = c.autoRebalance;
}

/** Portal names, prices and listed flags; the gift row must exist (flushed) first. */
async function applyListings(db: Db, code: string, listings: ListingInput[] | undefined): Promise<void> {
  for (const l of listings ?? []) {
    if (l.name !== undefined || l.listed !== undefined) {
      await db.raw(
        `insert into gift_listings (gift_code, portal_code, portal_gift_name, listed) values (?, ?, ?, ?)
         on conflict (gift_code, portal_code) do update set
           portal_gift_name = case when ?::boolean then excluded.portal_gift_name else gift_listings.portal_gift_name end,
           listed = case when ?::boolean then excluded.listed else gift_listings.listed end,
           updated_at = now()`,
        [code, l.portal, l.name ?? null, l.listed ?? true, l.name !== undefined, l.listed !== undefined],
      );
    } else {
      // A price or allocation alone still puts the portal in the gift's listings.
      await db.raw(`insert into gift_listings (gift_code, portal_code) values (?, ?) on conflict do nothing`, [code, l.portal]);
    }
    if (l.priceYen === null) await db.raw('delete from gift_portal_prices where gift_code = ? and portal_code = ?', [code, l.portal]);
    else if (l.priceYen !== undefined) {
      await db.raw(
        `insert into gift_portal_prices (gift_code, portal_code, price_yen) values (?, ?, ?)
         on conflict (gift_code, portal_code) do update set price_yen = excluded.price_yen`,
        [code, l.portal, l.priceYen],
      );
    }
  }
}

/** For a refusal: the reasons and the ratios, as the API shows them. */
function refusal(code: string, what: string, problems: ActivationProblem[], ratios: CostRatioReport): GiftRuleError {
  return new GiftRuleError(409, code, `${what}: ${problems.map((p) => p.message).join('; ')}`, { reasons: problems, ratios });
}

/** GIFT-5: an operator proposes a gift to the city (status proposed, inactive). */
export async function proposeGift(em: EntityManager, input: GiftProposal, actor: string): Promise<GiftView> {
  return em.transactional(async (tx) => {
    const db = txKnex(tx);
    const errors: FieldError[] = [];
    if (await tx.findOne(Gift, { code: input.code })) throw new GiftRuleError(409, 'conflict', `gift ${input.code} already exists`);
    const supplier = await resolveSupplier(tx, input.supplierCode, errors);
    await checkListings(db, input.listings, errors);
    const gift = tx.create(Gift, { code: input.code, name: input.name, priceYen: input.priceYen, costYen: input.costYen, shippingCostYen: input.shippingCostYen ?? 0, active: false });
    errors.push(...giftFieldErrors(fieldsAfter(gift, input)));
    if (errors.length) throw GiftRuleError.fields(errors);
    applyChanges(gift, input, supplier);
    gift.approvalStatus = 'proposed';
    gift.proposedBy = actor;
    gift.proposedAt = new Date();
    await tx.flush();
    await applyListings(db, gift.code, input.listings);
    const allocations = (input.listings ?? []).filter((l) => l.allocated !== undefined).map((l) => ({ portal: l.portal, allocated: l.allocated ?? null }));
    if ((input.totalStock !== undefined && input.totalStock !== null) || allocations.length) {
      await setStock(tx, gift.code, { totalStock: input.totalStock, allocations, reason: 'stock agreed with the supplier at the proposal (GIFT-5)' }, actor);
    }
    return viewOf(tx, gift);
  });
}

/** GIFT-4: the city approves or rejects a proposed gift, with a note (required to reject). */
export async function decideGift(em: EntityManager, code: string, decision: { approve: boolean; note?: string }, actor: string): Promise<GiftView> {
  return em.transactional(async (tx) => {
    const gift = await loadGift(tx, code, true);
    if (gift.approvalStatus !== 'proposed') throw new GiftRuleError(409, 'not_proposed', `gift ${code} is ${gift.approvalStatus}; only a proposed gift is decided`);
    if (!decision.approve && !decision.note?.trim()) throw GiftRuleError.fields([{ field: 'note', reason: 'is required to reject a proposal' }]);
    gift.approvalStatus = decision.approve ? 'approved' : 'rejected';
    gift.decidedBy = actor;
    gift.decidedAt = new Date();
    gift.decisionNote = decision.note;
    await tx.flush();
    return viewOf(tx, gift);
  });
}

/** In one transaction: the gift locked for update, `change` applied to it, and its view afterwards. */
function changeLockedGift(em: EntityManager, code: string, change: (tx: EntityManager, gift: Gift) => Promise<void>): Promise<GiftView> {
  return em.transactional(async (tx) => {
    const gift = await loadGift(tx, code, true);
    await change(tx, gift);
    return viewOf(tx, gift);
  });
}

/** Puts an approved gift on sale; refused (409, every reason and the ratios) otherwise. */
export async function activateGift(em: EntityManager, code: string): Promise<GiftView> {
  return changeLockedGift(em, code, async (tx, gift) => {
    if (gift.active) return;
    const ratios = ratiosOf(gift, await portalRows(txKnex(tx), code));
    const problems = problemsOf(gift, ratios);
    if (problems.length) throw refusal('activation_refused', `gift ${code} cannot be activated`, problems, ratios);
    gift.active = true;
    await tx.flush();
  });
}

const offSale = async (tx: EntityManager, gift: Gift) => {
  gift.active = false;
  await tx.flush();
};

export async function deactivateGift(em: EntityManager, code: string): Promise<GiftView> {
  return changeLockedGift(em, code, offSale);
}

/** GIFT-1 remove: off sale and unlisted on every portal; the gift, its prices, stock and history stay. */
export async function removeGift(em: EntityManager, code: string): Promise<GiftView> {
  return changeLockedGift(em, code, async (tx, gift) => {
    await offSale(tx, gift);
    await txKnex(tx).raw('update gift_listings set listed = false, updated_at = now() where gift_code = ? and listed', [code]);
  });
}

/**
 * GIFT-1 change. A rejected gift that is changed goes back to the city as a new
 * proposal. On a gift that is on sale, a change that would refuse its
 * activation (the 3割 cap on any price, a supplier without the signed
 * acknowledgement) is refused with the reasons and the ratios, and nothing is changed.
 */
export async function changeGift(em: EntityManager, code: string, changes: GiftChanges, actor: string): Promise<GiftView> {
  return em.transactional(async (tx) => {
    const db = txKnex(tx);
    const gift = await loadGift(tx, code, true);
    const errors: FieldError[] = [];
    const supplier = await resolveSupplier(tx, changes.supplierCode, errors);
    await checkListings(db, changes.listings, errors);
    (changes.listings ?? []).forEach((l, i) => {
      if (l.allocated !== undefined) errors.push({ field: `listings[${i}].allocated`, reason: 'is changed through POST /gifts/:code/stock (with a reason)' });
    });
    errors.push(...giftFieldErrors(fieldsAfter(gift, changes)));
    if (errors.length) throw GiftRuleError.fields(errors);
    applyChanges(gift, changes, supplier);
    await applyListings(db, code, changes.listings);
    if (gift.active) {
      const ratios = ratiosOf(gift, await portalRows(db, code));
      const problems = problemsOf(gift, ratios);
      if (problems.length) throw refusal(problems.some((p) => p.code === 'cost_cap_exceeded') ? 'cost_cap_exceeded' : 'change_refused', `change to active gift ${code} refused`, problems, ratios);
    }
    if (gift.approvalStatus === 'rejected') {
      gift.approvalStatus = 'proposed';
      gift.proposedBy = actor;
      gift.proposedAt = new Date();
    }
    await tx.flush();
    if (changes.lowStockThreshold !== undefined) {
      // The threshold decides the alerts: settle them with the new one.
      await syncAlerts(db, code);
    }
    return viewOf(tx, gift);
  });
}

export interface GiftSummary {
  code: string;
  name: string;
  supplierCode: string | null;
  active: boolean;
  approvalStatus: ApprovalStatus;
  acceptance: AcceptanceState;
  priceYen: number;
  costYen: number;
  /** The ratio at the gift's lowest price. */
  procurementRatio: number;
  withShippingRatio: number;
  withinCap: boolean;
}

export async function listGifts(em: EntityManager, filter: { approvalStatus?: ApprovalStatus; active?: boolean; supplierCode?: string; limit: number; offset: number }): Promise<{ total: number; gifts: GiftSummary[] }> {
  const where: Record<string, unknown> = {};
  if (filter.approvalStatus) where.approvalStatus = filter.approvalStatus;
  if (filter.active !== undefined) where.active = filter.active;
  if (filter.supplierCode) where.supplier = { code: filter.supplierCode };
  const [gifts, total] = await em.findAndCount(Gift, where, { populate: ['supplier'], orderBy: { code: 'asc' }, limit: filter.limit, offset: filter.offset });
  const prices = gifts.length
    ? ((
        await em.getKnex().raw(
          `select p.gift_code, p.portal_code, p.price_yen, l.listed from gift_portal_prices p
             left join gift_listings l on l.gift_code = p.gift_code and l.portal_code = p.portal_code
            where p.gift_code = any(?)`,
          [gifts.map((g) => g.code)],
        )
      ).rows as (PortalRow & { gift_code: string })[])
    : [];
  const now = new Date();
  return {
    total,
    gifts: gifts.map((g) => {
      const ratios = ratiosOf(g, prices.filter((p) => p.gift_code === g.code));
      return {
        code: g.code,
        name: g.name,
        supplierCode: g.supplier?.code ?? null,
        active: g.active,
        approvalStatus: g.approvalStatus,
        acceptance: acceptanceState(g, now),
        priceYen: g.priceYen,
        costYen: g.costYen,
        procurementRatio: ratios.binding.procurementRatio,
        withShippingRatio: ratios.binding.withShippingRatio,
        withinCap: ratios.withinCap,
      };
    }),
  };
}

/** Which supplier a gift belongs to (for the supplier role's own-records-only rule). */
export async function giftSupplierCode(em: EntityManager, code: string): Promise<string | null | undefined> {
  const result = await em.getKnex().raw('select s.code from gifts g left join suppliers s on s.id = g.supplier_id where g.code = ?', [code]);
  const row = (result.rows as { code: string | null }[])[0];
  return row === undefined ? undefined : row.code;
}
