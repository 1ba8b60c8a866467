import { Migration20261126000000_foundation } from './Migration20261126000000_foundation';
import { Migration20261126200000_documents } from './Migration20261126200000_documents';
import { Migration20261126100000_intake } from './Migration20261126100000_intake';
import { Migration20261126300000_onestop } from './Migration20261126300000_onestop';
import { Migration20261126600000_onestop_delivery } from './Migration20261126600000_onestop_delivery';
import { Migration20261126500000_gifts_shipping } from './Migration20261126500000_gifts_shipping';
import { Migration20261126400000_mail } from './Migration20261126400000_mail';
import { Migration20261126700000_intake_extras } from './Migration20261126700000_intake_extras';
import { Migration20261126750000_intake_speed } from './Migration20261126750000_intake_speed';
import { Migration20261126650000_onestop_notices } from './Migration20261126650000_onestop_notices';
import { Migration20261126800000_callcentre } from './Migration20261126800000_callcentre';
import { Migration20261126850000_search_indexes } from './Migration20261126850000_search_indexes';
import { Migration20261126880000_promotion } from './Migration20261126880000_promotion';
import { Migration20261126930000_import_scale } from './Migration20261126930000_import_scale';
import { Migration20261126940000_duplicate_probe } from './Migration20261126940000_duplicate_probe';
import { Migration20261126950000_import_ledger_first } from './Migration20261126950000_import_ledger_first';
import { Migration20261126960000_ship_to } from './Migration20261126960000_ship_to';
import { Migration20261126970000_carriers } from './Migration20261126970000_carriers';
import { Migration20261206000000_console_accounts } from './Migration20261206000000_console_accounts';
import { Migration20261126900000_billing } from './Migration20261126900000_billing';
import { Migration20261126910000_reports } from './Migration20261126910000_reports';
import { Migration20261126920000_search_scale } from './Migration20261126920000_search_scale';

/** Listed explicitly so the same migrations run from TypeScript sources, compiled JS and bundles. Append only. */
export const MIGRATIONS = [
  { name: 'Migration20261126000000_foundation', class: Migration20261126000000_foundation },
  { name: 'Migration20261126200000_documents', class: Migration20261126200000_documents },
  { name: 'Migration20261126100000_intake', class: Migration20261126100000_intake },
  { name: 'Migration20261126300000_onestop', class: Migration20261126300000_onestop },
  { name: 'Migration20261126500000_gifts_shipping', class: Migration20261126500000_gifts_shipping },
  { name: 'Migration20261126400000_mail', class: Migration20261126400000_mail },
  { name: 'Migration20261126600000_onestop_delivery', class: Migration20261126600000_onestop_delivery },
  { name: 'Migration20261126700000_intake_extras', class: Migration20261126700000_intake_extras },
  { name: 'Migration20261126650000_onestop_notices', class: Migration20261126650000_onestop_notices },
  { name: 'Migration20261126750000_intake_speed', class: Migration20261126750000_intake_speed },
  { name: 'Migration20261126800000_callcentre', class: Migration20261126800000_callcentre },
  { name: 'Migration20261126850000_search_indexes', class: Migration20261126850000_search_indexes },
  { name: 'Migration20261126880000_promotion', class: Migration20261126880000_promotion },
  { name: 'Migration20261126900000_billing', class: Migration20261126900000_billing },
  { name: 'Migration20261126910000_reports', class: Migration20261126910000_reports },
  { name: 'Migration20261126920000_search_scale', class: Migration20261126920000_search_scale },
  { name: 'Migration20261126930000_import_scale', class: Migration20261126930000_import_scale },
  { name: 'Migration20261126940000_duplicate_probe', class: Migration20261126940000_duplicate_probe },
  { name: 'Migration20261126950000_import_ledger_first', class: Migration20261126950000_import_ledger_first },
  { name: 'Migration20261126960000_ship_to', class: Migration20261126960000_ship_to },
  { name: 'Migration20261126970000_carriers', class: Migration20261126970000_carriers },
  { name: 'Migration20261206000000_console_accounts', class: Migration20261206000000_console_accounts },
];
