/**
 * Carrier import files (SHIP-3): the carrier-neutral shipment row every
 * exporter takes, and what comes out. Exporters are pure: rows in, CP932
 * bytes and problems out; uploading the file to B2クラウド / e飛伝 / ゆうプリR /
 * クリックポスト stays a person's job.
 */
import type { CarrierCode, TemperatureClass } from './catalogue';

/** Which carriers there are, their names and what they carry: declared once in ./catalogue. */
export { CARRIER_CODES, type CarrierCode, type TemperatureClass } from './catalogue';

/** Requested delivery time band, in B2クラウド's notation (other carriers map from it). '' = no request. */
export const TIME_SLOTS = ['', '0812', '1416', '1618', '1820', '1921'] as const;

export interface CarrierShipmentRow {
  /** The shipment's short number (shipments.reference, e.g. S00012345) → お客様管理番号; never cut (a carrier whose column is narrower reports a problem). */
  shipmentId: string;
  shipOn: string;              // YYYY-MM-DD planned ship date
  deliverOn?: string;          // YYYY-MM-DD requested delivery date
  timeSlot?: string;           // '', '0812', '1416', '1618', '1820', '1921'
  temperature: TemperatureClass;
  recipient: { name: string; nameKana?: string; postalCode: string; prefecture: string; address: string; building?: string; phone: string };
  sender: { name: string; postalCode: string; address: string; phone: string };
  itemName: string;
  /** Parcels (個口) under this one shipment; each carrier prints one label per parcel. */
  quantity: number;
  notes?: string;
  email?: string;              // recipient email for お届け予定eメール (may be absent)
}

/**
 * Why a row was left out of a file. `field` is the neutral field path
 * ("recipient.address"), `value` what we were given, `character` the one
 * character that cannot be printed, when that is the reason.
 */
export interface CarrierProblem { shipmentId: string; field: string; value: string; character?: string; reason: string }

export interface CarrierFile { carrier: CarrierCode; fileName: string; content: Buffer; encoding: 'CP932'; rows: number; shipmentIds: string[]; problems: CarrierProblem[] }

/**
 * ゆうプリR has no fixed import layout: the operator registers a 取り込み用フィルタ
 * once, matching our columns. A mapping names each column (in file order) and
 * where its value comes from; `issued` names the columns of the 出力用フィルタ
 * we read tracking numbers back from.
 */
export type YupriSource =
  | string
  | { field: string; format?: 'YYYY/MM/DD' | 'YYYYMMDD' | 'YYYY-MM-DD'; values?: Record<string, string>; maxWidth?: number }
  | { const: string };

export interface YupriMapping {
  name: string;
  /** Column header → source, in file order (JSON object key order is preserved for non-numeric keys). */
  columns: Record<string, YupriSource>;
  issued: { shipmentId: string; trackingNumber: string };
}

export interface CarrierOptions {
  /** B2クラウド billing: 請求先顧客コード (10–12 digits), 運賃管理番号 (2 digits), optional 請求先分類コード and お届け予定eメール message. */
  yamato?: { billingCustomerCode: string; freightCode: string; billingClassCode?: string; deliveryNoticeMessage?: string };
  /** e飛伝: お客様コード when the account has several. */
  sagawa?: { customerCode?: string };
  /** Replaces yupri-default-mapping.json when the operator registered a different filter. */
  yupriMapping?: YupriMapping;
}

/** A line of a carrier's file we could not use; row 1 is the header, as in a spreadsheet. */
export interface CarrierRowError { row: number; column?: string; reason: string }

export interface IssuedLabel { shipmentId: string; trackingNumber: string; row: number }

export type DeliveryStatus = 'delivered' | 'returned_to_depot' | 'investigating' | 'returned';

export interface DeliveryStatusLine { trackingNumber: string; shipmentId?: string; status: DeliveryStatus; at: string; row: number }
