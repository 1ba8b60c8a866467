import { DONOR_REASONS, POSTAL_CODE_PATTERN, PREFECTURES } from '../domain/donor';
import { PORTAL_CODES } from '../domain/portals/catalogue';

/**
 * JSON-schema fragments for the API's edge, declared once (issue 21): the routes use them, hardenSchema
 * applies them to whatever a route leaves open, and the console's forms reuse them. Each bound is what
 * the ledger column or the domain rule can hold, so input the schema admits never fails in PostgreSQL.
 */

/**
 * The reason a 400 gives when a value breaks a fragment's pattern, enum or format (api/errors.ts reads it),
 * instead of the validator's "must match pattern …"; the console's forms can show the same words.
 */
export const REASON = 'x-reason';

/** The years the system's dates live in: nothing before the service started, nothing a column or a report month cannot hold. */
export const SYSTEM_YEARS = { first: 2019, last: 2100 } as const;

/** PostgreSQL integer and smallint (ledger/migrations); bigint ids travel as digit strings. */
export const INT4_MAX = 2_147_483_647;
export const INT2_MAX = 32_767;

const YEAR = '(2019|20[2-9][0-9]|2100)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[12][0-9]|3[01])';

/** Every code point below U+0020 but tab, LF and CR, and DEL: PostgreSQL refuses NUL, and the rest are never meant. */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
const NO_CONTROL_REASON = 'must not contain control characters';
/** One-line values (names, codes, references): no control characters at all. */
export const ONE_LINE = '^[^\\u0000-\\u001F\\u007F]*$';

/** Free text of at most `maxLength` characters (the column's or the document's limit); tabs and line breaks allowed. */
export const text = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength, pattern: NO_CONTROL_CHARACTERS, [REASON]: NO_CONTROL_REASON }) as const;
/** A one-line value of at most `maxLength` characters. */
export const line = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength, pattern: ONE_LINE, [REASON]: 'must be one line without control characters' }) as const;
/**
 * A one-line value that is not blank: the domain trims names and addresses and refuses what is left empty
 * (domain/donor.ts), so the schema asks for one character that is not white space.
 */
export const NON_BLANK_LINE = '^[^\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$';
export const nonBlank = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: NON_BLANK_LINE, [REASON]: 'must be one line, not blank, without control characters' }) as const;
/** Free text that must say something (a reason, a note a rule asks for): not only white space. */
export const NON_BLANK_TEXT = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
/** A gift's or supplier's code as it appears in a path: one word, no slash, no control character (a NUL reached the ORM's inlined SQL as a protocol error). */
export const recordCode = { type: 'string', minLength: 1, maxLength: 50, pattern: '^[^/\\s\\u0000-\\u001F\\u007F]+$', [REASON]: 'must be one word without slashes, spaces or control characters' } as const;

export const saying = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: NON_BLANK_TEXT, [REASON]: 'must not be blank or contain control characters' }) as const;

/** An integer column (or a count that is stored in one). */
export const int4 = (minimum = 0, maximum: number = INT4_MAX) => ({ type: 'integer', minimum, maximum }) as const;
export const int2 = (minimum = 0, maximum: number = INT2_MAX) => ({ type: 'integer', minimum, maximum }) as const;
/** Paging: the ledger's offsets are bigint-safe but no list is longer than an int4. */
export const limit = (maximum: number, fallback: number) => ({ type: 'integer', minimum: 1, maximum, default: fallback }) as const;
export const offset = { type: 'integer', minimum: 0, maximum: INT4_MAX, default: 0 } as const;

/** A month of the system's years (Japan time). */
export const yearMonth = { type: 'string', pattern: `^${YEAR}-${MONTH}$`, description: `YYYY-MM, ${SYSTEM_YEARS.first}-01 to ${SYSTEM_YEARS.last}-12`, [REASON]: `must be a month YYYY-MM from ${SYSTEM_YEARS.first}-01 to ${SYSTEM_YEARS.last}-12` } as const;
/** A calendar date of the system's years; format rejects 02-30 and the like. */
export const isoDate = { type: 'string', format: 'date', pattern: `^${YEAR}-${MONTH}-${DAY}$`, description: `YYYY-MM-DD, ${SYSTEM_YEARS.first} to ${SYSTEM_YEARS.last}`, [REASON]: `must be a date YYYY-MM-DD from ${SYSTEM_YEARS.first} to ${SYSTEM_YEARS.last}` } as const;
/** A date that lies before the system's years as often as not: a birth date, an identity document's issue date. */
export const historicDate = { type: 'string', format: 'date', pattern: `^(19[0-9][0-9]|20[0-9][0-9]|2100)-${MONTH}-${DAY}$`, description: 'YYYY-MM-DD, 1900 to 2100', [REASON]: 'must be a date YYYY-MM-DD from 1900 to 2100' } as const;
/** An instant of the system's years, RFC 3339 with an offset. */
export const dateTime = { type: 'string', format: 'date-time', pattern: `^${YEAR}-${MONTH}-${DAY}T`, description: `RFC 3339 date-time, ${SYSTEM_YEARS.first} to ${SYSTEM_YEARS.last}`, [REASON]: `must be an RFC 3339 date-time (2026-04-01T09:00:00+09:00) from ${SYSTEM_YEARS.first} to ${SYSTEM_YEARS.last}` } as const;
/** A fiscal or calendar year of the system. */
export const year = { type: 'integer', minimum: SYSTEM_YEARS.first, maximum: SYSTEM_YEARS.last } as const;

/** Ledger bigint ids in a path (quarantine rows, supplier orders, alerts): digits, so the cast cannot fail. */
export const bigintId = { type: 'string', pattern: '^[0-9]{1,18}$' } as const;
export const uuid = { type: 'string', format: 'uuid' } as const;

/**
 * Donor rules of domain/donor.ts, as schema. The domain trims before it checks, so the katakana pattern
 * (KATAKANA_PATTERN's letters) asks for one letter that is not a space, and the phone pattern for 0 and 9
 * or 10 more digits among the separators domain/donor.ts ignores.
 */
export const katakana = (maxLength = 100) => ({ type: 'string', minLength: 1, maxLength, pattern: '^[\\u30A0-\\u30FF\\u3000 ]*[\\u30A0-\\u30FF][\\u30A0-\\u30FF\\u3000 ]*$', description: 'フリガナ (full-width katakana)', [REASON]: DONOR_REASONS.nameKana }) as const;
export const postalCode = { type: 'string', maxLength: 10, pattern: POSTAL_CODE_PATTERN, description: '832-8601 or 8328601', [REASON]: DONOR_REASONS.postalCode } as const;
export const prefecture = { type: 'string', enum: PREFECTURES, [REASON]: DONOR_REASONS.prefecture } as const;
export const phone = { type: 'string', maxLength: 20, pattern: '^([-‐－ ]*0([-‐－ ]*[0-9]){9,10}[-‐－ ]*)?$', description: '0 and 9 or 10 more digits; hyphens and spaces allowed', [REASON]: DONOR_REASONS.phone } as const;
export const email = { type: 'string', maxLength: 254, pattern: '^\\s*[^\\s@]+@[^\\s@]+\\.[^\\s@]+\\s*$', [REASON]: DONOR_REASONS.email } as const;

/** A portal of domain/portals/catalogue.ts (the ledger's portals table holds the same codes). */
export const portal = { type: 'string', enum: PORTAL_CODES, description: 'Portal code', [REASON]: `must be one of the portals: ${PORTAL_CODES.join(', ')}` } as const;

/**
 * Rules between fields, stated in the schema (OpenAPI 3.0 has no if/then, so as anyOf): `requiredWhen`:
 * `field` is required and not blank unless `on` has one of the `otherwise` values (that branch is marked
 * x-otherwise, so a 400 names `field` with `reason`, not the branch the caller did not mean: api/errors.ts);
 * `oneOfRequired`: at least one of the fields is given.
 */
export const requiredWhen = (on: string, otherwise: readonly unknown[], field: string, reason = 'is required') =>
  ({ anyOf: [{ 'x-otherwise': true, properties: { [on]: { enum: otherwise } } }, { required: [field], [REASON]: reason, properties: { [field]: { pattern: NON_BLANK_TEXT, [REASON]: reason } } }] }) as const;
export const oneOfRequired = (rule: { field: string; reason: string }, ...fields: ReadonlyArray<string | readonly string[] | { field: string; schema: object }>) => ({
  // x-rule: a 400 names rule.field with rule.reason, the words the domain's own check gives (api/errors.ts).
  allOf: [{ 'x-rule': rule, anyOf: fields.map((f) => (typeof f === 'string' ? { required: [f] } : Array.isArray(f) ? { required: [...f] } : { required: [(f as { field: string }).field], properties: { [(f as { field: string }).field]: (f as { schema: object }).schema } })) }],
});

/** A portal's order number (or a FAX/application reference): one line, as long as the column's index allows. */
export const orderId = { ...line(100), description: 'The portal order number' } as const;

/**
 * Default length for a string a route leaves unbounded: in a body, longer than any field the ledger keeps on
 * one line; in a URL, short enough that the URL stays under Node's 16 KiB header limit percent-encoded.
 */
export const OPEN_STRING_MAX = { body: 2_000, url: 200 } as const;

/**
 * Bounds what a route's schema leaves open, so no value reaches the ledger that its column cannot hold:
 * integers get the int4 range, strings a length and no control characters, date and date-time formats
 * the system's years. Applied to a copy of every route's schema when it is registered; what a route
 * declares itself is kept.
 */
export function hardenSchema<T>(schema: T, openStringMax: number = OPEN_STRING_MAX.body): T {
  if (Array.isArray(schema)) return schema.map((s) => hardenSchema(s, openStringMax)) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'enum' || key === 'const' || key === 'default' || key === 'examples' || key === 'example' ? value : hardenSchema(value, openStringMax);
  }
  // OpenAPI 3.0 wants a non-empty list; an empty one says nothing.
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  const types = ([] as unknown[]).concat(out.type ?? []);
  if (types.includes('integer') || types.includes('number')) {
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = INT4_MAX;
    if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = -INT4_MAX - 1;
  }
  if (types.includes('string') && !out.enum && out.const === undefined) {
    const rule = out.format === 'date' ? isoDate : out.format === 'date-time' ? dateTime : !out.format ? { pattern: NO_CONTROL_CHARACTERS, [REASON]: NO_CONTROL_REASON } : undefined;
    if (rule && !out.pattern) Object.assign(out, { pattern: rule.pattern, [REASON]: out[REASON] ?? rule[REASON] });
    if (out.maxLength === undefined && !out.format) out.maxLength = openStringMax;
  }
  return out as T;
}

/** A closed object: the properties named, the ones required, nothing else. */
export const closedObject = <R extends readonly string[], P extends object>(required: R, properties: P) => ({ type: 'object', additionalProperties: false, required, properties }) as const;
