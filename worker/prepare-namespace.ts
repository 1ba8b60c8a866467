import type { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/features';
import { ensureSearchAttributes } from '../workflows/namespace';
import { ensureSchedules } from '../workflows/schedules';

/**
 * What a worker owns in its namespace, brought in line at every start: the
 * search attributes its workflows set and every schedule in workflows/schedules.ts.
 * The dev launcher calls this too, so development and production cannot drift.
 */
export async function prepareNamespace(connection: Pick<Connection, 'operatorService'>, client: Client, config: AppConfig) {
  const searchAttributesAdded = await ensureSearchAttributes(connection, config.temporal.namespace, SEARCH_ATTRIBUTE_TYPES);
  const schedules = await ensureSchedules(client, config);
  return { searchAttributesAdded, schedules };
}

export function describePrepared(prepared: Awaited<ReturnType<typeof prepareNamespace>>): string {
  const added = prepared.searchAttributesAdded.length ? `search attributes added: ${prepared.searchAttributesAdded.join(', ')}; ` : '';
  return `${added}schedules: ${prepared.schedules.map((s) => `${s.id} ${s.outcome}`).join(', ')}`;
}
