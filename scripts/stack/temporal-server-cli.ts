// `npm run tools:temporal-server [-- --check]`: builds the pinned Temporal server and prints its
// paths, or (--check) runs the end-to-end check of temporal-server-check.ts. A file of its own so
// that temporal-server.ts and its check do not import each other.
import { checkTemporalServer } from './temporal-server-check';
import { installTemporalServer } from './temporal-server';

const main = process.argv.includes('--check')
  ? checkTemporalServer()
  : installTemporalServer().then((p) => {
      process.stdout.write(`temporal-server=${p.server}\ntemporal-sql-tool=${p.sqlTool}\nschema=${p.schemaDir}\nversion=${p.version}\n`);
    });
main.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
