import type { Page } from 'puppeteer-core';
import { retype, type ConsoleHarness } from './harness';
import { expectAccessible, submit, submitStale, text, value } from './page';

/*
 * Filling a console form and the refused-form check (issue 16: bad input comes back at its field
 * with everything typed kept), written once for every console suite. This module uses jest's
 * `expect`, so it stays out of harness.ts, which `npm run manuals` compiles outside jest.
 */

/** Values by field selector, in the order a person fills them in. */
export type Fields = Record<string, string>;

/** Fills fields as a person would: a `<select>` is chosen from; anything else has what it holds replaced by the input. */
export async function fill(page: Page, fields: Fields): Promise<void> {
  for (const [selector, input] of Object.entries(fields)) {
    if ((await page.$eval(selector, (e) => e.tagName)) === 'SELECT') await page.select(selector, input);
    else await retype(page, selector, input);
  }
}

/** Where a refusal is said: a field's error (or the page's alert), with the words it must contain (any, when not given). */
export interface Refusal {
  at: string;
  says?: string;
}

/**
 * Fills and submits `form`, then checks it was refused: the refusal said at `refusal.at`, every
 * filled field still holding what was typed (nothing to type again), and the page accessible.
 */
export async function expectRefused(h: ConsoleHarness, page: Page, form: string, fields: Fields, refusal: Refusal): Promise<void> {
  await fill(page, fields);
  await submit(page, form);
  const said = await text(page, refusal.at);
  if (refusal.says === undefined) expect(said).not.toBe('');
  else expect(said).toContain(refusal.says);
  await expectKept(page, fields);
  await expectAccessible(h, page);
}

/**
 * Fills and submits a form opened before someone else changed its record: refused as stale (409 and the
 * message at the top, page.ts submitStale) with every filled field still holding what was typed. The page
 * then shows the record as it is now, for the caller to check.
 */
export async function expectStale(page: Page, form: string, fields: Fields): Promise<void> {
  await fill(page, fields);
  await submitStale(page, form);
  await expectKept(page, fields);
}

/** Every field still holds what was filled in. */
export async function expectKept(page: Page, fields: Fields): Promise<void> {
  const kept: Fields = {};
  for (const selector of Object.keys(fields)) kept[selector] = await value(page, selector);
  expect(kept).toEqual(fields);
}
