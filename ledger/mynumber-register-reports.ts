import type { Knex } from '@mikro-orm/postgresql';

/** MYNUM-1: the 取扱者名簿 as printed for the city, kept with its digest. */
export async function keepRegisterReport(knex: Knex, r: { id: string; asOf: string; handlers: number; pdf: Uint8Array; sha256: string; requestedBy: string }): Promise<void> {
  // The id is the workflow's: a retried activity finds its own report instead of printing a second.
  await knex('mynumber_register_reports').insert({ id: r.id, as_of: r.asOf, handlers: r.handlers, pdf: Buffer.from(r.pdf), sha256: r.sha256, requested_by: r.requestedBy }).onConflict('id').ignore();
}

export async function registerReports(knex: Knex): Promise<{ id: string; asOf: string; handlers: number; sha256: string; requestedBy: string; createdAt: string }[]> {
  const rows = await knex('mynumber_register_reports').select('id', knex.raw(`to_char(as_of, 'YYYY-MM-DD') as as_of`), 'handlers', 'sha256', 'requested_by', 'created_at').orderBy('created_at', 'desc').limit(200);
  return rows.map((r: any) => ({ id: r.id, asOf: r.as_of, handlers: r.handlers, sha256: r.sha256, requestedBy: r.requested_by, createdAt: new Date(r.created_at).toISOString() }));
}

export async function registerReportPdf(knex: Knex, id: string): Promise<Buffer | undefined> {
  return (await knex('mynumber_register_reports').select('pdf').where({ id }).first())?.pdf;
}
