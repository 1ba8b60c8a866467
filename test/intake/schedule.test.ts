import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Donation, ImportFile } from '../../ledger/entities';
import { intakeSchedule } from '../../workflows/intake/schedule';
import { ensureSchedule } from '../../workflows/schedule-definition';
import { eventually, suiteContext, type SuiteContext } from '../support/context';
import { startFakePortal, type FakePortal } from '../support/fake-portal';
import { mappedFixture } from '../fixtures/portals/generate';
import { ensureFixtureGift } from './support';

let ctx: SuiteContext;
let portal: FakePortal;
let inbox: string;
beforeAll(async () => {
  portal = await startFakePortal();
  inbox = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-'));
  // The suite's configuration (AppConfig.intake) tells the worker's collection activity where to look.
  ctx = await suiteContext('intake-schedule', { PORTAL_INBOX_DIR: inbox, PORTAL_INBOX_URLS: `furunavi=${portal.url('furunavi')},mynavi=${portal.url('mynavi')}` });
  await ctx.startWorker();
  await ensureFixtureGift(ctx, 'map-fix-eel');
});

afterAll(async () => {
  await portal?.close();
  await ctx?.close();
  fs.rmSync(inbox, { recursive: true, force: true });
});

const donationsOf = (prefix: string) =>
  ctx.orm.em.fork().find(Donation, { portalOrderId: { $like: `${prefix}-%` } }, { orderBy: { portalOrderId: 'asc' } });

test('the schedule (Asia/Tokyo) is created idempotently; a run collects new files from inbox folders and portal endpoints, and a second run imports nothing twice', async () => {
  const scheduleId = `${ctx.prefix}-portal-intake`;
  await ensureSchedule(ctx.client, intakeSchedule, ctx.config, scheduleId);
  await ensureSchedule(ctx.client, intakeSchedule, ctx.config, scheduleId);
  const handle = ctx.client.schedule.getHandle(scheduleId);
  try {
    const described = await handle.describe();
    expect(described.spec.timezone).toBe('Asia/Tokyo');
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'collectPortalFilesWorkflow', taskQueue: ctx.taskQueue });

    fs.mkdirSync(path.join(inbox, 'city'), { recursive: true });
    fs.writeFileSync(path.join(inbox, 'city', 'city-1120.csv'), mappedFixture(`${ctx.prefix}-CT`, { bom: false, encoding: 'cp932' }));
    portal.offer('furunavi', 'furunavi-1120.csv', mappedFixture(`${ctx.prefix}-FN`, { bom: true, encoding: 'utf-8' }));
    portal.offer('mynavi', 'mynavi-1120.csv', mappedFixture(`${ctx.prefix}-MN`, { bom: false, encoding: 'utf-8' }));

    await handle.trigger();
    const all = await eventually(
      () => Promise.all(['CT', 'FN', 'MN'].map((p) => donationsOf(`${ctx.prefix}-${p}`))),
      (lists) => lists.every((l) => l.length === 3),
    );
    // さとふる and the city site are record-only (PORTAL-1): in the ledger, shipping is theirs.
    const city = await ctx.orm.em.fork().findOneOrFail(Donation, { id: all[0][0].id }, { populate: ['portal'] });
    expect(city.portal).toMatchObject({ code: 'city', recordOnly: true });
    expect(fs.readdirSync(path.join(inbox, 'city'))).toEqual(['imported']);
    const files = await eventually(
      () => ctx.orm.em.fork().find(ImportFile, { fileName: { $in: ['city-1120.csv', 'furunavi-1120.csv', 'mynavi-1120.csv'] } }),
      (f) => f.length === 3 && f.every((x) => x.status === 'done'),
    );
    expect(files.map((f) => [f.source, f.createdCount, f.quarantinedCount]).sort()).toEqual([['http', 3, 1], ['http', 3, 1], ['inbox', 3, 1]]);

    // The portals still list the same files: the next run stores nothing new and starts no import.
    const before = portal.requests.length;
    await handle.trigger();
    await eventually(() => Promise.resolve(portal.requests.length), (n) => n >= before + 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(await ctx.orm.em.fork().count(ImportFile, { fileName: { $in: ['furunavi-1120.csv', 'mynavi-1120.csv'] } })).toBe(2);
    expect((await donationsOf(`${ctx.prefix}-FN`)).length).toBe(3);
  } finally {
    await handle.delete();
  }
});
