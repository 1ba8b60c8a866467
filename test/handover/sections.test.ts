import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readHandover, runHandover, type HandoverDeps, type HandoverSection } from '../../scripts/handover/index';
import { writeArchiveFile } from '../../scripts/handover/sections';

/** The hand-over runner (PORTAL-5, CONTRACT-2): sections write files, the runner measures them and writes the manifest. */
const deps = {} as HandoverDeps; // these sections read nothing
const section = (name: string, files: Record<string, string>): HandoverSection => ({
  name,
  async write(outDir) {
    return Object.entries(files).map(([rel, text]) => {
      writeArchiveFile(outDir, `${name}/${rel}`, text);
      return { file: `${name}/${rel}`, owner: 'city', gift: null, portal: null, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: null, kind: 'text' };
    });
  },
});

test('every section in its folder, a manifest with sha256 and size, the same bytes on a second run, stale files gone', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-'));
  try {
    fs.mkdirSync(path.join(out, 'b'), { recursive: true });
    fs.writeFileSync(path.join(out, 'b', 'stale.txt'), 'from an earlier run');
    const sections = [section('b', { 'z.txt': 'zz', 'a/x.txt': 'x' }), section('a', { 'one.csv': 'k,v\r\n' })];
    const first = await runHandover(out, deps, sections);
    expect(first.sections).toEqual(['b', 'a']);
    expect(first.entries.map((e) => e.file)).toEqual(['a/one.csv', 'b/a/x.txt', 'b/z.txt']);
    expect(first.entries[0]).toMatchObject({ section: 'a', owner: 'city', bytes: 5, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(fs.existsSync(path.join(out, 'b', 'stale.txt'))).toBe(false);
    const json = fs.readFileSync(path.join(out, 'manifest.json'));
    const csv = fs.readFileSync(path.join(out, 'manifest.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('section,owner,gift,portal,kind,file,sha256,bytes,createdAt,updatedAt');
    await runHandover(out, deps, sections);
    expect(fs.readFileSync(path.join(out, 'manifest.json')).equals(json)).toBe(true);
    expect(readHandover(out)).toEqual(first);

    fs.writeFileSync(path.join(out, 'b', 'z.txt'), 'changed');
    expect(() => readHandover(out)).toThrow('b/z.txt does not match');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('a section may not write outside its folder, and two sections may not share a name', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-'));
  try {
    const rogue: HandoverSection = { name: 'rogue', write: async (dir) => (writeArchiveFile(dir, 'other/x', 'x'), [{ file: 'other/x', owner: 'city', gift: null, portal: null, createdAt: null, updatedAt: null, kind: 'text' }]) };
    await expect(runHandover(out, deps, [rogue])).rejects.toThrow('outside its folder');
    await expect(runHandover(out, deps, [section('a', {}), section('a', {})])).rejects.toThrow('named twice');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
