import type { Knex } from '@mikro-orm/postgresql';

/**
 * The console's quick search by order number (`/console/donations?q=…`): a portal order id is unique
 * per portal, so each portal's row is one probe of the (portal_code, portal_order_id) unique index.
 */
export async function donationsByOrderId(knex: Knex, orderId: string): Promise<{ id: string; portal: string; portalOrderId: string }[]> {
  const rows = (
    await knex.raw(
      `select d.id, d.portal_code, d.portal_order_id from portals p join donations d on d.portal_code = p.code and d.portal_order_id = ? order by p.code limit 20`,
      [orderId],
    )
  ).rows as { id: string; portal_code: string; portal_order_id: string }[];
  return rows.map((r) => ({ id: r.id, portal: r.portal_code, portalOrderId: r.portal_order_id }));
}
