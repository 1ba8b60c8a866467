/**
 * Helpers for the query modules' row mappers: knex hands rows back with the columns' snake_case
 * names, and the ledger's types use camelCase.
 */

/** The driver hands timestamps back as strings or Dates depending on configuration. */
export const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The named columns (space-separated) under their camelCase names, values unchanged: the part of
 * a row mapper that only renames. A column missing from the row is copied as undefined. Untyped,
 * like the raw row it reads: the mapper's declared return type is what checks the result.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function renamed(row: Record<string, unknown>, columns: string): any {
  const out: Record<string, unknown> = {};
  for (const column of columns.split(/\s+/).filter(Boolean)) out[camel(column)] = row[column];
  return out;
}
