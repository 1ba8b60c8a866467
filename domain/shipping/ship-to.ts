import { normalizeDonorFields, validateDonor, type FieldError } from '../donor';
import type { ShipTo } from '../portals/types';

/** A 送付先 as an operator sends it (kana and prefecture may be left out). */
export interface ShipToInput {
  name: string;
  nameKana?: string;
  postalCode: string;
  prefecture?: string;
  address: string;
  phone?: string;
}

/** A donation's 送付先 as the API shows it; null = the gifts go to the donor. */
export type ShipToView = Omit<ShipTo, 'phone'> & { phone: string | null };

/** What a 送付先 correction changed (the answer of `PUT /donations/:id/ship-to`). */
export interface ShipToCorrectionResult {
  before: ShipToView | null;
  after: ShipTo | null;
}

/**
 * An operator's 送付先 (null = to the donor), normalised and checked like a donor's
 * address; kana is optional on a label. Used by the API (400 with the fields) and by
 * the DonationWorkflow's `correctShipTo` validator, so both reject the same input.
 */
export function normalizeShipTo(raw: ShipToInput | null): { shipTo: ShipTo | null; errors: FieldError[] } {
  if (!raw) return { shipTo: null, errors: [] };
  const n = normalizeDonorFields({ name: raw.name ?? '', nameKana: raw.nameKana ?? '', postalCode: raw.postalCode ?? '', prefecture: raw.prefecture ?? '', address: raw.address ?? '', phone: raw.phone });
  const errors = validateDonor(n, 'shipTo.').filter((e) => !(e.field === 'shipTo.nameKana' && !n.nameKana));
  return { shipTo: { name: n.name, nameKana: n.nameKana, postalCode: n.postalCode, prefecture: n.prefecture, address: n.address, ...(n.phone ? { phone: n.phone } : {}) }, errors };
}
