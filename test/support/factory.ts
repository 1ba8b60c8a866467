import { randomUUID } from 'node:crypto';
import type { NewDonation } from '../../ledger/donations';

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
