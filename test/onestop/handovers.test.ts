import { randomUUID } from 'node:crypto';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';

/**
 * MYNUM-4 (特記11): the 申告特例通知書 package reaches the city only as the city designated — means,
 * date, place — with the package's checksum recorded at hand-over and quoted back by the city.
 */
let ctx: SuiteContext;
let api: TestApi;
const YEAR = 2019;
const MANIFEST = 'a'.repeat(64);

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('handovers'));
});
afterAll(() => api?.close());

test('designated by the city, handed over with the package checksum, confirmed by the city quoting it', async () => {
  const designate = (as: string) => api.post('/mynumber/handovers', { donationYear: YEAR, means: 'LGWAN ファイル授受', plannedOn: '2020-01-25', place: '柳川市役所 税務課' }, as);
  expect((await designate('operator')).statusCode).toBe(403);
  const designated = await designate('city');
  expect(designated.statusCode).toBe(201);
  const h = designated.json().handover;
  expect(h).toMatchObject({ donationYear: YEAR, means: 'LGWAN ファイル授受', plannedOn: '2020-01-25', designatedBy: 'city:shiyakusho', status: 'designated', packageSha256: null });

  // No ONESTOP-4 run for the year yet: nothing to hand over.
  const early = await api.post(`/mynumber/handovers/${h.id}/handed-over`, { receiver: '税務課 佐藤' }, 'operator');
  expect(early.statusCode).toBe(409);
  expect(early.json().message).toContain('run ONESTOP-4 first');

  await ctx.orm.em.getKnex()('onestop_notification_runs').insert({
    id: randomUUID(), donation_year: YEAR, delivery_dir: '/tmp/none', manifest_sha256: MANIFEST, files: JSON.stringify([{ name: 'a.csv' }, { name: 'b.csv' }]),
    applications: 12, total_yen: 240_000, problems: 0, undecided: 0, requested_by: 'system:test', workflow_id: 'test',
  });
  expect((await api.post(`/mynumber/handovers/${h.id}/confirmation`, { packageSha256: MANIFEST }, 'city')).statusCode).toBe(409);

  // The package left as a MYNUM-2 export: the hand-over names it; an export of another year (or none) is refused at exportId.
  const exportOf = async (donationYear: number) => {
    const id = randomUUID();
    await ctx.orm.em.getKnex()('mynumber_exports').insert({
      id, donation_year: donationYear, actor: 'admin:root', role: 'admin', terminal: '127.0.0.1', destination: 'LGWAN ファイル授受', purpose: '申告特例通知書の送付',
      files: 2, applications: 12, recipient_key: 'f'.repeat(40), package_file: `/tmp/none/mynumber-export-${id}.tar.gpg`, size_bytes: 100, sha256: 'c'.repeat(64),
    });
    return id;
  };
  const exportId = await exportOf(YEAR);
  for (const other of [await exportOf(YEAR + 1), randomUUID()]) {
    const refused = await api.post(`/mynumber/handovers/${h.id}/handed-over`, { receiver: '税務課 佐藤', exportId: other }, 'operator');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().fields[0].field).toBe('exportId');
  }

  const handed = await api.post(`/mynumber/handovers/${h.id}/handed-over`, { receiver: '税務課 佐藤', exportId }, 'operator');
  expect(handed.statusCode).toBe(200);
  expect(handed.json().handover).toMatchObject({ status: 'handed_over', packageSha256: MANIFEST, packageApplications: 12, packageFiles: 2, receiver: '税務課 佐藤', handedOverBy: 'operator:tanaka', exportId });
  expect((await api.post(`/mynumber/handovers/${h.id}/handed-over`, { receiver: '別人' }, 'operator')).statusCode).toBe(409);

  const wrong = await api.post(`/mynumber/handovers/${h.id}/confirmation`, { packageSha256: 'b'.repeat(64) }, 'city');
  expect(wrong.statusCode).toBe(409);
  expect(wrong.json().message).toContain('does not match');
  const confirmed = await api.post(`/mynumber/handovers/${h.id}/confirmation`, { packageSha256: MANIFEST }, 'city');
  expect(confirmed.json().handover).toMatchObject({ status: 'confirmed', confirmedBy: 'city:shiyakusho' });
  expect((await api.post(`/mynumber/handovers/${h.id}/confirmation`, { packageSha256: MANIFEST }, 'city')).statusCode).toBe(409);

  expect((await api.get('/mynumber/handovers', 'admin')).json().handovers.find((x: { id: string }) => x.id === h.id).status).toBe('confirmed');
  expect((await api.post('/mynumber/handovers', { donationYear: 1999, means: 'x', plannedOn: '2020-01-25', place: 'y' }, 'city')).statusCode).toBe(400);
  expect((await api.post(`/mynumber/handovers/${randomUUID()}/handed-over`, { receiver: 'x' }, 'operator')).statusCode).toBe(404);
});
