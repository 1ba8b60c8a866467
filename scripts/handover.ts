/**
 * `npm run handover -- --out DIR` — PORTAL-5 (and CONTRACT-2): the hand-over archive at the end of the
 * contract. Runs every section of scripts/handover/index.ts into DIR and writes DIR/manifest.json and
 * DIR/manifest.csv. Re-runnable: the same data gives the same files. Reads DATABASE_URL like the worker.
 */
import { ConfigError, loadConfig } from '../config/env';
import { createOrm } from '../ledger/orm';
import { folderOption, HANDOVER_SECTIONS, runHandover } from './handover/index';

async function main(): Promise<void> {
  const outDir = folderOption(process.argv.slice(2), '--out', 'usage: npm run handover -- --out DIR');
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
