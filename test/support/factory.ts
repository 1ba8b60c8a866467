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
