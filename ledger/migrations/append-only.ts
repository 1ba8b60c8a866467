/**
 * The ledger's append-only rule, written once for the migrations that declare an event table or
 * an access log: its rows are never updated, deleted or truncated. Each returns SQL for a
 * migration's `addSql`.
 */

/** A trigger function refusing the change, naming the table and the operation. */
export function appendOnlyFunction(name: string): string {
  return `create function ${name}() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only (% refused)', tg_table_name, tg_op;
      end $$;`;
}

/** The two triggers (row update/delete, truncate) that make `table` append-only through `fn`. */
export function appendOnlyTriggers(table: string, fn = 'donation_events_append_only'): string {
  return `create trigger ${table}_no_update before update or delete on ${table}
        for each row execute function ${fn}();
      create trigger ${table}_no_truncate before truncate on ${table}
        for each statement execute function ${fn}();`;
}
