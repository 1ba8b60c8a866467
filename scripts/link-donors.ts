/**
 * `npm run donors:link` — links donor rows that have no 名寄せ person yet
 * (rows a ledger held before 名寄せ existed) by the same rules as
 * registration, a batch per transaction. Safe to run at any time and again:
 * rows already linked are left alone. Reads DATABASE_URL like the worker.
 */
import { ConfigError, loadConfig } from '../config/env';
import { linkUnlinkedDonors } from '../ledger/donor-matching';
import { createOrm } from '../ledger/orm';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database.url) throw new ConfigError('donors:link needs DATABASE_URL');
  const orm = await createOrm(config.database.url);
  try {
    const linked = await linkUnlinkedDonors(orm.em.getKnex(), { onBatch: (n) => process.stderr.write(`[donors:link] ${n} linked\n`) });
    console.log(`donors:link — ${linked} donor rows linked`);
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
