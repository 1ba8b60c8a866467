import { Migration } from '@mikro-orm/migrations';

/**
 * MYNUM-4 (特記11): 特定個人情報 reaches the city only by the means, on the date and at the place the
 * city designates, recorded: the designation, the package handed over (its checksum and size), the
 * receiver, and the city's confirmation quoting the checksum it verified.
 */
export class Migration20261207013500_mynumber_handovers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mynumber_handovers (
        id uuid primary key,
        donation_year integer not null check (donation_year between 2008 and 2100),
        means text not null,
        planned_on date not null,
        place text not null,
        designated_by text not null,
        designated_at timestamptz not null default now(),
        package_sha256 text check (package_sha256 ~ '^[0-9a-f]{64}$'),
        package_applications integer,
        package_files integer,
        receiver text,
        handed_over_by text,
        handed_over_at timestamptz,
        confirmed_by text,
        confirmed_at timestamptz,
        constraint mynumber_handovers_order check ((handed_over_at is null or package_sha256 is not null) and (confirmed_at is null or handed_over_at is not null))
      );
      create index mynumber_handovers_year_idx on mynumber_handovers (donation_year, designated_at);
    `);
  }
}
