/**
 * `npm run handover:import -- --from DIR` — CONTRACT-2: takes a hand-over archive (what `npm run handover`
 * wrote) into this instance's ledger through the project's own migration import, after checking it
 * against its manifest (scripts/handover/import.ts). Needs DATABASE_URL and TEMPORAL_ADDRESS like the
 * API, and a running worker (the donations' import and their workflows run there). Prints what became of
 * each table; exits 1 and names the file when the archive is not what its manifest says.
 */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig, requireMyNumberKeys } from '../config/env';
import { temporalDataConverter } from '../domain/onestop/payload-codec';
import { createOrm } from '../ledger/orm';
import { HandoverArchiveError, importHandoverArchive } from './handover/import';
import { folderOption } from './handover/index';

async function main(): Promise<void> {
  const dir = folderOption(process.argv.slice(2), '--from', 'usage: npm run handover:import -- --from DIR');
  const config = loadConfig();
  if (!config.database.url || !config.temporal.address) throw new ConfigError('handover:import needs DATABASE_URL and TEMPORAL_ADDRESS (and a running worker)');
  const orm = await createOrm(config.database.url);
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: temporalDataConverter(requireMyNumberKeys(config)) });
    const report = await importHandoverArchive(dir, { orm, temporal, config, actor: 'system:handover-import' });
    const d = report.donations;
    console.log(`handover:import — donations: ${d.archive} in the archive, ${d.created} created, ${d.unchanged} unchanged, ${d.quarantined} quarantined (migration import ${d.fileId})`);
    for (const t of report.tables) {
      console.log(`handover:import — ${t.table}: ${t.archive} in the archive, ${t.inserted} new, ${t.present} already here, ${t.skipped.length} left out`);
      for (const s of [...t.skipped, ...(t.unlinked ?? [])]) console.log(`    ${s.key}: ${s.reason}`);
      for (const m of t.merged ?? []) console.log(`    ${m.key}: one person with ${m.with} (名寄せ), donor ${m.into} here`);
    }
  } finally {
    await connection.close();
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError || err instanceof HandoverArchiveError ? err.message : err);
  process.exit(1);
});
