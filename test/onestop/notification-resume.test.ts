import fs from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createOneStopActivities, oneStopActivitySettings, type NotificationDelivery } from '../../activities/onestop/onestop';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import { readNoticeFile } from '../../domain/onestop/eltax';
import { suiteContext, type SuiteContext } from '../support/context';
import { seedApplication } from './support';

/**
 * Issue 14 (6) for the yearly 申告特例通知書 delivery (ONESTOP-4): the activity writes one municipality
 * at a time and heartbeats `{ lastCode }`; an attempt that fails part-way (here: the second
 * municipality's file cannot be written) is retried from that heartbeat. The files written before
 * the failure are taken as they are: their numbers are not opened or logged again, and the
 * delivery ends with the same bytes and manifest as a run that never failed. Donation year 2023 is
 * this suite's own.
 */
let ctx: SuiteContext;
const YEAR = 2023;
const APPLIED = '2023-11-20T01:00:00.000Z';
const number = (first11: string) => first11 + myNumberCheckDigit(first11);

beforeAll(async () => {
  ctx = await suiteContext('onestop-resume');
});

afterAll(async () => {
  await ctx?.close();
});

test('a delivery that fails after its first municipality resumes from the heartbeat: earlier files kept, numbers not opened twice, same manifest', async () => {
  const ids: Record<string, string[]> = { chiyoda: [], fukuoka: [], oki: [] };
  const seed = async (key: keyof typeof ids, n: string, donor: Parameters<typeof seedApplication>[1]) => {
    const { application } = await seedApplication(ctx, donor, { appliedAt: APPLIED, myNumber: number(n), amountYen: 10_000 + ids[key].length * 1_000 });
    ids[key].push(application.id);
  };
  await seed('chiyoda', '80000000001', { name: '千代田 一郎', nameKana: 'チヨダ イチロウ', prefecture: '東京都', address: '千代田区千代田1-1' });
  await seed('chiyoda', '80000000002', { name: '永田 二郎', nameKana: 'ナガタ ジロウ', prefecture: '東京都', address: '千代田区永田町1-7-1' });
  await seed('fukuoka', '80000000003', { name: '天神 花子', nameKana: 'テンジン ハナコ', prefecture: '福岡県', address: '福岡市中央区天神1-8-1' });
  await seed('oki', '80000000004', { name: '大木 太郎', nameKana: 'オオキ タロウ', prefecture: '福岡県', address: '三潴郡大木町大字八町牟田255-1' });

  const settings = oneStopActivitySettings(ctx.config);
  const activities = createOneStopActivities({ orm: ctx.orm, onestop: settings, sendMail: async () => ({ status: 'sent' }) as never });
  const assigned = await new MockActivityEnvironment().run(activities.assignOneStopNotifications, { donationYear: YEAR });
  expect(assigned).toMatchObject({ applications: 4, matched: 4, municipalities: 3 });
  const dir = path.join(settings.deliveryDir, String(YEAR));
  const input = { donationYear: YEAR, requestedBy: 'operator:test', workflowId: 'test/onestop-resume', undecided: 0 };
  const reads = async (applicationIds: string[]) =>
    Number((await ctx.orm.em.getKnex()('my_number_access_log').whereIn('application_id', applicationIds).count('* as n'))[0].n);

  // The second municipality in code order (福岡市 401307) cannot be written: a folder stands where its file goes.
  const blocked = path.join(dir, `onestop-${YEAR}-401307.txt`);
  fs.mkdirSync(blocked, { recursive: true });
  const first = new MockActivityEnvironment({ attempt: 1 });
  const beats: unknown[] = [];
  first.on('heartbeat', (d) => beats.push(d));
  await expect(first.run(activities.deliverOneStopNotifications, input)).rejects.toThrow();
  const last = beats[beats.length - 1] as { lastCode: string; files: number; applications: number };
  expect(last).toMatchObject({ lastCode: '131016', files: 1, applications: 2 });
  // Heartbeats are counts and a code, whatever the year's size.
  expect(Math.max(...beats.map((b) => Buffer.byteLength(JSON.stringify(b))))).toBeLessThan(200);
  const chiyoda = fs.readFileSync(path.join(dir, `onestop-${YEAR}-131016.txt`));
  const chiyodaWrittenAt = fs.statSync(path.join(dir, `onestop-${YEAR}-131016.txt`)).mtimeMs;
  expect(fs.existsSync(path.join(dir, 'manifest.csv'))).toBe(false);
  expect(await reads(ids.chiyoda)).toBe(2);

  // The retry: from the heartbeat, after the obstacle is gone.
  fs.rmSync(blocked, { recursive: true });
  const second = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: last });
  const resumed: NotificationDelivery = await second.run(activities.deliverOneStopNotifications, input);
  expect(resumed).toMatchObject({ created: true, files: 3, applications: 4, totalYen: 10_000 + 11_000 + 10_000 + 10_000, problems: 0 });
  // 千代田区's file was kept as written, its numbers neither opened nor logged again.
  expect(fs.readFileSync(path.join(dir, `onestop-${YEAR}-131016.txt`)).equals(chiyoda)).toBe(true);
  expect(fs.statSync(path.join(dir, `onestop-${YEAR}-131016.txt`)).mtimeMs).toBe(chiyodaWrittenAt);
  expect(await reads(ids.chiyoda)).toBe(2);
  expect(await reads(ids.oki)).toBe(1);
  expect(readNoticeFile(fs.readFileSync(path.join(dir, `onestop-${YEAR}-131016.txt`))).map((r) => r.myNumber).sort()).toEqual([number('80000000001'), number('80000000002')]);
  // The result is counts, codes and hashes only.
  expect(Buffer.byteLength(JSON.stringify(resumed))).toBeLessThan(1_024);

  // A run from the start on the same ledger writes the same bytes: the same manifest, no second delivery.
  const again: NotificationDelivery = await new MockActivityEnvironment().run(activities.deliverOneStopNotifications, input);
  expect(again).toMatchObject({ created: false, runId: resumed.runId, manifestSha256: resumed.manifestSha256 });

  // A heartbeat whose file no longer matches the ledger (fewer records than it holds) is written again, not trusted.
  fs.writeFileSync(path.join(dir, `onestop-${YEAR}-131016.txt`), chiyoda.subarray(0, chiyoda.length / 2));
  const repaired: NotificationDelivery = await new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { lastCode: '999999' } }).run(activities.deliverOneStopNotifications, input);
  expect(repaired).toMatchObject({ created: false, manifestSha256: resumed.manifestSha256 });
  expect(fs.readFileSync(path.join(dir, `onestop-${YEAR}-131016.txt`)).equals(chiyoda)).toBe(true);
}, 60_000);
