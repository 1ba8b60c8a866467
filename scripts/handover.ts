/**
 * `npm run handover -- --out DIR` — PORTAL-5 (and CONTRACT-2): the hand-over archive at the end of the
 * contract. Runs every section of scripts/handover/index.ts into DIR and writes DIR/manifest.json and
 * DIR/manifest.csv. Re-runnable: the same data gives the same files. Reads DATABASE_URL like the worker.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/env';
import { createOrm } from '../ledger/orm';
import { HANDOVER_SECTIONS, runHandover } from './handover/index';

function outDirOf(argv: readonly string[]): string {
  const i = argv.indexOf('--out');
  const inline = argv.find((a) => a.startsWith('--out='));
  const out = inline ? inline.slice('--out='.length) : i >= 0 ? argv[i + 1] : undefined;
  if (!out) throw new ConfigError('usage: npm run handover -- --out DIR');
  return path.resolve(out);
}

async function main(): Promise<void> {
  const outDir = outDirOf(process.argv.slice(2));
  const config = loadConfig();
  if (!config.database.url) throw new ConfigError('handover needs DATABASE_URL');
  const orm = await createOrm(config.database.url);
  try {
    const manifest = await runHandover(outDir, { knex: orm.em.getKnex(), config }, HANDOVER_SECTIONS);
    for (const s of manifest.sections) console.log(`handover — ${s}: ${manifest.entries.filter((e) => e.section === s).length} files`);
    console.log(`handover — ${manifest.entries.length} files in ${outDir} (manifest.json, manifest.csv)`);
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
