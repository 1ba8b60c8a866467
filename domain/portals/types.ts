import type { Channel, PaymentMethod } from '../donation-status';
import type { DonorFields } from '../donor';

/** A problem with one row, located by the portal's own column name so an operator can find it in the file. */
export interface RowIssue {
  column: string | null;
  reason: string;
}

/** The portal-neutral donation record every adapter produces (the ledger adds channel, actor, flags). */
export interface PortalDonation {
  portalOrderId: string;
  appliedAt: string;
  paidAt?: string;
  amountYen: number;
  paymentMethod: PaymentMethod;
  purpose?: string;
  wantsOneStop: boolean;
  disasterRelief: boolean;
  donor: DonorFields;
  /** 送付先: where the gifts go when it is not the donor's own address (a present to family, a second home). */
  shipTo?: ShipTo;
  gifts: { code: string; quantity: number }[];
  /** YYYY-MM-DD where the source has a birth date column (名寄せ only; the ledger's donor row has no birth date). */
  donorBirthDate?: string;
  /** Migration rows only: the portal the donation was really made on (a portal file's rows all belong to the file's portal). */
  portal?: string;
  /** Migration rows only: how a donation outside the portals came in (default 'portal'). */
  channel?: Channel;
  /** Migration rows only (LEDGER-4, SHIP-7): where the previous system had got to. */
  migration?: MigrationFacts;
}

/** A gift recipient other than the donor: the fields a label needs. */
export type ShipTo = Pick<DonorFields, 'name' | 'nameKana' | 'postalCode' | 'prefecture' | 'address' | 'phone'>;

/** What ふるさと納税do knew about a donation's progress, so its workflow starts at the right stage. */
export interface MigrationFacts {
  /** The previous system's own id (管理番号), kept for tracing. */
  sourceId?: string;
  /** 寄附金受領証明書 (and お礼状) posted by the previous system. */
  documentsSentAt?: string;
  /** 'none': no gift; 'to_ship': still due (SHIP-7, ships like any paid donation); 'shipped': the previous system shipped it. */
  gifts: 'none' | 'to_ship' | 'shipped';
  giftsShippedAt?: string;
}

export type MapResult = { ok: true; donation: PortalDonation } | { ok: false; portalOrderId?: string; issues: RowIssue[] };

/** Set up once per file from its header row. */
export interface RowMapper {
  /** Rows of one order are consecutive (楽天 writes one row per item); this groups them. */
  orderIdOf(cells: string[]): string;
  map(rows: string[][]): MapResult;
  /** The file's column that feeds a ledger field ("donor.postalCode" → "郵便番号"), for errors found later. */
  columnOf(field: string): string | null;
}

export interface PortalAdapter {
  portal: string;
  /** 'published': the portal's documented layout; 'provisional': our assumption until the city supplies a sample. */
  layout: 'published' | 'provisional';
  source: string;
  begin(header: string[]): RowMapper | { error: string };
}

export function isMapper(x: RowMapper | { error: string }): x is RowMapper {
  return !('error' in x);
}
