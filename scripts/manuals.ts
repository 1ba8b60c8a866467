import fs from 'node:fs';
import path from 'node:path';
import { requireMyNumberKeys } from '../config/env';
import { seedDevAccounts } from './dev-accounts';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { consoleHarness, type ConsoleHarness } from '../test/console/harness';
import { Camera, manualsDir } from './manuals/camera';
import { seedCatalogue } from './manuals/seed';
import { billingAndCityTour, operatorTour, scratch, supplierAndShipmentsTour } from './manuals/tour';

/**
 * `npm run manuals` (LEDGER-5, issue 17): rebuilds every screenshot of docs/manuals/ from the running
 * system. It starts a stack of its own — a Temporal dev server and an embedded PostgreSQL on free
 * ports (the tests' global setup), the worker and the API with the console (the console tests'
 * harness) — seeds the dev accounts (scripts/dev-accounts.ts) and made-up data, and drives the console
 * in Chromium. Every process it starts is stopped by its pid when it ends, fails or is interrupted.
 */
const log = (line: string) => process.stderr.write(`[manuals] ${line}\n`);

async function main(): Promise<number> {
  let h: ConsoleHarness | undefined;
  let work: string | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      const chromium = h?.browser.process()?.pid;
      await h?.close().catch((err) => log(`while stopping: ${err instanceof Error ? err.message : err}`));
      if (chromium && alive(chromium)) process.kill(chromium, 'SIGKILL');
      await globalTeardown();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    })());
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    log('starting Temporal, PostgreSQL, the worker and the API…');
    await globalSetup();
    // Invoices are issued without waiting for the month's report inspection: the run shows both on their own.
    h = await consoleHarness('manuals', { BILL_REQUIRE_REPORT_INSPECTION: 'false', DOCS_RETURN_WINDOW_DAYS: '60' });
    await seedDevAccounts(h.ctx.orm.em.fork(), requireMyNumberKeys(h.ctx.config));
    await seedCatalogue(h);
    work = scratch();
    const camera = new Camera(path.join(manualsDir(), 'images'), log);
    await operatorTour(h, camera, work);
    await supplierAndShipmentsTour(h, camera, work);
    await billingAndCityTour(h, camera);
    const missing = camera.missing();
    if (missing.length) throw new Error(`declared but not taken: ${missing.join(', ')}`);
    log(`done: ${path.join(manualsDir(), 'images')}`);
    return 0;
  } catch (err) {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
    return 1;
  } finally {
    await stop();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

main().then((code) => process.exit(code));
