import { EntitySchema, type EntityClass, type EntitySchemaMetadata } from '@mikro-orm/core';

/*
 * The ledger's column kinds, each spelled once. An entity lists its columns by kind
 * (`...text('name', 'address')`, `...optionalTimestamp('paidAt')`), so "a text column" or "a
 * nullable timestamp" means the same mapping in every entity and cannot drift between them.
 * Every call returns fresh option objects: MikroORM completes the options it is given in place,
 * so two columns (or two entities) must never share one.
 */

/** A column kind: `kind('a', 'b')` maps each named property to the kind's options; `kind.with({...})` is one column with options of its own (a default, a unique constraint). */
function kind<const P extends object>(options: P) {
  const columns = <K extends string>(...names: K[]) => Object.fromEntries(names.map((name) => [name, { ...options }])) as { [N in K]: P };
  return Object.assign(columns, { with: <const E extends object>(extra: E): P & E => ({ ...options, ...extra }) });
}

export const text = kind({ type: 'string', columnType: 'text' });
export const optionalText = kind({ type: 'string', columnType: 'text', nullable: true });
export const timestamp = kind({ type: 'Date', columnType: 'timestamptz' });
export const optionalTimestamp = kind({ type: 'Date', columnType: 'timestamptz', nullable: true });
/** Filled in by the database when the row is inserted. */
export const insertedAt = kind({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' });
/** A JST calendar day (YYYY-MM-DD), kept as the string the domain uses. */
export const day = kind({ type: 'string', columnType: 'date' });
export const optionalDay = kind({ type: 'string', columnType: 'date', nullable: true });
export const integer = kind({ type: 'integer' });
export const optionalInteger = kind({ type: 'integer', nullable: true });
/** A yes/no that starts as no; `flag.with({ default: true })` for one that starts as yes. */
export const flag = kind({ type: 'boolean', default: false });
export const boolean = kind({ type: 'boolean' });
/** An integer that starts at zero: a count, or an amount of yen not given yet. */
export const counter = kind({ type: 'integer', default: 0 });
export const json = kind({ type: 'json', columnType: 'jsonb' });
export const optionalJson = kind({ type: 'json', columnType: 'jsonb', nullable: true });
export const uuid = kind({ type: 'uuid' });

/** Primary keys: a generated uuid, a database sequence, or a code chosen by people. */
export const uuidKey = () => ({ type: 'uuid', primary: true }) as const;
export const serialKey = <const T extends 'integer' | 'bigint'>(type: T) => ({ type, primary: true, autoincrement: true }) as const;
export const codeKey = () => ({ type: 'string', primary: true, columnType: 'text' }) as const;

/** When the row was created (by the database) and last changed (by the unit of work on every flush that changes it). */
export const createdAndUpdated = () => ({
  ...insertedAt('createdAt'),
  updatedAt: insertedAt.with({ onUpdate: () => new Date() }),
});

/**
 * GIFT-4/5: a row the city decides on — proposed by whom and when, then approved or refused by
 * whom and when. Rows from before the step count as approved. (Suppliers and gifts; each keeps
 * its own reason column.)
 */
export const cityDecision = () => ({
  approvalStatus: text.with({ default: 'approved' }),
  ...optionalText('proposedBy', 'decidedBy'),
  ...optionalTimestamp('proposedAt', 'decidedAt'),
});

/** An entity's mapping: its class, its table, its columns, and any further options (uniques, indexes). */
export function entity<T>(cls: EntityClass<T>, tableName: string, properties: EntitySchemaMetadata<T>['properties'], more: Omit<EntitySchemaMetadata<T>, 'class' | 'name' | 'tableName' | 'properties'> = {}): EntitySchema<T> {
  return new EntitySchema<T>({ class: cls, tableName, properties, ...more } as EntitySchemaMetadata<T>);
}
