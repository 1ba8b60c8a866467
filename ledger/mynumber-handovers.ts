import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { isoOrNull, renamed } from './rows';

/** MYNUM-4: the city's designated handover of the ONESTOP-4 package, recorded step by step. */
export type HandoverStatus = 'designated' | 'handed_over' | 'confirmed';

export interface Handover {
  id: string;
  donationYear: number;
  means: string;
  plannedOn: string;
  place: string;
  designatedBy: string;
  designatedAt: string;
  packageSha256: string | null;
  packageApplications: number | null;
  packageFiles: number | null;
  receiver: string | null;
  handedOverBy: string | null;
  handedOverAt: string | null;
  confirmedBy: string | null;
  confirmedAt: string | null;
  /** The MYNUM-2 export (encrypted, registered) the package left as, when it left as one. */
  exportId: string | null;
  status: HandoverStatus;
}

const toHandover = (r: any): Handover => ({
  ...renamed(r, 'id donation_year means planned_on place designated_by package_sha256 package_applications package_files receiver handed_over_by confirmed_by export_id'),
  designatedAt: isoOrNull(r.designated_at)!,
  handedOverAt: isoOrNull(r.handed_over_at),
  confirmedAt: isoOrNull(r.confirmed_at),
  status: r.confirmed_at ? 'confirmed' : r.handed_over_at ? 'handed_over' : 'designated',
});

const select = (knex: Knex) => knex('mynumber_handovers').select('*', knex.raw(`to_char(planned_on, 'YYYY-MM-DD') as planned_on`));

export async function findHandover(knex: Knex, id: string): Promise<Handover | undefined> {
  const r = await select(knex).where({ id }).first();
  return r ? toHandover(r) : undefined;
}

export async function listHandovers(knex: Knex): Promise<Handover[]> {
  return (await select(knex).orderBy('designated_at', 'desc').limit(500)).map(toHandover);
}

export async function designateHandover(knex: Knex, input: { donationYear: number; means: string; plannedOn: string; place: string }, by: string): Promise<Handover> {
  const id = randomUUID();
  await knex('mynumber_handovers').insert({ id, donation_year: input.donationYear, means: input.means, planned_on: input.plannedOn, place: input.place, designated_by: by });
  return (await findHandover(knex, id))!;
}

/**
 * Records the hand-over of the year's latest 申告特例通知書 package (its manifest's SHA-256, files and
 * applications, as the ONESTOP-4 run recorded them). Once only. `exportId` names the MYNUM-2 export
 * the package left as; it must be an export of the same donation year.
 */
export async function recordHandedOver(knex: Knex, id: string, receiver: string, by: string, exportId?: string): Promise<Handover | 'not_found' | 'no_package' | 'already' | 'not_this_export'> {
  return knex.transaction(async (trx) => {
    const h = await trx('mynumber_handovers').where({ id }).forUpdate().first();
    if (!h) return 'not_found';
    if (h.handed_over_at) return 'already';
    if (exportId && !(await trx('mynumber_exports').where({ id: exportId, donation_year: h.donation_year }).first('id'))) return 'not_this_export';
    const run = await trx('onestop_notification_runs').where({ donation_year: h.donation_year }).orderBy('delivered_at', 'desc').first('manifest_sha256', 'applications', 'files');
    if (!run) return 'no_package';
    const files = Array.isArray(run.files) ? run.files.length : Object.keys(run.files ?? {}).length;
    await trx('mynumber_handovers').where({ id }).update({ package_sha256: run.manifest_sha256, package_applications: run.applications, package_files: files, receiver, handed_over_by: by, handed_over_at: trx.fn.now(), export_id: exportId ?? null });
    return (await findHandover(trx, id))!;
  });
}

/** The city confirms receipt by quoting the checksum it verified; a different one is refused. */
export async function confirmHandover(knex: Knex, id: string, sha256: string, by: string): Promise<Handover | 'not_found' | 'not_handed_over' | 'mismatch' | 'already'> {
  return knex.transaction(async (trx) => {
    const h = await trx('mynumber_handovers').where({ id }).forUpdate().first();
    if (!h) return 'not_found';
    if (!h.handed_over_at) return 'not_handed_over';
    if (h.confirmed_at) return 'already';
    if (h.package_sha256 !== sha256) return 'mismatch';
    await trx('mynumber_handovers').where({ id }).update({ confirmed_by: by, confirmed_at: trx.fn.now() });
    return (await findHandover(trx, id))!;
  });
}
