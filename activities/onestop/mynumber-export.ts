import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import * as openpgp from 'openpgp';
import { pack } from 'tar-stream';
import { MANIFEST_FILE } from '../../domain/onestop/notification';
import { findMyNumberExport, latestNotificationPackage, recordMyNumberExport, scanRefsOfYear, type MyNumberExport } from '../../ledger/mynumber-exports';
import type { Orm } from '../../ledger/orm';
import { scanFile, writeFileAtomic, type OneStopActivitySettings } from './onestop';

/** What the register entry records of the request, plus the id the API chose for it. */
export type MyNumberExportRequest = Pick<MyNumberExport, 'donationYear' | 'actor' | 'role' | 'terminal' | 'destination' | 'purpose' | 'includeScans'> & { exportId: string };

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/** The files in a fixed order and with a fixed date, so the same package is the same tar. */
async function tarOf(files: { name: string; bytes: Buffer }[], mtime: Date): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => { tar.on('end', resolve); tar.on('error', reject); });
  for (const f of files) tar.entry({ name: f.name, size: f.bytes.length, mode: 0o640, mtime }, f.bytes);
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * The year's application scans as `<year>/scans/<reference>`. A return must be whole: a reference
 * whose file is missing or outside the scan folder refuses the export (naming how many, never a file
 * name that could carry personal data).
 */
function scansOf(refs: string[], scanDir: string, year: number): { name: string; bytes: Buffer }[] {
  const found = refs.map((ref) => ({ ref, at: scanFile(scanDir, ref) }));
  const missing = found.filter((f) => !('file' in f.at) || !fs.existsSync(f.at.file));
  if (missing.length) throw refuse('ScansMissing', `${missing.length} of the ${refs.length} scans of the donation year ${year} are missing from the scan folder or outside it: the return would not be whole`);
  return found.map((f) => {
    const file = (f.at as { file: string }).file;
    return { name: `${year}/scans/${path.relative(path.resolve(scanDir), file).split(path.sep).join('/')}`, bytes: fs.readFileSync(file) };
  });
}

/**
 * MYNUM-2 (特記4): the year's 申告特例通知書 package (the latest ONESTOP-4 run's files and manifest, each
 * checked against the hash the run recorded) as one tar, encrypted to the city's OpenPGP key — only
 * the city opens it (`gpg --decrypt`), the contractor cannot once it is made — and registered.
 * Nothing personal passes through the workflow: the activity takes the request and returns the entry.
 */
export function createMyNumberExportActivities(deps: { orm: Orm; onestop: Pick<OneStopActivitySettings, 'exportDir' | 'exportKey' | 'scanDir'> }) {
  return {
    async exportMyNumberPackage(input: MyNumberExportRequest): Promise<MyNumberExport> {
      const knex = deps.orm.em.getKnex();
      const kept = await findMyNumberExport(knex, input.exportId);
      if (kept) return kept;
      if (!deps.onestop.exportKey) throw refuse('NoCityKey', 'no city key is declared (MYNUMBER_EXPORT_KEY_FILE): nothing is exported unencrypted');
      const pkg = await latestNotificationPackage(knex, input.donationYear);
      if (!pkg) throw refuse('NoPackage', `the donation year ${input.donationYear} has no 申告特例通知書 package: run ONESTOP-4 first`);
      const read = (file: string, expected: string) => {
        const bytes = fs.readFileSync(path.join(pkg.deliveryDir, file));
        if (sha256(bytes) !== expected) throw refuse('PackageChanged', `${file} in the delivery folder is not the file the ONESTOP-4 run recorded (sha256 differs): run it again`);
        return { name: `${input.donationYear}/${file}`, bytes };
      };
      const files = [...pkg.files.map((f) => read(f.file, f.sha256)), read(MANIFEST_FILE, pkg.manifestSha256)];
      const scans = input.includeScans ? scansOf(await scanRefsOfYear(knex, input.donationYear), deps.onestop.scanDir, input.donationYear) : [];
      const key = await openpgp.readKey({ armoredKey: deps.onestop.exportKey });
      const tar = await tarOf([...files, ...scans], new Date(Date.UTC(input.donationYear + 1, 0, 1)));
      const message = await openpgp.createMessage({ binary: tar, filename: `onestop-${input.donationYear}.tar`, date: new Date(Date.UTC(input.donationYear + 1, 0, 1)) });
      const encrypted = Buffer.from(await openpgp.encrypt({ message, encryptionKeys: key, format: 'binary' }));
      const packageFile = path.join(deps.onestop.exportDir, String(input.donationYear), `mynumber-export-${input.exportId}.tar.gpg`);
      fs.mkdirSync(path.dirname(packageFile), { recursive: true });
      writeFileAtomic(packageFile, encrypted);
      return recordMyNumberExport(knex, {
        id: input.exportId,
        donationYear: input.donationYear,
        actor: input.actor,
        role: input.role,
        terminal: input.terminal,
        destination: input.destination,
        purpose: input.purpose,
        files: pkg.files.length,
        applications: pkg.applications,
        includeScans: input.includeScans === true,
        scans: scans.length,
        recipientKey: key.getFingerprint(),
        packageFile,
        sizeBytes: encrypted.length,
        sha256: sha256(encrypted),
      });
    },
  };
}

export type MyNumberExportActivities = ReturnType<typeof createMyNumberExportActivities>;
