import { Migration20261126000000_foundation } from './Migration20261126000000_foundation';

/** Listed explicitly so the same migrations run from TypeScript sources, compiled JS and bundles. Append only. */
export const MIGRATIONS = [{ name: 'Migration20261126000000_foundation', class: Migration20261126000000_foundation }];
