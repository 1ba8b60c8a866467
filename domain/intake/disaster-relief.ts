import type { PortalDonation } from '../portals/types';

/**
 * PORTAL-3 災害支援: when a disaster strikes, the city takes donations for
 * relief, without gifts, with their own letter and receipt wording
 * (templates/documents/city.json `disasterRelief`). An operator opens a
 * campaign (name, start, optional end, portals, and the portals' item codes
 * for it); closing it sets the end. Judgement on what makes a donation a
 * relief donation, decided by its application time so that re-reading the
 * same order later gives the same answer:
 *
 * 1. the portal row says so (a mapping's `disasterRelief` column), campaign or not;
 * 2. an open campaign covers the donation's portal and application time, and
 *    the donation carries one of the campaign's item codes, or the campaign
 *    takes every donation of its portals (`wholePortal`, e.g. a portal page
 *    or account set up only for the relief).
 *
 * A relief donation gets no gift: its gift lines are dropped before it enters
 * the ledger, and what was dropped is recorded in its event log.
 */
export interface ReliefCampaign {
  id: string;
  name: string;
  startsAt: string;
  /** Absent while the campaign runs open-ended; set when it is closed. */
  endsAt?: string | null;
  /** Portal codes; empty = every portal. */
  portals: string[];
  /** Item codes (after the portal mapping's gift code map) that mean "a donation for this campaign". */
  giftCodes: string[];
  /** Every donation of the campaign's portals in its period is for the campaign. */
  wholePortal: boolean;
}

export interface ReliefDecision {
  relief: boolean;
  campaignId?: string;
  basis?: 'portal_flag' | 'gift_code' | 'whole_portal';
  /** Gift lines removed because relief donations get no gift. */
  droppedGifts: { code: string; quantity: number }[];
}

export function campaignCovers(c: ReliefCampaign, portal: string, appliedAt: string): boolean {
  const t = Date.parse(appliedAt);
  if (t < Date.parse(c.startsAt)) return false;
  if (c.endsAt && t >= Date.parse(c.endsAt)) return false;
  return c.portals.length === 0 || c.portals.includes(portal);
}

export function reliefDecision(portal: string, d: Pick<PortalDonation, 'appliedAt' | 'disasterRelief' | 'gifts'>, campaigns: ReliefCampaign[]): ReliefDecision {
  const covering = campaigns.filter((c) => campaignCovers(c, portal, d.appliedAt));
  const byCode = covering.find((c) => d.gifts.some((g) => c.giftCodes.includes(g.code)));
  const whole = covering.find((c) => c.wholePortal);
  if (d.disasterRelief) {
    const c = byCode ?? whole ?? (covering.length === 1 ? covering[0] : undefined);
    return { relief: true, campaignId: c?.id, basis: 'portal_flag', droppedGifts: d.gifts };
  }
  if (byCode) return { relief: true, campaignId: byCode.id, basis: 'gift_code', droppedGifts: d.gifts };
  if (whole) return { relief: true, campaignId: whole.id, basis: 'whole_portal', droppedGifts: d.gifts };
  return { relief: false, droppedGifts: [] };
}

/**
 * A migrated donation (LEDGER-4, and CONTRACT-2's re-import of the hand-over archive) is history: it keeps
 * its own relief flag and the gift lines the old system recorded with it — what was shipped or is still due
 * was decided there, so nothing is dropped (today's campaigns do not re-judge it either).
 */
export function reliefOfMigrated(d: Pick<PortalDonation, 'disasterRelief'>): ReliefDecision {
  return d.disasterRelief ? { relief: true, basis: 'portal_flag', droppedGifts: [] } : { relief: false, droppedGifts: [] };
}

/** The donation as it enters the ledger: marked, and without the gift lines the decision dropped. */
export function applyRelief<T extends Pick<PortalDonation, 'disasterRelief' | 'gifts'>>(d: T, decision: ReliefDecision): T {
  return decision.relief ? { ...d, disasterRelief: true, gifts: decision.droppedGifts.length ? [] : d.gifts } : d;
}
