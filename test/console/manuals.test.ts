import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { MANUALS, SHOTS, atRoute, type Manual } from '../../scripts/manuals/shots';
import { suiteContext, type SuiteContext } from '../support/context';

/**
 * LEDGER-5 (issue 17): the manuals in docs/manuals/ and the pictures `npm run manuals` takes stay
 * consistent — every picture a manual shows exists and is declared, every declared picture is shown by
 * its manual, at least 15 in all, each declared page is a route the console registers, and the manuals
 * point to the 個人番号 handling procedure. (The pictures themselves are taken by `npm run manuals`, not here.)
 */
const DIR = path.resolve(__dirname, '..', '..', 'docs', 'manuals');
const read = (file: string) => fs.readFileSync(path.join(DIR, file), 'utf8');
/** The images a Markdown text shows: ![alt](images/x.png). */
const imagesOf = (markdown: string) => [...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);

let ctx: SuiteContext;
let app: FastifyInstance;

beforeAll(async () => {
  ctx = await suiteContext('manuals');
  app = await buildApi({ config: ctx.config, orm: ctx.orm, temporal: ctx.client, logger: false });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await ctx?.close();
});

test('every picture a manual shows exists and is declared by the script; every declared picture is shown by its manual', () => {
  for (const [manual, { file }] of Object.entries(MANUALS) as [Manual, { file: string }][]) {
    const shown = imagesOf(read(file));
    for (const image of shown) {
      expect(fs.existsSync(path.join(DIR, image)) ? image : `${image} (missing)`).toBe(image);
      expect(SHOTS.filter((s) => s.manual === manual).map((s) => `images/${s.file}`)).toContain(image);
    }
    for (const shot of SHOTS.filter((s) => s.manual === manual)) expect(shown).toContain(`images/${shot.file}`);
  }
  // No picture left in the folder that no manual shows (a renamed shot leaves its old file behind).
  const all = Object.values(MANUALS).flatMap(({ file }) => imagesOf(read(file)));
  expect(fs.readdirSync(path.join(DIR, 'images')).filter((f) => !all.includes(`images/${f}`))).toEqual([]);
});

test('at least 15 pictures across the three manuals, each manual with some, names unique; pictures small', () => {
  expect(SHOTS.length).toBeGreaterThanOrEqual(15);
  for (const manual of Object.keys(MANUALS)) expect(SHOTS.filter((s) => s.manual === manual).length).toBeGreaterThanOrEqual(5);
  expect(new Set(SHOTS.map((s) => s.file)).size).toBe(SHOTS.length);
  for (const shot of SHOTS) expect(fs.statSync(path.join(DIR, 'images', shot.file)).size).toBeLessThan(300_000);
});

test('each declared page is a route the console registers', () => {
  for (const shot of SHOTS) expect([shot.file, app.hasRoute({ method: shot.method ?? 'GET', url: shot.route })]).toEqual([shot.file, true]);
  expect(app.hasRoute({ method: 'GET', url: '/console/no-such-page' })).toBe(false);
  // atRoute, which the script uses to refuse a picture of the wrong page.
  expect(atRoute('/console/donations/0b9d', '/console/donations/:id')).toBe(true);
  expect(atRoute('/console/donations/new/x', '/console/donations/:id')).toBe(false);
  expect(atRoute('/console/', '/console/')).toBe(true);
});

test('the index links the three manuals; the operator and city manuals point to the 個人番号 handling procedure', () => {
  const index = read('README.md');
  for (const { file } of Object.values(MANUALS)) expect(index).toContain(`(${file})`);
  for (const manual of ['operator', 'city'] as const) {
    const text = read(MANUALS[manual].file);
    expect(text).toContain('](../mynumber-handling.md)');
    expect(text).toContain('個人番号');
  }
  expect(fs.existsSync(path.join(DIR, '..', 'mynumber-handling.md'))).toBe(true);
  expect(JSON.parse(fs.readFileSync(path.join(DIR, '..', '..', 'package.json'), 'utf8')).scripts.manuals).toContain('dist/scripts/manuals.js');
});
