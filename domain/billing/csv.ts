import type { InvoiceContent } from './invoice';

/** The invoice as CSV for the city's accounting: UTF-8 with BOM (Excel), CRLF, one row per statement gift, fee line and cap flag. */
export const INVOICE_CSV_HEADER = ['区分', '事業者コード', '事業者名', '返礼品コード', '返礼品名', '出荷件数', '数量', '調達費(円)', '送料(円)', '項目', '金額(円)', '消費税(円)', '備考'] as const;

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function invoiceCsvRows(c: InvoiceContent): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const s of c.statements) {
    for (const g of s.gifts) {
      rows.push(['明細', s.supplierCode, s.supplierName, g.giftCode, g.giftName, g.shipments, g.quantity, g.procurementCostYen, g.shippingCostYen, '', g.procurementCostYen + g.shippingCostYen, '', s.confirmed ? `確認済 (第${s.revision}版)` : `未確認 (第${s.revision}版)`]);
    }
  }
  for (const f of c.feeLines) rows.push(['手数料', '', '', '', '', '', '', '', '', f.label, f.amountYen, f.taxYen, f.basis]);
  for (const f of c.capFlags) rows.push(['上限超過', '', '', f.giftCodes.join(' '), '', '', '', f.monthCostYen, '', `寄附 ${f.donationId}`, f.excessYen, '', f.reason]);
  const k = c.correction;
  if (k) {
    rows.push(['訂正', '', '', '', '', '', '', '', '', `第${k.of.revision}版 (${k.of.number}) の訂正`, k.differenceYen, '', `訂正理由: ${k.reason}${k.rejectionReason ? ` / 差戻し理由: ${k.rejectionReason}` : ''}`]);
    for (const l of k.lines) rows.push(['訂正', '', '', '', '', '', '', '', '', l.label, l.differenceYen, '', `第${k.of.revision}版 ${l.beforeYen} → 第${c.revision}版 ${l.afterYen}`]);
  }
  rows.push(['合計', '', '', '', '', '', '', '', '', '請求額', c.totals.totalYen, c.totals.taxYen, `税抜 ${c.totals.amountYen}`]);
  return rows;
}

export function invoiceCsv(c: InvoiceContent): Buffer {
  const text = [INVOICE_CSV_HEADER as readonly string[], ...invoiceCsvRows(c)].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}
