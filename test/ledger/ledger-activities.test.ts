import { createLedgerActivities } from '../../activities/donation/ledger';
import { Donation, DonationEvent } from '../../ledger/entities';
import { registerDonation } from '../../ledger/donations';
import { createOrm, type Orm } from '../../ledger/orm';
import { required } from '../support/context';
import { newDonation } from '../support/factory';

/** Temporal may run an activity twice (a worker dies before reporting): the ledger must change once. */
let orm: Orm;
const prefix = `ledger-acts-${Date.now()}`;

beforeAll(async () => {
  orm = await createOrm(required('TEST_DATABASE_URL'), { poolMax: 2 });
});

afterAll(async () => {
  await orm?.close();
});

test('a repeated transition with the same key writes one event and no second change', async () => {
  const ledger = createLedgerActivities({ orm });
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix), 'operator:test');
  const step = { donationId: donation.id, from: 'received' as const, to: 'awaiting_payment' as const, at: new Date().toISOString(), actor: 'system:intake', key: `${prefix}#1` };
  await ledger.recordTransition(step);
  await ledger.recordTransition({ ...step, to: 'cancelled' });
  const events = await orm.em.fork().find(DonationEvent, { donation: donation.id, kind: 'transition' });
  expect(events.map((e) => e.toStatus)).toEqual(['awaiting_payment']);
  expect((await orm.em.fork().findOneOrFail(Donation, { id: donation.id })).status).toBe('awaiting_payment');
});

test('a repeated donor correction answers with the first attempt\'s event', async () => {
  const ledger = createLedgerActivities({ orm });
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix), 'operator:test');
  const correction = { donationId: donation.id, changes: { phone: '0944-22-3333' }, actor: 'operator:sato', reason: '電話', at: new Date().toISOString(), key: `${prefix}#c` };
  const first = await ledger.applyDonorCorrection(correction);
  const again = await ledger.applyDonorCorrection({ ...correction, changes: { phone: '0944-99-9999' } });
  expect(again).toEqual(first);
  expect(first.changed).toEqual(['phone']);
  const row = await orm.em.fork().findOneOrFail(Donation, { id: donation.id }, { populate: ['donor'] });
  expect(row.donor.phone).toBe('0944-22-3333');
  expect(await orm.em.fork().count(DonationEvent, { donation: donation.id, kind: 'donor_correction' })).toBe(1);
});

test('a repeated 送付先 correction answers with the first attempt\'s event and changes nothing', async () => {
  const ledger = createLedgerActivities({ orm });
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix), 'operator:test');
  const shipTo = { name: '柳川 花子', nameKana: '', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前3-3-3' };
  const correction = { donationId: donation.id, shipTo, actor: 'operator:sato', reason: '電話', at: new Date().toISOString(), key: `${prefix}#s` };
  const first = await ledger.correctShipTo(correction);
  expect(first).toEqual({ before: null, after: shipTo });
  const again = await ledger.correctShipTo({ ...correction, shipTo: null });
  expect(again).toEqual(first);
  const [row] = await orm.em.getKnex()('donation_ship_to').where({ donation_id: donation.id }).select('postal_code');
  expect(row).toEqual({ postal_code: '812-0011' });
  expect(await orm.em.fork().count(DonationEvent, { donation: donation.id, kind: 'ship_to_corrected' })).toBe(1);
});
