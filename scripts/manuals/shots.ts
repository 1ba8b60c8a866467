/**
 * The manuals' screenshots (LEDGER-5, issue 17): every picture `npm run manuals` takes, the manual it
 * belongs to and the console route its page is at. scripts/manuals.ts refuses to save a picture of a
 * page that is not at the declared route; test/console/manuals.test.ts checks that every picture is
 * used by its manual, that every picture a manual shows is declared here, and that each route is one
 * the console registers. Plain data: no side effects on import.
 */
import shotTable from './shots.json';

export type Manual = 'operator' | 'city' | 'supplier';

export interface Shot {
  /** The PNG's name under docs/manuals/images/. */
  file: string;
  manual: Manual;
  /** The console route (Fastify pattern) the page is at when the picture is taken. */
  route: string;
  /** POST: the page the server answered a form with (default GET). */
  method?: 'GET' | 'POST';
  /** What the picture shows (for the log and for whoever edits the manual). */
  what: string;
}

export const MANUALS: Record<Manual, { file: string; title: string }> = {
  operator: { file: 'operator.md', title: '受託者オペレーター向け操作マニュアル' },
  city: { file: 'city.md', title: '市職員向け操作マニュアル' },
  supplier: { file: 'supplier.md', title: '事業者向け操作マニュアル' },
};

/** The pictures, in the order the manuals show them: a table of data (scripts/manuals/shots.json), typed here. */
export const SHOTS: Shot[] = shotTable as Shot[];

/** True when a path (no query) is at a Fastify route pattern such as /console/donations/:id. */
export function atRoute(pathname: string, route: string): boolean {
  const pattern = route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(pathname);
}
