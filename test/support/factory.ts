import { randomUUID } from 'node:crypto';
import { jstDate } from '../../domain/jst';
import type { NewDonation } from '../../ledger/donations';
import type { SuiteContext } from './context';

let counter = 0;

/** A made-up donor and donation; every call has a fresh portal order number under the suite's prefix. */
export function newDonation(prefix: string, overrides: Partial<NewDonation> = {}): NewDonation {
  counter += 1;
  return {
    portal: 'choice',
    portalOrderId: `${prefix}-${counter}-${randomUUID().slice(0, 4)}`,
    channel: 'portal',
    donor: {
      name: '山田 花子',
      nameKana: 'ヤマダ ハナコ',
      postalCode: '100-0001',
      prefecture: '東京都',
      address: '千代田区千代田1-1',
      phone: '03-1234-5678',
      email: 'hanako@example.jp',
    },
    amountYen: 10_000,
    paymentMethod: 'bank_transfer',
    appliedAt: '2026-11-20T01:00:00.000Z',
    wantsOneStop: true,
    disasterRelief: false,
    gifts: [],
    ...overrides,
  };
}

/** The one-stop suites' applicant (大谷 翔平 of 柳川) as a donor: 30,000 yen applied for on Nov 20 of `year` (JST). */
export function oneStopDonation(prefix: string, year: number, overrides: Partial<NewDonation> = {}): NewDonation {
  const donor = { name: '大谷 翔平', nameKana: 'オオタニ ショウヘイ', postalCode: '832-0045', prefecture: '福岡県', address: '柳川市本町87-1', phone: '0944-00-0000' };
  return newDonation(prefix, { donor, amountYen: 30_000, appliedAt: `${year}-11-20T01:00:00.000Z`, ...overrides });
}

/** That donor's paper 申告特例申請書 (ONESTOP-1), arrived Dec 1 of `year`, with the card's copy enclosed; `overrides` replace fields. */
export function paperApplication(donationId: string, year: number, myNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    donationId,
    arrivedOn: `${year}-12-01`,
    scanRef: `scan://onestop/${donationId}.pdf`,
    formVersion: 'current',
    applicant: { name: '大谷 翔平', nameKana: 'オオタニ ショウヘイ', postalCode: '832-0045', address: '福岡県柳川市本町87-1', birthDate: '1994-07-05' },
    myNumber,
    donationDate: `${year}-11-20`,
    amountYen: 30_000,
    checkboxes: { first: true, second: true },
    attachments: [{ kind: 'my_number_card' }],
    ...overrides,
  };
}

/**
 * A supplier that ships every day (so the suite's "today" is always one of its shipping days), rules acknowledged
 * and Yamato B2 its carrier, with one ambient ¥10,000 gift, both named under `prefix` and a fresh run; and the one
 * instant the suite's donations are paid at, with its JST day that the orders run for. One instant, because a gift
 * waits until the day it was paid: a suite running across midnight in Japan would otherwise order for a day its
 * later gifts have not reached.
 */
export function dailyFarm(prefix: string) {
  const run = randomUUID().slice(0, 6);
  const paidAt = new Date().toISOString();
  return { run, code: `${prefix}-farm-${run}`, gift: `${prefix}-gift-${run}`, paidAt, today: jstDate(new Date(paidAt)) };
}

export type DailyFarm = ReturnType<typeof dailyFarm>;

/** Puts the farm and its gift in the suite's ledger; `supplier` and `gift` are the columns that set this suite's apart (name, address, …). */
export async function insertDailyFarm(ctx: SuiteContext, farm: DailyFarm, supplier: Record<string, unknown>, gift: Record<string, unknown>): Promise<void> {
  const knex = ctx.orm.em.getKnex();
  const [{ id }] = await knex('suppliers')
    .insert({ code: farm.code, email: `orders@${farm.code}.example.jp`, postal_code: '8320021', shipping_weekdays: '{1,2,3,4,5,6,7}', rules_acknowledged_at: new Date(), rules_acknowledged_by: 'operator:tanaka', default_carrier: 'yamato_b2', ...supplier })
    .returning('id');
  await knex('gifts').insert({ code: farm.gift, supplier_id: id, price_yen: 10_000, cost_yen: 3_000, shipping_cost_yen: 800, temperature: 'ambient', active: true, ...gift });
}
