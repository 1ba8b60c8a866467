import { performance } from 'node:perf_hooks';
import { serverNow, seasonYear } from './clock';
import type { SeasonContext } from './context';
import { childrenCpuSeconds, loadAverage, processCpuSeconds, rssSampler } from './machine';
import { DEFAULT_PLAN, seasonPlan } from './plan';
import { seasonReport, type SeasonReport } from './report';
import { runSeason } from './run';
import { buildScorecard } from './scorecard';

export interface RehearsalOptions {
  seed: number;
  /** The fiscal year's donations (柳川市: 25,000); the season draws December's and January's share. */
  yearDonations: number;
  collectHours?: number[];
  /** A shorter season from the same plan (MM-DD to MM-DD of the donations); see plan.ts. */
  window?: { from: string; to: string };
  /** Share of the portal rows that are bad (default 1.5 %). */
  badShare?: number;
  concurrency?: number;
  log?: (message: string) => void;
  trace?: (message: string) => void;
}

/** npm run season and test/season: the plan from the seed, the season on the time-skipping server, the scorecard. */
export async function rehearseSeason(ctx: SeasonContext, o: RehearsalOptions): Promise<SeasonReport> {
  const log = o.log ?? (() => undefined);
  const year = seasonYear(await serverNow(ctx.connection));
  const plan = seasonPlan({ ...DEFAULT_PLAN, seed: o.seed, yearDonations: o.yearDonations, year, window: o.window, ...(o.badShare !== undefined ? { badShare: o.badShare } : {}) });
  log(`season ${plan.days[0]} → ${plan.days[plan.days.length - 1]}: ${plan.donations.length} donations (seed ${o.seed})`);
  const loadBefore = loadAverage();
  const rss = rssSampler();
  const cpu0 = processCpuSeconds();
  const children0 = childrenCpuSeconds();
  const t0 = performance.now();
  const run = await runSeason(ctx, plan, { collectHours: o.collectHours ?? [9], drainUntil: `${year + 1}-02-28`, concurrency: o.concurrency ?? 8, log, trace: o.trace });
  const scorecard = await buildScorecard(ctx.orm.em.getKnex(), ctx.client, ctx.config, plan, run);
  const wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
  return seasonReport({
    seed: o.seed,
    yearDonations: o.yearDonations,
    season: { from: plan.days[0], to: run.lastDay, year },
    wallSeconds,
    cpuSeconds: { process: Math.round(processCpuSeconds() - cpu0), children: Math.round(childrenCpuSeconds() - children0) },
    peakRssMiB: rss.stop(),
    load: { before: loadBefore, after: loadAverage() },
    scorecard,
    run,
  });
}
