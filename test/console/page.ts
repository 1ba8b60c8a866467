import type { Page } from 'puppeteer-core';
import type { ConsoleHarness } from './harness';

/** What the console's browser tests do to a page: read it, submit a form and wait for the next, check it. */
export const text = (page: Page, selector: string) => page.$eval(selector, (e) => e.textContent ?? '');

export const value = (page: Page, selector: string) => page.$eval(selector, (e) => (e as unknown as { value: string }).value);

/** Clicks the form's submit button and waits for the page the server answers with. */
export async function submit(page: Page, form: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
}

/**
 * Submits a form opened before someone else changed its record (the stale-form check): the answer is 409, the
 * page as it is now with the message at the top; nothing was sent.
 */
export async function submitStale(page: Page, form: string): Promise<void> {
  const [answer] = await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
  expect(answer!.status()).toBe(409);
  expect(await text(page, '[role=alert]')).toContain('ほかの人がこの記録を変更しました');
}

/** No serious or critical axe violation, no refused resource or failed script. */
export async function expectAccessible(h: ConsoleHarness, page: Page): Promise<void> {
  expect(await h.axe(page)).toEqual([]);
  expect(h.problems(page)).toEqual([]);
}

/** The cells' text of each table row the selector finds. */
export const tableRows = (page: Page, selector = 'tbody tr') =>
  page.$$eval(selector, (trs) => trs.map((tr) => Array.from(tr.children, (c: { textContent: string | null }) => c.textContent!.trim())));
