import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seasonConfig } from '../../bench/season/config';
import { seasonContext, type SeasonContext } from '../../bench/season/context';
import { rehearseSeason } from '../../bench/season/rehearse';
import { seasonResultLine, seasonTable, type SeasonReport } from '../../bench/season/report';
import { isolatedDatabase, quietRuntime, required } from '../support/context';

/**
 * Issue 19: a small season through the same code as `npm run season` (the plan of a fiscal year
 * of 700 donations, those made Dec 20 – Jan 6: the year-end rush, the Dec 31 spike, the closure
 * and its Jan 5 rule, the one-stop deadline of Jan 10, December's invoice and report by Jan 10,
 * and on until every donation has ended) — portal files collected from the inbox, hand
 * entries, transfers paid late or never, print batches the printer posts, supplier order runs on
 * their shipping days, deliveries with losses and re-shipments, one-stop applications with
 * deficiencies and resubmissions, returned mail, January's billing and report, the 申告特例通知書
 * run — on a time-skipping server and a database of its own. Every deadline must be met, nothing
 * done twice, every donation at an end, and every bad row quarantined or held.
 */
let ctx: SeasonContext;
let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let report: SeasonReport;

beforeAll(async () => {
  quietRuntime();
  database = await isolatedDatabase('season');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-season-'));
  ctx = await seasonContext({
    testServerPath: required('TEMPORAL_TEST_SERVER_PATH'),
    databaseUrl: database.url,
    config: (smtpUrl) => seasonConfig(dataDir, smtpUrl),
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
  });
  // SEASON_TRACE=1 shows each step of each day on stderr.
  const trace = process.env.SEASON_TRACE ? (m: string) => void process.stderr.write(`${m}\n`) : undefined;
  report = await rehearseSeason(ctx, { seed: 19, yearDonations: 700, window: { from: '12-20', to: '01-06' }, badShare: 0.08, log: trace, trace });
  console.log(`${seasonTable(report)}\n${seasonResultLine(report)}`);
}, 1_500_000);

afterAll(async () => {
  await ctx?.close();
  await database?.drop();
});

test('every deadline of the season is met: receipts (Dec 29–31 → Jan 5), one-stop decisions, supplier orders, the invoice and report by the 10th', () => {
  const kinds = Object.fromEntries(report.scorecard.deadlines.map((d) => [d.kind.split(' ')[0], d]));
  expect(report.scorecard.deadlines.filter((d) => d.missed > 0)).toEqual([]);
  // Each kind was really exercised.
  expect(kinds['DOCS-1'].count).toBeGreaterThan(60);
  expect(kinds['ONESTOP-2'].count).toBeGreaterThan(10);
  expect(kinds['SHIP-2'].count).toBeGreaterThan(50);
  // December's invoice and report (January's, and the 申告特例通知書 run of Jan 25, lie beyond this window: npm run season has them).
  expect(kinds['BILL-3'].count).toBeGreaterThanOrEqual(1);
  expect(kinds['REPORT-1'].count).toBeGreaterThanOrEqual(1);
});

test('nothing is done twice: documents, mails, shipments, carrier rows', () => {
  expect(report.scorecard.duplicates).toEqual({ documents: 0, mails: 0, shipments: 0, carrierRows: 0 });
});

test('every donation ends completed, cancelled (never paid) or held (a bad row); no 柳川市 resident gets a gift', () => {
  expect(report.scorecard.donations.notFinal).toEqual([]);
  expect(report.scorecard.donations.byStatus.completed).toBeGreaterThan(60);
  expect(report.scorecard.residentsWithShipments).toBe(0);
});

test('bad rows are counted, quarantined or held, never lost', () => {
  const { badRows } = report.scorecard;
  expect(badRows.lost).toEqual([]);
  expect(report.result.badRows).toBeGreaterThan(0);
  expect(badRows.quarantinedRows + Object.values(badRows.held).reduce((a, b) => a + b, 0) + badRows.repeatedRowsUnchanged).toBeGreaterThanOrEqual(report.result.badRows);
  expect(report.result.missed).toBe(0);
});
