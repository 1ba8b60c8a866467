import { DonationEventSchema, DonationGiftLineSchema, DonationSchema, DonorSchema } from './donation';
import { GiftSchema, PortalSchema, SupplierSchema } from './reference';
import { PrintBatchItemSchema, PrintBatchSchema, ReceiptSchema } from './documents';
import { INTAKE_ENTITIES } from './intake';

export * from './donation';
export * from './reference';
export * from './documents';
export * from './intake';

export const ENTITIES = [PortalSchema, SupplierSchema, GiftSchema, DonorSchema, DonationSchema, DonationGiftLineSchema, DonationEventSchema, PrintBatchSchema, ReceiptSchema, PrintBatchItemSchema, ...INTAKE_ENTITIES];
