import iconv from 'iconv-lite';
import type { CarrierFile, CarrierShipmentRow } from '../../domain/carriers';

/** A typical 柳川市 gift shipment; tests override what they exercise. */
export function shipment(over: Partial<Omit<CarrierShipmentRow, 'recipient'>> & { recipient?: Partial<CarrierShipmentRow['recipient']> } = {}): CarrierShipmentRow {
  const { recipient, ...rest } = over;
  return {
    shipmentId: 'S00012345', // the shipment's short number (shipments.reference), as the ledger gives it
    shipOn: '2026-12-01',
    temperature: 'ambient',
    recipient: {
      name: '山田 太郎',
      nameKana: 'ヤマダ タロウ',
      postalCode: '812-0011',
      prefecture: '福岡県',
      address: '福岡市博多区博多駅前1-2-3',
      building: '博多ハイツ101',
      phone: '092-123-4567',
      ...recipient,
    },
    sender: { name: '柳川市 ふるさと納税係', postalCode: '832-8601', address: '福岡県柳川市本町87-1', phone: '0944-73-8111' },
    itemName: '柳川うなぎのせいろ蒸し',
    quantity: 1,
    ...rest,
  };
}

/** The file as text, asserting CP932 and CRLF line ends on the way. */
export function decode(file: CarrierFile): string[][] {
  const text = iconv.decode(file.content, 'cp932');
  expect(iconv.encode(text, 'cp932').equals(file.content)).toBe(true);
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return text.slice(0, -2).split('\r\n').map((line) => line.split(','));
}
