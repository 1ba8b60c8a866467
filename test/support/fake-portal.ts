import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a portal's download endpoint (PORTAL-1 scheduled import):
 * GET /<portal> lists the files on offer as [{ name }], GET /<portal>/<name>
 * serves one. Files stay listed, as real portals keep them for a while.
 */
export interface FakePortal {
  url(portal: string): string;
  offer(portal: string, name: string, bytes: Buffer): void;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakePortal(): Promise<FakePortal> {
  const files = new Map<string, Map<string, Buffer>>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const [, portal, name] = (req.url ?? '').split('/').map(decodeURIComponent);
    const offered = files.get(portal);
    if (!offered) return void res.writeHead(404).end();
    if (!name) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify([...offered.keys()].map((n) => ({ name: n }))));
    }
    const bytes = offered.get(name);
    if (!bytes) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (portal) => `http://127.0.0.1:${port}/${portal}`,
    offer(portal, name, bytes) {
      if (!files.has(portal)) files.set(portal, new Map());
      files.get(portal)!.set(name, bytes);
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
