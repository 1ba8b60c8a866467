/**
 * The sections `npm run handover` writes, in order (scripts/handover/sections.ts says how to add one).
 * PORTAL-5: listings first (every image and text made for the portals' listings); CONTRACT-2: the ledger.
 */
import path from 'node:path';
import { ConfigError } from '../../config/env';
import { ledgerSection } from './ledger';
import { listingsSection } from './listings';
import type { HandoverSection } from './sections';

export const HANDOVER_SECTIONS: readonly HandoverSection[] = [listingsSection, ledgerSection];

export { HandoverArchiveError, readHandover, runHandover, type HandoverDeps, type HandoverManifest, type HandoverSection, type ManifestEntry, type SectionFile } from './sections';

/** A folder named on the command line as `--flag DIR` or `--flag=DIR`, resolved; absent = ConfigError with the usage. */
export function folderOption(argv: readonly string[], flag: string, usage: string): string {
  const i = argv.indexOf(flag);
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  const dir = inline ? inline.slice(flag.length + 1) : i >= 0 ? argv[i + 1] : undefined;
  if (!dir) throw new ConfigError(usage);
  return path.resolve(dir);
}
