import { Migration } from '@mikro-orm/migrations';

/**
 * 送付先: a donation's gifts may go to someone other than the donor (a present
 * to parents, a second home). The donor stays the donor — receipts, one-stop,
 * 名寄せ and SHIP-6 residency are about the donor — and `donation_ship_to`
 * holds the recipient when a portal names one. `donation_recipients` is the
 * one place that decides who a label goes to: the 送付先 if there is one,
 * else the donor.
 */
export class Migration20261126960000_ship_to extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table donation_ship_to (
        donation_id uuid primary key references donations (id) on delete cascade,
        name text not null,
        name_kana text not null default '',
        postal_code text not null,
        prefecture text not null,
        address text not null,
        phone text null,
        created_at timestamptz not null default now()
      );
      create view donation_recipients as
        select d.id as donation_id, t.donation_id is not null as ship_to,
               case when t.donation_id is null then o.name else t.name end as name,
               case when t.donation_id is null then o.name_kana else t.name_kana end as name_kana,
               case when t.donation_id is null then o.postal_code else t.postal_code end as postal_code,
               case when t.donation_id is null then o.prefecture else t.prefecture end as prefecture,
               case when t.donation_id is null then o.address else t.address end as address,
               case when t.donation_id is null then o.phone else coalesce(t.phone, o.phone) end as phone,
               o.email
          from donations d join donors o on o.id = d.donor_id left join donation_ship_to t on t.donation_id = d.id;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop view donation_recipients; drop table donation_ship_to;');
  }
}
