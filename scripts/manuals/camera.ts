import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { SHOTS, atRoute, type Shot } from './shots';

/** Where the manuals and their pictures live (from dist/scripts/manuals or scripts/manuals alike). */
export function manualsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'docs', 'manuals');
}

/** The fixed window every picture is taken in. */
export const VIEWPORT = { width: 1280, height: 800, deviceScaleFactor: 1 };

/**
 * Takes the declared pictures: refuses a name not in SHOTS and a page that is not at the shot's route,
 * and remembers what was taken so the run can say which declared pictures it never took.
 */
export class Camera {
  private readonly taken = new Set<string>();
  constructor(private readonly imagesDir: string, private readonly log: (line: string) => void) {
    fs.mkdirSync(imagesDir, { recursive: true });
  }

  /**
   * The page from its top (or from `from`'s element) down, at most `height` pixels (default 1400) of
   * the page, 1280 wide: the whole of a short page, the part the manual speaks of on a long one.
   */
  async shoot(page: Page, file: string, opts: { from?: string; height?: number } = {}): Promise<void> {
    const shot: Shot | undefined = SHOTS.find((s) => s.file === file);
    if (!shot) throw new Error(`${file} is not declared in scripts/manuals/shots.ts`);
    const pathname = new URL(page.url()).pathname;
    if (!atRoute(pathname, shot.route)) throw new Error(`${file}: the page is at ${pathname}, not at ${shot.route}`);
    // No blinking caret or focus ring in the picture; where the picture starts and where the page ends.
    const { top, pageHeight } = await page.evaluate(async (selector) => {
      const doc = (globalThis as any).document;
      doc.activeElement?.blur?.();
      (globalThis as any).scrollTo(0, 0);
      await doc.fonts.ready;
      const target = selector ? doc.querySelector(selector) : null;
      if (selector && !target) throw new Error(`no ${selector} on the page`);
      return { top: target ? Math.max(0, Math.floor(target.getBoundingClientRect().top) - 16) : 0, pageHeight: doc.documentElement.scrollHeight as number };
    }, opts.from ?? null);
    const height = Math.min(opts.height ?? 1400, pageHeight - top);
    await page.screenshot({ path: path.join(this.imagesDir, file) as `${string}.png`, type: 'png', clip: { x: 0, y: top, width: VIEWPORT.width, height }, captureBeyondViewport: true });
    this.taken.add(file);
    this.log(`${file}  ${shot.what}`);
  }

  /** Declared pictures this run did not take. */
  missing(): string[] {
    return SHOTS.filter((s) => !this.taken.has(s.file)).map((s) => s.file);
  }
}
