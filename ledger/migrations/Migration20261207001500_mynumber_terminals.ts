import { Migration } from '@mikro-orm/migrations';

/**
 * MYNUM-2: the terminal (network address) each 個人番号 read or refusal came from, so the city can
 * see that 特定個人情報 never left the declared 取扱区域. Old rows have none (null).
 */
export class Migration20261207001500_mynumber_terminals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table my_number_access_log add column terminal text;
      alter table my_number_access_refusals add column terminal text;
    `);
  }
}
