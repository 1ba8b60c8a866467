import { titledCodes } from '../declarations';
import { normalizeDonorFields, validateDonor, type DonorFields, type FieldError } from '../donor';

/**
 * INTAKE-3 資料請求: people who ask for the printed catalogue (by phone, FAX,
 * mail, email, at the counter or through the city's web form) are recorded,
 * and the catalogue is mailed. A request lives requested → sent (or cancelled);
 * the mailing list of open requests is what the mail room prints labels from.
 */
/** What goes in the envelope, in the words on the label/packing list. */
export const { codes: CATALOGUE_ITEMS, titles: CATALOGUE_ITEM_NAMES } = titledCodes({
  catalogue: '返礼品カタログ',
  guide: 'ふるさと納税のご案内',
  onestop_form: 'ワンストップ特例申請書',
  postal_transfer_form: '払込取扱票',
});
export type CatalogueItem = (typeof CATALOGUE_ITEMS)[number];

export const CATALOGUE_CHANNELS = ['phone', 'fax', 'mail', 'email', 'counter', 'web'] as const;
export type CatalogueChannel = (typeof CATALOGUE_CHANNELS)[number];

export const CATALOGUE_STATUSES = ['requested', 'sent', 'cancelled'] as const;
export type CatalogueStatus = (typeof CATALOGUE_STATUSES)[number];

export interface CatalogueRequestInput {
  requester: Partial<DonorFields>;
  items: CatalogueItem[];
  copies?: number;
  channel: CatalogueChannel;
  requestedAt?: string;
  note?: string;
}

/** Name, address and postal code are needed to mail it; kana is helpful but a phone caller may not give it. */
export function validateCatalogueRequest(input: CatalogueRequestInput): FieldError[] {
  const requester = { ...input.requester, nameKana: input.requester.nameKana || 'ア' };
  const errors = validateDonor(requester, 'requester.');
  if (!input.items?.length) errors.push({ field: 'items', reason: 'must name at least one item' });
  if (input.copies !== undefined && (!Number.isInteger(input.copies) || input.copies < 1 || input.copies > 20)) errors.push({ field: 'copies', reason: 'must be 1 to 20' });
  if (input.requestedAt && Number.isNaN(Date.parse(input.requestedAt))) errors.push({ field: 'requestedAt', reason: 'must be a date and time' });
  return errors;
}

export function normalizeRequester(r: Partial<DonorFields>): DonorFields {
  const n = normalizeDonorFields({ name: '', nameKana: '', postalCode: '', prefecture: '', address: '', ...r });
  return { ...n, name: n.name.replace(/[\s\u3000]+/g, ' ') };
}
