import type { SuiteContext } from '../support/context';
import { apiSuite, type Caller, type TestApi } from '../support/api';

/** The gift the portal fixtures order (test/fixtures/portals, うなぎのせいろ蒸し ¥20,000), on sale under `code`; a second call changes nothing. */
export async function ensureFixtureGift(ctx: SuiteContext, code: string): Promise<void> {
  await ctx.orm.em.fork().getKnex()('gifts').insert({ code, name: 'うなぎのせいろ蒸し', price_yen: 20_000, active: true }).onConflict('code').ignore();
}

export interface IntakeSuite {
  ctx: SuiteContext;
  api: TestApi;
  /** POST /intake/imports?portal=… with the file, as `as` (an operator unless named). */
  upload(portal: string, fileName: string, bytes: Buffer, as?: Caller): ReturnType<TestApi['upload']>;
}

/** An intake suite: its context with a worker, the API, and the fixtures' gift under `giftCode`. */
export async function intakeSuite(suite: string, giftCode: string): Promise<IntakeSuite> {
  const { ctx, api } = await apiSuite(suite, { worker: true });
  await ensureFixtureGift(ctx, giftCode);
  return { ctx, api, upload: (portal, fileName, bytes, as = 'operator') => api.upload(`/intake/imports?portal=${portal}`, fileName, bytes, as) };
}

/**
 * An intake suite set up before its tests and closed after them (jest's beforeAll / afterAll, registered here):
 * its fields are there from the first test on.
 */
export function intakeSuiteHooks(suite: string, giftCode: string): IntakeSuite {
  const s = {} as IntakeSuite;
  beforeAll(async () => {
    Object.assign(s, await intakeSuite(suite, giftCode));
  });
  afterAll(() => s.api?.close());
  return s;
}
