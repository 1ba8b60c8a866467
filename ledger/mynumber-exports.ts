import type { Knex } from '@mikro-orm/postgresql';
import { isoOrNull, renamed } from './rows';

/**
 * MYNUM-2 (特記4): the register of 特定個人情報 that left the 取扱区域 — each an encrypted package of a
 * donation year's 申告特例通知書 files, with who made it, from where, what, how many and where to.
 * Append-only (a trigger refuses updates and deletes).
 */
export interface MyNumberExport {
  id: string;
  donationYear: number;
  actor: string;
  role: string;
  terminal: string | null;
  destination: string;
  purpose: string;
  files: number;
  applications: number;
  /** Whether the year's application scans were packed too (an end-of-contract return, MYNUM-5), and how many. */
  includeScans: boolean;
  scans: number;
  /** The fingerprint of the city's OpenPGP key the package is encrypted to: only its holder opens it. */
  recipientKey: string;
  packageFile: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

export type NewMyNumberExport = Omit<MyNumberExport, 'createdAt'>;

const toExport = (r: any): MyNumberExport => ({
  ...renamed(r, 'id donation_year actor role terminal destination purpose files applications recipient_key package_file sha256'),
  includeScans: r.include_scans === true,
  scans: Number(r.scans ?? 0),
  sizeBytes: Number(r.size_bytes),
  createdAt: isoOrNull(r.created_at)!,
});

/** Records an export once: a retried activity finds its own row and records nothing twice. */
export async function recordMyNumberExport(knex: Knex, e: NewMyNumberExport): Promise<MyNumberExport> {
  await knex('mynumber_exports')
    .insert({
      id: e.id, donation_year: e.donationYear, actor: e.actor, role: e.role, terminal: e.terminal, destination: e.destination, purpose: e.purpose,
      files: e.files, applications: e.applications, include_scans: e.includeScans, scans: e.scans, recipient_key: e.recipientKey, package_file: e.packageFile, size_bytes: e.sizeBytes, sha256: e.sha256,
    })
    .onConflict('id')
    .ignore();
  return (await findMyNumberExport(knex, e.id))!;
}

export async function findMyNumberExport(knex: Knex, id: string): Promise<MyNumberExport | undefined> {
  const r = await knex('mynumber_exports').where({ id }).first();
  return r ? toExport(r) : undefined;
}

export async function listMyNumberExports(knex: Knex, donationYear?: number): Promise<MyNumberExport[]> {
  const q = knex('mynumber_exports').orderBy('created_at', 'desc').limit(500);
  if (donationYear !== undefined) q.where({ donation_year: donationYear });
  return (await q).map(toExport);
}

/** The package an export takes: the year's latest ONESTOP-4 run, as it recorded its files. */
export interface NotificationPackage {
  deliveryDir: string;
  manifestSha256: string;
  applications: number;
  files: { file: string; sha256: string; count: number }[];
}

export async function latestNotificationPackage(knex: Knex, donationYear: number): Promise<NotificationPackage | undefined> {
  const run = await knex('onestop_notification_runs').where({ donation_year: donationYear }).orderBy('delivered_at', 'desc').first('delivery_dir', 'manifest_sha256', 'applications', 'files');
  if (!run) return undefined;
  const files = (Array.isArray(run.files) ? run.files : []) as { file: string; sha256: string; count: number }[];
  return { deliveryDir: run.delivery_dir, manifestSha256: run.manifest_sha256, applications: run.applications, files: files.map(({ file, sha256, count }) => ({ file, sha256, count })) };
}

/**
 * The scan references of a donation year's one-stop applications (申告特例 deadline in the following
 * year): each 申請書 and the copies sent with resubmissions and 変更届出書, as the destruction gathers
 * them; an erased application holds none.
 */
export async function scanRefsOfYear(knex: Knex, donationYear: number): Promise<string[]> {
  const ofYear = (q: Knex.QueryBuilder) => q.whereBetween('a.deadline_on', [`${donationYear + 1}-01-01`, `${donationYear + 1}-12-31`]).whereNull('a.personal_data_purged_at');
  const apps: { scan_ref: string | null }[] = await ofYear(knex('onestop_applications as a').select('a.scan_ref'));
  const events: { scan_ref: string | null }[] = await ofYear(knex('onestop_events as e').join('onestop_applications as a', 'a.id', 'e.application_id').select(knex.raw("e.after->>'scanRef' as scan_ref")));
  return [...new Set([...apps, ...events].map((r) => r.scan_ref).filter((r): r is string => typeof r === 'string' && r.length > 0))].sort();
}

/** MYNUM-3: the exports of a period, for the handling report. */
export async function exportsBetween(knex: Knex, start: Date, end: Date): Promise<MyNumberExport[]> {
  return (await knex('mynumber_exports').where('created_at', '>=', start).andWhere('created_at', '<', end).orderBy('created_at')).map(toExport);
}
