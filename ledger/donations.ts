import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { Channel, DonationStatus, PaymentMethod } from '../domain/donation-status';
import { normalizeDonorFields, type DonorFields, type FieldError } from '../domain/donor';
import { donationWorkflowId } from '../domain/ids';
import { reviewFindings, type ReviewFinding } from '../domain/review';
import { Donation, DonationEvent, DonationGiftLine, Donor, Gift, Portal } from './entities';
import { recordSales } from './stock';

/** A donation as intake hands it to the ledger, whatever the channel (portal file, phone, FAX, counter). */
export interface NewDonation {
  portal: string;
  portalOrderId: string;
  channel: Channel;
  donor: DonorFields;
  amountYen: number;
  paymentMethod: PaymentMethod;
  appliedAt: string;
  paidAt?: string;
  purpose?: string;
  wantsOneStop: boolean;
  disasterRelief: boolean;
  gifts: { code: string; quantity: number }[];
  /** Set by portal imports: the export always has an email, so a missing one is a review finding (INTAKE-4). Not part of the fingerprint. */
  emailExpected?: boolean;
}

export class IntakeValidationError extends Error {
  override name = 'IntakeValidationError';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field} ${e.reason}`).join('; '));
  }
}

export class DuplicateConflictError extends Error {
  override name = 'DuplicateConflictError';
  constructor(readonly existingId: string, portal: string, portalOrderId: string) {
    super(`portal ${portal} order ${portalOrderId} is already in the ledger with different content (donation ${existingId})`);
  }
}

export type RegisterOutcome = { donation: Donation; created: boolean; findings?: ReviewFinding[] };

/** Knex bound to the entity manager's open transaction: a plain getKnex() would take a second pool connection and can deadlock a busy pool. */
function txKnex(tx: EntityManager) {
  return (tx.getTransactionContext() as ReturnType<EntityManager['getKnex']> | undefined) ?? tx.getKnex();
}

/** INTAKE-4 "likely duplicate": the same person ordering the same thing on two portals within this window. */
export const DUPLICATE_WINDOW_MS = 48 * 3600_000;

async function likelyDuplicates(tx: EntityManager, input: NewDonation, kana: string, postalCode: string): Promise<{ portal: string; portalOrderId: string }[]> {
  if (!kana) return [];
  const knex = txKnex(tx);
  const applied = Date.parse(input.appliedAt);
  const candidates: { id: string; portal_code: string; portal_order_id: string }[] = await knex('donations as d')
    .join('donors as p', 'p.id', 'd.donor_id')
    .where('p.postal_code', postalCode)
    .whereRaw(`replace(p.name_kana, ' ', '') = ?`, [kana.replace(/ /g, '')])
    .where('d.amount_yen', input.amountYen)
    .whereNot('d.portal_code', input.portal)
    .whereNot('d.status', 'cancelled')
    .whereBetween('d.applied_at', [new Date(applied - DUPLICATE_WINDOW_MS).toISOString(), new Date(applied + DUPLICATE_WINDOW_MS).toISOString()])
    .select('d.id', 'd.portal_code', 'd.portal_order_id')
    .limit(5);
  if (!candidates.length) return [];
  const lines: { donation_id: string; gift_code: string; quantity: number }[] = await knex('donation_gift_lines').whereIn('donation_id', candidates.map((c) => c.id)).select('donation_id', 'gift_code', 'quantity');
  const key = (gifts: { code: string; quantity: number }[]) => gifts.map((g) => `${g.code}x${g.quantity}`).sort().join(',');
  const wanted = key(input.gifts);
  return candidates
    .filter((c) => key(lines.filter((l) => l.donation_id === c.id).map((l) => ({ code: l.gift_code, quantity: l.quantity }))) === wanted)
    .map((c) => ({ portal: c.portal_code, portalOrderId: c.portal_order_id }));
}

/** A gift's price on this portal where one is recorded (portals may list the same gift at different amounts), else its ledger price. */
async function portalPrices(tx: EntityManager, portal: string, codes: string[]): Promise<Map<string, number>> {
  if (!codes.length) return new Map();
  const rows: { gift_code: string; price_yen: number }[] = await txKnex(tx)('gift_portal_prices').where('portal_code', portal).whereIn('gift_code', codes).select('gift_code', 'price_yen');
  return new Map(rows.map((r) => [r.gift_code, r.price_yen]));
}

/**
 * What makes two submissions "the same donation". Timestamps are left out on
 * purpose: a re-sent form without an application time, or a later export that
 * shows the payment, describes the same donation.
 */
export function intakeFingerprint(d: NewDonation): string {
  const donor = normalizeDonorFields(d.donor);
  const canonical = JSON.stringify([
    d.portal, d.portalOrderId, d.channel, d.amountYen, d.paymentMethod, d.purpose ?? null, d.wantsOneStop, d.disasterRelief,
    [...d.gifts].sort((a, b) => a.code.localeCompare(b.code)).map((g) => [g.code, g.quantity]),
    donor.name, donor.nameKana, donor.postalCode, donor.prefecture, donor.address, donor.phone ?? null, donor.email ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Puts a new donation into the ledger with its "created" event. Sending the
 * same donation again returns the existing row (created: false); the same
 * portal order with different content is a conflict.
 */
export async function registerDonation(em: EntityManager, input: NewDonation, actor: string): Promise<RegisterOutcome> {
  const fingerprint = intakeFingerprint(input);
  const existing = await findByPortalOrder(em, input.portal, input.portalOrderId);
  if (existing) return sameOrConflict(existing, fingerprint, input);

  try {
    return await em.transactional(async (tx) => {
      const portal = await tx.findOne(Portal, { code: input.portal });
      const errors: FieldError[] = [];
      if (!portal || !portal.active) errors.push({ field: 'portal', reason: `unknown or inactive portal "${input.portal}"` });
      const gifts = input.gifts.length ? await tx.find(Gift, { code: { $in: input.gifts.map((g) => g.code) } }) : [];
      input.gifts.forEach((line, i) => {
        if (!gifts.some((g) => g.code === line.code)) errors.push({ field: `gifts[${i}].code`, reason: `unknown gift code "${line.code}"` });
      });
      if (errors.length) throw new IntakeValidationError(errors);

      const donorFields = normalizeDonorFields(input.donor);
      // A repeat donor is the same name at the same address; anything looser risks merging two people.
      const donor =
        (await tx.findOne(Donor, { name: donorFields.name, nameKana: donorFields.nameKana, postalCode: donorFields.postalCode, address: donorFields.address })) ??
        tx.create(Donor, { ...donorFields, phone: donorFields.phone ?? undefined, email: donorFields.email ?? undefined });
      if (!donor.phone && donorFields.phone) donor.phone = donorFields.phone;
      if (!donor.email && donorFields.email) donor.email = donorFields.email;

      const prices = await portalPrices(tx, input.portal, input.gifts.map((g) => g.code));
      const giftPriceYen = input.gifts.reduce((sum, line) => sum + (prices.get(line.code) ?? gifts.find((g) => g.code === line.code)?.priceYen ?? 0) * line.quantity, 0);
      const findings = reviewFindings({
        channel: input.channel,
        donor: donorFields,
        amountYen: input.amountYen,
        giftPriceYen,
        hasGift: input.gifts.length > 0,
        emailExpected: input.emailExpected ?? false,
        likelyDuplicates: await likelyDuplicates(tx, input, donorFields.nameKana, donorFields.postalCode),
      });
      const flags = [...new Set(findings.map((f) => f.flag))];
      const donation = tx.create(Donation, {
        portal: portal as Portal,
        portalOrderId: input.portalOrderId,
        donor,
        channel: input.channel,
        amountYen: input.amountYen,
        paymentMethod: input.paymentMethod,
        purpose: input.purpose,
        wantsOneStop: input.wantsOneStop,
        disasterRelief: input.disasterRelief,
        reviewFlags: flags,
        appliedAt: new Date(input.appliedAt),
        paidAt: input.paidAt ? new Date(input.paidAt) : undefined,
        workflowId: donationWorkflowId(input.portal, input.portalOrderId),
        intakeFingerprint: fingerprint,
        createdBy: actor,
      });
      const lines = input.gifts.map((line) => {
        const gift = gifts.find((g) => g.code === line.code) as Gift;
        return tx.create(DonationGiftLine, { donation, gift, quantity: line.quantity, unitPriceYen: gift.priceYen });
      });
      tx.create(DonationEvent, {
        donation,
        kind: 'created',
        toStatus: 'received',
        actor,
        occurredAt: new Date(),
        reason: `entered via ${input.channel}`,
        after: { portal: input.portal, portalOrderId: input.portalOrderId, amountYen: input.amountYen, reviewFlags: flags, reviewFindings: findings },
      });
      if (lines.length) {
        // GIFT-2: count the lines against the portal's stock in this transaction. The flush writes what commit
        // would have written anyway (the stock movements reference the rows); a gift without a listing row on
        // the portal and without stock tracking then costs one UPDATE that matches nothing.
        await tx.flush();
        await recordSales(tx, {
          donationId: donation.id,
          portal: input.portal,
          portalOrderId: input.portalOrderId,
          actor,
          lines: lines.map((l) => ({ lineId: l.id, giftCode: l.gift.code, quantity: l.quantity, totalStock: l.gift.totalStock ?? null, autoRebalance: l.gift.autoRebalance, lowStockThreshold: l.gift.lowStockThreshold })),
        });
      }
      return { donation, created: true, findings };
    });
  } catch (err) {
    // Someone else registered the same portal order between our check and insert.
    if (err instanceof UniqueConstraintViolationException) {
      const winner = await findByPortalOrder(em.fork(), input.portal, input.portalOrderId);
      if (winner) return sameOrConflict(winner, fingerprint, input);
    }
    throw err;
  }
}

function sameOrConflict(existing: Donation, fingerprint: string, input: NewDonation): RegisterOutcome {
  if (existing.intakeFingerprint === fingerprint) return { donation: existing, created: false };
  throw new DuplicateConflictError(existing.id, input.portal, input.portalOrderId);
}

export function findByPortalOrder(em: EntityManager, portal: string, portalOrderId: string): Promise<Donation | null> {
  return em.findOne(Donation, { portal: { code: portal }, portalOrderId }, { populate: ['donor', 'giftLines'] });
}

export interface DonationFilters {
  portal?: string[];
  status?: DonationStatus[];
  appliedFrom?: string;
  appliedTo?: string;
  amountMin?: number;
  amountMax?: number;
  /** Substring of the donor's name or kana. */
  donor?: string;
  /** Documents due within `atRiskDays` days (or already late) and not yet sent. */
  atRisk?: boolean;
  atRiskDays: number;
  limit: number;
  offset: number;
  now?: Date;
}

export interface DonationRow {
  id: string;
  portal: string;
  portalOrderId: string;
  status: DonationStatus;
  channel: Channel;
  amountYen: number;
  appliedAt: string;
  paidAt: string | null;
  documentsDueOn: string | null;
  escalated: boolean;
  reviewFlags: string[];
  donorName: string;
  donorNameKana: string;
  prefecture: string;
}

/** LEDGER-2 (basic): search with any combination of filters, paged, with the total count and amount. */
export async function searchDonations(em: EntityManager, f: DonationFilters): Promise<{ total: number; totalAmountYen: number; rows: DonationRow[] }> {
  const knex = em.getKnex();
  const q = knex('donations as d').join('donors as p', 'p.id', 'd.donor_id');
  if (f.portal?.length) q.whereIn('d.portal_code', f.portal);
  if (f.status?.length) q.whereIn('d.status', f.status);
  if (f.appliedFrom) q.where('d.applied_at', '>=', f.appliedFrom);
  if (f.appliedTo) q.where('d.applied_at', '<', f.appliedTo);
  if (f.amountMin !== undefined) q.where('d.amount_yen', '>=', f.amountMin);
  if (f.amountMax !== undefined) q.where('d.amount_yen', '<=', f.amountMax);
  if (f.donor) {
    const like = `%${f.donor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.where((w) => w.where('p.name', 'like', like).orWhere('p.name_kana', 'like', like));
  }
  if (f.atRisk) {
    const horizon = new Date((f.now ?? new Date()).getTime() + f.atRiskDays * 86_400_000);
    q.where('d.status', 'documents_due').where('d.documents_due_at', '<=', horizon.toISOString());
  }
  const [{ total, amount }] = await q.clone().select(knex.raw('count(*)::int as total'), knex.raw('coalesce(sum(d.amount_yen), 0)::bigint as amount'));
  const rows = await q
    .select(
      'd.id', 'd.portal_code', 'd.portal_order_id', 'd.status', 'd.channel', 'd.amount_yen', 'd.applied_at', 'd.paid_at',
      knex.raw(`to_char(d.documents_due_on, 'YYYY-MM-DD') as documents_due_on`), 'd.escalated_at', 'd.review_flags',
      'p.name', 'p.name_kana', 'p.prefecture',
    )
    .orderBy([{ column: f.atRisk ? 'd.documents_due_at' : 'd.applied_at', order: f.atRisk ? 'asc' : 'desc' }, { column: 'd.id', order: 'asc' }])
    .limit(f.limit)
    .offset(f.offset);
  return {
    total: Number(total),
    totalAmountYen: Number(amount),
    rows: rows.map((r: Record<string, any>) => ({
      id: r.id,
      portal: r.portal_code,
      portalOrderId: r.portal_order_id,
      status: r.status,
      channel: r.channel,
      amountYen: r.amount_yen,
      appliedAt: new Date(r.applied_at).toISOString(),
      paidAt: r.paid_at ? new Date(r.paid_at).toISOString() : null,
      documentsDueOn: r.documents_due_on,
      escalated: r.escalated_at !== null,
      reviewFlags: r.review_flags,
      donorName: r.name,
      donorNameKana: r.name_kana,
      prefecture: r.prefecture,
    })),
  };
}

export async function donationEvents(em: EntityManager, donationId: string): Promise<DonationEvent[]> {
  return em.find(DonationEvent, { donation: donationId }, { orderBy: { id: 'asc' } });
}
