import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import type { FieldError } from '../domain/donor';
import { isIsoDate, jstDate } from '../domain/jst';
import type { CampaignEffect, CountAmount } from '../domain/reports/types';
import { renamed } from './rows';

/**
 * Promotion campaigns (PR-1, BILL-5): an operator proposes, the city approves or rejects before
 * anything is billed. A campaign is judged by the donations applied for in its period on its
 * portals (all when empty) for its gifts (all when empty).
 */

export type CampaignStatus = 'proposed' | 'approved' | 'rejected';

export interface NewCampaign {
  code: string;
  name: string;
  medium?: string;
  portalCodes: string[];
  giftCodes: string[];
  startsOn: string;
  endsOn: string;
  costYen: number;
  /** YYYY-MM: the month whose invoice carries the cost (BILL-5). */
  billedMonth: string;
}

export interface Campaign extends Omit<NewCampaign, 'medium'> {
  id: string;
  medium: string;
  status: CampaignStatus;
  proposedBy: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

export class CampaignConflictError extends Error {
  override name = 'CampaignConflictError';
}

const iso = (v: Date | string | null) => (v == null ? null : new Date(v).toISOString());

const COLUMNS = `id, code, name, medium, portal_codes, gift_codes, to_char(starts_on, 'YYYY-MM-DD') as starts_on, to_char(ends_on, 'YYYY-MM-DD') as ends_on,
  cost_yen, to_char(billed_month, 'YYYY-MM') as billed_month, status, proposed_by, proposed_at, decided_by, decided_at, decision_note`;

function toCampaign(r: any): Campaign {
  return {
    ...renamed(r, 'id code name medium starts_on ends_on cost_yen billed_month status proposed_by decided_by decision_note'),
    portalCodes: r.portal_codes ?? [],
    giftCodes: r.gift_codes ?? [],
    proposedAt: iso(r.proposed_at)!,
    decidedAt: iso(r.decided_at),
  };
}

/** A pg array literal: knex would spread a JS array into separate bindings. */
export function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** What the schema cannot say: the period, the billed month, and that every portal and gift exists (400 naming each). */
export async function campaignErrors(knex: Knex, c: NewCampaign): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (!isIsoDate(c.startsOn)) errors.push({ field: 'startsOn', reason: 'is not a calendar date' });
  if (!isIsoDate(c.endsOn)) errors.push({ field: 'endsOn', reason: 'is not a calendar date' });
  if (isIsoDate(c.startsOn) && isIsoDate(c.endsOn) && c.endsOn < c.startsOn) errors.push({ field: 'endsOn', reason: `must not be before startsOn (${c.startsOn})` });
  if (isIsoDate(c.startsOn) && c.billedMonth < c.startsOn.slice(0, 7)) errors.push({ field: 'billedMonth', reason: `must not be before the campaign starts (${c.startsOn.slice(0, 7)})` });
  if (!Number.isInteger(c.costYen) || c.costYen < 0) errors.push({ field: 'costYen', reason: 'must be a whole number of yen, 0 or more' });
  const dup = (list: string[], field: string) => list.forEach((v, i) => list.indexOf(v) !== i && errors.push({ field: `${field}[${i}]`, reason: `${v} is listed twice` }));
  dup(c.portalCodes, 'portalCodes');
  dup(c.giftCodes, 'giftCodes');
  const known = async (table: string, values: string[]) =>
    values.length ? new Set((await knex.raw(`select code from ${table} where code = any (?::text[])`, [pgTextArray(values)])).rows.map((r: any) => r.code)) : new Set<string>();
  const portals = await known('portals', c.portalCodes);
  c.portalCodes.forEach((p, i) => portals.has(p) || errors.push({ field: `portalCodes[${i}]`, reason: `portal ${p} does not exist` }));
  const gifts = await known('gifts', c.giftCodes);
  c.giftCodes.forEach((g, i) => gifts.has(g) || errors.push({ field: `giftCodes[${i}]`, reason: `gift ${g} does not exist` }));
  return errors;
}

export async function proposeCampaign(knex: Knex, c: NewCampaign, actor: string): Promise<Campaign> {
  const { rows } = await knex.raw(
    `insert into promotion_campaigns (id, code, name, medium, portal_codes, gift_codes, starts_on, ends_on, cost_yen, billed_month, proposed_by)
     values (?, ?, ?, ?, ?::text[], ?::text[], ?::date, ?::date, ?, (?::text || '-01')::date, ?)
     on conflict (code) do nothing returning ${COLUMNS}`,
    [randomUUID(), c.code, c.name, c.medium ?? '', pgTextArray(c.portalCodes), pgTextArray(c.giftCodes), c.startsOn, c.endsOn, c.costYen, c.billedMonth, actor],
  );
  if (!rows[0]) throw new CampaignConflictError(`campaign ${c.code} already exists`);
  return toCampaign(rows[0]);
}

export async function findCampaign(knex: Knex, code: string): Promise<Campaign | undefined> {
  const { rows } = await knex.raw(`select ${COLUMNS} from promotion_campaigns where code = ?`, [code]);
  return rows[0] ? toCampaign(rows[0]) : undefined;
}

/** The city's decision, once: a decided campaign is not decided again (409). */
export async function decideCampaign(knex: Knex, code: string, decision: 'approved' | 'rejected', note: string | null, actor: string): Promise<Campaign | undefined> {
  const { rows } = await knex.raw(
    `update promotion_campaigns set status = ?, decided_by = ?, decided_at = now(), decision_note = ?
      where code = ? and status = 'proposed' returning ${COLUMNS}`,
    [decision, actor, note, code],
  );
  if (rows[0]) return toCampaign(rows[0]);
  const existing = await findCampaign(knex, code);
  if (existing) throw new CampaignConflictError(`campaign ${code} was already ${existing.status} by ${existing.decidedBy} at ${existing.decidedAt}`);
  return undefined;
}

export async function listCampaigns(knex: Knex, f: { status?: CampaignStatus; billedMonth?: string; activeIn?: string } = {}): Promise<Campaign[]> {
  const { rows } = await knex.raw(
    `select ${COLUMNS} from promotion_campaigns
      where (?::text is null or status = ?) and (?::text is null or billed_month = (?::text || '-01')::date)
        and (?::text is null or (starts_on <= ((?::text || '-01')::date + interval '1 month' - interval '1 day')::date and ends_on >= (?::text || '-01')::date))
      order by starts_on desc, code limit 1000`,
    [f.status ?? null, f.status ?? null, f.billedMonth ?? null, f.billedMonth ?? null, f.activeIn ?? null, f.activeIn ?? null, f.activeIn ?? null],
  );
  return rows.map(toCampaign);
}

/** BILL-5: advertising is billed only when the city approved it; the campaigns whose cost falls in a month's invoice. */
export async function approvedCampaignsBilledIn(knex: Knex, month: string): Promise<Campaign[]> {
  return listCampaigns(knex, { status: 'approved', billedMonth: month });
}

const countAmount = (count: unknown, amount: unknown): CountAmount => ({ count: Number(count ?? 0), amountYen: Number(amount ?? 0) });

/**
 * PR-1 cost-effectiveness, set-based: for each selected campaign, the donations applied for in its
 * period (JST days) on its portals and for its gifts, over the whole period and within `month`
 * ([start, end) instants). Cancelled donations do not count.
 */
export async function campaignEffects(
  knex: Knex,
  select: { codes?: string[]; approvedActiveIn?: { from: string; to: string } },
  month?: { start: Date; end: Date },
): Promise<CampaignEffect[]> {
  const { rows } = await knex.raw(
    `select c.code, c.name, c.medium, to_char(c.starts_on, 'YYYY-MM-DD') as starts_on, to_char(c.ends_on, 'YYYY-MM-DD') as ends_on,
            c.cost_yen, c.portal_codes, c.gift_codes,
            count(d.id) as period_count, coalesce(sum(d.amount_yen), 0) as period_amount,
            count(d.id) filter (where d.applied_at >= ?::timestamptz and d.applied_at < ?::timestamptz) as month_count,
            coalesce(sum(d.amount_yen) filter (where d.applied_at >= ?::timestamptz and d.applied_at < ?::timestamptz), 0) as month_amount
       from promotion_campaigns c
       left join lateral (
         select d.id, d.amount_yen, d.applied_at from donations d
          where d.applied_at >= (c.starts_on::timestamp at time zone 'Asia/Tokyo')
            and d.applied_at < ((c.ends_on + 1)::timestamp at time zone 'Asia/Tokyo')
            and d.status <> 'cancelled'
            and (cardinality(c.portal_codes) = 0 or d.portal_code = any (c.portal_codes))
            and (cardinality(c.gift_codes) = 0 or exists (select 1 from donation_gift_lines l where l.donation_id = d.id and l.gift_code = any (c.gift_codes)))
       ) d on true
      where (?::text[] is null or c.code = any (?::text[]))
        and (?::date is null or (c.status = 'approved' and c.starts_on <= ?::date and c.ends_on >= ?::date))
      group by c.id
      order by c.starts_on, c.code`,
    [
      month?.start.toISOString() ?? null,
      month?.end.toISOString() ?? null,
      month?.start.toISOString() ?? null,
      month?.end.toISOString() ?? null,
      select.codes ? pgTextArray(select.codes) : null,
      select.codes ? pgTextArray(select.codes) : null,
      select.approvedActiveIn?.from ?? null,
      select.approvedActiveIn?.to ?? null,
      select.approvedActiveIn?.from ?? null,
    ],
  );
  return rows.map((r: any) => {
    const period = countAmount(r.period_count, r.period_amount);
    return {
      code: r.code,
      name: r.name,
      medium: r.medium,
      startsOn: r.starts_on,
      endsOn: r.ends_on,
      costYen: r.cost_yen,
      portalCodes: r.portal_codes ?? [],
      giftCodes: r.gift_codes ?? [],
      period,
      inMonth: countAmount(r.month_count, r.month_amount),
      // Two decimals: "円 per 円 of cost" is read as a ratio, not as money.
      yenPerCostYen: r.cost_yen > 0 ? Math.round((period.amountYen / r.cost_yen) * 100) / 100 : null,
    };
  });
}

/** One campaign's effectiveness over its period, with a split by portal and by new/repeat donor. */
export async function campaignEffectiveness(knex: Knex, code: string) {
  const campaign = await findCampaign(knex, code);
  if (!campaign) return undefined;
  const [effect] = await campaignEffects(knex, { codes: [code] });
  const { rows } = await knex.raw(
    `select d.portal_code,
            exists (select 1 from donations e where e.donor_id = d.donor_id and e.applied_at < d.applied_at and e.status <> 'cancelled') as repeat,
            count(*) as n, coalesce(sum(d.amount_yen), 0) as amount
       from promotion_campaigns c join donations d
         on d.applied_at >= (c.starts_on::timestamp at time zone 'Asia/Tokyo') and d.applied_at < ((c.ends_on + 1)::timestamp at time zone 'Asia/Tokyo')
        and d.status <> 'cancelled'
        and (cardinality(c.portal_codes) = 0 or d.portal_code = any (c.portal_codes))
        and (cardinality(c.gift_codes) = 0 or exists (select 1 from donation_gift_lines l where l.donation_id = d.id and l.gift_code = any (c.gift_codes)))
      where c.code = ?
      group by 1, 2 order by 1, 2`,
    [code],
  );
  const byPortal = new Map<string, CountAmount>();
  const byDonorType = { new: countAmount(0, 0), repeat: countAmount(0, 0) };
  for (const r of rows) {
    const p = byPortal.get(r.portal_code) ?? countAmount(0, 0);
    p.count += Number(r.n);
    p.amountYen += Number(r.amount);
    byPortal.set(r.portal_code, p);
    const t = r.repeat ? byDonorType.repeat : byDonorType.new;
    t.count += Number(r.n);
    t.amountYen += Number(r.amount);
  }
  return {
    campaign,
    effect,
    byPortal: [...byPortal].map(([portalCode, v]) => ({ portalCode, ...v })),
    byDonorType,
    // A proposed or rejected campaign may be looked at, but it is not in any report or invoice.
    counted: campaign.status === 'approved',
    asOf: jstDate(new Date()),
  };
}
