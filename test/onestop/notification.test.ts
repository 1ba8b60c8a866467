import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig, type AppConfig } from '../../config/env';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import { readNoticeFile } from '../../domain/onestop/eltax';
import data from '../../domain/onestop/municipalities.json';
import { AesGcmPayloadCodec } from '../../domain/onestop/payload-codec';
import { applyChangeNotice, listAlerts } from '../../ledger/onestop';
import { onestopNotificationReminderWorkflow, onestopNotificationWorkflow } from '../../workflows';
import { NOTIFICATION_REMINDER_SCHEDULE_ID, NOTIFICATION_SCHEDULE_ID, RETENTION_SCHEDULE_ID, notificationReminderSchedule, notificationSchedule, retentionSchedule } from '../../workflows/onestop/schedule';
import { ensureSchedule } from '../../workflows/schedule-definition';
import { eventually } from '../support/context';
import { captureOneStopHistory } from './histories';
import { clearHandler, oneStopSuite, seedApplication, type OneStopSuite } from './support';

/** The three yearly one-stop schedules, as the worker brings them in line. */
const ensureOneStopSchedules = async (client: Client, config: AppConfig) => {
  for (const def of [notificationSchedule, notificationReminderSchedule, retentionSchedule]) await ensureSchedule(client, def, config);
};

/**
 * ONESTOP-4: the yearly 申告特例通知書 delivery, through the API, the real
 * workflow on the run's dev server, the real ledger and real files. Donation
 * year 2024 is this suite's own (the other suites use 2026).
 */
let s: OneStopSuite;
const YEAR = 2024;
const APPLIED = '2024-11-20T01:00:00.000Z';
const number = (first11: string) => first11 + myNumberCheckDigit(first11);
const N = { ichiro: number('90000000001'), jiro: number('90000000002'), hanako: number('90000000003'), taro: number('90000000004'), umeda: number('90000000005'), yoshi: number('90000000006'), late: number('90000000007') };

beforeAll(async () => {
  s = await oneStopSuite('onestop-notify');
  // MYNUM-1: the run opens every number of the year; the people starting it are on the register.
  await clearHandler(s, 'operator:tanaka');
  await clearHandler(s, 'admin:root');
});

afterAll(async () => {
  await s?.close();
});

const dir = () => path.join(s.ctx.config.onestop.deliveryDir, String(YEAR));
const run = async (role: 'operator' | 'admin' = 'operator') => {
  const res = await s.post('/onestop/notifications', { year: YEAR }, role);
  expect(res.statusCode).toBe(202);
  return s.ctx.client.workflow.getHandle<typeof onestopNotificationWorkflow>(res.json().workflowId).result();
};
const manifest = () => {
  const bytes = fs.readFileSync(path.join(dir(), 'manifest.csv'));
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
  expect(header).toBe('団体コード,団体名,件数,寄附金額合計,ファイル名,sha256');
  return rows.map((r) => {
    const [code, name, count, totalYen, file, sha256] = r.split(',');
    return { code, name, count: Number(count), totalYen: Number(totalYen), file, sha256 };
  });
};
const sha = (file: string) => require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(dir(), file))).digest('hex');

describe('申告特例通知書 (ONESTOP-4)', () => {
  const ids: Record<string, string> = {};
  let firstReference = '';

  beforeAll(async () => {
    const seed = async (key: keyof typeof N, donor: Parameters<typeof seedApplication>[1], opts: Partial<Parameters<typeof seedApplication>[2]> = {}) => {
      const { application } = await seedApplication(s.ctx, donor, { appliedAt: APPLIED, myNumber: N[key], ...opts });
      ids[key] = application.id;
    };
    await seed('ichiro', { name: '千代田 一郎', nameKana: 'チヨダ イチロウ', prefecture: '東京都', address: '千代田区千代田1-1' }, { amountYen: 30_000 });
    await seed('jiro', { name: '永田 二郎', nameKana: 'ナガタ ジロウ', prefecture: '東京都', address: '千代田区永田町1-7-1' }, { amountYen: 10_000 });
    await seed('hanako', { name: '天神 花子', nameKana: 'テンジン ハナコ', prefecture: '福岡県', address: '福岡市中央区天神1-8-1' }, { amountYen: 50_000 });
    await seed('taro', { name: '大木 太郎', nameKana: 'オオキ タロウ', prefecture: '福岡県', address: '三潴郡大木町大字八町牟田255-1' }, { amountYen: 20_000 });
    // 大阪市北区 or 堺市北区: the address does not say.
    await seed('umeda', { name: '梅田 三郎', nameKana: 'ウメダ サブロウ', prefecture: '大阪府', address: '北区梅田1-1' }, { amountYen: 15_000, content: { address: '北区梅田1-1' } });
    // 𠮷 is outside Shift_JIS: the file cannot hold the name.
    await seed('yoshi', { name: '𠮷田 四郎', nameKana: 'ヨシダ シロウ', prefecture: '東京都', address: '港区芝公園4-2-8' }, { amountYen: 12_000 });
    await seed('late', { name: '審査 中子', nameKana: 'シンサ ナカコ', prefecture: '東京都', address: '港区芝公園4-2-8' }, { status: 'deficient' });
    // 変更届出書: moved to 柳川市 before January 1; the notice goes there, with the new address and name.
    await applyChangeNotice(s.ctx.orm.em.getKnex(), ids.jiro, { arrivedOn: '2024-12-20', reason: '転居 (12/15)', changes: { name: '柳川 二郎', address: '福岡県柳川市本町87-1', postalCode: '832-8601' } }, 'test:operator');
  });

  test('one file per municipality in the eLTAX layout, manifest written last; what cannot go in is listed, not dropped', async () => {
    const result = await run();
    expect(result).toMatchObject({ donationYear: YEAR, created: true, files: 4, applications: 4, totalYen: 110_000, problems: 2, undecided: 1 });

    expect(fs.readdirSync(dir()).sort()).toEqual(['manifest.csv', 'onestop-2024-131016.txt', 'onestop-2024-401307.txt', 'onestop-2024-402079.txt', 'onestop-2024-405221.txt']);
    // The manifest is the last file written: the city takes its presence as "complete".
    const mtime = (f: string) => fs.statSync(path.join(dir(), f)).mtimeMs;
    for (const f of fs.readdirSync(dir())) expect(mtime('manifest.csv')).toBeGreaterThanOrEqual(mtime(f));

    const rows = manifest();
    expect(rows).toEqual([
      { code: '131016', name: '東京都千代田区', count: 1, totalYen: 30_000, file: 'onestop-2024-131016.txt', sha256: sha('onestop-2024-131016.txt') },
      { code: '401307', name: '福岡県福岡市', count: 1, totalYen: 50_000, file: 'onestop-2024-401307.txt', sha256: sha('onestop-2024-401307.txt') },
      { code: '402079', name: '福岡県柳川市', count: 1, totalYen: 10_000, file: 'onestop-2024-402079.txt', sha256: sha('onestop-2024-402079.txt') },
      { code: '405221', name: '福岡県大木町', count: 1, totalYen: 20_000, file: 'onestop-2024-405221.txt', sha256: sha('onestop-2024-405221.txt') },
    ]);

    const [chiyoda] = readNoticeFile(fs.readFileSync(path.join(dir(), 'onestop-2024-131016.txt')));
    expect(chiyoda).toMatchObject({
      recordType: '1', senderCode: '402079', recipientCode: '131016', donationYear: '2024', myNumber: N.ichiro,
      name: '千代田 一郎', nameKana: 'チヨダ イチロウ', birthDate: '1980-04-01', address: '東京都千代田区千代田1-1', donationDate: '2024-11-20', amountYen: '30000',
    });
    expect(chiyoda.referenceNumber).toMatch(/^2024-\d{6}$/);
    firstReference = chiyoda.referenceNumber;
    const [moved] = readNoticeFile(fs.readFileSync(path.join(dir(), 'onestop-2024-402079.txt')));
    expect(moved).toMatchObject({ myNumber: N.jiro, name: '柳川 二郎', address: '福岡県柳川市本町87-1', postalCode: '832-8601' });
    const [ward] = readNoticeFile(fs.readFileSync(path.join(dir(), 'onestop-2024-401307.txt')));
    expect(ward).toMatchObject({ recipientCode: '401307', myNumber: N.hanako });

    const status = (await s.get(`/onestop/notifications/${YEAR}`, 'city')).json();
    expect(status).toMatchObject({ donationYear: YEAR, dueOn: '2025-01-25', ready: { applications: 4, municipalities: 4 }, undecided: { deficient: 1 } });
    expect(status.runs).toHaveLength(1);
    expect(status.problems).toHaveLength(2);
    expect(status.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ applicationId: ids.umeda, problem: 'address_unmatched', address: '北区梅田1-1' }),
        expect.objectContaining({ applicationId: ids.yoshi, problem: expect.stringMatching(/^unwritable: name \(氏名\) has characters that Shift_JIS cannot hold$/) }),
      ]),
    );
    const alerts = await listAlerts(s.ctx.orm.em.getKnex());
    expect(alerts.filter((a) => a.donationYear === YEAR).map((a) => a.kind).sort()).toEqual(['notification_delivered', 'notification_problems']);
    expect((await s.get('/onestop/alerts?open=true', 'city')).json().alerts.some((a: { kind: string; donationYear: number }) => a.kind === 'notification_problems' && a.donationYear === YEAR)).toBe(true);
  });

  test('the numbers are opened only inside the activity: never in workflow history (even decoded), every opening logged', async () => {
    const codec = new AesGcmPayloadCodec(s.ctx.config.myNumber!);
    const history = await s.ctx.client.workflow.getHandle(`onestop-notification/${YEAR}`).fetchHistory();
    const payloads: { metadata?: Record<string, Uint8Array>; data?: Uint8Array }[] = [];
    const collect = (v: unknown): void => {
      if (!v || typeof v !== 'object') return;
      if ('data' in v && 'metadata' in v) payloads.push(v as { data: Uint8Array });
      for (const x of Object.values(v)) collect(x);
    };
    collect(history);
    expect(payloads.length).toBeGreaterThan(3);
    const clear = (await codec.decode(payloads as never)).map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
    expect(clear).toContain('"donationYear":2024');
    for (const n of Object.values(N)) expect(clear).not.toContain(n);
    for (const name of ['千代田 一郎', '柳川 二郎', '天神 花子', '北区梅田']) expect(clear).not.toContain(name);

    const log = await s.ctx.orm.em.getKnex()('my_number_access_log').where({ application_id: ids.ichiro });
    expect(log).toEqual([expect.objectContaining({ actor: 'system:onestop-notification', role: 'system', source: 'workflow', reason: '申告特例通知書 2024年分の作成' })]);
  });

  test('a re-run of the same year writes the same bytes and records no second delivery', async () => {
    const before = Object.fromEntries(fs.readdirSync(dir()).map((f) => [f, { sha: sha(f), mtime: fs.statSync(path.join(dir(), f)).mtimeMs }]));
    const again = await run('admin');
    expect(again).toMatchObject({ created: false, files: 4, applications: 4 });
    const after = Object.fromEntries(fs.readdirSync(dir()).map((f) => [f, { sha: sha(f), mtime: fs.statSync(path.join(dir(), f)).mtimeMs }]));
    expect(after).toEqual(before);
    expect((await s.get(`/onestop/notifications/${YEAR}`)).json().runs).toHaveLength(1);
  });

  test("an operator names the municipality; the next run adds its file and drops one that no longer has notices", async () => {
    const osaka = data.prefectures.find((p) => p.name === '大阪府')!.municipalities.find((m: { name: string }) => m.name === '大阪市') as unknown as { code: string; wards: [string, string][] };
    const ward = await s.put(`/onestop/applications/${ids.umeda}/residence`, { code: osaka.wards[0][0], reason: '区コード' });
    expect(ward.statusCode).toBe(400);
    expect(ward.json().fields[0].field).toBe('code');
    expect((await s.put(`/onestop/applications/${ids.umeda}/residence`, { code: osaka.code, reason: '電話で確認: 大阪市北区' }, 'city')).statusCode).toBe(403);
    const ok = await s.put(`/onestop/applications/${ids.umeda}/residence`, { code: osaka.code, reason: '電話で確認: 大阪市北区' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().residence).toEqual({ code: '271004', name: '大阪市', prefecture: '大阪府' });
    // 大木 太郎 has in fact lived in 柳川市 since before January 1 (an operator's correction).
    await s.put(`/onestop/applications/${ids.taro}/residence`, { code: '402079', reason: '住民票で確認' });

    const third = await run();
    expect(third).toMatchObject({ created: true, files: 4, applications: 5, problems: 1 });
    expect(fs.readdirSync(dir()).sort()).toEqual(['manifest.csv', 'onestop-2024-131016.txt', 'onestop-2024-271004.txt', 'onestop-2024-401307.txt', 'onestop-2024-402079.txt']);
    expect(manifest().map((r) => [r.code, r.count])).toEqual([['131016', 1], ['271004', 1], ['401307', 1], ['402079', 2]]);
    const osakaRecord = readNoticeFile(fs.readFileSync(path.join(dir(), 'onestop-2024-271004.txt')))[0];
    expect(osakaRecord).toMatchObject({ address: '大阪府北区梅田1-1', myNumber: N.umeda });
    // 整理番号 stay what they were.
    expect(readNoticeFile(fs.readFileSync(path.join(dir(), 'onestop-2024-131016.txt')))[0].referenceNumber).toBe(firstReference);
    const status = (await s.get(`/onestop/notifications/${YEAR}`)).json();
    expect(status.runs).toHaveLength(2);
    expect(status.problems.map((p: { applicationId: string }) => p.applicationId)).toEqual([ids.yoshi]);
    const history = (await s.get(`/onestop/applications/${ids.umeda}`)).json().history;
    expect(history.at(-1)).toMatchObject({ kind: 'residence_assigned', actor: 'operator:tanaka', reason: '電話で確認: 大阪市北区', after: { residenceCode: '271004' } });
    await captureOneStopHistory(s.ctx.client, 'notification-v1', `onestop-notification/${YEAR}`);
    expect((await s.post('/onestop/notifications', { year: 2999 })).statusCode).toBe(400);
    expect((await s.post('/onestop/notifications', { year: YEAR }, 'city')).statusCode).toBe(403);
  });

  test('the scheduled run (no year given) delivers the donations of the year before the one it runs in (Japan time)', async () => {
    const workflowId = `onestop-notification/scheduled-test-${randomUUID()}`;
    // Fired at 06:00 on Jan 25, 2023 in Japan: donation year 2022, which no suite uses (pinned, so the
    // year does not turn during the test and no other suite's applications are delivered).
    const at = '2023-01-24T21:00:00.000Z';
    const result = await s.ctx.client.workflow.execute(onestopNotificationWorkflow, { taskQueue: s.ctx.taskQueue, workflowId, args: [{ requestedBy: 'system:schedule', at }] });
    expect(result.donationYear).toBe(2022);
    expect(result.deliveryDir).toBe(path.join(s.ctx.config.onestop.deliveryDir, '2022'));
    expect(fs.existsSync(path.join(result.deliveryDir, 'manifest.csv'))).toBe(true);
  });

  test('the reminder before the city date assigns municipalities and records an alert for operators and the city', async () => {
    const reminderId = `reminder-${randomUUID()}`;
    // Fired at 09:00 on Jan 18, 2023 in Japan (pinned: donation year 2022, which no suite uses).
    const at = '2023-01-18T00:00:00.000Z';
    const result = await s.ctx.client.workflow.execute(onestopNotificationReminderWorkflow, { taskQueue: s.ctx.taskQueue, workflowId: reminderId, args: [{ date: { month: 1, day: 25 }, at }] });
    await captureOneStopHistory(s.ctx.client, 'notification-reminder-v1', reminderId);
    expect(result).toMatchObject({ donationYear: 2022, dueOn: '2023-01-25', daysLeft: 7 });
    const alert = await eventually(
      () => s.get('/onestop/alerts', 'city').then((r) => r.json().alerts as { id: string; kind: string; donationYear: number; message: string }[]),
      (alerts) => alerts.some((a) => a.kind === 'notification_due' && a.donationYear === result.donationYear),
    ).then((alerts) => alerts.find((a) => a.kind === 'notification_due' && a.donationYear === result.donationYear)!);
    expect(alert.message).toContain('納品日 2023-01-25 まであと7日');
    expect((await s.post(`/onestop/alerts/${alert.id}/acknowledge`, {}, 'city')).statusCode).toBe(200);
    expect((await s.post(`/onestop/alerts/${alert.id}/acknowledge`, {}, 'city')).statusCode).toBe(409);
    expect((await s.get('/onestop/alerts?open=true', 'city')).json().alerts.some((a: { id: string }) => a.id === alert.id)).toBe(false);
  });
});

describe('yearly schedules (ONESTOP-4, REC-1)', () => {
  test('on the city date, the reminder before it and the destruction proposal, all in Japan time; configuration updates them', async () => {
    const namespace = `onestop-schedule-${randomUUID().slice(0, 8)}`;
    await s.ctx.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const client = new Client({ connection: s.ctx.connection, namespace });
    await ensureOneStopSchedules(client, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused' }));

    /** The next time month/day hour:00 JST comes round. */
    const next = (month: number, day: number, hour: number) => {
      const now = Date.now();
      for (let y = new Date().getUTCFullYear() - 1; ; y++) {
        const t = Date.UTC(y, month - 1, day, hour - 9);
        if (t > now) return new Date(t).toISOString();
      }
    };
    const described = async (id: string) => client.schedule.getHandle(id).describe();
    const notification = await described(NOTIFICATION_SCHEDULE_ID);
    expect(notification.spec.timezone).toBe('Asia/Tokyo');
    expect(notification.action).toMatchObject({ type: 'startWorkflow', workflowType: 'onestopNotificationWorkflow', taskQueue: 'unused' });
    expect(notification.info.nextActionTimes[0].toISOString()).toBe(next(1, 25, 6));
    const reminder = await described(NOTIFICATION_REMINDER_SCHEDULE_ID);
    expect(reminder.info.nextActionTimes[0].toISOString()).toBe(next(1, 18, 9));
    expect(reminder.action.type === 'startWorkflow' && reminder.action.args?.[0]).toEqual({ date: { month: 1, day: 25 } });
    const retention = await described(RETENTION_SCHEDULE_ID);
    expect(retention.info.nextActionTimes[0].toISOString()).toBe(next(4, 1, 9));
    expect(retention.action).toMatchObject({ workflowType: 'retentionProposalWorkflow' });
    expect(retention.action.type === 'startWorkflow' && retention.action.args?.[0]).toEqual({ retentionYears: 7, requestedBy: 'system:schedule' });

    await ensureOneStopSchedules(client, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', ONESTOP_NOTIFICATION_DATE: '02-03', ONESTOP_NOTIFICATION_REMINDER_DAYS: '0', ONESTOP_RETENTION_YEARS: '5' }));
    expect((await described(NOTIFICATION_SCHEDULE_ID)).info.nextActionTimes[0].toISOString()).toBe(next(2, 3, 6));
    await expect(described(NOTIFICATION_REMINDER_SCHEDULE_ID)).rejects.toThrow();
    const updated = await described(RETENTION_SCHEDULE_ID);
    expect(updated.action.type === 'startWorkflow' && updated.action.args?.[0]).toEqual({ retentionYears: 5, requestedBy: 'system:schedule' });
    for (const id of [NOTIFICATION_SCHEDULE_ID, RETENTION_SCHEDULE_ID]) await client.schedule.getHandle(id).delete();
    expect(() => loadConfig({ ONESTOP_NOTIFICATION_DATE: '12-25' })).toThrow(/ONESTOP_NOTIFICATION_DATE must be MM-DD/);
    expect(() => loadConfig({ ONESTOP_NOTIFICATION_DATE: '02-29' })).toThrow(/ONESTOP_NOTIFICATION_DATE/);
  });
});
