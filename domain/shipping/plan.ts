import { addDays } from '../jst';
import type { Fulfilment } from './types';

export interface GiftLineForPlan {
  giftLineId: number;
  giftCode: string;
  /** 定期便: number of deliveries and days between them. */
  deliveries: number;
  intervalDays: number | null;
  /** Months (1–12) in which the gift can ship at all, e.g. あまおう in winter; empty = any month. */
  shipMonths: number[];
}

export interface PlannedShipment {
  giftLineId: number;
  giftCode: string;
  deliveryNo: number;
  deliveries: number;
  /** JST date before which the shipment is not ordered. */
  notBefore: string;
}

export interface ShipmentPlan {
  fulfilment: Fulfilment;
  reason?: string;
  shipments: PlannedShipment[];
}

/** The first date on or after `from` that falls in one of the allowed months. */
export function firstShippableDate(from: string, shipMonths: number[]): string {
  if (!shipMonths.length) return from;
  let date = from;
  for (let i = 0; i < 13; i++) {
    if (shipMonths.includes(Number(date.slice(5, 7)))) return date;
    const [y, m] = date.split('-').map(Number);
    date = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  }
  throw new RangeError(`shipMonths ${shipMonths.join(',')} contains no valid month`);
}

/**
 * Which shipments a paid donation needs (SHIP-1, SHIP-6, PORTAL-1): none for a
 * donor living in the city or for portals that ship themselves; otherwise one
 * per gift line, and one per delivery of a 定期便, the later ones spaced by the
 * gift's interval from the first shippable date.
 */
export function planShipments(lines: GiftLineForPlan[], ctx: { paidOn: string; recordOnlyPortal: boolean; resident: boolean }): ShipmentPlan {
  if (!lines.length) return { fulfilment: 'ship', shipments: [] };
  if (ctx.recordOnlyPortal) return { fulfilment: 'portal_ships', reason: 'the portal ships this gift itself', shipments: [] };
  if (ctx.resident) return { fulfilment: 'no_gift_resident', reason: '柳川市内にお住まいの方には返礼品をお送りできません (SHIP-6)', shipments: [] };
  const shipments: PlannedShipment[] = [];
  for (const line of lines) {
    const first = firstShippableDate(ctx.paidOn, line.shipMonths);
    for (let n = 1; n <= line.deliveries; n++) {
      shipments.push({
        giftLineId: line.giftLineId,
        giftCode: line.giftCode,
        deliveryNo: n,
        deliveries: line.deliveries,
        notBefore: n === 1 ? first : addDays(first, (n - 1) * (line.intervalDays ?? 30)),
      });
    }
  }
  return { fulfilment: 'ship', shipments };
}
