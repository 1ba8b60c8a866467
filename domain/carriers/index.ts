import { buildJapanpostClickpost } from './japanpost-clickpost';
import { buildJapanpostYupri, YUPRI_DEFAULT_MAPPING } from './japanpost-yupri';
import { buildSagawaEhiden } from './sagawa-ehiden';
import type { CarrierCode, CarrierFile, CarrierOptions, CarrierShipmentRow } from './types';
import { buildYamatoB2 } from './yamato-b2';

export * from './types';
export { CARRIER_CATALOGUE, CARRIER_CODES_MESSAGE, CARRIER_NAMES, TEMPERATURE_CLASSES, carrierDeclaration, carrierName, isCarrierCode, type CarrierDeclaration } from './catalogue';
export { CarrierConfigError } from './errors';
export { UnsupportedCarrierFileError } from './issued-labels';
export { YupriMappingError, YUPRI_DEFAULT_MAPPING, validateYupriMapping } from './japanpost-yupri';
export { parseDeliveryStatusFile, parseIssuedLabels } from './issued-labels';

/**
 * SHIP-3: the import file(s) for one carrier and a batch of shipments. Always
 * at least one file; rows that cannot be printed as given are not in any file
 * but in `problems` (with the field, the value and, where that is the reason,
 * the character), so nothing is dropped or replaced with '?'. Only クリックポスト
 * splits (40 rows per file). Throws CarrierConfigError / YupriMappingError for
 * a wrong account setting or mapping, which no row can fix.
 */
export function buildCarrierFiles(carrier: CarrierCode, rows: CarrierShipmentRow[], options: CarrierOptions = {}): CarrierFile[] {
  const build = EXPORTERS[carrier];
  if (!build) throw new Error(`unknown carrier "${carrier as string}"`);
  return build(rows, options);
}

/** One exporter per declared carrier (./catalogue): a carrier added there without one does not compile. */
const EXPORTERS: Record<CarrierCode, (rows: CarrierShipmentRow[], options: CarrierOptions) => CarrierFile[]> = {
  yamato_b2: (rows, options) => [buildYamatoB2(rows, options)],
  sagawa_ehiden: (rows, options) => [buildSagawaEhiden(rows, options)],
  japanpost_clickpost: (rows) => buildJapanpostClickpost(rows),
  japanpost_yupri: (rows, options) => [buildJapanpostYupri(rows, options.yupriMapping ?? YUPRI_DEFAULT_MAPPING)],
};
