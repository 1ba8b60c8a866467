import { Migration } from '@mikro-orm/migrations';

/** MYNUM-5: the city's witness (立会人) named with its consent to a destruction. */
export class Migration20261207015000_destruction_witness extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table retention_destructions add column witness text;`);
  }
}
