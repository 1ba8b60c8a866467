import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import sharp from 'sharp';
import { readHandover, runHandover, HANDOVER_SECTIONS } from '../../scripts/handover/index';
import { apiTokens, startApi, type TestApi } from '../support/api';
import { isolatedDatabase, suiteContext, type SuiteContext } from '../support/context';

/**
 * PORTAL-2 (listings per gift and portal, their history, images checked by sharp, each portal's
 * upload file) and PORTAL-5 (the hand-over archive of every image and text, read back), against the
 * real ledger in a database of its own, so the archive holds exactly what this suite made.
 */
const OWN = 'lfarm';
const OTHER = 'lother';
const SUPPLIERS = { [OWN]: 'listing-supplier-token-01', [OTHER]: 'listing-supplier-token-02' };

let db: { url: string; drop(): Promise<void> };
let ctx: SuiteContext;
let api: TestApi;
/** unagi-1's two images (seeded in beforeAll). */
let photo: { id: string; url: string; sha256: string; bytes: number; createdAt: string };
let plate: { id: string; url: string; sha256: string };

const image = (width: number, height: number, format: 'jpeg' | 'png' | 'webp' = 'jpeg', colour = '#c33') =>
  sharp({ create: { width, height, channels: 3, background: colour } })[format]().toBuffer();

function upload(gift: string, bytes: Buffer, opts: { owner?: string; name?: string; as?: string } = {}) {
  const boundary = '----listing-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${opts.name ?? 'photo.jpg'}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const qs = opts.owner ? `?owner=${opts.owner}&alt=${encodeURIComponent('うなぎ')}` : '';
  return api.app.inject({ method: 'POST', url: `/listings/${gift}/images${qs}`, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...api.headers(opts.as ?? 'operator') } });
}

const common = { title: '柳川名物 うなぎのせいろ蒸し 2人前', description: '蒸籠で蒸し上げた\n柳川のうなぎです。', shippingNotes: '冷凍でお届けします。' };

beforeAll(async () => {
  db = await isolatedDatabase('listings');
  ctx = await suiteContext('listings', { API_TOKENS: apiTokens(SUPPLIERS) }, { databaseUrl: db.url });
  api = await startApi(ctx, SUPPLIERS);
  for (const code of [OWN, OTHER]) expect((await api.post('/suppliers', { code, name: `事業者 ${code}`, email: `${code}@example.jp`, shippingWeekdays: [2, 5] })).statusCode).toBe(201);
  const gift = (code: string, supplierCode: string, body: Record<string, unknown> = {}) =>
    api.post('/gifts', { code, name: 'うなぎのせいろ蒸し', supplierCode, priceYen: 20_000, costYen: 5_400, shippingCostYen: 1_200, localProductBasis: '告示第5条第3号: 市内で製造・加工', ...body });
  expect((await gift('unagi-1', OWN, { listings: [{ portal: 'rakuten', priceYen: 18_000 }, { portal: 'amazon', listed: false }] })).statusCode).toBe(201);
  expect((await gift('edit-3', OWN, { listings: [{ portal: 'rakuten', priceYen: 18_000 }, { portal: 'amazon', listed: false }] })).statusCode).toBe(201);
  expect((await gift('nori-2', OTHER, { name: '有明海苔' })).statusCode).toBe(201);
  // unagi-1's listing, as the operator leaves it: the tests below read it, none changes it.
  photo = (await upload('unagi-1', await image(800, 800), { owner: 'supplier', name: 'unagi.jpg' })).json().image;
  plate = (await upload('unagi-1', await image(1000, 750, 'png', '#36c'), { owner: 'city', name: 'plate.png' })).json().image;
  expect((await api.put('/listings/unagi-1/common', { ...common, description: '蒸籠で蒸し上げました。', images: [photo.id, plate.id] })).statusCode).toBe(200);
  expect((await api.put('/listings/unagi-1/portals/rakuten', { title: '【楽天限定】うなぎのせいろ蒸し', images: [plate.id] })).statusCode).toBe(200);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('PORTAL-2: listings', () => {
  test('images are checked by their bytes: format, size and pixels refused at the field "file" with the reason', async () => {
    const small = await upload('unagi-1', await image(400, 800));
    expect(small.statusCode).toBe(400);
    expect(small.json().fields).toEqual([{ field: 'file', reason: 'is 400 × 800 pixels; each side must be at least 700 pixels' }]);

    const huge = await upload('unagi-1', await image(4000, 800));
    expect(huge.json().fields[0]).toEqual({ field: 'file', reason: 'is 4000 × 800 pixels; at most 3840 × 3840 are allowed' });

    const webp = await upload('unagi-1', await image(800, 800, 'webp'), { name: 'looks-like.jpg' });
    expect(webp.statusCode).toBe(400);
    expect(webp.json().fields[0]).toEqual({ field: 'file', reason: 'is WEBP; an image must be JPEG, PNG or GIF' });

    const text = await upload('unagi-1', Buffer.from('not an image at all'), { name: 'x.png' });
    expect(text.json().fields[0]).toEqual({ field: 'file', reason: 'is not an image that can be read (JPEG, PNG or GIF)' });

    const cut = (await image(800, 800, 'png')).subarray(0, 200);
    expect((await upload('unagi-1', cut)).json().fields[0].reason).toBe('is not an image that can be read (JPEG, PNG or GIF)');

    // Random pixels do not compress: a PNG over 2 MiB.
    const noise = await sharp(Buffer.from(Array.from({ length: 1200 * 1200 * 3 }, (_, i) => (i * 2654435761) % 251)), { raw: { width: 1200, height: 1200, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(noise.length).toBeGreaterThan(2 * 1024 * 1024);
    const big = await upload('unagi-1', noise);
    expect(big.statusCode).toBe(400);
    expect(big.json().fields[0]).toEqual({ field: 'file', reason: expect.stringContaining('is larger than 2097152 bytes') });

    expect((await upload('nope', await image(800, 800))).statusCode).toBe(404);
    // The document says what the file is.
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/listings/{gift}/images'].post.requestBody.content['multipart/form-data'].schema.properties.file.description).toBe('The image: JPEG, PNG or GIF, at most 2097152 bytes, 700–3840 pixels a side');
    expect((await upload('unagi-1', await image(800, 800), { as: OWN })).statusCode).toBe(403);
  });

  test('the operator writes the common text and a portal override; every change is in the history; the city sees the basis', async () => {
    const first = await upload('edit-3', await image(800, 800, 'jpeg', '#963'), { owner: 'supplier', name: 'unagi.jpg' });
    expect(first.statusCode).toBe(201);
    const photo = first.json().image;
    expect(photo).toMatchObject({ owner: 'supplier', format: 'jpeg', width: 800, height: 800, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), fileName: 'unagi.jpg', alt: 'うなぎ' });
    const again = await upload('edit-3', await image(800, 800, 'jpeg', '#963'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ existing: true, image: { id: photo.id } });
    const plate = (await upload('edit-3', await image(1000, 750, 'png', '#693'), { owner: 'city', name: 'plate.png' })).json().image;

    const stored = await api.get(photo.url, 'city');
    expect(stored.statusCode).toBe(200);
    expect(stored.headers['content-type']).toBe('image/jpeg');
    expect(stored.rawPayload.equals(await image(800, 800, 'jpeg', '#963'))).toBe(true);

    // An override before the common text: 409.
    expect((await api.put('/listings/edit-3/portals/rakuten', { title: '楽天用' })).statusCode).toBe(409);
    expect((await api.put('/listings/edit-3/common', { ...common, images: [photo.id] }, 'city')).statusCode).toBe(403);
    const badImage = await api.put('/listings/edit-3/common', { ...common, images: [photo.id, '00000000-0000-4000-8000-000000000000'] });
    expect(badImage.statusCode).toBe(400);
    expect(badImage.json().fields).toEqual([{ field: 'images[1]', reason: 'is not an image of gift edit-3' }]);
    expect((await api.put('/listings/edit-3/common', { ...common, title: 'a\u0001b' })).json().fields[0].field).toBe('title');
    expect((await api.put('/listings/edit-3/common', { description: 'x' })).json().fields[0].field).toBe('title');

    expect((await api.put('/listings/edit-3/common', { ...common, images: [photo.id] })).statusCode).toBe(200);
    const edited = await api.put('/listings/edit-3/common', { ...common, description: '蒸籠で蒸し上げました。', images: [photo.id, plate.id], reason: '説明の誤記' });
    expect(edited.statusCode).toBe(200);
    // The same text again changes nothing.
    await api.put('/listings/edit-3/common', { ...common, description: '蒸籠で蒸し上げました。', images: [photo.id, plate.id] });
    const overridden = await api.put('/listings/edit-3/portals/rakuten', { title: '【楽天限定】うなぎのせいろ蒸し', images: [plate.id] });
    expect(overridden.statusCode).toBe(200);

    const listing = (await api.get('/listings/edit-3', 'city')).json().listing;
    expect(listing.common).toMatchObject({ title: common.title, version: 2, updatedBy: 'operator:tanaka' });
    expect(listing.localProductBasis).toBe('告示第5条第3号: 市内で製造・加工');
    const rakuten = listing.portals.find((p: { portal: string }) => p.portal === 'rakuten');
    expect(rakuten).toMatchObject({
      title: '【楽天限定】うなぎのせいろ蒸し',
      description: '蒸籠で蒸し上げました。',
      images: [plate.id],
      overridden: ['title', 'images'],
      priceYen: 18_000,
      ownPrice: true,
      basis: { priceYen: 18_000, costYen: 5_400, procurementRatio: 0.3, cap: 0.3, withinCap: true, maxCostYen: 5_400, localProductBasis: '告示第5条第3号: 市内で製造・加工' },
    });
    expect(listing.portals.find((p: { portal: string }) => p.portal === 'choice')).toMatchObject({ title: common.title, priceYen: 20_000, overridden: [], basis: { procurementRatio: 0.27 } });
    expect(listing.portals.find((p: { portal: string }) => p.portal === 'amazon').listed).toBe(false);

    const history = (await api.get('/listings/edit-3/history', 'city')).json().history;
    expect(history.map((h: { scope: string; action: string; version: number | null }) => [h.scope, h.action, h.version])).toEqual([
      ['images', 'image_added', null],
      ['images', 'image_added', null],
      ['common', 'created', 1],
      ['common', 'changed', 2],
      ['rakuten', 'created', 1],
    ]);
    expect(history[3]).toMatchObject({ reason: '説明の誤記', changedBy: 'operator:tanaka', before: { description: common.description }, after: { description: '蒸籠で蒸し上げました。', changed: ['description', 'images'] } });
    // Append-only: the ledger refuses to rewrite it.
    await expect(ctx.orm.em.getKnex()('listing_history').where({ gift_code: 'edit-3' }).update({ reason: 'rewritten' })).rejects.toThrow('listing_history is append-only');
  });

  test('a supplier reads its own gifts’ listings without the basis, and nothing of another supplier’s', async () => {
    const own = await api.get('/listings/unagi-1', OWN);
    expect(own.statusCode).toBe(200);
    expect(own.json().listing.localProductBasis).toBeUndefined();
    expect(own.json().listing.portals[0].basis).toBeUndefined();
    const gifts = async (as: string) => (await api.get('/listings', as)).json().listings.map((l: { gift: string }) => l.gift);
    expect(await gifts(OWN)).toContain('unagi-1');
    expect(await gifts(OWN)).not.toContain('nori-2');
    expect(await gifts(OTHER)).not.toContain('unagi-1');
    expect((await api.get('/listings/unagi-1', OTHER)).statusCode).toBe(403);
    expect((await api.get('/listings/unagi-1/history', OTHER)).statusCode).toBe(403);
    expect((await api.get(`/listings/unagi-1/images/${own.json().listing.images[0].id}`, OTHER)).statusCode).toBe(403);
    expect((await api.get(`/listings?supplier=${OWN}`, OTHER)).statusCode).toBe(403);
    expect((await api.put('/listings/unagi-1/common', common, OWN)).statusCode).toBe(403);
    expect((await api.get('/listings/upload-files/rakuten', OWN)).statusCode).toBe(403);
    expect((await api.get('/listings/unknown-gift', 'city')).statusCode).toBe(404);
  });

  test('楽天 item.csv: Shift_JIS, the published columns, the portal price and override, image URLs; unlisted portals leave the gift out', async () => {
    const res = await api.get('/listings/upload-files/rakuten', 'city');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=Shift_JIS');
    expect(res.headers['x-listing-layout']).toBe('published');
    const lines = iconv.decode(res.rawPayload, 'cp932').split('\r\n');
    expect(lines[0]).toBe('コントロールカラム,商品管理番号（商品URL）,商品番号,商品名,販売価格,送料,PC用商品説明文,スマートフォン用商品説明文,PC用販売説明文,商品画像URL,商品画像名（ALT）');
    expect(lines.find((l) => l.startsWith('n,unagi-1,'))).toBe(`n,unagi-1,unagi-1,【楽天限定】うなぎのせいろ蒸し,18000,1,蒸籠で蒸し上げました。,蒸籠で蒸し上げました。,冷凍でお届けします。,https://image.rakuten.co.jp/SHOP_ID/cabinet/furusato/unagi-1-${plate.sha256.slice(0, 12)}.png,【楽天限定】うなぎのせいろ蒸し`);
    expect(lines.at(-1)).toBe('');

    const choice = await api.get('/listings/upload-files/choice');
    expect(choice.headers['x-listing-layout']).toBe('provisional');
    expect(choice.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(choice.rawPayload.toString('utf8')).toContain('"蒸籠で蒸し上げました。"'.slice(1, -1));
    // Unlisted on amazon: left out of its file.
    const amazon = (await api.get('/listings/upload-files/amazon')).rawPayload.toString('utf8');
    expect(amazon).toContain('SKU,商品名');
    expect(amazon).not.toContain('unagi-1');
  });

  test('a listing over a portal’s limit is named, not truncated', async () => {
    expect((await api.put('/listings/nori-2/common', { title: 'の'.repeat(200), description: '有明海の一番摘み' })).statusCode).toBe(200);
    const res = await api.get('/listings/upload-files/rakuten');
    expect(res.statusCode).toBe(409);
    expect(res.json().fields).toEqual(expect.arrayContaining([{ field: 'nori-2.商品名', reason: 'is 400 bytes; 楽天ふるさと納税 takes at most 255 (全角 = 2)' }]));
    expect((await api.put('/listings/nori-2/portals/rakuten', { title: '有明海苔 一番摘み' })).statusCode).toBe(200);
    expect((await api.get('/listings/upload-files/rakuten')).statusCode).toBe(200);
  });
});

describe('PORTAL-5: the hand-over', () => {
  test('every image and text by owner and gift with a manifest; the same archive again; read back', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-listings-'));
    try {
      const deps = { knex: ctx.orm.em.getKnex(), config: ctx.config };
      const manifest = await runHandover(out, deps, HANDOVER_SECTIONS);
      const files = manifest.entries.filter((e) => e.section === 'listings').map((e) => [e.file, e.owner, e.gift, e.portal, e.kind]);
      expect(files).toEqual(expect.arrayContaining([
        ['listings/city/unagi-1/listing.json', 'city', 'unagi-1', null, 'listing'],
        ['listings/city/unagi-1/history.json', 'city', 'unagi-1', null, 'history'],
        ['listings/city/unagi-1/texts/common.txt', 'city', 'unagi-1', null, 'text'],
        ['listings/city/unagi-1/texts/rakuten.txt', 'city', 'unagi-1', 'rakuten', 'text'],
        [`listings/city/unagi-1/images/unagi-1-${plate.sha256.slice(0, 12)}.png`, 'city', 'unagi-1', null, 'image'],
        [`listings/supplier-${OWN}/unagi-1/images/unagi-1-${photo.sha256.slice(0, 12)}.jpg`, `supplier:${OWN}`, 'unagi-1', null, 'image'],
        ['listings/upload-files/rakuten/item.csv', 'city', null, 'rakuten', 'upload file (published)'],
        ['listings/upload-files/choice/choice-items.csv', 'city', null, 'choice', 'upload file (provisional)'],
      ]));
      // Every image and text the API holds, and their dates.
      const photoEntry = manifest.entries.find((e) => e.kind === 'image' && e.gift === 'unagi-1' && e.owner === `supplier:${OWN}`)!;
      expect(photoEntry).toMatchObject({ sha256: photo.sha256, bytes: photo.bytes, createdAt: photo.createdAt });
      expect(fs.readFileSync(path.join(out, photoEntry.file)).equals((await api.get(photo.url)).rawPayload)).toBe(true);
      expect(fs.readFileSync(path.join(out, 'listings/city/unagi-1/texts/rakuten.txt'), 'utf8')).toContain('【タイトル】\n【楽天限定】うなぎのせいろ蒸し\n');
      const history = JSON.parse(fs.readFileSync(path.join(out, 'listings/city/unagi-1/history.json'), 'utf8'));
      expect(history).toEqual((await api.get('/listings/unagi-1/history')).json().history);
      const rakutenFile = fs.readFileSync(path.join(out, 'listings/upload-files/rakuten/item.csv'));
      expect(rakutenFile.equals((await api.get('/listings/upload-files/rakuten')).rawPayload)).toBe(true);

      // Re-runnable: the same data, the same bytes.
      const before = fs.readFileSync(path.join(out, 'manifest.json'));
      expect(await runHandover(out, deps, HANDOVER_SECTIONS)).toEqual(manifest);
      expect(fs.readFileSync(path.join(out, 'manifest.json')).equals(before)).toBe(true);
      expect(readHandover(out)).toEqual(manifest);
      const csv = fs.readFileSync(path.join(out, 'manifest.csv'), 'utf8').split('\r\n');
      expect(csv[0]).toBe('section,owner,gift,portal,kind,file,sha256,bytes,createdAt,updatedAt');
      expect(csv).toContain(`listings,supplier:${OWN},unagi-1,,image,${photoEntry.file},${photo.sha256},${photo.bytes},${photo.createdAt},${photo.createdAt}`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
