import { Migration } from '@mikro-orm/migrations';

/**
 * MYNUM-5 (特記12) end-of-contract return: an export may carry the year's application scans too (the
 * 申請書 images hold the 個人番号), so the register says whether it did and how many it carried.
 */
export class Migration20261207121530_mynumber_export_scans extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table mynumber_exports
        add column include_scans boolean not null default false,
        add column scans integer not null default 0 check (scans >= 0);
    `);
  }
}
