import { Migration20261126000000_foundation } from './Migration20261126000000_foundation';
import { Migration20261126200000_documents } from './Migration20261126200000_documents';
import { Migration20261126100000_intake } from './Migration20261126100000_intake';
import { Migration20261126300000_onestop } from './Migration20261126300000_onestop';

/** Listed explicitly so the same migrations run from TypeScript sources, compiled JS and bundles. Append only. */
export const MIGRATIONS = [
  { name: 'Migration20261126000000_foundation', class: Migration20261126000000_foundation },
  { name: 'Migration20261126200000_documents', class: Migration20261126200000_documents },
  { name: 'Migration20261126100000_intake', class: Migration20261126100000_intake },
  { name: 'Migration20261126300000_onestop', class: Migration20261126300000_onestop },
];
