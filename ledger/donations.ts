import { createHash, randomUUID } from 'node:crypto';
import { ReferenceKind } from '@mikro-orm/core';
import { UniqueConstraintViolationException, type EntityManager, type Knex } from '@mikro-orm/postgresql';
import type { Channel, DonationStatus, PaymentMethod } from '../domain/donation-status';
import type { ShipTo } from '../domain/portals/types';
import { normalizeDonorFields, type DonorFields, type FieldError } from '../domain/donor';
import { donationWorkflowId } from '../domain/ids';
import { reviewFindings, type ReviewFinding } from '../domain/review';
import { Donation, DonationEvent, DonationGiftLine, Donor, Gift, Portal } from './entities';
import { linkDonors, sqlOn } from './donor-matching';
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
  /**
   * Migrated donations (LEDGER-4) whose gifts the old system already shipped: the gift left the shelf
   * there, so this registration must not count it against today's stock (GIFT-2). Not part of the fingerprint.
   */
  giftsAlreadyShipped?: boolean;
  /** 名寄せ only (a portal or the old system gave it); not stored on the donor row. Not part of the fingerprint. */
  donorBirthDate?: string;
  /** 送付先 when the gifts go to someone else (donation_ship_to); part of the fingerprint when present. */
  shipTo?: ShipTo;
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

/**
 * What makes two submissions "the same donation". Timestamps are left out on
 * purpose: a re-sent form without an application time, or a later export that
 * shows the payment, describes the same donation.
 */
export function intakeFingerprint(d: NewDonation): string {
  return fingerprintOf(d, normalizeDonorFields(d.donor));
}

export function fingerprintOf(d: NewDonation, donor: DonorFields): string {
  const canonical = JSON.stringify([
    d.portal, d.portalOrderId, d.channel, d.amountYen, d.paymentMethod, d.purpose ?? null, d.wantsOneStop, d.disasterRelief,
    [...d.gifts].sort((a, b) => a.code.localeCompare(b.code)).map((g) => [g.code, g.quantity]),
    donor.name, donor.nameKana, donor.postalCode, donor.prefecture, donor.address, donor.phone ?? null, donor.email ?? null,
    // Appended only when present, so the fingerprints of donations without one are unchanged.
    ...(d.shipTo ? [[d.shipTo.name, d.shipTo.nameKana, d.shipTo.postalCode, d.shipTo.prefecture, d.shipTo.address, d.shipTo.phone ?? null]] : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Rows as `row_to_json` gives them (column names); `fromRow` turns them into entities. */
type Row = Record<string, unknown>;

interface IntakeFacts {
  /** The donation already registered under this portal order, if any. */
  existingId: string | null;
  /** The chosen gifts that exist, each with its price on this portal where one is recorded. */
  gifts: { gift: Row & { code: string; price_yen: number }; portal_price: number | null }[];
  /** Up to five "likely duplicate" candidates (INTAKE-4), with their gift lines as [code, quantity]. */
  duplicates: { portal_code: string; portal_order_id: string; lines: [string, number][] | null }[];
}

/**
 * The portals table changes only by migration, so each ORM keeps it for a
 * minute instead of reading it for every donation. A portal the cached list
 * does not know (or knows as inactive) is looked up again before it is refused.
 */
const PORTALS_TTL_MS = 60_000;
const portalCache = new WeakMap<object, { at: number; rows: Promise<Map<string, Row & { code: string; active: boolean }>> }>();

export async function portalRows(em: EntityManager, refresh = false): Promise<Map<string, Row & { code: string; active: boolean }>> {
  const key = em.getDriver();
  const cached = portalCache.get(key);
  if (cached && !refresh && Date.now() - cached.at < PORTALS_TTL_MS) return cached.rows;
  const rows = txKnex(em)
    .raw('select * from portals')
    .then((r: { rows: (Row & { code: string; active: boolean })[] }) => new Map(r.rows.map((p) => [p.code, p])));
  portalCache.set(key, { at: Date.now(), rows });
  // A failed read must not stay cached.
  rows.catch(() => portalCache.delete(key));
  return rows;
}

export async function portalOf(em: EntityManager, code: string): Promise<{ portal: (Row & { code: string; active: boolean }) | undefined; others: string[] }> {
  let portals = await portalRows(em);
  if (!portals.get(code)?.active) portals = await portalRows(em, true);
  return { portal: portals.get(code), others: [...portals.keys()].filter((c) => c !== code) };
}

/**
 * Everything registration needs to know before writing, in one statement:
 * whether the portal order is already in the ledger, the gifts with their
 * portal prices, and the likely-duplicate candidates. The donor is matched in
 * the write itself. Likely duplicates are found from the donor (same kana at
 * the same postal code: a handful of rows), then that donor's donations of the
 * amount in the window, on another portal (migration …940000).
 */
const INTAKE_FACTS = numbered(`select
    (select d.id from donations d where d.portal_code = $1 and d.portal_order_id = $2) as existing_id,
    (select coalesce(json_agg(json_build_object('gift', row_to_json(g), 'portal_price', pp.price_yen)), '[]')
       from gifts g left join gift_portal_prices pp on pp.gift_code = g.code and pp.portal_code = $1
      where cardinality($3::text[]) > 0 and g.code = any($3::text[])) as gifts,
    (select coalesce(json_agg(c), '[]') from (
       select d.portal_code, d.portal_order_id,
              (select json_agg(json_build_array(l.gift_code, l.quantity)) from donation_gift_lines l where l.donation_id = d.id) as lines
         from donors p join donations d on d.donor_id = p.id
        where $4::text <> '' and p.postal_code = $5::text and replace(p.name_kana, ' ', '') = $4::text
          and d.portal_code <> $1 and d.amount_yen = $6::int
          and d.applied_at between $7::timestamptz and $8::timestamptz and d.status <> 'cancelled'
        limit 5) c) as duplicates`);

/** `$n` placeholders (a value used more than once is bound once) as knex's positional `?` bindings. */
function numbered(sql: string): { sql: string; bind: (values: unknown[]) => Knex.RawBinding[] } {
  const order: number[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    order.push(Number(n) - 1);
    return '?';
  });
  return { sql: text, bind: (values) => order.map((i) => values[i] as Knex.RawBinding) };
}

async function intakeFacts(em: EntityManager, input: NewDonation, donor: DonorFields): Promise<IntakeFacts> {
  const kana = donor.nameKana ? donor.nameKana.replace(/ /g, '') : '';
  let lo: string | null = null;
  let hi: string | null = null;
  if (kana) {
    const applied = Date.parse(input.appliedAt);
    lo = new Date(applied - DUPLICATE_WINDOW_MS).toISOString();
    hi = new Date(applied + DUPLICATE_WINDOW_MS).toISOString();
  }
  const result = await txKnex(em).raw(
    INTAKE_FACTS.sql,
    INTAKE_FACTS.bind([input.portal, input.portalOrderId, input.gifts.map((g) => g.code), kana, donor.postalCode, input.amountYen, lo, hi]),
  ).options({ name: 'furusato.intake-facts' });
  const [r] = result.rows as { existing_id: string | null; gifts: IntakeFacts['gifts']; duplicates: IntakeFacts['duplicates'] }[];
  return { existingId: r.existing_id, gifts: r.gifts, duplicates: r.duplicates };
}

/** 送付先 rows for donations just written, in the caller's transaction (the gifts must never go to the donor by a half-written import). */
export async function insertShipTo(knex: Knex, rows: { donationId: string; shipTo: ShipTo }[]): Promise<void> {
  if (!rows.length) return;
  await knex.raw(
    `insert into donation_ship_to (donation_id, name, name_kana, postal_code, prefecture, address, phone)
     select donation_id, name, name_kana, postal_code, prefecture, address, phone
       from jsonb_to_recordset(?::jsonb) as x(donation_id uuid, name text, name_kana text, postal_code text, prefecture text, address text, phone text)
     on conflict (donation_id) do nothing`,
    [JSON.stringify(rows.map((r) => ({ donation_id: r.donationId, name: r.shipTo.name, name_kana: r.shipTo.nameKana, postal_code: r.shipTo.postalCode, prefecture: r.shipTo.prefecture, address: r.shipTo.address, phone: r.shipTo.phone ?? null })))],
  );
}

/** The candidates whose gift lines are the same as this donation's (INTAKE-4). */
export function likelyDuplicates(input: NewDonation, candidates: IntakeFacts['duplicates']): { portal: string; portalOrderId: string }[] {
  const key = (gifts: { code: string; quantity: number }[]) => gifts.map((g) => `${g.code}x${g.quantity}`).sort().join(',');
  const wanted = key(input.gifts);
  return candidates
    .filter((c) => key((c.lines ?? []).map(([code, quantity]) => ({ code, quantity }))) === wanted)
    .map((c) => ({ portal: c.portal_code, portalOrderId: c.portal_order_id }));
}

/**
 * The donor (a repeat donor is the same name at the same address, anything looser risks merging two
 * people; a missing phone or email is filled in), the donation, its gift lines and its "created"
 * event, in one statement: all of it is written or none.
 */
const WRITE_DONATION = `with a as (
    select ?::uuid as donor_id, ?::text as name, ?::text as name_kana, ?::text as postal_code, ?::text as prefecture,
           ?::text as address, ?::text as phone, ?::text as email, ?::timestamptz as now,
           ?::uuid as id, ?::text as portal_code, ?::text as portal_order_id, ?::text as channel, ?::int as amount_yen,
           ?::text as payment_method, ?::text as purpose, ?::boolean as wants_one_stop, ?::boolean as disaster_relief,
           ?::jsonb as review_flags, ?::timestamptz as applied_at, ?::timestamptz as paid_at, ?::text as workflow_id,
           ?::text as intake_fingerprint, ?::text as actor, ?::text[] as codes, ?::int[] as quantities, ?::int[] as prices,
           ?::timestamptz as occurred_at, ?::text as reason, ?::jsonb as after),
  found as (
    select p.* from donors p, a
     where p.name = a.name and p.name_kana = a.name_kana and p.postal_code = a.postal_code and p.address = a.address
     limit 1),
  filled as (
    update donors p set
        phone = case when coalesce(p.phone, '') = '' and coalesce(a.phone, '') <> '' then a.phone else p.phone end,
        email = case when coalesce(p.email, '') = '' and coalesce(a.email, '') <> '' then a.email else p.email end,
        updated_at = a.now
      from found, a
     where p.id = found.id
       and ((coalesce(p.phone, '') = '' and coalesce(a.phone, '') <> '') or (coalesce(p.email, '') = '' and coalesce(a.email, '') <> ''))
    returning p.*),
  created as (
    insert into donors (id, name, name_kana, postal_code, prefecture, address, phone, email, created_at, updated_at)
    select donor_id, name, name_kana, postal_code, prefecture, address, phone, email, now, now from a
     where not exists (select 1 from found)
    returning *),
  donor as (
    select * from filled union all select * from created union all select * from found where not exists (select 1 from filled)),
  donation as (
    insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, purpose, wants_one_stop,
                           disaster_relief, review_flags, applied_at, paid_at, workflow_id, intake_fingerprint, created_by, created_at, updated_at)
    select a.id, a.portal_code, a.portal_order_id, donor.id, a.channel, a.amount_yen, a.payment_method, a.purpose, a.wants_one_stop,
           a.disaster_relief, a.review_flags, a.applied_at, a.paid_at, a.workflow_id, a.intake_fingerprint, a.actor, a.now, a.now
      from a, donor
    returning *),
  lines as (
    insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen)
    select donation.id, l.code, l.quantity, l.price
      from donation, a, unnest(a.codes, a.quantities, a.prices) with ordinality as l(code, quantity, price, ord)
     order by l.ord
    returning *),
  event as (
    insert into donation_events (donation_id, kind, to_status, actor, occurred_at, reason, after, recorded_at)
    select donation.id, 'created', 'received', a.actor, a.occurred_at, a.reason, a.after, a.now from donation, a)
  select (select row_to_json(donor) from donor) as donor,
         exists (select 1 from created) as donor_created,
         exists (select 1 from filled) as donor_filled,
         (select row_to_json(donation) from donation) as donation,
         (select coalesce(json_agg(lines order by lines.id), '[]') from lines) as lines`;

/**
 * Puts a new donation into the ledger with its "created" event. Sending the
 * same donation again returns the existing row (created: false); the same
 * portal order with different content is a conflict.
 *
 * Registration is the intake hot path, so it bypasses the unit of work: one
 * statement reads what it needs to know, one writes donor, donation, gift lines
 * and event (a single statement, so no transaction is needed), and only a
 * donation with gifts adds a transaction for the stock statements (GIFT-2).
 * Both statements are named prepared statements: each pooled connection parses
 * and plans them once instead of for every donation (the planning of the write
 * cost PostgreSQL more than executing it). The donation returned is a `Donation`
 * with its portal, donor and gift lines, built from the rows as written; it is
 * not registered in `em`.
 */
export async function registerDonation(em: EntityManager, input: NewDonation, actor: string): Promise<RegisterOutcome> {
  const donorFields = normalizeDonorFields(input.donor);
  const fingerprint = fingerprintOf(input, donorFields);
  const { portal } = await portalOf(em, input.portal);
  const facts = await intakeFacts(em, input, donorFields);
  if (facts.existingId) {
    const existing = await findByPortalOrder(em, input.portal, input.portalOrderId);
    if (existing) return sameOrConflict(existing, fingerprint, input);
  }

  const errors: FieldError[] = [];
  if (!portal || !portal.active) errors.push({ field: 'portal', reason: `unknown or inactive portal "${input.portal}"` });
  const gifts = new Map(facts.gifts.map((g) => [g.gift.code, g]));
  input.gifts.forEach((line, i) => {
    if (!gifts.has(line.code)) errors.push({ field: `gifts[${i}].code`, reason: `unknown gift code "${line.code}"` });
  });
  if (errors.length) throw new IntakeValidationError(errors);

  const giftPriceYen = input.gifts.reduce((sum, line) => {
    const g = gifts.get(line.code);
    return sum + (g?.portal_price ?? g?.gift.price_yen ?? 0) * line.quantity;
  }, 0);
  const findings = reviewFindings({
    channel: input.channel,
    donor: donorFields,
    amountYen: input.amountYen,
    giftPriceYen,
    hasGift: input.gifts.length > 0,
    emailExpected: input.emailExpected ?? false,
    likelyDuplicates: likelyDuplicates(input, facts.duplicates),
  });
  const flags = [...new Set(findings.map((f) => f.flag))];
  const now = new Date();
  const bindings = [
    randomUUID(), donorFields.name, donorFields.nameKana, donorFields.postalCode, donorFields.prefecture,
    donorFields.address, donorFields.phone ?? null, donorFields.email ?? null, now,
    randomUUID(), input.portal, input.portalOrderId, input.channel, input.amountYen,
    input.paymentMethod, input.purpose ?? null, input.wantsOneStop, input.disasterRelief,
    JSON.stringify(flags), new Date(input.appliedAt), input.paidAt ? new Date(input.paidAt) : null, donationWorkflowId(input.portal, input.portalOrderId),
    fingerprint, actor, input.gifts.map((l) => l.code), input.gifts.map((l) => l.quantity), input.gifts.map((l) => gifts.get(l.code)!.gift.price_yen),
    now, `entered via ${input.channel}`,
    JSON.stringify({ portal: input.portal, portalOrderId: input.portalOrderId, amountYen: input.amountYen, reviewFlags: flags, reviewFindings: findings }),
  ];

  let written: { donor: Row; donation: Row; lines: Row[]; donor_created: boolean; donor_filled: boolean };
  try {
    if ((!input.gifts.length || input.giftsAlreadyShipped) && !input.shipTo) {
      written = await writeDonation(em, bindings);
    } else {
      written = await em.transactional(async (tx) => {
        const rows = await writeDonation(tx, bindings);
        if (input.shipTo) await insertShipTo(txKnex(tx), [{ donationId: rows.donation.id as string, shipTo: input.shipTo }]);
        if (!input.gifts.length || input.giftsAlreadyShipped) return rows;
        // GIFT-2: count the lines against the portal's stock in the same transaction; a gift without a
        // listing row on the portal and without stock tracking costs one UPDATE that matches nothing.
        await recordSales(tx, {
          donationId: rows.donation.id as string,
          portal: input.portal,
          portalOrderId: input.portalOrderId,
          actor,
          lines: rows.lines.map((l) => {
            const gift = gifts.get(l.gift_code as string)!.gift;
            return {
              lineId: l.id as number,
              giftCode: gift.code,
              quantity: l.quantity as number,
              totalStock: (gift.total_stock as number | null) ?? null,
              autoRebalance: gift.auto_rebalance as boolean,
              lowStockThreshold: gift.low_stock_threshold as number,
            };
          }),
        });
        return rows;
      });
    }
  } catch (err) {
    // Someone else registered the same portal order between our read and our insert: the unique constraint says so.
    if (err instanceof UniqueConstraintViolationException) {
      const winner = await findByPortalOrder(em.fork(), input.portal, input.portalOrderId);
      if (winner) return sameOrConflict(winner, fingerprint, input);
    }
    throw err;
  }

  // 名寄せ: a donor row seen for the first time joins (or starts) its person; a known row is linked already,
  // but a phone filled in just now or a birth date becomes one of its keys.
  if (written.donor_created || written.donor_filled || input.donorBirthDate) await linkDonorRow(em, written.donor, input.donorBirthDate, actor);

  // Built from the rows as written (defaults and all), not registered in `em`: mapping them
  // through the ORM's factory (`em.map`) cost more CPU than the rest of registration.
  const donor = fromRow(em, new Donor(), written.donor);
  const donation = fromRow(em, new Donation(), written.donation, { portal: fromRow(em, new Portal(), portal!), donor });
  const giftEntities = new Map<string, Gift>();
  const lines = written.lines.map((l) => {
    const code = l.gift_code as string;
    if (!giftEntities.has(code)) giftEntities.set(code, fromRow(em, new Gift(), gifts.get(code)!.gift));
    return fromRow(em, new DonationGiftLine(), l, { donation, gift: giftEntities.get(code)! });
  });
  if (lines.length) donation.giftLines.hydrate(lines);
  return { donation, created: true, findings };
}

async function linkDonorRow(em: EntityManager, donor: Row, birthDate: string | undefined, actor: string): Promise<void> {
  const run = (db: Knex) => linkDonors(sqlOn(db), [
    { donorId: donor.id as string, nameKana: donor.name_kana as string, phone: donor.phone as string | null, postalCode: donor.postal_code as string, address: donor.address as string, birthDate },
  ], actor);
  const ctx = em.getTransactionContext() as Knex.Transaction | undefined;
  // The per-kana lock must live until the link is written: a transaction of its own unless one is open.
  if (ctx) await run(ctx);
  else await em.getKnex().transaction((trx) => run(trx));
}

async function writeDonation(em: EntityManager, bindings: unknown[]): Promise<{ donor: Row; donation: Row; lines: Row[]; donor_created: boolean; donor_filled: boolean }> {
  try {
    const result = await txKnex(em).raw(WRITE_DONATION, bindings as Knex.RawBinding[]).options({ name: 'furusato.intake-write' });
    const [r] = result.rows as { donor: Row; donation: Row; lines: Row[]; donor_created: boolean; donor_filled: boolean }[];
    return r;
  } catch (err) {
    // The same exception classes a flush would have thrown (UniqueConstraintViolationException, …).
    throw err instanceof Error ? em.getDriver().convertException(err) : err;
  }
}

/**
 * Sets an entity's properties from its row (column names, as `row_to_json` gives them), following the
 * ORM's metadata so that a new column is picked up too. Relations come from `relations`; any other
 * many-to-one becomes a reference, as a find would leave it.
 */
export function fromRow<T extends object>(em: EntityManager, entity: T, row: Row, relations: Partial<Record<keyof T, unknown>> = {}): T {
  const target = entity as Record<string, unknown>;
  for (const prop of em.getMetadata().get<T>(entity.constructor.name).props) {
    if (prop.name in relations) {
      target[prop.name] = relations[prop.name as keyof T];
      continue;
    }
    const column = prop.fieldNames?.[0];
    if (!column || !(column in row)) continue;
    const value = row[column];
    if (prop.kind === ReferenceKind.SCALAR) {
      target[prop.name] = value === null ? undefined : prop.runtimeType === 'Date' ? new Date(value as string) : value;
    } else if (prop.kind === ReferenceKind.MANY_TO_ONE) {
      target[prop.name] = value === null ? undefined : em.getReference(prop.type, value as string);
    }
  }
  return entity;
}

function sameOrConflict(existing: Donation, fingerprint: string, input: NewDonation): RegisterOutcome {
  if (existing.intakeFingerprint === fingerprint) return { donation: existing, created: false };
  throw new DuplicateConflictError(existing.id, input.portal, input.portalOrderId);
}

export function findByPortalOrder(em: EntityManager, portal: string, portalOrderId: string): Promise<Donation | null> {
  return em.findOne(Donation, { portal: { code: portal }, portalOrderId }, { populate: ['donor', 'giftLines'] });
}

export async function donationEvents(em: EntityManager, donationId: string): Promise<DonationEvent[]> {
  return em.find(DonationEvent, { donation: donationId }, { orderBy: { id: 'asc' } });
}

/** A donation workflow's status change, as recordTransition receives it. */
export interface TransitionInput {
  donationId: string;
  from: DonationStatus;
  to: DonationStatus;
  at: string;
  actor: string;
  reason?: string;
  fields?: Partial<Record<'paidAt' | 'paymentMethod' | 'documentsDueOn' | 'documentsDueAt' | 'documentsSentAt' | 'returnedAt', string>>;
  /** Stable per workflow step, so a retried activity never writes the event twice. */
  key: string;
}

const TRANSITION_SQL = `
  with event as (
    insert into donation_events (donation_id, kind, from_status, to_status, actor, occurred_at, reason, before, after, idempotency_key)
    select d.id, 'transition', ?, ?, ?, ?::timestamptz, ?, ?::jsonb, ?::jsonb, ? from donations d where d.id = ?
    on conflict (idempotency_key) do nothing
    returning donation_id
  )
  update donations d set
    status = ?,
    paid_at = coalesce(?::timestamptz, d.paid_at),
    payment_method = coalesce(?::text, d.payment_method),
    documents_due_on = coalesce(?::date, d.documents_due_on),
    documents_due_at = coalesce(?::timestamptz, d.documents_due_at),
    documents_sent_at = coalesce(?::timestamptz, d.documents_sent_at),
    completed_at = case when ?::text = 'completed' then ?::timestamptz else d.completed_at end,
    returned_mail_count = d.returned_mail_count + case when ?::text = 'mail_returned' then 1 else 0 end,
    review_flags = case when ?::text in ('received', 'awaiting_payment', 'paid') then '[]'::jsonb else d.review_flags end,
    updated_at = now()
  from event where d.id = event.donation_id
  returning d.id`;

/**
 * A transition other than a cancellation, in one statement: the event insert is the idempotency
 * check, and the donation row changes only if the event went in. False when nothing was written:
 * the key was recorded by an earlier attempt, or there is no such donation.
 */
export async function recordTransitionStatement(knex: Knex, input: TransitionInput): Promise<boolean> {
  const f = input.fields ?? {};
  const { rows } = await knex.raw(TRANSITION_SQL, [
    input.from,
    input.to,
    input.actor,
    input.at,
    input.reason ?? null,
    JSON.stringify({ status: input.from }),
    JSON.stringify({ status: input.to, ...f }),
    input.key,
    input.donationId,
    input.to,
    f.paidAt ?? null,
    f.paymentMethod ?? null,
    f.documentsDueOn ?? null,
    f.documentsDueAt ?? null,
    f.documentsSentAt ?? null,
    input.to,
    input.at,
    input.to,
    input.to,
  ]);
  return rows.length > 0;
}

export async function donationExists(knex: Knex, donationId: string): Promise<boolean> {
  const { rows } = await knex.raw('select 1 from donations where id = ?', [donationId]);
  return rows.length > 0;
}

/** CALL-5: what a cancellation needs of a donation: its workflow and the ledger's mirror of its state. */
export async function findDonationForCancellation(knex: Knex, donationId: string): Promise<{ id: string; workflowId: string; status: DonationStatus } | undefined> {
  const row = await knex('donations').where({ id: donationId }).first('id', 'workflow_id', 'status');
  return row ? { id: row.id, workflowId: row.workflow_id, status: row.status } : undefined;
}
