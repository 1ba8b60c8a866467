/**
 * The sections `npm run handover` writes, in order (scripts/handover/sections.ts says how to add one).
 * PORTAL-5: listings first (every image and text made for the portals' listings); CONTRACT-2: the ledger.
 */
import { ledgerSection } from './ledger';
import { listingsSection } from './listings';
import type { HandoverSection } from './sections';

export const HANDOVER_SECTIONS: readonly HandoverSection[] = [listingsSection, ledgerSection];

export { readHandover, runHandover, type HandoverDeps, type HandoverManifest, type HandoverSection, type ManifestEntry, type SectionFile } from './sections';
