import { UniqueConstraintViolationException, type EntityManager, type Knex } from '@mikro-orm/postgresql';
import type { FieldError } from '../domain/donor';
import { GiftRuleError, nextShippingDay, normalizeWeekdays, shippingWeekdayErrors, type ApprovalStatus, type CarrierCode } from '../domain/gifts';
import { Supplier } from './entities';
import { approvalOf, orNull } from './rows';

/**
 * Suppliers (事業者): contact details, shipping days (SHIP-2), the signed
 * acknowledgement of the rules (SHIP-8) and the city's shipping exception.
 */

export interface SupplierFields {
  name: string;
  email?: string | null;
  phone?: string | null;
  postalCode?: string | null;
  address?: string | null;
  defaultCarrier?: CarrierCode | null;
  shippingWeekdays?: number[];
  active?: boolean;
}

export interface NewSupplier extends SupplierFields {
  code: string;
}

export interface SupplierView {
  id: number;
  code: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  postalCode: string | null;
  address: string | null;
  defaultCarrier: CarrierCode | null;
  shippingWeekdays: number[];
  /** The next day (JST, today included) the supplier ships. */
  nextShippingDay: string | null;
  shippingException: { reason: string | null; approvedBy: string | null; approvedAt: string } | null;
  rulesAcknowledgement: { acknowledgedAt: string; acknowledgedBy: string | null; reference: string | null } | null;
  /** GIFT-4: the city's decision on the supplier. */
  approval: { status: ApprovalStatus; proposedBy: string | null; proposedAt: string | null; decidedBy: string | null; decidedAt: string | null; reason: string | null };
  active: boolean;
  createdAt: string;
}

export function supplierView(s: Supplier, now = new Date()): SupplierView {
  const weekdays = normalizeWeekdays(s.shippingWeekdays ?? []);
  return {
    id: s.id,
    name: s.name,
    ...orNull(s, 'code email phone postalCode address defaultCarrier'),
    shippingWeekdays: weekdays,
    nextShippingDay: weekdays.length ? nextShippingDay(weekdays, now) : null,
    shippingException: s.shippingExceptionApprovedAt
      ? { reason: s.shippingExceptionReason ?? null, approvedBy: s.shippingExceptionApprovedBy ?? null, approvedAt: s.shippingExceptionApprovedAt.toISOString() }
      : null,
    rulesAcknowledgement: s.rulesAcknowledgedAt
      ? { acknowledgedAt: s.rulesAcknowledgedAt.toISOString(), acknowledgedBy: s.rulesAcknowledgedBy ?? null, reference: s.rulesAcknowledgementRef ?? null }
      : null,
    approval: { ...approvalOf(s), reason: s.decisionReason ?? null },
    active: s.active,
    createdAt: s.createdAt.toISOString(),
  };
}

export async function findSupplier(em: EntityManager, code: string): Promise<Supplier | null> {
  return em.findOne(Supplier, { code });
}

async function loadSupplier(em: EntityManager, code: string): Promise<Supplier> {
  const supplier = await findSupplier(em, code);
  if (!supplier) throw GiftRuleError.notFound(`supplier ${code}`);
  return supplier;
}

function applyFields(s: Supplier, f: Partial<SupplierFields>): void {
  if (f.name !== undefined) s.name = f.name;
  if (f.email !== undefined) s.email = f.email ?? undefined;
  if (f.phone !== undefined) s.phone = f.phone ?? undefined;
  if (f.postalCode !== undefined) s.postalCode = f.postalCode ?? undefined;
  if (f.address !== undefined) s.address = f.address ?? undefined;
  if (f.defaultCarrier !== undefined) s.defaultCarrier = f.defaultCarrier ?? undefined;
  if (f.shippingWeekdays !== undefined) s.shippingWeekdays = normalizeWeekdays(f.shippingWeekdays);
  if (f.active !== undefined) s.active = f.active;
}

function checkWeekdays(s: Supplier, f: Partial<SupplierFields>): void {
  if (f.shippingWeekdays === undefined) return;
  const errors: FieldError[] = shippingWeekdayErrors(f.shippingWeekdays, Boolean(s.shippingExceptionApprovedAt));
  if (errors.length) throw GiftRuleError.fields(errors);
}

async function flushUnique(em: EntityManager, code: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw new GiftRuleError(409, 'conflict', `supplier ${code} already exists`);
    throw err;
  }
}

/** SHIP-2: fewer than two shipping days is a 400 naming shippingWeekdays; the city records an exception separately. */
export async function createSupplier(em: EntityManager, input: NewSupplier, proposedBy = 'system'): Promise<Supplier> {
  if (await findSupplier(em, input.code)) throw new GiftRuleError(409, 'conflict', `supplier ${input.code} already exists`);
  // GIFT-4: a new supplier is proposed to the city; none of its gifts is activated before the city approves it.
  const supplier = em.create(Supplier, { code: input.code, name: input.name, approvalStatus: 'proposed', proposedBy, proposedAt: new Date() });
  checkWeekdays(supplier, input);
  applyFields(supplier, input);
  await flushUnique(em, input.code);
  return supplier;
}

export async function updateSupplier(em: EntityManager, code: string, changes: Partial<SupplierFields>): Promise<Supplier> {
  const supplier = await loadSupplier(em, code);
  checkWeekdays(supplier, changes);
  applyFields(supplier, changes);
  await em.flush();
  return supplier;
}

export interface Acknowledgement {
  /** Who signed for the supplier. */
  signedBy: string;
  /** When it was signed; now when omitted. */
  signedAt?: string;
  /** Reference to the signed document (file number, scan location). */
  reference: string;
}

/** SHIP-8: the supplier's signed acknowledgement of the 地場産品 rules and the 食品表示法; its gifts can be activated from now on. */
export async function acknowledgeRules(em: EntityManager, code: string, ack: Acknowledgement): Promise<Supplier> {
  const supplier = await loadSupplier(em, code);
  const at = ack.signedAt ? new Date(ack.signedAt) : new Date();
  if (at.getTime() > Date.now() + 60_000) throw GiftRuleError.fields([{ field: 'signedAt', reason: 'is in the future' }]);
  supplier.rulesAcknowledgedAt = at;
  supplier.rulesAcknowledgedBy = ack.signedBy;
  supplier.rulesAcknowledgementRef = ack.reference;
  await em.flush();
  return supplier;
}

/**
 * SHIP-2 exception, decided by the city: the supplier may ship fewer than
 * twice a week (at least once). The new shipping days can come with it.
 */
export async function approveShippingException(em: EntityManager, code: string, input: { reason: string; shippingWeekdays?: number[] }, actor: string): Promise<Supplier> {
  const supplier = await loadSupplier(em, code);
  if (input.shippingWeekdays !== undefined) {
    const errors = shippingWeekdayErrors(input.shippingWeekdays, true);
    if (errors.length) throw GiftRuleError.fields(errors);
    supplier.shippingWeekdays = normalizeWeekdays(input.shippingWeekdays);
  }
  supplier.shippingExceptionReason = input.reason;
  supplier.shippingExceptionApprovedBy = actor;
  supplier.shippingExceptionApprovedAt = new Date();
  await em.flush();
  return supplier;
}

/** Withdraws the exception; refused while the supplier ships fewer than twice a week. */
export async function revokeShippingException(em: EntityManager, code: string): Promise<Supplier> {
  const supplier = await loadSupplier(em, code);
  const errors = shippingWeekdayErrors(supplier.shippingWeekdays, false);
  if (errors.length) throw new GiftRuleError(409, 'exception_needed', `supplier ${code} ships on ${supplier.shippingWeekdays.length} day(s) a week; set at least two shipping days before withdrawing the exception`);
  supplier.shippingExceptionReason = undefined;
  supplier.shippingExceptionApprovedBy = undefined;
  supplier.shippingExceptionApprovedAt = undefined;
  await em.flush();
  return supplier;
}

export async function listSuppliers(em: EntityManager, filter: { active?: boolean; acknowledged?: boolean } = {}): Promise<Supplier[]> {
  const where: Record<string, unknown> = { code: { $ne: null } };
  if (filter.active !== undefined) where.active = filter.active;
  if (filter.acknowledged !== undefined) where.rulesAcknowledgedAt = filter.acknowledged ? { $ne: null } : null;
  return em.find(Supplier, where, { orderBy: { code: 'asc' } });
}

/** The supplier's email address (statements and orders go there); undefined when the supplier has none or is not there. */
export async function supplierEmail(knex: Knex, code: string): Promise<string | undefined> {
  const { rows } = await knex.raw(`select email from suppliers where code = ?`, [code]);
  return rows[0]?.email;
}

/** GIFT-4: the city approves or rejects a proposed supplier (a rejection says why); a rejected one is proposed again by an operator. */
export async function decideSupplier(em: EntityManager, code: string, decision: { approve: boolean; reason?: string }, actor: string): Promise<Supplier> {
  const supplier = await loadSupplier(em, code);
  if (supplier.approvalStatus !== 'proposed') throw new GiftRuleError(409, 'not_proposed', `supplier ${code} is ${supplier.approvalStatus}; only a proposed supplier is decided`);
  if (!decision.approve && !decision.reason?.trim()) throw GiftRuleError.fields([{ field: 'reason', reason: 'is required to reject a supplier' }]);
  supplier.approvalStatus = decision.approve ? 'approved' : 'rejected';
  supplier.decidedBy = actor;
  supplier.decidedAt = new Date();
  supplier.decisionReason = decision.reason?.trim() || undefined;
  await em.flush();
  return supplier;
}

/** GIFT-4: a rejected supplier proposed to the city again (after what it was rejected for is fixed). */
export async function reproposeSupplier(em: EntityManager, code: string, actor: string): Promise<Supplier> {
  const supplier = await loadSupplier(em, code);
  if (supplier.approvalStatus !== 'rejected') throw new GiftRuleError(409, 'not_rejected', `supplier ${code} is ${supplier.approvalStatus}; only a rejected supplier is proposed again`);
  supplier.approvalStatus = 'proposed';
  supplier.proposedBy = actor;
  supplier.proposedAt = new Date();
  await em.flush();
  return supplier;
}
