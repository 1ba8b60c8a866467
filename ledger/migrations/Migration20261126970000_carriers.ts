import { Migration } from '@mikro-orm/migrations';

/**
 * Carriers become a lookup table (ADR 0004). Until now three CHECK constraints
 * (suppliers.default_carrier, gifts.carrier, quality_measures.carrier) each
 * repeated the list of carrier codes; they are replaced by foreign keys to
 * `carriers (code, name)`, whose rows are the carriers declared in
 * domain/carriers/catalogue.ts at the time of this migration.
 *
 * The rows are written out, not read from the declaration: a migration is
 * history and must mean the same thing whenever it runs. Adding a carrier to
 * the declaration therefore takes a new migration inserting its row;
 * test/ledger/declarations.test.ts fails until there is one.
 */
export class Migration20261126970000_carriers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table carriers (
        code text primary key,
        name text not null
      );
      insert into carriers (code, name) values
        ('yamato_b2', 'ヤマト運輸'),
        ('sagawa_ehiden', '佐川急便'),
        ('japanpost_clickpost', '日本郵便（クリックポスト）'),
        ('japanpost_yupri', '日本郵便（ゆうパック）');

      alter table suppliers
        drop constraint suppliers_default_carrier_check,
        add constraint suppliers_default_carrier_fkey foreign key (default_carrier) references carriers (code);
      alter table gifts
        drop constraint gifts_carrier_check,
        add constraint gifts_carrier_fkey foreign key (carrier) references carriers (code);
      alter table quality_measures
        drop constraint quality_measures_carrier_check,
        add constraint quality_measures_carrier_fkey foreign key (carrier) references carriers (code);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      alter table quality_measures
        drop constraint quality_measures_carrier_fkey,
        add constraint quality_measures_carrier_check check (carrier in ('yamato_b2', 'sagawa_ehiden', 'japanpost_clickpost', 'japanpost_yupri'));
      alter table gifts
        drop constraint gifts_carrier_fkey,
        add constraint gifts_carrier_check check (carrier in ('yamato_b2', 'sagawa_ehiden', 'japanpost_clickpost', 'japanpost_yupri'));
      alter table suppliers
        drop constraint suppliers_default_carrier_fkey,
        add constraint suppliers_default_carrier_check check (default_carrier in ('yamato_b2', 'sagawa_ehiden', 'japanpost_clickpost', 'japanpost_yupri'));
      drop table carriers;
    `);
  }
}
