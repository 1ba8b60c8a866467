import type { Mailer } from '../../activities/mail/mailer';
import { registerDonation } from '../../ledger/donations';
import { registerApplication, type StoredContent } from '../../ledger/onestop';
import type { SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';
import { newDonation } from '../support/factory';
import { jstDate } from '../../domain/jst';

export type OneStopSuite = TestApi & { ctx: SuiteContext };

/**
 * A suite with the API and a worker whose one-stop activities use the suite's own folders (drop
 * folder, scan folder under its temporary data directory), and its SMTP sink unless `opts.mailer`
 * replaces the worker's mailer.
 */
export async function oneStopSuite(name: string, env: Record<string, string> = {}, opts: { mailer?: Mailer } = {}): Promise<OneStopSuite> {
  const { ctx, api } = await apiSuite(name, { env });
  await ctx.startWorker({ deps: opts.mailer ? { mailer: opts.mailer } : {} });
  return { ...api, ctx };
}

/**
 * Puts `actor` on the MYNUM-1 register, cleared today: the city told, pledge signed, trained, valid a
 * year. Idempotent (an upsert), so suites sharing the ledger may each call it.
 */
export async function clearHandler(api: TestApi, actor: string, overrides: Record<string, unknown> = {}) {
  const today = jstDate(new Date());
  const res = await api.put(`/mynumber/handlers/${actor}`, { name: `取扱者 ${actor}`, kind: 'handler', cityNotifiedOn: today, pledgeSignedOn: today, trainedOn: today, validUntil: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`, ...overrides }, 'admin');
  if (res.statusCode !== 200) throw new Error(`registering ${actor} as a handler: ${res.statusCode} ${res.body}`);
  return res.json().handler;
}

export interface Donor {
  name: string;
  nameKana: string;
  prefecture: string;
  /** As in the donor ledger: without the prefecture. */
  address: string;
  postalCode?: string;
}

/**
 * A donation of `appliedAt` and its application straight into the ledger, then
 * set to `status` (the review itself is proved elsewhere).
 */
export async function seedApplication(
  ctx: SuiteContext,
  donor: Donor,
  opts: { appliedAt: string; myNumber: string; status?: 'accepted' | 'deficient'; amountYen?: number; content?: Partial<StoredContent>; scanRef?: string },
) {
  const amountYen = opts.amountYen ?? 10_000;
  const { donation } = await registerDonation(
    ctx.orm.em.fork(),
    newDonation(ctx.prefix, {
      donor: { name: donor.name, nameKana: donor.nameKana, postalCode: donor.postalCode ?? '100-0001', prefecture: donor.prefecture, address: donor.address, phone: '03-0000-0000' },
      amountYen,
      appliedAt: opts.appliedAt,
    }),
    'test:setup',
  );
  const { application } = await registerApplication(
    ctx.orm.em.getKnex(),
    ctx.config.myNumber!,
    {
      donation: { donationId: donation.id },
      channel: 'paper',
      arrivedOn: opts.appliedAt.slice(0, 10),
      scanRef: opts.scanRef ?? `scan://onestop/${donation.id}.pdf`,
      content: {
        formVersion: 'current',
        name: donor.name,
        nameKana: donor.nameKana,
        address: `${donor.prefecture}${donor.address}`,
        postalCode: donor.postalCode ?? '100-0001',
        birthDate: '1980-04-01',
        donationDate: opts.appliedAt.slice(0, 10),
        amountYen,
        checkboxes: { first: true, second: true },
        attachments: [{ kind: 'my_number_card' }],
        ...opts.content,
      },
      myNumber: opts.myNumber,
    },
    'test:operator',
  );
  await ctx.orm.em.getKnex()('onestop_applications').where('id', application.id).update({ status: opts.status ?? 'accepted' });
  return { donation, application };
}

/**
 * ONESTOP-3: records the city's approval of electronic applications through jichitai-mypage, as the
 * city. Suites sharing the ledger may each call it (a new approval replaces the open one).
 */
export async function approveOnlineIntake(api: TestApi, services: string[] = ['jichitai-mypage']) {
  const res = await api.post('/onestop/online-intake/approval', { services, note: 'test suite' }, 'city');
  if (res.statusCode !== 201) throw new Error(`recording the online intake approval: ${res.statusCode} ${res.body}`);
  return res.json().approval;
}
