import { Migration } from '@mikro-orm/migrations';

/** PORTAL-4: requests left on the donors' status page are call-centre log entries of channel `web`. */
export class Migration20261207052244_call_channel_web extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table calls drop constraint calls_channel_check;
      alter table calls add constraint calls_channel_check check (channel in ('phone', 'fax', 'email', 'letter', 'counter', 'web'));
    `);
  }
}
