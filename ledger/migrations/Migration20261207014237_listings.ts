import { Migration } from '@mikro-orm/migrations';
import { appendOnlyFunction, appendOnlyTriggers } from './append-only';

/**
 * PORTAL-2: the portals' listings per gift. One common text per gift and, per portal, an override of
 * any of its fields (null = the common one); the images, each file kept under the data folder by its
 * sha256 (checked for format, size and pixels when uploaded, never changed afterwards); and the
 * history of every change, append-only like the donation events.
 */
export class Migration20261207014237_listings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table listing_images (
        id uuid primary key default gen_random_uuid(),
        gift_code text not null references gifts (code) on update cascade on delete restrict,
        owner text not null check (owner in ('city', 'supplier')),
        file_name text not null,
        format text not null check (format in ('jpeg', 'png', 'gif')),
        width integer not null check (width > 0),
        height integer not null check (height > 0),
        bytes integer not null check (bytes > 0),
        sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
        storage_path text not null,
        alt text not null default '',
        created_by text not null,
        created_at timestamptz not null default now(),
        constraint listing_images_unique unique (gift_code, sha256)
      );

      create table listing_texts (
        gift_code text not null references gifts (code) on update cascade on delete restrict,
        -- 'common', or the portal whose override this is
        scope text not null,
        title text,
        description text,
        shipping_notes text,
        image_ids uuid[],
        version integer not null default 1,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_by text not null,
        updated_at timestamptz not null default now(),
        primary key (gift_code, scope),
        constraint listing_texts_common_complete check (scope <> 'common' or (title is not null and description is not null and shipping_notes is not null and image_ids is not null))
      );

      create table listing_history (
        id bigserial primary key,
        gift_code text not null references gifts (code) on update cascade on delete restrict,
        -- 'common', a portal, or 'images'
        scope text not null,
        version integer,
        action text not null check (action in ('created', 'changed', 'image_added')),
        changed_by text not null,
        changed_at timestamptz not null default now(),
        reason text,
        before jsonb,
        after jsonb not null
      );
      create index listing_history_gift_idx on listing_history (gift_code, id);

      ${appendOnlyFunction('listing_history_append_only')}
      ${appendOnlyTriggers('listing_history', 'listing_history_append_only')}
    `);
  }
}
