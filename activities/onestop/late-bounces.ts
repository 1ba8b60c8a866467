import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { parseDsn } from '../../domain/mail-dsn';
import { applyLateBounce, type LateBounceOutcome } from '../../ledger/late-bounces';
import type { Orm } from '../../ledger/orm';

export type LateBounceCounts = Record<LateBounceOutcome, number> & { files: number };

/**
 * DOCS-5 late bounces: reads the DSN mailbox — a folder the bounce address's mail is delivered into, one
 * message per .eml file (MAIL_DSN_DIR) — applies each DSN once (ledger/late-bounces.ts) and moves the
 * file into read/ beside it. A file applied before a crash and read again is recognised by its name
 * and digest and only moved.
 */
export function createLateBounceActivities(deps: { orm: Orm }) {
  return {
    async readLateBounces(input: { dir: string }): Promise<LateBounceCounts> {
      const counts: LateBounceCounts = { files: 0, notice_to_paper: 0, mail_rejected: 0, unknown_message: 0, not_a_failure: 0, not_a_dsn: 0 };
      if (!fs.existsSync(input.dir)) return counts;
      const done = path.join(input.dir, 'read');
      fs.mkdirSync(done, { recursive: true });
      for (const name of fs.readdirSync(input.dir).filter((f) => f.endsWith('.eml')).sort()) {
        const file = path.join(input.dir, name);
        const raw = fs.readFileSync(file);
        const source = `${name}#${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
        const dsn = parseDsn(raw);
        const outcome = await applyLateBounce(deps.orm.em.getKnex(), { source, isDsn: !!dsn, permanentFailure: dsn?.permanentFailure ?? false, originalMessageId: dsn?.originalMessageId, action: dsn?.action, status: dsn?.status });
        fs.renameSync(file, path.join(done, name));
        counts.files += 1;
        counts[outcome] += 1;
        Context.current().heartbeat(counts.files);
      }
      return counts;
    },
  };
}

export type LateBounceActivities = ReturnType<typeof createLateBounceActivities>;
