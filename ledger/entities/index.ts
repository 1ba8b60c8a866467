import { DonationEventSchema, DonationGiftLineSchema, DonationSchema, DonorSchema } from './donation';
import { GiftSchema, PortalSchema, SupplierSchema } from './reference';

export * from './donation';
export * from './reference';

export const ENTITIES = [PortalSchema, SupplierSchema, GiftSchema, DonorSchema, DonationSchema, DonationGiftLineSchema, DonationEventSchema];
