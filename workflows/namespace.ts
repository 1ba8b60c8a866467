// Client-side: what a namespace must hold before workflows run. Not part of the workflow bundle.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export const INDEXED_VALUE_TYPES: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Text: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** An attribute exists with another type; retrying cannot fix it. */
export class SearchAttributeConflictError extends Error {
  override name = 'SearchAttributeConflictError';
}

const ALREADY_EXISTS = 6; // gRPC status

/**
 * Registers the custom search attributes that `namespace` lacks, through the
 * operator service (the dev server, the production server, Temporal Cloud's
 * equivalent all answer it). Throws if an attribute exists with another type,
 * since silently reusing it would break visibility queries later. Several
 * processes may call this at once: a competitor's "already exists" is checked
 * again, not reported. Returns the names this call added.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  attrs: Record<string, SearchAttributeType>,
): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const missing = await missingSearchAttributes(connection, namespace, attrs);
    const names = Object.keys(missing);
    if (names.length === 0) return [];
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
      return names;
    } catch (err) {
      if ((err as { code?: number }).code !== ALREADY_EXISTS || attempt >= 2) throw err;
    }
  }
}

async function missingSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  attrs: Record<string, SearchAttributeType>,
): Promise<Record<string, temporal.api.enums.v1.IndexedValueType>> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const system = existing.systemAttributes ?? {};
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  const conflicts: string[] = [];
  for (const [name, type] of Object.entries(attrs)) {
    const wanted = INDEXED_VALUE_TYPES[type];
    if (wanted === undefined) throw new Error(`Unknown search attribute type ${type} for ${name}`);
    const have = custom[name] ?? system[name];
    if (have === undefined) missing[name] = wanted;
    else if (have !== wanted) conflicts.push(`${name} is ${temporal.api.enums.v1.IndexedValueType[have]}, wanted ${type}`);
  }
  if (conflicts.length > 0) {
    throw new SearchAttributeConflictError(`Search attributes on namespace ${namespace} have the wrong type: ${conflicts.join('; ')}`);
  }
  return missing;
}
