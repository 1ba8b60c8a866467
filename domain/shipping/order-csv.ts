/** One line of a supplier's order, as ledger/shipments.ts orderLines reads it. */
export interface OrderCsvLine {
  shipmentId: string; giftCode: string; giftName: string; temperature: string;
  quantity: number; deliveryNo: number; deliveries: number; attempt: number;
  recipient: { name: string; nameKana: string; postalCode: string; prefecture: string; address: string; phone: string | null };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The order's lines as the CSV the order mail carries (SHIP-1) and the supplier's console downloads.
 * UTF-8 with BOM so the supplier's Excel opens it without mojibake.
 */
export function supplierOrderCsv(lines: OrderCsvLine[]): Buffer {
  const header = ['出荷ID', '返礼品コード', '返礼品名', '温度帯', '数量', '定期便回', '再送回', 'お届け先氏名', 'フリガナ', '郵便番号', '都道府県', '住所', '電話番号'];
  const body = lines.map((l) =>
    [l.shipmentId, l.giftCode, l.giftName, { ambient: '常温', chilled: '冷蔵', frozen: '冷凍' }[l.temperature] ?? l.temperature, l.quantity, `${l.deliveryNo}/${l.deliveries}`, l.attempt - 1,
      l.recipient.name, l.recipient.nameKana, l.recipient.postalCode, l.recipient.prefecture, l.recipient.address, l.recipient.phone ?? ''].map(csvCell).join(','),
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([header.join(','), ...body].join('\r\n') + '\r\n', 'utf8')]);
}
