import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { oneStopActivitySettings } from '../../activities/onestop/onestop';
import { activityDepsFromConfig } from '../../activities/deps';
import type { Mailer } from '../../activities/mail/mailer';
import { buildApi } from '../../api/server';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';
import { registerDonation } from '../../ledger/donations';
import { registerApplication, type StoredContent } from '../../ledger/onestop';
import { createWorker } from '../../worker/create-worker';
import { required, suiteContext, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';

export const TOKENS = 'operator:tanaka:operator-token-0001,city:shiyakusho:city-token-00000001,supplier:farm:supplier-token-0001,admin:root:admin-token-00000001';
export type RoleName = 'operator' | 'city' | 'supplier' | 'admin';
const TOKEN_OF: Record<RoleName, string> = { operator: 'operator-token-0001', city: 'city-token-00000001', supplier: 'supplier-token-0001', admin: 'admin-token-00000001' };

export interface OneStopSuite {
  ctx: SuiteContext;
  app: FastifyInstance;
  post(url: string, payload: unknown, role?: RoleName): Promise<LightMyRequestResponse>;
  put(url: string, payload: unknown, role?: RoleName): Promise<LightMyRequestResponse>;
  get(url: string, role?: RoleName): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * A suite with the API and a worker whose one-stop activities use the suite's
 * own folders (drop folder, scan folder under its temporary data directory),
 * and its SMTP sink unless `opts.mailer` replaces the worker's mailer.
 */
export async function oneStopSuite(name: string, env: Record<string, string> = {}, opts: { mailer?: Mailer } = {}): Promise<OneStopSuite> {
  const ctx = await suiteContext(name, { API_TOKENS: TOKENS, ...env });
  const deps = activityDepsFromConfig(ctx.config, ctx.orm, ctx.client);
  const worker = await createWorker({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue: ctx.taskQueue,
    deps: { ...deps.deps, ...(opts.mailer ? { mailer: opts.mailer } : {}), onestop: oneStopActivitySettings(ctx.config) },
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
    options: { dataConverter: temporalDataConverter(ctx.config.myNumber!) },
  });
  const running = worker.run();
  const app = await buildApi({ config: ctx.config, orm: ctx.orm, temporal: ctx.client, logger: false });
  const auth = (role: RoleName) => ({ authorization: `Bearer ${TOKEN_OF[role]}` });
  return {
    ctx,
    app,
    post: (url, payload, role = 'operator') => app.inject({ method: 'POST', url, payload: payload as object, headers: auth(role) }),
    put: (url, payload, role = 'operator') => app.inject({ method: 'PUT', url, payload: payload as object, headers: auth(role) }),
    get: (url, role = 'operator') => app.inject({ method: 'GET', url, headers: auth(role) }),
    async close() {
      await app.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await deps.close();
      await ctx.close();
    },
  };
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
