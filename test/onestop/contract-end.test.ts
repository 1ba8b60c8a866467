import { randomUUID } from 'node:crypto';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import { eventually } from '../support/context';
import { oneStopSuite, seedApplication, type OneStopSuite } from './support';

/**
 * MYNUM-5 (特記12) at the end of the contract, through the API, the real retention workflow and the
 * real ledger: the city directs per donation year return or destruction; the year to be returned
 * leaves as a MYNUM-2 export recorded by a MYNUM-4 handover that names it and that the city confirms;
 * only then does the city's consent to the one destruction of the system's copy pass; the final
 * report says what went where. The years (2012, 2013) are this suite's own: their applications stay
 * `deficient`, so no retention proposal of another suite takes them. The export's encryption is
 * proved in mynumber-export.test.ts; here its register entry is written as the export writes it.
 */
let s: OneStopSuite;
const knex = () => s.ctx.orm.em.getKnex();
const number = (first11: string) => first11 + myNumberCheckDigit(first11);
const DESTROY_YEAR = 2012;
const RETURN_YEAR = 2013;
const NUMBERS = [number('82000000001'), number('82000000002')];
const NAMES = ['終了 廃棄子', '終了 返却子'];

beforeAll(async () => {
  s = await oneStopSuite('contract-end');
});
afterAll(async () => {
  await s?.close();
});

async function applicationOf(year: number, name: string, myNumber: string): Promise<string> {
  const { application } = await seedApplication(s.ctx, { name, nameKana: 'シュウリョウ', prefecture: '福岡県', address: '柳川市本町1' }, { appliedAt: '2026-11-20T01:00:00.000Z', myNumber, status: 'deficient' });
  await knex()('onestop_applications').where('id', application.id).update({ deadline_on: `${year + 1}-01-10` });
  return application.id;
}

test('the city directs return or destruction per year; a return leaves as an export with a confirmed handover; then one consented destruction erases the rest; the final report says what went where', async () => {
  const destroyId = await applicationOf(DESTROY_YEAR, NAMES[0], NUMBERS[0]);
  const returnId = await applicationOf(RETURN_YEAR, NAMES[1], NUMBERS[1]);
  const direction = {
    directions: [{ donationYear: DESTROY_YEAR, action: 'destroy' }, { donationYear: RETURN_YEAR, action: 'return' }],
    reason: '委託契約の終了 (令和8年度末) に伴う市の指示',
    physicalMedia: [{ kind: 'paper', description: '2012・2013年分 申告特例申請書 原本', count: 2 }],
  };

  // Only the city directs; bad input is refused naming the field.
  expect((await s.post('/mynumber/contract-end', direction, 'admin')).statusCode).toBe(403);
  for (const [body, field] of [
    [{ ...direction, directions: [{ donationYear: DESTROY_YEAR, action: 'destroy' }, { donationYear: DESTROY_YEAR, action: 'return' }] }, 'directions'],
    [{ directions: direction.directions }, 'reason'],
    [{ ...direction, directions: [{ donationYear: DESTROY_YEAR, action: 'keep' }] }, 'action'],
  ] as const) {
    const refused = await s.post('/mynumber/contract-end', body, 'city');
    expect([field, refused.statusCode]).toEqual([field, 400]);
    expect(JSON.stringify(refused.json().fields)).toContain(field);
  }

  const directed = await s.post('/mynumber/contract-end', direction, 'city');
  expect(directed.statusCode).toBe(201);
  const { contractEnd } = directed.json();
  expect(directed.json().applications).toBe(2);
  expect(contractEnd).toMatchObject({ directions: direction.directions, directedBy: 'city:shiyakusho' });
  expect((await s.post('/mynumber/contract-end', { ...direction, directions: [{ donationYear: DESTROY_YEAR, action: 'return' }] }, 'city')).statusCode).toBe(409);

  const state = async () => (await s.get(`/mynumber/contract-end/${contractEnd.id}`, 'city')).json();
  const before = await state();
  expect(before.destruction).toMatchObject({ id: contractEnd.destructionId, status: 'proposed', purpose: 'contract_end', count: 2, applicationIds: expect.arrayContaining([destroyId, returnId]) });
  expect(before.years).toEqual([
    { donationYear: DESTROY_YEAR, action: 'destroy', applications: 1, remaining: 1, returned: null },
    { donationYear: RETURN_YEAR, action: 'return', applications: 1, remaining: 1, returned: null },
  ]);

  // Nothing is erased before the city holds its copy of the year to be returned.
  const decide = () => s.post(`/onestop/retention/destructions/${contractEnd.destructionId}/decision`, { approve: true, reason: '契約終了の指示どおり', witness: '税務課 山本' }, 'city');
  const early = await decide();
  expect(early.statusCode).toBe(409);
  expect(early.json().message).toContain(`${RETURN_YEAR}`);

  // The return: the year's package leaves as a MYNUM-2 export, handed over naming it, confirmed by the city.
  const manifest = 'd'.repeat(64);
  await knex()('onestop_notification_runs').insert({
    id: randomUUID(), donation_year: RETURN_YEAR, delivery_dir: '/tmp/none', manifest_sha256: manifest, files: JSON.stringify([{ name: 'a.csv' }]),
    applications: 1, total_yen: 10_000, problems: 0, undecided: 0, requested_by: 'system:test', workflow_id: 'test',
  });
  const registered = async (includeScans: boolean) => {
    const exportId = randomUUID();
    await knex()('mynumber_exports').insert({
      id: exportId, donation_year: RETURN_YEAR, actor: 'admin:root', role: 'admin', terminal: '127.0.0.1', destination: '柳川市役所 税務課 (暗号化媒体の手渡し)', purpose: '契約終了に伴う返却',
      files: 1, applications: 1, include_scans: includeScans, scans: includeScans ? 1 : 0, recipient_key: 'f'.repeat(40), package_file: `/tmp/none/mynumber-export-${exportId}.tar.gpg`, size_bytes: 100, sha256: 'e'.repeat(64),
    });
    return exportId;
  };
  const handOver = async (exportId: string) => {
    const handover = (await s.post('/mynumber/handovers', { donationYear: RETURN_YEAR, means: '暗号化媒体の手渡し', plannedOn: '2027-03-25', place: '柳川市役所 税務課' }, 'city')).json().handover;
    expect((await s.post(`/mynumber/handovers/${handover.id}/handed-over`, { receiver: '税務課 佐藤', exportId }, 'operator')).statusCode).toBe(200);
    return handover;
  };
  // A package without the scans is not a whole return: the 申請書 images carry the numbers too.
  const withoutScans = await handOver(await registered(false));
  expect((await s.post(`/mynumber/handovers/${withoutScans.id}/confirmation`, { packageSha256: manifest }, 'city')).statusCode).toBe(200);
  const partial = await decide();
  expect(partial.statusCode).toBe(409);
  expect(partial.json().message).toContain('includeScans');
  const exportId = await registered(true);
  const handover = await handOver(exportId);
  expect((await decide()).statusCode).toBe(409); // handed over, not yet confirmed
  expect((await s.post(`/mynumber/handovers/${handover.id}/confirmation`, { packageSha256: manifest }, 'city')).statusCode).toBe(200);

  expect((await decide()).statusCode).toBe(202);
  const done = await eventually(() => s.get(`/onestop/retention/destructions/${contractEnd.destructionId}`, 'city').then((r) => r.json()), (d) => d.status === 'done' && d.report?.imageFiles, 60_000);
  for (const id of [destroyId, returnId]) {
    const row = await knex()('onestop_applications').where({ id }).first('my_number_sealed', 'my_number_destroyed_at', 'personal_data_purged_at');
    expect(row).toMatchObject({ my_number_sealed: null, my_number_destroyed_at: expect.anything(), personal_data_purged_at: expect.anything() });
  }
  const medium = await s.post(`/onestop/retention/destructions/${contractEnd.destructionId}/physical-media`, { medium: 0, method: '溶解処理', destroyedBy: '株式会社サンプル環境', destroyedAt: done.decidedAt, witness: '税務課 山本', certificate: '溶解証明書 No. 2027-0001' }, 'admin');
  expect(medium.statusCode).toBe(201);

  const after = await state();
  expect(after.years).toEqual([
    { donationYear: DESTROY_YEAR, action: 'destroy', applications: 1, remaining: 0, returned: null },
    { donationYear: RETURN_YEAR, action: 'return', applications: 1, remaining: 0, returned: expect.objectContaining({ exportId, handoverId: handover.id, packageSha256: manifest, receiver: '税務課 佐藤', confirmedBy: 'city:shiyakusho' }) },
  ]);
  expect(after.notDirected.map((y: { donationYear: number }) => y.donationYear)).not.toContain(DESTROY_YEAR);

  const report = (await s.get(`/mynumber/contract-end/${contractEnd.id}/report.txt`, 'city')).body;
  expect(report).toContain('契約終了に伴う特定個人情報等の返却・廃棄 最終報告書');
  expect(report).toContain(`■ ${DESTROY_YEAR}年分 (申請 1 件): 市の指示 廃棄`);
  expect(report).toContain(`■ ${RETURN_YEAR}年分 (申請 1 件): 市の指示 返却`);
  expect(report).toContain(`暗号化持出し ${exportId} (MYNUM-2) を受渡し ${handover.id} (MYNUM-4) で 税務課 佐藤 へ`);
  expect(report).toContain(`本システム上の消去: 廃棄 ${contractEnd.destructionId}、残り 0 件 (完了)`);
  expect(report).toContain('2012・2013年分 申告特例申請書 原本 2 点: 廃棄済み (証明書 溶解証明書 No. 2027-0001)');
  const written = (await s.get(`/onestop/retention/destructions/${contractEnd.destructionId}/report.txt`, 'city')).body;
  expect(written).toContain('契約終了に伴う特定個人情報等の廃棄 (消去) 報告書');
  for (const secret of [...NUMBERS, ...NAMES]) expect([secret, report.includes(secret) || written.includes(secret) || JSON.stringify(after).includes(secret)]).toEqual([secret, false]);
});
