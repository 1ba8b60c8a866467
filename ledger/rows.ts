/**
 * Helpers for the query modules' row mappers: knex hands rows back with the columns' snake_case
 * names, and the ledger's types use camelCase.
 */

/** The driver hands timestamps back as strings or Dates depending on configuration. */
export const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const names = (list: string) => list.split(/\s+/).filter(Boolean);

/**
 * The named columns (space-separated) under their camelCase names, values unchanged: the part of
 * a row mapper that only renames. A column missing from the row is copied as undefined. Untyped,
 * like the raw row it reads: the mapper's declared return type is what checks the result.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function renamed(row: Record<string, unknown>, columns: string): any {
  const out: Record<string, unknown> = {};
  for (const column of names(columns)) out[camel(column)] = row[column];
  return out;
}

/**
 * The named fields (space-separated) of an entity or input, a missing one as null: the part of a
 * view that only copies optional fields. Untyped, like `renamed`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function orNull(source: object, fields: string): any {
  const from = source as Record<string, unknown>;
  return Object.fromEntries(names(fields).map((f) => [f, from[f] ?? null]));
}

/** The named camelCase fields of an input under their snake_case column names, a missing one as null: an insert's or update's renaming. */
export function asColumns(source: object, fields: string): Record<string, unknown> {
  const from = source as Record<string, unknown>;
  return Object.fromEntries(names(fields).map((f) => [snake(f), from[f] ?? null]));
}

/** A proposal's approval as views show it (gifts GIFT-4, suppliers): status, who proposed and decided, when. */
export function approvalOf(x: { approvalStatus: string; proposedBy?: string | null; proposedAt?: Date | null; decidedBy?: string | null; decidedAt?: Date | null }) {
  return { status: x.approvalStatus, proposedBy: x.proposedBy ?? null, proposedAt: x.proposedAt?.toISOString() ?? null, decidedBy: x.decidedBy ?? null, decidedAt: x.decidedAt?.toISOString() ?? null };
}
