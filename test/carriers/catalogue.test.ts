import { buildCarrierFiles, CARRIER_CATALOGUE, TEMPERATURE_CLASSES, type CarrierOptions } from '../../domain/carriers';
import { ISSUED_LABEL_LAYOUTS } from '../../domain/carriers/issued-labels';
import { shipment } from './rows';

/** The declaration (domain/carriers/catalogue.ts) and the exporters agree: what a carrier is declared to carry is what its file takes. */
const options: CarrierOptions = { yamato: { billingCustomerCode: '094412345601', freightCode: '01' } };

describe.each(CARRIER_CATALOGUE.map((c) => [c.code, c] as const))('%s as declared', (code, declared) => {
  test.each([...TEMPERATURE_CLASSES])('%s', (temperature) => {
    const [file] = buildCarrierFiles(code, [shipment({ temperature })], options);
    const carried = (declared.temperatures as readonly string[]).includes(temperature);
    expect({ rows: file.rows, temperatureProblem: file.problems.some((p) => p.field === 'temperature') }).toEqual({ rows: carried ? 1 : 0, temperatureProblem: !carried });
    expect(file.encoding).toBe(declared.file.encoding);
  });
});

test('a carrier has an issued-label layout exactly when it is declared to export issued labels', () => {
  expect(Object.fromEntries(CARRIER_CATALOGUE.map((c) => [c.code, ISSUED_LABEL_LAYOUTS[c.code] !== null]))).toEqual(Object.fromEntries(CARRIER_CATALOGUE.map((c) => [c.code, c.issuedLabelExport])));
});
