/**
 * PORTAL-5 (and CONTRACT-2): the hand-over at the end of the contract, as a list of sections.
 *
 * `npm run handover -- --out DIR` runs every section of HANDOVER_SECTIONS (scripts/handover/index.ts)
 * in order. Each section writes its files under `DIR/<section name>/` and returns one manifest
 * entry per file; the runner empties the section's folder first, fills in each file's sha256 and
 * size from the bytes on disk, and writes `DIR/manifest.json` and `DIR/manifest.csv` (sorted by
 * file, no clock of its own), so the same data gives the same archive byte for byte on every run.
 *
 * To add a section: a module exporting a `HandoverSection`, and one line in HANDOVER_SECTIONS.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config/env';

/** What a section reads from: the ledger and the process's configuration (file storage folders). */
export interface HandoverDeps {
  knex: Knex;
  config: AppConfig;
}

/** One file a section wrote, as the section describes it. */
export interface SectionFile {
  /** Path relative to the archive's root, with '/' separators; must lie under `<section name>/`. */
  file: string;
  /** Whose material it is: 'city' or 'supplier:<code>'. */
  owner: string;
  /** The gift's code, when the file belongs to one gift. */
  gift: string | null;
  /** The portal's code, when the file belongs to one portal. */
  portal: string | null;
  /** The data's own dates (ISO 8601), never the time of the run. */
  createdAt: string | null;
  updatedAt: string | null;
  /** What the file is, in a few words (e.g. 'image', 'text', 'history', 'upload file', 'table', 'schema'). */
  kind: string;
}

/** A manifest line: the section's description and what the runner measured. */
export interface ManifestEntry extends SectionFile {
  section: string;
  sha256: string;
  bytes: number;
}

export interface HandoverSection {
  /** The folder the section writes to under the archive's root (a-z, 0-9, '-'). */
  name: string;
  /** Writes the section's files under `path.join(outDir, name)` and describes each one. */
  write(outDir: string, deps: HandoverDeps): Promise<SectionFile[]>;
}

export interface HandoverManifest {
  /** Bumped when the manifest's shape changes. */
  format: 1;
  sections: string[];
  entries: ManifestEntry[];
}

export const MANIFEST_JSON = 'manifest.json';
export const MANIFEST_CSV = 'manifest.csv';
const CSV_COLUMNS = ['section', 'owner', 'gift', 'portal', 'kind', 'file', 'sha256', 'bytes', 'createdAt', 'updatedAt'] as const;

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** Writes `bytes` at `root/rel` (creating folders) — the one way sections put a file in the archive. */
export function writeArchiveFile(root: string, rel: string, bytes: Buffer | string): void {
  const target = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, bytes);
}

/** A path segment safe on every file system (codes are already; names may not be). */
export function safeSegment(s: string): string {
  return s.replace(/[\\/:*?"<>|\x00-\x1f]/g, '_').replace(/^\.+$/, '_') || '_';
}

/** RFC 4180 CSV (UTF-8, CRLF), quoted where needed. */
export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map((v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',') + '\r\n';
}

/** Runs the sections into `outDir` and writes the manifest. Re-runnable: each section's folder is rebuilt. */
export async function runHandover(outDir: string, deps: HandoverDeps, sections: readonly HandoverSection[]): Promise<HandoverManifest> {
  const names = sections.map((s) => s.name);
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`handover section name ${JSON.stringify(name)} is not a-z, 0-9, '-'`);
  }
  if (new Set(names).size !== names.length) throw new Error(`handover sections named twice: ${names.join(', ')}`);
  fs.mkdirSync(outDir, { recursive: true });
  const entries: ManifestEntry[] = [];
  for (const section of sections) {
    fs.rmSync(path.join(outDir, section.name), { recursive: true, force: true });
    fs.mkdirSync(path.join(outDir, section.name), { recursive: true });
    for (const f of await section.write(outDir, deps)) {
      if (!f.file.startsWith(`${section.name}/`) || f.file.split('/').includes('..')) throw new Error(`handover section ${section.name} described ${f.file}, outside its folder`);
      const bytes = fs.readFileSync(path.join(outDir, ...f.file.split('/')));
      entries.push({ section: section.name, ...f, sha256: sha256(bytes), bytes: bytes.length });
    }
  }
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const manifest: HandoverManifest = { format: 1, sections: names, entries };
  fs.writeFileSync(path.join(outDir, MANIFEST_JSON), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, MANIFEST_CSV), csvLine(CSV_COLUMNS) + entries.map((e) => csvLine(CSV_COLUMNS.map((c) => e[c]))).join(''));
  return manifest;
}

/** An archive that is not what its manifest says (a file changed, missing or miscounted): names the file. */
export class HandoverArchiveError extends Error {
  constructor(readonly file: string, reason: string, outcome = 'nothing was imported', options?: { cause?: unknown }) {
    super(`handover archive: ${file} ${reason}; ${outcome}`, options);
    this.name = 'HandoverArchiveError';
  }
}

/** Reads an archive back and checks every manifest line against the bytes on disk; returns the manifest. */
export function readHandover(outDir: string): HandoverManifest {
  const at = (rel: string) => path.join(outDir, ...rel.split('/'));
  if (!fs.existsSync(at(MANIFEST_JSON))) throw new HandoverArchiveError(MANIFEST_JSON, 'is missing');
  let manifest: HandoverManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(at(MANIFEST_JSON), 'utf8')) as HandoverManifest;
  } catch (err) {
    throw new HandoverArchiveError(MANIFEST_JSON, `is not JSON (${(err as Error).message})`);
  }
  if (manifest?.format !== 1 || !Array.isArray(manifest.entries)) throw new HandoverArchiveError(MANIFEST_JSON, 'is not a format 1 hand-over manifest');
  for (const e of manifest.entries) {
    if (typeof e.file !== 'string' || e.file.split('/').includes('..')) throw new HandoverArchiveError(MANIFEST_JSON, `names a file outside the archive (${String(e.file)})`);
    if (!fs.existsSync(at(e.file))) throw new HandoverArchiveError(e.file, 'is missing');
    const bytes = fs.readFileSync(at(e.file));
    if (bytes.length !== e.bytes) throw new HandoverArchiveError(e.file, `does not match its manifest line (${bytes.length} bytes, the manifest says ${e.bytes})`);
    if (sha256(bytes) !== e.sha256) throw new HandoverArchiveError(e.file, `does not match its manifest line (sha256 ${sha256(bytes)}, the manifest says ${e.sha256})`);
  }
  return manifest;
}
