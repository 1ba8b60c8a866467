import { Migration } from '@mikro-orm/migrations';

/**
 * Carrier references that fit: every shipment gets a short, unique, human-readable number
 * (S00000001, S00000002, …; wider past 99,999,999) written into the carriers' お客様管理番号 instead of
 * its 36-character id, which e飛伝's 16 characters would cut. Existing shipments are numbered by the
 * volatile default as the column is added; new ones by the same default.
 */
export class Migration20261207045931_shipment_reference extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create sequence shipment_reference_seq;
      alter table shipments add column reference text not null default ('S' || lpad(nextval('shipment_reference_seq')::text, 8, '0'));
      alter table shipments add constraint shipments_reference_unique unique (reference);
      alter table shipments add constraint shipments_reference_format check (reference ~ '^S[0-9]{8,15}$');
      alter sequence shipment_reference_seq owned by shipments.reference;
    `);
  }
}
