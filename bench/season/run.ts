import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { WorkflowHandle } from '@temporalio/client';
import { addDays, jstDate } from '../../domain/jst';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import { registerDonation } from '../../ledger/donations';
import { correctQuarantine, dismissQuarantine, listQuarantine, resubmitQuarantine } from '../../ledger/intake';
import { applyResubmission, registerApplication } from '../../ledger/onestop';
import { onlineIntakeApprovalInForce, recordOnlineIntakeApproval } from '../../ledger/online-intake-approval';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { confirmAddressUpdate, correctDonorUpdate, mailReturnedSignal, paymentConfirmedSignal, cancelSignal, releaseHoldSignal } from '../../workflows/donation/definitions';
import { batchPostedSignal, type PrintBatchView } from '../../workflows/documents/definitions';
import { ensureImportedDonationWorkflow } from '../../workflows/intake/client';
import { ensureOneStopWorkflow } from '../../workflows/onestop/client';
import { resubmittedSignal } from '../../workflows/onestop/definitions';
import { confirmShippedUpdate, deliveredSignal, reportTroubleUpdate } from '../../workflows/shipping/definitions';
import { advanceTo, jstAt, serverNow } from './clock';
import type { SeasonContext } from './context';
import { cityActs, type CityActs } from './city';
import * as reads from './ledger-reads';
import { ONLINE_SERVICE, PORTAL_SHARES, type PlannedDonation, type SeasonPlan, type SeasonPortal } from './plan';
import { columnOf, portalFile, portalFileName } from './portal-files';
import { fire, firingsOn } from './schedules';
import { seedCatalogue } from './seed';

/** What the rehearsal measured while it ran; the scorecard adds what the ledger says at the end. */
export interface StageStat {
  items: number;
  wallMs: number;
}

export interface DayStat {
  day: string;
  donations: number;
  payments: number;
  envelopes: number;
  ordered: number;
  shipped: number;
  delivered: number;
  applications: number;
  mails: number;
}

export interface SeasonRun {
  year: number;
  stages: Record<string, StageStat>;
  days: DayStat[];
  /** Orders in the files and hand entries (bad rows included), and each kind of bad row. */
  submitted: number;
  badRows: Record<string, number>;
  /** Bad rows by the portal whose file carried them. */
  badRowsByPortal: Record<string, number>;
  /** What the operators did with the held and quarantined rows. */
  operator: { released: number; withdrawn: number; resubmitted: number; dismissed: number; releasedUnplanned: number };
  /** Portal rows exported again on a later file: each must find the donation it already made. */
  repeatedRows: number;
  resubmissionsRefused: number;
  lastDay: string;
  /** The season's donations' ids by planned order number. */
  donationIds: Map<string, string>;
  city: CityActs;
}

export interface SeasonRunOptions {
  /** Hours (JST) at which the every-30-minutes portal collection is fired. */
  collectHours: number[];
  /** The last day the rehearsal may run to while waiting for every donation to settle. */
  drainUntil: string;
  log: (message: string) => void;
  /** Parallel signals and updates sent by the season's actors (suppliers, carriers, operators). */
  concurrency: number;
  /** Each step of each day, for finding where a season stands. */
  trace?: (message: string) => void;
}

const SCHEDULE_IDS = ['print-batch-daily', 'supplier-orders-daily', 'portal-intake', 'monthly-billing', 'monthly-report', 'onestop-notification'];
/** Longer than any one step of a 25,000 season takes (the longest, a Jan 1 print batch, about a minute). */
const STEP_LIMIT_MS = 20 * 60_000;

/** Runs `task` over `items` with at most `concurrency` in flight. */
async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

const myNumberOf = (n: number) => {
  const first11 = String(20_000_000_000 + n).slice(-11);
  return first11 + myNumberCheckDigit(first11);
};

/**
 * The season, day by day on the time-skipping server: at each moment of the day (schedules at
 * their configured times, the people around the system at theirs) the clock is moved there, the
 * step is taken through the real workflows, activities and ledger functions, and the rehearsal
 * waits until what it started has settled before moving on.
 */
export async function runSeason(ctx: SeasonContext, plan: SeasonPlan, o: SeasonRunOptions): Promise<SeasonRun> {
  const { client, config, orm } = ctx;
  const knex = orm.em.getKnex();
  const stages: Record<string, StageStat> = {};
  const timed = async <T>(stage: string, work: () => Promise<{ items: number; value?: T }>): Promise<T | undefined> => {
    const t0 = performance.now();
    // A step that never ends (a workflow that stopped moving on the server) fails the run naming the step, never hangs it.
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${stage} on ${today}: not finished after ${STEP_LIMIT_MS / 60_000} minutes`)), STEP_LIMIT_MS);
    });
    const r = await Promise.race([work(), ctx.workerFailure, stalled]).finally(() => clearTimeout(timer));
    const s = (stages[stage] ??= { items: 0, wallMs: 0 });
    s.items += r.items;
    s.wallMs += performance.now() - t0;
    return r.value;
  };
  await seedCatalogue(knex, plan.gifts);
  const city = cityActs(ctx, o.concurrency);

  const byDay = new Map<string, PlannedDonation[]>();
  for (const d of plan.donations) byDay.set(d.day, [...(byDay.get(d.day) ?? []), d]);
  const planned = new Map(plan.donations.map((d) => [d.orderId, d]));
  const donationIds = new Map<string, string>();
  const byDonationId = new Map<string, PlannedDonation>();
  const payOn = new Map<string, PlannedDonation[]>();
  const cancelOn = new Map<string, PlannedDonation[]>();
  const appOn = new Map<string, PlannedDonation[]>();
  const resubmitOn = new Map<string, { d: PlannedDonation; applicationId: string }[]>();
  const returnOn = new Map<string, PlannedDonation[]>();
  const confirmOn = new Map<string, PlannedDonation[]>();
  const push = <T>(m: Map<string, T[]>, day: string, v: T) => m.set(day, [...(m.get(day) ?? []), v]);
  const badRows: Record<string, number> = {};
  const badRowsByPortal: Record<string, number> = {};
  const operator = { released: 0, withdrawn: 0, resubmitted: 0, dismissed: 0, releasedUnplanned: 0 };
  const resolveOn = new Map<string, PlannedDonation[]>();
  // ONESTOP-3: the city has approved electronic applications from the linked service before the season.
  await recordOnlineIntakeApproval(knex, { services: [ONLINE_SERVICE], note: 'season rehearsal: 自治体マイページ型の電子申請' }, 'city:season');
  let repeatedRows = 0;
  let resubmissionsRefused = 0;
  const days: DayStat[] = [];
  const returnsDone = new Set<string>();

  /** Registered donations: remember their ids and plan what happens to them next. */
  const registered = async (orders: PlannedDonation[], on: string) => {
    if (!orders.length) return;
    for (const r of await reads.donationsByOrder(knex, orders.map((d) => d.orderId))) {
      if (donationIds.has(r.portal_order_id)) continue;
      const d = planned.get(r.portal_order_id)!;
      donationIds.set(d.orderId, r.id);
      byDonationId.set(r.id, d);
      // A transfer that arrived before the portal's file did is confirmed the morning after the donation is in the ledger.
      const paidDay = d.paidAfterDays === null ? undefined : d.paidAfterDays === 0 ? d.day : [addDays(d.day, d.paidAfterDays), addDays(on, 1)].sort()[1];
      if (d.paidAfterDays === null) push(cancelOn, addDays(d.day, 14), d);
      else if (d.paidAfterDays > 0) push(payOn, paidDay!, d);
      if (d.oneStop && paidDay) push(appOn, addDays(paidDay, d.oneStop.arrivesAfterDays), d);
    }
  };

  const settle = async (what: string) => {
    const t0 = Date.now();
    for (;;) {
      const open = await reads.transient(knex);
      if (open === 0) return;
      if (Date.now() - t0 > 600_000) throw new Error(`${what}: ${open} donations, shipments or applications still moving after 10 minutes`);
      await Promise.race([new Promise((r) => setTimeout(r, 100)), ctx.workerFailure]);
    }
  };

  /** A 申告特例申請書 on paper (as POST /onestop/applications/paper) or online (as POST /onestop/applications/online, identity by JPKI). */
  const applyForOneStop = async (d: PlannedDonation, channel: 'paper' | 'online') => {
    const donationId = donationIds.get(d.orderId)!;
    const row = await reads.donationRow(knex, donationId);
    if (!row?.paid_at) return;
    const paper = channel === 'paper';
    const { application } = await registerApplication(
      knex,
      config.myNumber!,
      {
        donation: { donationId },
        channel,
        arrivedOn: today,
        ...(paper ? { scanRef: `scan://season/${d.orderId}` } : { online: { service: ONLINE_SERVICE, reference: `MP-${d.orderId}` } }),
        content: {
          formVersion: 'current',
          name: d.donor.name,
          nameKana: d.donor.nameKana,
          address: `${d.donor.prefecture}${d.donor.address}`,
          birthDate: '1975-04-01',
          donationDate: jstDate(new Date(row.paid_at)),
          amountYen: d.amountYen,
          checkboxes: { first: true, second: !d.oneStop!.deficient },
          ...(paper ? { attachments: [{ kind: 'my_number_card' as const }] } : { attachments: [], verifiedByJpki: true }),
        },
        myNumber: myNumberOf(d.n),
      },
      paper ? 'operator:season' : `online:${ONLINE_SERVICE}`,
    );
    await ensureOneStopWorkflow(client, application, { taskQueue: config.temporal.taskQueue, reminderDaysBefore: config.onestop.reminderDaysBefore });
    if (d.oneStop!.deficient && d.oneStop!.resubmitAfterDays !== undefined) push(resubmitOn, addDays(today, d.oneStop!.resubmitAfterDays), { d, applicationId: application.id });
  };

  /**
   * An operator's work on one bad row, through the functions behind the console's pages: a quarantined row
   * (an unknown gift code) corrected by column and re-submitted (PATCH /intake/quarantine/:id, POST …/resubmit)
   * or dismissed (POST …/dismiss); a held donation corrected (POST /donations/:id/corrections) and released
   * (POST /donations/:id/review/release), or cancelled when the donor withdraws (POST /donations/:id/cancel).
   */
  const cleared = new Set<string>();
  const clearBadRow = async (d: PlannedDonation) => {
    const r = d.resolution!;
    const actor = 'operator:season';
    if (d.bad === 'unknown_gift') {
      const { entries } = await listQuarantine(orm, { status: 'open', portal: d.portal, limit: 500, offset: 0 });
      const entry = entries.find((e) => e.portalOrderId === d.orderId);
      if (!entry) throw new Error(`${d.orderId}: no open quarantine entry to clear`);
      if (r.action === 'reject') {
        await dismissQuarantine(orm, entry.id, actor, '寄附者に確認: 申込の取下げ (返礼品の取扱終了)');
        operator.dismissed += 1;
        return;
      }
      const { issues } = await correctQuarantine(orm, entry.id, { [columnOf(d.portal!, 'giftCode')]: r.giftCode! }, { mappingsDir: config.intake.mappingsDir });
      if (issues.length) throw new Error(`${d.orderId}: still wrong after the correction: ${JSON.stringify(issues)}`);
      const result = await resubmitQuarantine(orm, entry.id, actor, {
        mappingsDir: config.intake.mappingsDir,
        ensureWorkflow: async (donation, start) => void (await ensureImportedDonationWorkflow(client, donation, config, start)),
      });
      if (!result.donation) throw new Error(`${d.orderId}: re-submission refused: ${JSON.stringify(result.issues)}`);
      operator.resubmitted += 1;
      await registered([d], today);
      return;
    }
    const row = await reads.donationRow(knex, donationIds.get(d.orderId)!);
    if (row?.status !== 'held') throw new Error(`${d.orderId}: expected a held donation, found ${row?.status}`);
    const handle = client.workflow.getHandle(row.workflow_id);
    if (r.action === 'reject') {
      await handle.signal(cancelSignal, { actor, reason: '寄附者の申出により申込を取消' });
      operator.withdrawn += 1;
      return;
    }
    if (r.donorChanges) await handle.executeUpdate(correctDonorUpdate, { args: [{ actor, reason: '電話で寄附者に確認', changes: r.donorChanges }] });
    const why = d.bad === 'yanagawa_address' ? '市内在住: 寄附は受領、返礼品なし (SHIP-6)' : '寄附者に確認し訂正済み';
    await handle.signal(releaseHoldSignal, { actor, reason: why });
    operator.released += 1;
  };

  // A planned bad row waits for its own day; once cleared, a hold it gets later (a corrected, re-submitted row found alike to
  // another donor's order) is looked at like any other.
  const unplannedHolds = async () =>
    (await reads.heldDonations(knex)).filter((h) => {
      const d = byDonationId.get(h.id);
      return !d?.resolution || cleared.has(d.orderId);
    });

  let printBatch: WorkflowHandle | undefined;
  let today = plan.days[0];
  for (let i = 0; ; i++) {
    today = i < plan.days.length ? plan.days[i] : addDays(plan.days[plan.days.length - 1], i - plan.days.length + 1);
    if (i >= plan.days.length && (today > o.drainUntil || ((await reads.openDonations(knex)) === 0 && (await unplannedHolds()).length === 0))) break;
    const stat: DayStat = { day: today, donations: 0, payments: 0, envelopes: 0, ordered: 0, shipped: 0, delivered: 0, applications: 0, mails: 0 };
    const mailsBefore = ctx.mail.messages().length;
    // `when` is asked just before the clock would move there: a step with nothing to do is not taken (the clock moves on).
    const events: { at: Date; run: () => Promise<void>; when?: () => boolean | Promise<boolean> }[] = [];
    const at = (hour: number, minute: number, run: () => Promise<void>, when?: () => boolean | Promise<boolean>) => events.push({ at: jstAt(today, hour, minute), run, when });
    const has = <T>(m: Map<string, T[]>) => () => (m.get(today)?.length ?? 0) > 0;
    const cityBusy = () => city.months.some((m) => !m.invoiceAcceptedAt);

    const filesDue = (byDay.get(addDays(today, -1)) ?? []).some((d) => d.channel === 'portal') || (plan.repeats.get(addDays(today, -1))?.length ?? 0) > 0;
    for (const f of firingsOn(config, SCHEDULE_IDS, today, o.collectHours)) {
      // A collection that would find no file is not rehearsed (it only lists the empty inbox).
      if (f.scheduleId === 'portal-intake' && !filesDue) continue;
      if (f.scheduleId === 'portal-intake') {
        // Each portal published yesterday's orders (and a few it had already sent) overnight, in its own layout and encoding.
        const yesterday = addDays(today, -1);
        events.push({ at: new Date(f.at.getTime() - 60_000), run: async () => {
          const orders = (byDay.get(yesterday) ?? []).filter((d) => d.channel === 'portal');
          const repeats = plan.repeats.get(yesterday) ?? [];
          for (const [portal] of PORTAL_SHARES) {
            const rows = [...orders, ...repeats].filter((d) => d.portal === portal);
            if (!rows.length) continue;
            const dir = path.join(config.intake.inboxDir, portal);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, portalFileName(portal, yesterday)), portalFile(portal, rows));
          }
          const count = (d: PlannedDonation) => {
            badRows[d.bad!] = (badRows[d.bad!] ?? 0) + 1;
            badRowsByPortal[d.portal!] = (badRowsByPortal[d.portal!] ?? 0) + 1;
          };
          for (const d of orders) if (d.bad && d.bad !== 'duplicate_order') count(d);
          repeatedRows += repeats.length;
          repeats.forEach(count);
        } });
      }
      events.push({
        at: f.at,
        run: async () => {
          if (f.scheduleId === 'portal-intake') {
            await timed('portal collection and import', async () => {
              const handle = await fire(client, config, f);
              const { started } = (await handle.result()) as { collected: number; started: string[] };
              let rows = 0;
              for (const fileId of started) {
                const r = (await client.workflow.getHandle(`import/${fileId}`).result()) as { rows?: number; rowsDone?: number };
                rows += Number(r?.rows ?? r?.rowsDone ?? 0);
              }
              // The imports are abandoned children of the collection. The Java test server takes a time lock when a child ends,
              // released by its parent when it sees that end: an import that ended while the collection still ran is in the
              // collection's history (seen); one that ended after the collection never is, and its lock is released here, once
              // per such import, so the clock skips again (see clock.ts). Releasing one too many would let the clock run away.
              const history = await handle.fetchHistory();
              const seen = (history.events ?? []).filter((e) => e.childWorkflowExecutionCompletedEventAttributes || e.childWorkflowExecutionFailedEventAttributes || e.childWorkflowExecutionTimedOutEventAttributes || e.childWorkflowExecutionTerminatedEventAttributes || e.childWorkflowExecutionCanceledEventAttributes).length;
              for (let k = seen; k < started.length; k++) await ctx.connection.testService!.unlockTimeSkipping({});
              o.trace?.(`  ${started.length} imports, ${seen} seen ending by the collection`);
              const yesterday = (byDay.get(addDays(today, -1)) ?? []).filter((d) => d.channel === 'portal');
              await registered(yesterday, today);
              stat.donations += yesterday.length;
              for (const d of yesterday) if (d.resolution) push(resolveOn, addDays(today, d.resolution.afterDays), d);
              await settle('portal import');
              return { items: rows || yesterday.length };
            });
          } else if (f.scheduleId === 'print-batch-daily') {
            const envelopes = await timed<number>('print batch (collect, render, hand-off)', async () => {
              const handle = await fire(client, config, f);
              // Handed off (the printer has it), or ended at once (closed day, nothing due): read from the ledger and Temporal's
              // description, never by query (the test server keeps a time lock for a query that meets a busy workflow).
              for (;;) {
                const row = await reads.printBatchOf(knex, handle.workflowId);
                if (row?.status === 'handed_off') {
                  printBatch = handle;
                  return { items: row.envelope_count, value: row.envelope_count };
                }
                const { status } = await handle.describe();
                if (status.name !== 'RUNNING') return { items: 0, value: 0 };
                await new Promise((r) => setTimeout(r, 100));
              }
            });
            stat.envelopes += envelopes ?? 0;
          } else if (f.scheduleId === 'supplier-orders-daily') {
            await timed('supplier order run', async () => {
              const handle = await fire(client, config, f);
              const view = (await handle.result()) as { orders: { shipments: number }[] };
              const lines = view.orders.reduce((n, x) => n + x.shipments, 0);
              stat.ordered += lines;
              await settle('supplier orders');
              return { items: lines };
            });
          } else {
            await timed(f.scheduleId, async () => {
              await city.fired(f, await fire(client, config, f));
              return { items: 1 };
            });
          }
        },
      });
    }

    // 08:30 the bank and post office statements: transfers paid.
    at(8, 30, async () => {
      const due = (payOn.get(today) ?? []).filter((d) => donationIds.has(d.orderId));
      await timed('payments (transfers)', async () => {
        await pool(due, o.concurrency, async (d) => {
          const id = donationIds.get(d.orderId)!;
          const { workflow_id, status } = (await reads.donationRow(knex, id))!;
          // A held row the donor withdrew before the money came: the bank returns it (not the system's business).
          if (status === 'cancelled') return;
          await client.workflow.getHandle(workflow_id).signal(paymentConfirmedSignal, { actor: 'operator:season', paidAt: jstAt(today, 8, 30).toISOString(), method: d.payment, reference: `振込 ${d.orderId}` });
        });
        stat.payments += due.length;
        await settle('payments');
        return { items: due.length };
      });
    }, has(payOn));
    // 11:00 one-stop applications arrive on paper; resubmissions after a deficiency notice.
    const arriving = (online: boolean) => (appOn.get(today) ?? []).filter((d) => !!d.oneStop!.online === online);
    at(11, 0, async () => {
      await timed('one-stop applications (paper)', async () => {
        const paper = arriving(false);
        await pool(paper, o.concurrency, (d) => applyForOneStop(d, 'paper'));
        stat.applications += paper.length;
        await settle('one-stop applications');
        return { items: paper.length };
      });
      const resubmitting = resubmitOn.get(today) ?? [];
      await timed('one-stop resubmissions', async () => {
        await pool(resubmitting, o.concurrency, async ({ d, applicationId }) => {
          try {
            const { eventId } = await applyResubmission(knex, config.myNumber!, applicationId, { arrivedOn: today, scanRef: `scan://season/${d.orderId}/2`, changes: { checkboxes: { first: true, second: true } } }, 'operator:season');
            await client.workflow.getHandle(`onestop/${donationIds.get(d.orderId)}`).signal(resubmittedSignal, { eventId, actor: 'operator:season' });
          } catch {
            // After the deadline the application is closed: the donor files a tax return instead (counted).
            resubmissionsRefused += 1;
          }
        });
        await settle('one-stop resubmissions');
        return { items: resubmitting.length };
      });
    }, () => arriving(false).length > 0 || has(resubmitOn)());
    // 21:00 applications sent online during the day through the linked service (as POST /onestop/applications/online).
    at(21, 0, async () => {
      await timed('one-stop applications (online)', async () => {
        // The route's gate: the city's approval (ONESTOP-3) must be in force today.
        if (!(await onlineIntakeApprovalInForce(knex, today))) throw new Error(`no approval of online one-stop applications in force on ${today}`);
        const online = arriving(true);
        await pool(online, o.concurrency, (d) => applyForOneStop(d, 'online'));
        stat.applications += online.length;
        await settle('online one-stop applications');
        return { items: online.length };
      });
    }, () => arriving(true).length > 0);
    // 11:30 operators confirm the addresses of returned envelopes (DOCS-4) by phone.
    at(11, 30, async () => {
      const confirming = confirmOn.get(today) ?? [];
      await timed('returned mail: address confirmed', async () => {
        await pool(confirming, o.concurrency, async (d) => {
          const { workflow_id } = (await reads.donationRow(knex, donationIds.get(d.orderId)!))!;
          await client.workflow.getHandle(workflow_id).executeUpdate(confirmAddressUpdate, {
            args: [{ actor: 'operator:season', reason: '電話で転居先を確認', changes: { address: `${d.donor.address.split(' ')[0]} 転居先${d.n}号` } }],
          });
        });
        await settle('address confirmations');
        return { items: confirming.length };
      });
    }, has(confirmOn));
    // 12:00 envelopes come back (宛所不明); 12:30 operators cancel what was never paid.
    at(12, 0, async () => {
      const candidates = plan.donations.filter((d) => d.returnedAfterDays !== undefined && donationIds.has(d.orderId) && !returnsDone.has(d.orderId));
      const returning: PlannedDonation[] = [];
      for (const d of candidates) {
        const row = await reads.donationRow(knex, donationIds.get(d.orderId)!);
        if (row?.documents_sent_at && addDays(jstDate(new Date(row.documents_sent_at)), d.returnedAfterDays!) <= today && row.status !== 'completed') returning.push(d);
      }
      await timed('returned mail', async () => {
        await pool(returning, o.concurrency, async (d) => {
          const { workflow_id } = (await reads.donationRow(knex, donationIds.get(d.orderId)!))!;
          await client.workflow.getHandle(workflow_id).signal(mailReturnedSignal, { actor: 'operator:season', reason: '宛所尋ねあたりません', returnedAt: jstAt(today, 12).toISOString() });
          returnsDone.add(d.orderId);
          push(confirmOn, addDays(today, 1), d);
        });
        await settle('returned mail');
        return { items: returning.length };
      });
    }, () => plan.donations.some((d) => d.returnedAfterDays !== undefined && donationIds.has(d.orderId) && !returnsDone.has(d.orderId)));
    // 13:00 operators clear the held and quarantined rows of the day's and yesterday's imports, after phoning the donor; a good
    // row held by a finding of its own (two synthetic donors alike enough to be a possible duplicate order) is looked at and released.
    at(13, 0, async () => {
      const due = resolveOn.get(today) ?? [];
      const others = await unplannedHolds();
      await timed('held and quarantined rows cleared', async () => {
        await pool(due, o.concurrency, async (d) => {
          await clearBadRow(d);
          cleared.add(d.orderId);
        });
        await pool(others, o.concurrency, async (h) => {
          await client.workflow.getHandle(h.workflow_id).signal(releaseHoldSignal, { actor: 'operator:season', reason: '確認済み: 別の寄附者の別の申込' });
          operator.releasedUnplanned += 1;
        });
        await settle('operators clear bad rows');
        return { items: due.length + others.length };
      });
    }, async () => has(resolveOn)() || (await unplannedHolds()).length > 0);
    at(12, 30, async () => {
      const unpaid = (cancelOn.get(today) ?? []).filter((d) => donationIds.has(d.orderId));
      await timed('unpaid donations cancelled', async () => {
        await pool(unpaid, o.concurrency, async (d) => {
          const { workflow_id, status } = (await reads.donationRow(knex, donationIds.get(d.orderId)!))!;
          if (status === 'cancelled') return;
          await client.workflow.getHandle(workflow_id).signal(cancelSignal, { actor: 'operator:season', reason: '入金期限を過ぎても入金なし' });
        });
        await settle('cancellations');
        return { items: unpaid.length };
      });
    }, has(cancelOn));
    // 15:00 suppliers hand today's orders to the carriers and confirm them as shipped.
    at(15, 0, async () => {
      const leaving = await reads.shipmentsToShip(knex, today);
      await timed('suppliers confirm shipped', async () => {
        await pool(leaving, o.concurrency, async (s) => {
          await client.workflow.getHandle(s.workflow_id).executeUpdate(confirmShippedUpdate, {
            args: [{ actor: 'supplier:season', shippedOn: today, carrier: s.carrier, trackingNumber: `${today.replace(/-/g, '')}${String(s.seq).padStart(8, '0')}` }],
          });
        });
        stat.shipped += leaving.length;
        await settle('shipped');
        return { items: leaving.length };
      });
    }, async () => (await reads.shipmentsToShip(knex, today)).length > 0);
    // 16:00 the carriers deliver what left yesterday, or report it lost or damaged (SHIP-5: re-shipment).
    at(16, 0, async () => {
      const arriving = await reads.shipmentsToDeliver(knex, addDays(today, -1));
      await timed('carriers deliver', async () => {
        await pool(arriving, o.concurrency, async (s) => {
          const d = byDonationId.get(s.donation_id);
          const handle = client.workflow.getHandle(s.workflow_id);
          if (d?.transitTrouble && s.attempt === 1) {
            await handle.executeUpdate(reportTroubleUpdate, { args: [{ actor: 'carrier:season', kind: d.transitTrouble, note: d.transitTrouble === 'damage' ? '配送中の破損' : '配送中の紛失', source: 'carrier' }] });
          } else {
            await handle.signal(deliveredSignal, { actor: 'carrier:season', at: jstAt(today, 16).toISOString(), source: 'carrier_status' });
          }
        });
        stat.delivered += arriving.length;
        await settle('deliveries');
        return { items: arriving.length };
      });
    }, async () => (await reads.shipmentsToDeliver(knex, addDays(today, -1))).length > 0);
    // 17:00 the printer posts today's batch.
    at(17, 0, async () => {
      if (!printBatch) return;
      const handle = printBatch;
      printBatch = undefined;
      await timed('printer posts the batch', async () => {
        await handle.signal(batchPostedSignal, { actor: 'printer:season', postedAt: jstAt(today, 17).toISOString() });
        const v = (await handle.result()) as PrintBatchView;
        await settle('posting');
        return { items: v.envelopes };
      });
    }, () => printBatch !== undefined);
    // 17:30 the day's phone, FAX and mail donations are entered by hand.
    at(17, 30, async () => {
      const hand = (byDay.get(today) ?? []).filter((d) => d.channel !== 'portal');
      await timed('hand entry', async () => {
        await pool(hand, o.concurrency, async (d) => {
          const { donation } = await registerDonation(
            orm.em.fork(),
            {
              portal: 'direct',
              portalOrderId: d.orderId,
              channel: d.channel as 'phone' | 'fax' | 'mail',
              donor: { name: d.donor.name, nameKana: d.donor.nameKana, postalCode: d.donor.postalCode, prefecture: d.donor.prefecture, address: d.donor.address, phone: d.donor.phone, email: d.donor.email },
              amountYen: d.amountYen,
              paymentMethod: d.payment,
              appliedAt: d.appliedAt,
              wantsOneStop: !!d.oneStop,
              disasterRelief: false,
              gifts: [{ code: d.gift.code, quantity: 1 }],
            },
            'operator:season',
          );
          await ensureDonationWorkflow(client, donation, config);
        });
        await registered(hand, today);
        stat.donations += hand.length;
        await settle('hand entry');
        return { items: hand.length };
      });
    }, () => (byDay.get(today) ?? []).some((d) => d.channel !== 'portal'));
    at(10, 30, async () => void (await timed('billing and report: suppliers and city', async () => (await city.act(today, 'morning'), { items: 0 }))), cityBusy);
    at(14, 0, async () => void (await timed('billing and report: suppliers and city', async () => (await city.act(today, 'afternoon'), { items: 0 }))), cityBusy);
    at(23, 59, async () => city.endOfDay(today), cityBusy);

    events.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const e of events) {
      if (e.when && !(await e.when())) continue;
      o.trace?.(`→ ${e.at.toISOString()}`);
      // The clock only walks (real time) while a step runs: far past the next step, it ran away (a time lock released twice).
      const clock = await serverNow(ctx.connection);
      if (clock.getTime() > e.at.getTime() + 6 * 3_600_000) throw new Error(`the test server's clock ran away to ${clock.toISOString()} before the step at ${e.at.toISOString()}`);
      const walked = await advanceTo(ctx.connection, e.at);
      o.trace?.(`  at ${(await serverNow(ctx.connection)).toISOString()}${walked ? ` (the clock walked ${walked} ms)` : ''}`);
      await e.run();
    }
    stat.mails = ctx.mail.messages().length - mailsBefore;
    ctx.mail.clear();
    days.push(stat);
    if (i % 7 === 0 || i === plan.days.length - 1) o.log(`${today}: ${JSON.stringify(stat)} (server ${(await serverNow(ctx.connection)).toISOString()})`);
  }
  return {
    year: plan.year,
    stages,
    days,
    submitted: plan.donations.length + repeatedRows,
    badRows,
    badRowsByPortal,
    operator,
    repeatedRows,
    resubmissionsRefused,
    lastDay: today,
    donationIds,
    city,
  };
}
