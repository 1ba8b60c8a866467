import type { Knex } from 'knex';
import { SUPPLIER_COUNT, type SeasonGift } from './plan';

/**
 * The season's catalogue: suppliers that each ship twice a week (SHIP-2; ISO weekdays) with their
 * carrier, and their gifts, as the city has approved them. Written as bench:ship writes its own.
 */
const WEEKDAYS = ['{2,5}', '{1,4}', '{3,6}'];
const CARRIERS = ['yamato_b2', 'sagawa_ehiden', 'japanpost_yupri'];

export const supplierCode = (k: number) => `season-s${k + 1}`;

export async function seedCatalogue(knex: Knex, gifts: SeasonGift[]): Promise<void> {
  const ids: number[] = [];
  for (let k = 0; k < SUPPLIER_COUNT; k++) {
    const [{ id }] = await knex('suppliers')
      .insert({
        code: supplierCode(k),
        name: `柳川物産 第${k + 1}工房`,
        email: `orders@season-s${k + 1}.example.jp`,
        phone: `0944-72-${String(1000 + k)}`,
        postal_code: '8320021',
        address: `福岡県柳川市坂本町${k + 1}-1`,
        shipping_weekdays: WEEKDAYS[k % WEEKDAYS.length],
        rules_acknowledged_at: new Date(),
        rules_acknowledged_by: 'operator:season',
        default_carrier: CARRIERS[k % CARRIERS.length],
      })
      .onConflict('code')
      .merge()
      .returning('id');
    ids.push(id);
  }
  await knex('gifts')
    .insert(gifts.map((g) => ({ code: g.code, name: g.name, supplier_id: ids[g.supplier], price_yen: g.priceYen, cost_yen: Math.floor(g.priceYen * 0.28), shipping_cost_yen: 900, temperature: 'ambient', active: true })))
    .onConflict('code')
    .merge();
}

/** ISO weekdays (1 = Monday) a supplier of the season ships on. */
export function shippingWeekdays(k: number): number[] {
  return WEEKDAYS[k % WEEKDAYS.length].slice(1, -1).split(',').map(Number);
}
