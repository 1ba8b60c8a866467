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
 * and on until every donation has ended) — the eight portals' files in their own layouts and
 * encodings collected from their inboxes, hand entries, transfers paid late or never, print
 * batches the printer posts, supplier order runs on their shipping days, deliveries with losses and
 * re-shipments, one-stop applications on paper (with deficiencies and resubmissions) and online,
 * returned mail, January's billing and report, the 申告特例通知書 run, and the operators clearing the
 * held and quarantined rows — on a time-skipping server and a database of its own. Every deadline
 * must be met, nothing done twice, every donation at an end, and every bad row quarantined or held,
 * then cleared.
 */
let ctx: SeasonContext;
let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let report: SeasonReport;
let dataDir: string | undefined;

beforeAll(async () => {
  quietRuntime();
  database = await isolatedDatabase('season');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-season-'));
  dataDir = dir;
  ctx = await seasonContext({
    testServerPath: required('TEMPORAL_TEST_SERVER_PATH'),
    databaseUrl: database.url,
    config: (smtpUrl) => seasonConfig(dir, smtpUrl),
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
  });
  // SEASON_TRACE=1 shows each step of each day on stderr.
  const trace = process.env.SEASON_TRACE ? (m: string) => void process.stderr.write(`${m}\n`) : undefined;
  report = await rehearseSeason(ctx, { seed: 19, yearDonations: 700, window: { from: '12-20', to: '01-06' }, badShare: 0.12, log: trace, trace });
  console.log(`${seasonTable(report)}\n${seasonResultLine(report)}`);
}, 1_500_000);

afterAll(async () => {
  await ctx?.close();
  await database?.drop();
  // The inbox, print and carrier folders the season wrote: nothing of a run stays in /tmp.
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
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
  // December's invoice came although a supplier disputed its statement: resolved, mailed again, confirmed.
  const december = report.scorecard.months.find((m) => m.month.endsWith('-12'))!;
  expect({ disputed: december.statementsDisputed, resolved: december.disputesResolved, confirmed: december.statementsConfirmed }).toEqual({ disputed: 1, resolved: 1, confirmed: 6 });
});

test('nothing is done twice: documents, mails, shipments, carrier rows', () => {
  expect(report.scorecard.duplicates).toEqual({ documents: 0, mails: 0, shipments: 0, carrierRows: 0 });
});

test('every donation ends completed or cancelled (never paid, or withdrawn while held); no 柳川市 resident gets a gift', () => {
  expect(report.scorecard.donations.notFinal).toEqual([]);
  expect(report.scorecard.donations.byStatus.completed).toBeGreaterThan(60);
  expect(report.scorecard.residentsWithShipments).toBe(0);
});

test('each of the eight portals delivers its file in its own layout and encoding through the inbox collection', () => {
  const portals = Object.fromEntries(report.scorecard.portals.map((p) => [p.portal, p]));
  expect(Object.keys(portals).sort()).toEqual(['amazon', 'ana', 'choice', 'city', 'furunavi', 'mynavi', 'rakuten', 'satofull']);
  expect(Object.fromEntries(Object.entries(portals).map(([k, p]) => [k, p.encodings]))).toEqual({
    rakuten: 'cp932', choice: 'utf-8-bom', satofull: 'utf-8', furunavi: 'cp932', ana: 'cp932', amazon: 'utf-8', mynavi: 'utf-8-bom', city: 'cp932',
  });
  for (const p of Object.values(portals)) {
    expect(p.created).toBeGreaterThan(0);
    // Every row of every file accounted for: created, unchanged (re-exported) or quarantined.
    expect(p.created + p.unchanged + p.quarantined).toBe(p.rows);
  }
});

test('one-stop applications arrive on paper and online, and each is decided', () => {
  const { byChannel, byStatus } = report.scorecard.onestop;
  expect(byChannel.paper).toBeGreaterThan(10);
  expect(byChannel.online).toBeGreaterThan(5);
  expect(byStatus.received ?? 0).toBe(0);
});

test('bad rows are counted, quarantined or held, never lost', () => {
  const { badRows } = report.scorecard;
  expect(badRows.lost).toEqual([]);
  expect(report.result.badRows).toBeGreaterThan(0);
  expect(badRows.quarantinedRows + Object.values(badRows.held).reduce((a, b) => a + b, 0) + badRows.repeatedRowsUnchanged).toBeGreaterThanOrEqual(report.result.badRows);
  expect(report.result.missed).toBe(0);
});

test('operators clear every held and quarantined row: corrected and released or re-submitted, withdrawn or dismissed', () => {
  const { cleared } = report.scorecard;
  expect(report.result.uncleared).toBe(0);
  expect(cleared.stillHeld).toBe(0);
  expect(cleared.quarantine.open ?? 0).toBe(0);
  expect(cleared.holdsReleased).toBeGreaterThan(0);
  expect(cleared.operator.resubmitted).toBeGreaterThan(0);
  expect(cleared.operator.dismissed).toBeGreaterThan(0);
  expect(cleared.holdsReleased + cleared.holdsWithdrawn).toBe(Object.values(report.scorecard.portals).reduce((n, p) => n + p.held, 0));
});
