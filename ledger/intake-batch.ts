import { randomUUID } from 'node:crypto';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { applyRelief, reliefDecision, reliefOfMigrated, type ReliefCampaign, type ReliefDecision } from '../domain/intake/disaster-relief';
import { normalizeDonorFields, type DonorFields } from '../domain/donor';
import { donationWorkflowId } from '../domain/ids';
import type { MapResult, MigrationFacts, PortalDonation, RowIssue, RowMapper } from '../domain/portals/types';
import { reviewFindings, type ReviewFinding } from '../domain/review';
import { DUPLICATE_WINDOW_MS, fingerprintOf, insertShipTo, likelyDuplicates, portalOf, type NewDonation } from './donations';
import { linkDonors, pgArray } from './donor-matching';
import { MIGRATION_ACTOR, migrationStart, type DonationStart } from './migration-import';
import { recordSales, type SaleLine } from './stock';

/**
 * Set-based registration of one import batch (PORTAL-1 at 50,000 rows): the
 * same decisions as registerDonation (re-send = unchanged, other content =
 * conflict, unknown portal/gift = invalid, INTAKE-4 findings, GIFT-2 stock,
 * PORTAL-3 relief, 名寄せ) taken for a few hundred orders with a handful of
 * statements instead of a few per order. Runs inside the caller's transaction,
 * together with the batch's import rows and resume point, so a crash leaves
 * either the whole batch or none of it.
 */
export type BatchOutcome =
  | {
      kind: 'created' | 'unchanged';
      donationId: string;
      portalOrderId: string;
      appliedAt: Date;
      findings: ReviewFinding[];
      paidAt?: string;
      /** An unchanged order whose export shows a payment the ledger has not recorded. */
      paidAtSeen?: string;
      migration?: MigrationFacts;
      start?: DonationStart;
      relief?: ReliefDecision;
    }
  | { kind: 'quarantined'; reason: 'invalid' | 'conflict'; portalOrderId?: string; issues: RowIssue[] };

export interface BatchOptions {
  campaigns: ReliefCampaign[];
  fileId: string;
}

type Row = Record<string, any>;

export function toNewDonation(portal: string, d: PortalDonation): NewDonation {
  return {
    portal: d.portal ?? portal,
    portalOrderId: d.portalOrderId,
    channel: d.channel ?? 'portal',
    donor: d.donor,
    amountYen: d.amountYen,
    paymentMethod: d.paymentMethod,
    appliedAt: d.appliedAt,
    paidAt: d.paidAt,
    purpose: d.purpose,
    wantsOneStop: d.wantsOneStop,
    disasterRelief: d.disasterRelief,
    gifts: d.gifts,
    // Portal exports always carry an email; the old system's records need not (LEDGER-4).
    emailExpected: !d.migration,
    giftsAlreadyShipped: d.migration?.gifts === 'shipped',
    donorBirthDate: d.donorBirthDate,
    shipTo: d.shipTo,
  };
}

interface Pending {
  i: number;
  nd: NewDonation;
  donor: DonorFields;
  fingerprint: string;
  relief: ReliefDecision;
  migration?: MigrationFacts;
  paidAt?: string;
}

const key = (portal: string, orderId: string) => `${portal}\u0000${orderId}`;

export async function registerBatch(
  tx: EntityManager,
  portal: string,
  results: MapResult[],
  mapper: RowMapper,
  actor: string,
  opts: BatchOptions,
): Promise<BatchOutcome[]> {
  const db = (tx.getTransactionContext() as Knex.Transaction | undefined) ?? tx.getKnex();
  const q = async (sql: string, bindings: readonly unknown[] = []): Promise<Row[]> => (await db.raw(sql, bindings as Knex.RawBinding[])).rows as Row[];
  const out = new Array<BatchOutcome | undefined>(results.length);
  const conflict = (p: Pending, existingId: string): BatchOutcome => ({
    kind: 'quarantined', reason: 'conflict', portalOrderId: p.nd.portalOrderId,
    issues: [{ column: mapper.columnOf('portalOrderId'), reason: `portal ${p.nd.portal} order ${p.nd.portalOrderId} is already in the ledger with different content (donation ${existingId})` }],
  });

  // 1. Map, relief, fingerprint; later repeats of an order inside the batch wait for the first.
  const pending: Pending[] = [];
  const firstOf = new Map<string, Pending>();
  const repeats: Pending[] = [];
  results.forEach((result, i) => {
    if (!result.ok) {
      out[i] = { kind: 'quarantined', reason: 'invalid', portalOrderId: result.portalOrderId, issues: result.issues };
      return;
    }
    const mapped = result.donation;
    const relief = mapped.migration ? reliefOfMigrated(mapped) : reliefDecision(mapped.portal ?? portal, mapped, opts.campaigns);
    const nd = toNewDonation(portal, applyRelief(mapped, relief));
    const donor = normalizeDonorFields(nd.donor);
    const p: Pending = { i, nd, donor, fingerprint: fingerprintOf(nd, donor), relief, migration: mapped.migration, paidAt: nd.paidAt };
    const k = key(nd.portal, nd.portalOrderId);
    if (firstOf.has(k)) repeats.push(p);
    else {
      firstOf.set(k, p);
      pending.push(p);
    }
  });

  // 2. Orders already in the ledger: the same content is a re-send, other content a conflict.
  const existing = pending.length
    ? await q(
        `select d.id, d.portal_code, d.portal_order_id, d.intake_fingerprint, d.created_by, d.applied_at, d.paid_at, m.import_file_id
           from jsonb_to_recordset(?::jsonb) as k(p text, o text)
           join donations d on d.portal_code = k.p and d.portal_order_id = k.o
           left join donation_migrations m on m.donation_id = d.id`,
        [JSON.stringify(pending.map((p) => ({ p: p.nd.portal, o: p.nd.portalOrderId })))],
      )
    : [];
  const existingBy = new Map(existing.map((e) => [key(e.portal_code, e.portal_order_id), e]));
  const settleExisting = (p: Pending, e: Row): BatchOutcome => {
    if (e.intake_fingerprint !== p.fingerprint) return conflict(p, String(e.id));
    // Rows a crashed try of this import wrote (older imports committed per order) still count as created by it.
    const created = p.migration
      ? e.created_by === MIGRATION_ACTOR && (e.import_file_id === null || String(e.import_file_id) === opts.fileId)
      : e.created_by === actor;
    return {
      kind: created ? 'created' : 'unchanged', donationId: String(e.id), portalOrderId: p.nd.portalOrderId, appliedAt: new Date(e.applied_at), findings: [],
      paidAt: p.paidAt, paidAtSeen: p.paidAt && !e.paid_at ? p.paidAt : undefined,
      migration: p.migration, start: p.migration ? migrationStart(p.migration) : undefined, relief: p.relief.relief ? p.relief : undefined,
    };
  };
  const fresh: Pending[] = [];
  for (const p of pending) {
    const e = existingBy.get(key(p.nd.portal, p.nd.portalOrderId));
    if (e) out[p.i] = settleExisting(p, e);
    else fresh.push(p);
  }

  // 3. What registration needs to know: portals (cached), gifts with portal prices, likely duplicates.
  const codes = [...new Set(fresh.flatMap((p) => p.nd.gifts.map((g) => g.code)))];
  const giftRows = codes.length
    ? await q(
        `select row_to_json(g) as gift,
                coalesce((select json_object_agg(pp.portal_code, pp.price_yen) from gift_portal_prices pp where pp.gift_code = g.code), '{}') as prices,
                array(select l.portal_code from gift_listings l where l.gift_code = g.code) as listed_on
           from gifts g where g.code = any(?::text[])`,
        [pgArray(codes)],
      )
    : [];
  const gifts = new Map(giftRows.map((r) => [r.gift.code as string, r as { gift: Row; prices: Record<string, number>; listed_on: string[] }]));
  const valid: Pending[] = [];
  for (const p of fresh) {
    const { portal: portalRow } = await portalOf(tx, p.nd.portal);
    const issues: RowIssue[] = [];
    if (!portalRow || !portalRow.active) issues.push({ column: mapper.columnOf('portal'), reason: `unknown or inactive portal "${p.nd.portal}"` });
    for (const line of p.nd.gifts) if (!gifts.has(line.code)) issues.push({ column: mapper.columnOf('giftCode'), reason: `unknown gift code "${line.code}"` });
    if (issues.length) out[p.i] = { kind: 'quarantined', reason: 'invalid', portalOrderId: p.nd.portalOrderId, issues };
    else valid.push(p);
  }

  const kanaOf = (p: Pending) => (p.donor.nameKana ? p.donor.nameKana.replace(/ /g, '') : '');
  const probes = valid.filter((p) => kanaOf(p));
  const candidates = new Map<number, { portal_code: string; portal_order_id: string; lines: [string, number][] | null }[]>();
  // From the donor (same kana at the same postal code: a handful of rows) to that donor's donations of the
  // amount in the window on another portal, as registerDonation asks (migration …940000).
  const found: Row[] = probes.length
    ? await q(
        `select k.i, d.portal_code, d.portal_order_id,
                (select json_agg(json_build_array(l.gift_code, l.quantity)) from donation_gift_lines l where l.donation_id = d.id) as lines
           from jsonb_to_recordset(?::jsonb) as k(i int, portal text, kana text, postal text, amount int, lo timestamptz, hi timestamptz)
           cross join lateral (
             select d.id, d.portal_code, d.portal_order_id from donors p join donations d on d.donor_id = p.id
              where p.postal_code = k.postal and replace(p.name_kana, ' ', '') = k.kana
                and d.portal_code <> k.portal and d.amount_yen = k.amount
                and d.applied_at between k.lo and k.hi and d.status <> 'cancelled'
              limit 5) d`,
        [
          JSON.stringify(probes.map((p) => {
            const at = Date.parse(p.nd.appliedAt);
            return { i: p.i, portal: p.nd.portal, kana: kanaOf(p), postal: p.donor.postalCode, amount: p.nd.amountYen, lo: new Date(at - DUPLICATE_WINDOW_MS).toISOString(), hi: new Date(at + DUPLICATE_WINDOW_MS).toISOString() };
          })),
        ],
      )
    : [];
  for (const r of found) {
    const list = candidates.get(r.i) ?? [];
    list.push(r as never);
    candidates.set(r.i, list);
  }

  // 4. Findings, per order, as registerDonation takes them; earlier orders of this batch count as candidates too.
  const findingsOf = new Map<number, ReviewFinding[]>();
  valid.forEach((p, n) => {
    const inBatch = valid.slice(0, n).filter((o) =>
      o.nd.portal !== p.nd.portal && kanaOf(o) && kanaOf(o) === kanaOf(p) && o.donor.postalCode === p.donor.postalCode && o.nd.amountYen === p.nd.amountYen &&
      Math.abs(Date.parse(o.nd.appliedAt) - Date.parse(p.nd.appliedAt)) <= DUPLICATE_WINDOW_MS);
    const all = [
      ...(candidates.get(p.i) ?? []),
      ...inBatch.map((o) => ({ portal_code: o.nd.portal, portal_order_id: o.nd.portalOrderId, lines: o.nd.gifts.map((g) => [g.code, g.quantity] as [string, number]) })),
    ];
    const giftPriceYen = p.nd.gifts.reduce((sum, line) => {
      const g = gifts.get(line.code)!;
      return sum + (g.prices[p.nd.portal] ?? (g.gift.price_yen as number)) * line.quantity;
    }, 0);
    findingsOf.set(p.i, reviewFindings({
      channel: p.nd.channel, donor: p.donor, amountYen: p.nd.amountYen, giftPriceYen, hasGift: p.nd.gifts.length > 0,
      emailExpected: p.nd.emailExpected ?? false, likelyDuplicates: likelyDuplicates(p.nd, all),
    }));
  });

  // 5. Donors: a repeat donor is the same name, kana, postal code and address (名寄せ links the looser matches); a missing phone or email is filled in.
  const now = new Date();
  const tupleKey = (d: DonorFields) => JSON.stringify([d.name, d.nameKana, d.postalCode, d.address]);
  const wanted = new Map<string, DonorFields>();
  for (const p of valid) if (!wanted.has(tupleKey(p.donor))) wanted.set(tupleKey(p.donor), p.donor);
  const donorIds = new Map<string, string>();
  if (wanted.size) {
    const found = await q(
      `select distinct on (p.name, p.name_kana, p.postal_code, p.address) p.id, p.name, p.name_kana, p.postal_code, p.address, p.phone, p.email
         from jsonb_to_recordset(?::jsonb) as k(name text, kana text, postal text, address text)
         join donors p on p.postal_code = k.postal and p.address = k.address and p.name = k.name and p.name_kana = k.kana
        order by p.name, p.name_kana, p.postal_code, p.address, p.created_at, p.id`,
      [JSON.stringify([...wanted.values()].map((d) => ({ name: d.name, kana: d.nameKana, postal: d.postalCode, address: d.address })))],
    );
    const fills: Row[] = [];
    for (const f of found) {
      const k = JSON.stringify([f.name, f.name_kana, f.postal_code, f.address]);
      donorIds.set(k, String(f.id));
      const d = wanted.get(k)!;
      const phone = !f.phone && d.phone ? d.phone : null;
      const email = !f.email && d.email ? d.email : null;
      if (phone || email) fills.push({ id: f.id, phone, email });
    }
    if (fills.length) {
      await q(
        `update donors p set phone = coalesce(nullif(p.phone, ''), k.phone, p.phone), email = coalesce(nullif(p.email, ''), k.email, p.email), updated_at = now()
           from jsonb_to_recordset(?::jsonb) as k(id uuid, phone text, email text) where p.id = k.id`,
        [JSON.stringify(fills)],
      );
    }
    const toCreate = [...wanted].filter(([k]) => !donorIds.has(k)).map(([k, d]) => {
      const id = randomUUID();
      donorIds.set(k, id);
      return { id, name: d.name, name_kana: d.nameKana, postal_code: d.postalCode, prefecture: d.prefecture, address: d.address, phone: d.phone ?? null, email: d.email ?? null };
    });
    if (toCreate.length) {
      await q(
        `insert into donors (id, name, name_kana, postal_code, prefecture, address, phone, email, created_at, updated_at)
         select id, name, name_kana, postal_code, prefecture, address, phone, email, ?::timestamptz, ?::timestamptz
           from jsonb_to_recordset(?::jsonb) as x(id uuid, name text, name_kana text, postal_code text, prefecture text, address text, phone text, email text)`,
        [now.toISOString(), now.toISOString(), JSON.stringify(toCreate)],
      );
    }
  }

  // 6. Donations; an order another import registered meanwhile is settled like any existing one.
  const ids = new Map<number, string>(valid.map((p) => [p.i, randomUUID()]));
  const flagsOf = (p: Pending) => [...new Set(findingsOf.get(p.i)!.map((f) => f.flag))];
  const inserted = valid.length
    ? await q(
        `insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, purpose, wants_one_stop,
                                disaster_relief, review_flags, applied_at, paid_at, workflow_id, intake_fingerprint, created_by, created_at, updated_at)
         select id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, purpose, wants_one_stop,
                disaster_relief, review_flags, applied_at, paid_at, workflow_id, intake_fingerprint, ?::text, ?::timestamptz, ?::timestamptz
           from jsonb_to_recordset(?::jsonb) as x(id uuid, portal_code text, portal_order_id text, donor_id uuid, channel text, amount_yen int,
                payment_method text, purpose text, wants_one_stop boolean, disaster_relief boolean, review_flags jsonb, applied_at timestamptz,
                paid_at timestamptz, workflow_id text, intake_fingerprint text)
         on conflict (portal_code, portal_order_id) do nothing
         returning id`,
        [
          actor, now.toISOString(), now.toISOString(),
          JSON.stringify(valid.map((p) => ({
            id: ids.get(p.i), portal_code: p.nd.portal, portal_order_id: p.nd.portalOrderId, donor_id: donorIds.get(tupleKey(p.donor)), channel: p.nd.channel,
            amount_yen: p.nd.amountYen, payment_method: p.nd.paymentMethod, purpose: p.nd.purpose ?? null, wants_one_stop: p.nd.wantsOneStop,
            disaster_relief: p.nd.disasterRelief, review_flags: flagsOf(p), applied_at: p.nd.appliedAt, paid_at: p.nd.paidAt ?? null,
            workflow_id: donationWorkflowId(p.nd.portal, p.nd.portalOrderId), intake_fingerprint: p.fingerprint,
          }))),
        ],
      )
    : [];
  const written = new Set(inserted.map((r) => String(r.id)));
  const created = valid.filter((p) => written.has(ids.get(p.i)!));
  const raced = valid.filter((p) => !written.has(ids.get(p.i)!));
  if (raced.length) {
    const winners = await q(
      `select d.id, d.portal_code, d.portal_order_id, d.intake_fingerprint, d.created_by, d.applied_at, d.paid_at, m.import_file_id
         from jsonb_to_recordset(?::jsonb) as k(p text, o text) join donations d on d.portal_code = k.p and d.portal_order_id = k.o
         left join donation_migrations m on m.donation_id = d.id`,
      [JSON.stringify(raced.map((p) => ({ p: p.nd.portal, o: p.nd.portalOrderId })))],
    );
    const by = new Map(winners.map((w) => [key(w.portal_code, w.portal_order_id), w]));
    for (const p of raced) out[p.i] = settleExisting(p, by.get(key(p.nd.portal, p.nd.portalOrderId))!);
  }

  // 送付先 of the new donations, in the batch's transaction.
  await insertShipTo(db, created.filter((p) => p.nd.shipTo).map((p) => ({ donationId: ids.get(p.i)!, shipTo: p.nd.shipTo! })));

  // 7. Gift lines and "created" events, as registerDonation writes them.
  const lineRows = created.flatMap((p) => p.nd.gifts.map((g) => ({ donation_id: ids.get(p.i), gift_code: g.code, quantity: g.quantity, unit_price_yen: gifts.get(g.code)!.gift.price_yen })))
    .map((l, ord) => ({ ...l, ord }));
  const lines = lineRows.length
    ? await q(
        `insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen)
         select donation_id, gift_code, quantity, unit_price_yen
           from jsonb_to_recordset(?::jsonb) as x(donation_id uuid, gift_code text, quantity int, unit_price_yen int, ord int)
          order by ord
         returning id, donation_id, gift_code, quantity`,
        [JSON.stringify(lineRows)],
      )
    : [];
  if (created.length) {
    await q(
      `insert into donation_events (donation_id, kind, to_status, actor, occurred_at, reason, after, recorded_at)
       select donation_id, 'created', 'received', ?::text, ?::timestamptz, reason, after, ?::timestamptz
         from jsonb_to_recordset(?::jsonb) as x(donation_id uuid, reason text, after jsonb)`,
      [
        actor, now.toISOString(), now.toISOString(),
        JSON.stringify(created.map((p) => ({
          donation_id: ids.get(p.i), reason: `entered via ${p.nd.channel}`,
          after: { portal: p.nd.portal, portalOrderId: p.nd.portalOrderId, amountYen: p.nd.amountYen, reviewFlags: flagsOf(p), reviewFindings: findingsOf.get(p.i) },
        }))),
      ],
    );
  }

  // 8. GIFT-2 stock. Gift locks are taken in gift-code (then portal) order across the whole batch, so two
  //    concurrent imports cannot deadlock. An untracked gift without a listing on the portal has no stock
  //    to count (the sale's UPDATE would match nothing), so it costs no statement. Migrated donations whose
  //    gifts the old system shipped are not counted: the gift left the shelf there.
  const byDonation = new Map(created.map((p) => [ids.get(p.i)!, p]));
  const sales = lines
    .map((l) => ({ l, p: byDonation.get(String(l.donation_id))!, g: gifts.get(l.gift_code as string)!.gift }))
    .filter(({ p }) => !p.nd.giftsAlreadyShipped)
    .filter(({ p, g }) => g.total_stock !== null || g.auto_rebalance || gifts.get(g.code)!.listed_on.includes(p.nd.portal))
    .sort((a, b) => (a.g.code < b.g.code ? -1 : a.g.code > b.g.code ? 1 : a.p.nd.portal < b.p.nd.portal ? -1 : a.p.nd.portal > b.p.nd.portal ? 1 : a.l.id - b.l.id));
  for (const { l, p, g } of sales) {
    const line: SaleLine = {
      lineId: l.id as number, giftCode: g.code, quantity: l.quantity as number, totalStock: (g.total_stock as number | null) ?? null,
      autoRebalance: g.auto_rebalance as boolean, lowStockThreshold: g.low_stock_threshold as number,
    };
    await recordSales(tx, { donationId: ids.get(p.i)!, portal: p.nd.portal, portalOrderId: p.nd.portalOrderId, actor, lines: [line] });
  }

  // 9. PORTAL-3: relief donations linked to their campaign, dropped gifts in the event log (once per donation).
  const reliefs = [...created, ...raced].filter((p) => p.relief.relief && p.relief.basis);
  if (reliefs.length) {
    const rows = reliefs.map((p) => {
      const out_ = out[p.i];
      const donationId = out_ && out_.kind !== 'quarantined' ? out_.donationId : ids.get(p.i)!;
      const r = p.relief;
      const dropped = r.droppedGifts.map((g) => `${g.code}×${g.quantity}`).join(', ');
      return {
        donation_id: donationId, campaign_id: r.campaignId ?? null, basis: r.basis, dropped_gifts: r.droppedGifts,
        reason: `災害支援 (${r.basis}${r.campaignId ? `, campaign ${r.campaignId}` : ''}): no gift${dropped ? `; dropped ${dropped}` : ''}`,
        after: { disasterRelief: true, campaignId: r.campaignId ?? null, basis: r.basis, droppedGifts: r.droppedGifts },
      };
    });
    await q(
      `with x as (select * from jsonb_to_recordset(?::jsonb) as x(donation_id uuid, campaign_id uuid, basis text, dropped_gifts jsonb, reason text, after jsonb)),
            linked as (insert into disaster_relief_donations (donation_id, campaign_id, basis, dropped_gifts)
                       select donation_id, campaign_id, basis, dropped_gifts from x on conflict (donation_id) do nothing returning donation_id)
       insert into donation_events (donation_id, kind, actor, occurred_at, reason, after, idempotency_key)
       select x.donation_id, 'disaster_relief', ?::text, ?::timestamptz, x.reason, x.after, 'disaster-relief:' || x.donation_id
         from x join linked using (donation_id)
       on conflict (idempotency_key) do nothing`,
      [JSON.stringify(rows), actor, now.toISOString()],
    );
  }

  // 10. 名寄せ for the donor rows this batch created (and any older row not linked yet).
  await linkDonors(q, created.map((p) => ({
    donorId: donorIds.get(tupleKey(p.donor))!, nameKana: p.donor.nameKana, phone: p.donor.phone ?? null, postalCode: p.donor.postalCode, address: p.donor.address, birthDate: p.nd.donorBirthDate,
  })), actor);

  for (const p of created) {
    out[p.i] = {
      kind: 'created', donationId: ids.get(p.i)!, portalOrderId: p.nd.portalOrderId, appliedAt: new Date(p.nd.appliedAt), findings: findingsOf.get(p.i)!,
      paidAt: p.paidAt, migration: p.migration, start: p.migration ? migrationStart(p.migration) : undefined, relief: p.relief.relief ? p.relief : undefined,
    };
  }
  // Repeats of an order inside the batch: the same content is the donation just settled, other content a conflict.
  for (const p of repeats) {
    const first = firstOf.get(key(p.nd.portal, p.nd.portalOrderId))!;
    const o = out[first.i]!;
    if (o.kind === 'quarantined') {
      out[p.i] = { kind: 'quarantined', reason: 'conflict', portalOrderId: p.nd.portalOrderId, issues: [{ column: mapper.columnOf('portalOrderId'), reason: `order ${p.nd.portalOrderId} appears earlier in this file and was quarantined there` }] };
    }
    else if (p.fingerprint !== first.fingerprint) out[p.i] = conflict(p, o.donationId);
    else out[p.i] = { ...o, kind: 'unchanged', findings: [] };
  }
  return out as BatchOutcome[];
}
