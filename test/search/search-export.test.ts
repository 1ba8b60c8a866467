import { randomUUID } from 'node:crypto';
import { sealMyNumber } from '../../domain/onestop/vault';
import type { Readable } from 'node:stream';
import * as iconv from 'iconv-lite';
import { EXPORT_HEADER, SjisEncoder, exportDonationsCsv } from '../../ledger/export';
import { applyFilters, searchRows, searchTotals, type DonorNameMatch, type RowStrategy, type SearchFilters } from '../../ledger/search';
import type { SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';

/** LEDGER-2/3: filter combinations checked against an independent (in-memory) evaluation of the planted rows. */
let ctx: SuiteContext;
let api: TestApi;

interface Planted {
  id: string; portal: string; status: string; amount: number; appliedAt: Date; paidAt: Date | null; prefecture: string; name: string; kana: string;
  flags: string[]; disaster: boolean; oneStop: boolean; onestop: string | null; shipment: string | null; gifts: string[]; suppliers: string[];
}
const planted: Planted[] = [];
let G: string[] = [];
let S: string[] = [];

// Deterministic pseudo-random.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const jst = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('search'));
  const knex = ctx.orm.em.fork().getKnex();
  S = ['A', 'B'].map((x) => `${ctx.prefix}-S${x}`);
  const supplierIds: number[] = [];
  for (const code of S) {
    const [row] = await knex('suppliers').insert({ name: `テスト事業者${code}`, code }).returning('id');
    supplierIds.push(row.id);
  }
  G = ['EEL', 'NORI', 'SAKE'].map((x) => `${ctx.prefix}-${x}`);
  await knex('gifts').insert(G.map((code, i) => ({ code, name: `返礼品${i}`, supplier_id: supplierIds[i % 2], price_yen: 10_000, cost_yen: 3_000, active: true })));
  const names = [['柳川 花子', 'ヤナガワ ハナコ'], ['山田 太郎', 'ヤマダ タロウ'], ['髙橋 𠮷男', 'タカハシ ヨシオ'], ['佐藤 一郎', 'サトウ イチロウ']];
  const base = Date.parse('2026-10-01T00:00:00Z');
  for (let i = 0; i < 80; i++) {
    const [name, kana] = pick(names);
    const appliedAt = new Date(base + Math.floor(rnd() * 40 * 86_400_000) + i);
    const paid = rnd() < 0.6;
    const p: Planted = {
      id: randomUUID(), portal: pick(['choice', 'rakuten', 'furunavi', 'direct']), status: pick(['received', 'paid', 'documents_due', 'completed', 'cancelled']),
      amount: pick([5_000, 10_000, 20_000, 50_000, 100_000]), appliedAt, paidAt: paid ? new Date(appliedAt.getTime() + Math.floor(rnd() * 5 * 86_400_000)) : null,
      prefecture: pick(['福岡県', '東京都', '大阪府']), name: name!, kana: kana!, flags: rnd() < 0.2 ? [pick(['duplicate_suspect', 'amount_unusual'])] : [],
      disaster: rnd() < 0.15, oneStop: rnd() < 0.4, onestop: null, shipment: rnd() < 0.5 ? pick(['planned', 'shipped', 'delivered']) : null,
      gifts: rnd() < 0.3 ? [G[0]!, G[2]!] : [pick(G)], suppliers: [],
    };
    if (p.oneStop && rnd() < 0.6) p.onestop = pick(['received', 'accepted', 'deficient']);
    p.suppliers = [...new Set(p.gifts.map((g) => S[G.indexOf(g) % 2]!))];
    planted.push(p);
    const donorId = randomUUID();
    await knex('donors').insert({ id: donorId, name: p.name, name_kana: p.kana, postal_code: '832-0000', prefecture: p.prefecture, address: `柳川市本町${i}` });
    await knex('donations').insert({
      id: p.id, portal_code: p.portal, portal_order_id: `${ctx.prefix}-${i}`, donor_id: donorId, channel: 'portal', amount_yen: p.amount, payment_method: 'credit_card',
      wants_one_stop: p.oneStop, disaster_relief: p.disaster, status: p.status, review_flags: JSON.stringify(p.flags), applied_at: p.appliedAt, paid_at: p.paidAt,
      workflow_id: `${ctx.prefix}-wf-${i}`, intake_fingerprint: 'x', created_by: 'test',
    });
    const lines = await knex('donation_gift_lines').insert(p.gifts.map((g) => ({ donation_id: p.id, gift_code: g, quantity: 1, unit_price_yen: 10_000 }))).returning('id');
    if (p.shipment) {
      await knex('shipments').insert({ id: randomUUID(), donation_id: p.id, gift_line_id: lines[0].id, gift_code: p.gifts[0], status: p.shipment, workflow_id: `${ctx.prefix}-sh-${i}` });
    }
    if (p.onestop) {
      // The first application carries a sealed 個人番号: the export must never show it.
      // Sealed with the configured key as the application ledger does: other suites scan the whole database for clear numbers.
      const applicationId = randomUUID();
      const sealed = i === planted.findIndex((x) => x.onestop) ? sealMyNumber(ctx.config.myNumber!, applicationId, '123456789018') : null;
      await knex('onestop_applications').insert({
        id: applicationId, donation_id: p.id, workflow_id: `${ctx.prefix}-os-${i}`, channel: 'paper', status: p.onestop, form_version: 'current',
        arrived_on: '2026-11-01', deadline_on: '2027-01-10', content: JSON.stringify({}), current_content: JSON.stringify({}),
        my_number_sealed: sealed?.sealed ?? null, my_number_key_id: sealed?.keyId ?? null, my_number_verdict: 'valid', created_by: 'test',
      });
    }
  }
});

afterAll(() => api?.close());

const mine = () => G.map((g) => `gift=${encodeURIComponent(g)}`).join('&');

type Case = [string, (p: Planted) => boolean];
const cases = (): Case[] => [
  ['', () => true],
  ['status=paid&status=completed', (p) => ['paid', 'completed'].includes(p.status)],
  ['portal=rakuten&amountMin=20000', (p) => p.portal === 'rakuten' && p.amount >= 20_000],
  [`gift=${G[2]}&prefecture=${encodeURIComponent('東京都')}`, (p) => p.gifts.includes(G[2]!) && p.prefecture === '東京都'],
  [`supplier=${S[1]}&status=received`, (p) => p.suppliers.includes(S[1]!) && p.status === 'received'],
  ['appliedFrom=2026-10-05&appliedTo=2026-10-20&amountMax=20000', (p) => jst(p.appliedAt) >= '2026-10-05' && jst(p.appliedAt) <= '2026-10-20' && p.amount <= 20_000],
  ['paidFrom=2026-10-10&paidTo=2026-10-31', (p) => !!p.paidAt && jst(p.paidAt) >= '2026-10-10' && jst(p.paidAt) <= '2026-10-31'],
  ['reviewFlagged=true', (p) => p.flags.length > 0],
  ['reviewFlagged=false&disasterRelief=false', (p) => p.flags.length === 0 && !p.disaster],
  ['reviewFlag=amount_unusual', (p) => p.flags.includes('amount_unusual')],
  ['disasterRelief=true&wantsOneStop=true', (p) => p.disaster && p.oneStop],
  ['wantsOneStop=true&onestopStatus=none', (p) => p.oneStop && !p.onestop],
  ['onestopStatus=accepted&onestopStatus=deficient', (p) => p.onestop === 'accepted' || p.onestop === 'deficient'],
  ['shipmentStatus=shipped&shipmentStatus=delivered&portal=choice&portal=direct', (p) => (p.shipment === 'shipped' || p.shipment === 'delivered') && ['choice', 'direct'].includes(p.portal)],
  [`donor=${encodeURIComponent('ヤマダ')}`, (p) => p.kana.includes('ヤマダ')],
  [`donor=${encodeURIComponent('柳川')}&status=cancelled&status=paid`, (p) => p.name.includes('柳川') && ['cancelled', 'paid'].includes(p.status)],
  [`donor=${encodeURIComponent('100%_')}`, () => false],
  [`donorKana=${encodeURIComponent('ヤマ')}`, (p) => p.kana.startsWith('ヤマ')],
  // Hiragana is read as katakana; the space belongs to the stored kana.
  [`donorKana=${encodeURIComponent('やながわ は')}&status=paid&status=completed`, (p) => p.kana.startsWith('ヤナガワ ハ') && ['paid', 'completed'].includes(p.status)],
  [`donorKana=${encodeURIComponent('%')}`, () => false],
  ['paidFrom=2026-10-20&paidTo=2026-11-30&portal=rakuten&portal=choice', (p) => !!p.paidAt && jst(p.paidAt) >= '2026-10-20' && ['rakuten', 'choice'].includes(p.portal)],
];

const order = (a: Planted, b: Planted) => b.appliedAt.getTime() - a.appliedAt.getTime() || (b.id < a.id ? -1 : 1);

describe('search (LEDGER-2)', () => {
  test('each filter combination returns exactly the planted rows that match, with totals for the whole result', async () => {
    for (const [query, match] of cases()) {
      const expected = planted.filter(match).sort(order);
      // gift= cases are scoped by their own (prefixed) gift code; the rest by all of this suite's gifts.
      const res = await api.get(`/donations?${query.startsWith('gift=') ? '' : `${mine()}&`}${query}&limit=500`, 'city');
      expect({ query, status: res.statusCode }).toEqual({ query, status: 200 });
      const json = res.json();
      expect({ query, ids: json.rows.map((r: { id: string }) => r.id) }).toEqual({ query, ids: expected.map((p) => p.id) });
      expect({ query, total: json.total, amount: json.totalAmountYen, exact: json.totalsExact }).toEqual({ query, total: expected.length, amount: expected.reduce((s, p) => s + p.amount, 0), exact: true });
    }
  });

  test('keyset paging walks the whole result once, in order; offset paging agrees', async () => {
    const expected = planted.filter((p) => p.status !== 'cancelled').sort(order).map((p) => p.id);
    const st = 'status=received&status=paid&status=documents_due&status=completed';
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const json: { rows: { id: string }[]; nextCursor: string | null; total: number } = (await api.get(`/donations?${mine()}&${st}&limit=7${after ? `&after=${after}` : ''}`)).json();
      expect(json.total).toBe(expected.length);
      seen.push(...json.rows.map((r) => r.id));
      after = json.nextCursor;
    } while (after);
    expect(seen).toEqual(expected);
    const page2 = (await api.get(`/donations?${mine()}&${st}&limit=7&offset=7`)).json();
    expect(page2.rows.map((r: { id: string }) => r.id)).toEqual(expected.slice(7, 14));
  });

  test('both ways of finding a page (walk newest-first, or fetch matches and sort) give the same pages', async () => {
    const em = () => ctx.orm.em.fork();
    const sets: [SearchFilters, (p: Planted) => boolean][] = [
      [{ gift: G }, () => true],
      [{ gift: [G[1]!] }, (p) => p.gifts.includes(G[1]!)],
      [{ gift: G, supplier: [S[0]!], status: ['paid', 'completed', 'received'] }, (p) => p.suppliers.includes(S[0]!) && ['paid', 'completed', 'received'].includes(p.status)],
      [{ gift: G, paidFrom: '2026-10-12T15:00:00.000Z', prefecture: ['福岡県', '東京都'] }, (p) => !!p.paidAt && p.paidAt.toISOString() >= '2026-10-12T15:00:00.000Z' && ['福岡県', '東京都'].includes(p.prefecture)],
      [{ gift: G, onestopStatus: ['none'], wantsOneStop: true }, (p) => p.oneStop && !p.onestop],
      [{ gift: G, donorKana: 'タカハシ' }, (p) => p.kana.startsWith('タカハシ')],
      // A name: a walk looks up each donation's donor, a sort gathers the donors from the bigram index first.
      [{ gift: G, donor: '花子' }, (p) => p.name.includes('花子')],
      [{ gift: G, donor: 'ハナ', status: ['paid', 'completed'] }, (p) => p.kana.includes('ハナ') && ['paid', 'completed'].includes(p.status)],
      [{ gift: G, donor: '郎' }, (p) => p.name.includes('郎')],
    ];
    for (const [f, match] of sets) {
      const expected = planted.filter(match).sort(order).map((p) => p.id);
      for (const strategy of ['walk', 'sort'] as RowStrategy[]) {
        const seen: string[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = await searchRows(em(), f, { limit: 6, after }, strategy);
          seen.push(...page.rows.map((r) => r.id));
          if (!page.nextCursor) break;
          after = page.nextCursor;
        }
        expect({ f, strategy, seen }).toEqual({ f, strategy, seen: expected });
      }
      const offsetPage = await searchRows(em(), f, { limit: 5, offset: 5 }, 'sort');
      expect(offsetPage.rows.map((r) => r.id)).toEqual(expected.slice(5, 10));
    }
  });

  test('a donor name written either way (gathered from the bigram index, or probed per donation as samples and walks do) matches the same donations', async () => {
    const knex = ctx.orm.em.fork().getKnex();
    for (const donor of ['花子', 'ヤナガワ ハ', '𠮷男', '郎']) {
      const ids = async (donorName: DonorNameMatch) =>
        (await applyFilters(knex, knex('donations as d'), { gift: G, donor, donorName }).select('d.id').orderBy('d.id')).map((r: { id: string }) => r.id);
      const expected = planted.filter((p) => p.name.includes(donor) || p.kana.includes(donor)).map((p) => p.id).sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(await ids('gather')).toEqual(expected);
      expect(await ids('probe')).toEqual(expected);
    }
  });

  test('totals: exact up to the limit; above it an estimate that says so and never undercounts what was counted', async () => {
    const em = () => ctx.orm.em.fork();
    const all = planted.length;
    const allAmount = planted.reduce((s, p) => s + p.amount, 0);
    expect(await searchTotals(em(), { gift: G })).toEqual({ total: all, totalAmountYen: allAmount, totalsExact: true });
    expect(await searchTotals(em(), { gift: G }, { exactLimit: all })).toEqual({ total: all, totalAmountYen: allAmount, totalsExact: true });
    // Above the limit, both routes to an estimate: the planner expects a big result (sample first), or not (capped count first).
    for (const plannerEstimate of [1_000_000, 0]) {
      const est = await searchTotals(em(), { gift: G }, { exactLimit: 10 }, plannerEstimate);
      expect(est.totalsExact).toBe(false);
      expect(est.total).toBeGreaterThan(10);
      expect(est.totalAmountYen).toBeGreaterThan(0);
      if (plannerEstimate === 0) {
        // The capped count proved 11 matches and their sum: the estimate is at least that.
        expect(est.total).toBeGreaterThanOrEqual(11);
        expect(est.totalAmountYen).toBeGreaterThanOrEqual(Math.min(...planted.map((p) => p.amount)) * 11);
      }
    }
    // exactTotals counts whatever the size; the planner's guess is not consulted.
    expect(await searchTotals(em(), { gift: G }, { exactTotals: true, exactLimit: 10 }, 1_000_000)).toEqual({ total: all, totalAmountYen: allAmount, totalsExact: true });
    // Through the API: totalsExact is always in the answer, and exactTotals is accepted.
    const res = (await api.get(`/donations?${mine()}&exactTotals=true&limit=1`)).json();
    expect([res.total, res.totalAmountYen, res.totalsExact, res.rows.length]).toEqual([all, allAmount, true, 1]);
    expect((await api.get(`/donations?exactTotals=maybe`)).json().fields[0].field).toBe('querystring.exactTotals');
  });

  test('bad queries are 400s naming the field', async () => {
    const field = async (q: string) => (await api.get(`/donations?${q}`)).json().fields?.[0]?.field;
    expect(await field('amountMin=5&amountMax=1')).toBe('querystring.amountMax');
    expect(await field('paidFrom=2026-10-10&paidTo=2026-10-01')).toBe('querystring.paidTo');
    expect(await field('onestopStatus=maybe')).toBe('querystring.onestopStatus[0]');
    expect(await field('shipmentStatus=lost')).toBe('querystring.shipmentStatus[0]');
    expect(await field('after=bm9wZQ')).toBe('querystring.after');
    expect(await field('disasterRelief=perhaps')).toBe('querystring.disasterRelief');
    expect(await field('nonsense=1')).toBe('querystring.nonsense');
    expect((await api.get(`/donations?donor=${encodeURIComponent("'; drop table donations; --")}`)).json().total).toBe(0);
    expect((await api.get('/donations', 'supplier')).statusCode).toBe(403);
  });
});

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else if (c === '\n') throw new Error(`bare LF at ${i}`);
    else cell += c;
  }
  if (cell || row.length) throw new Error('last line without CRLF');
  return rows;
}

async function drain(stream: Readable): Promise<{ body: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return { body: Buffer.concat(parts), chunks: parts.length };
}

describe('CSV export (LEDGER-3)', () => {
  test('UTF-8 with BOM, CRLF, Japanese header, every row matching the search; no 個人番号', async () => {
    const res = await api.get(`/donations/export?${mine()}`, 'city');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const raw = res.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.subarray(3).toString('utf8');
    expect(text).not.toContain('123456789018');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(EXPORT_HEADER);
    const expected = [...planted].sort(order);
    expect(rows.map((r) => r[0])).toEqual(expected.map((p) => p.id));
    for (const [i, r] of rows.entries()) {
      const p = expected[i]!;
      const col = (name: string) => r[EXPORT_HEADER.indexOf(name)];
      expect([col('ポータル'), col('状態'), col('寄附金額'), col('寄附者氏名'), col('寄附者カナ'), col('都道府県'), col('ワンストップ申請状態'), col('災害支援'), col('審査フラグ')])
        .toEqual([p.portal, p.status, String(p.amount), p.name, p.kana, p.prefecture, p.onestop ?? '', p.disaster ? 'はい' : 'いいえ', p.flags.join(' ')]);
      expect(col('申込日時')).toBe(new Date(p.appliedAt.getTime() + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
      expect(col('返礼品')!.split(' ').map((g) => g.replace(/×1$/, ''))).toEqual(p.gifts);
    }
  });

  test('supplier and one-stop filters export exactly the rows the search finds, in its order', async () => {
    for (const q of [`supplier=${S[1]}`, `supplier=${S[0]}&onestopStatus=none&status=paid&status=completed`, `donorKana=${encodeURIComponent('タカハシ')}`]) {
      const search = (await api.get(`/donations?${mine()}&${q}&limit=500`)).json();
      const csv = parseCsv((await api.get(`/donations/export?${mine()}&${q}`)).rawPayload.subarray(3).toString('utf8'));
      expect({ q, ids: csv.slice(1).map((r) => r[0]) }).toEqual({ q, ids: search.rows.map((r: { id: string }) => r.id) });
      expect(search.rows.length).toBeGreaterThan(0);
    }
  });

  test('Shift_JIS: decodes to the same rows; characters outside CP932 become 〓 and are counted on the note line', async () => {
    const res = await api.get(`/donations/export?${mine()}&encoding=sjis&status=paid`, 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=Shift_JIS');
    const text = iconv.decode(res.rawPayload, 'cp932');
    expect(text.startsWith('寄附ID,')).toBe(true);
    const lines = parseCsv(text);
    const expected = planted.filter((p) => p.status === 'paid').sort(order);
    const unencodable = expected.filter((p) => p.name.includes('𠮷')).length;
    const dataRows = unencodable ? lines.slice(1, -1) : lines.slice(1);
    expect(dataRows.map((r) => r[0])).toEqual(expected.map((p) => p.id));
    for (const [i, r] of dataRows.entries()) expect(r[EXPORT_HEADER.indexOf('寄附者氏名')]).toBe(expected[i]!.name.replace('𠮷', '〓'));
    expect(unencodable).toBeGreaterThan(0);
    expect(lines[lines.length - 1]).toEqual([`# Shift_JISで表せない文字 ${unencodable} 字を〓に置き換えました`]);
    // 髙 is an IBM extension CP932 holds; wave dash maps to its CP932 counterpart.
    const enc = new SjisEncoder();
    expect(iconv.decode(enc.encode('髙橋〜①'), 'cp932')).toBe('髙橋～①');
    expect(enc.replaced).toBe(0);
    // The per-character table remembers what it learnt: the same text encodes the same way again, and counts again.
    expect(iconv.decode(enc.encode('柳川 髙橋〜①'), 'cp932')).toBe('柳川 髙橋～①');
    expect(iconv.decode(enc.encode('A𠮷B 柳川'), 'cp932')).toBe('A〓B 柳川');
    expect(iconv.decode(enc.encode('𠮷𠮷'), 'cp932')).toBe('〓〓');
    expect(enc.replaced).toBe(3);
  });

  test('streams: 5,000 rows leave the route as a stream, batch by batch', async () => {
    const knex = ctx.orm.em.fork().getKnex();
    const gift = `${ctx.prefix}-BULK`;
    await knex('gifts').insert({ code: gift, name: '一括', price_yen: 10_000, active: true });
    const donor = randomUUID();
    await knex('donors').insert({ id: donor, name: '一括 寄附', name_kana: 'イッカツ キフ', postal_code: '832-0000', prefecture: '福岡県', address: '柳川市' });
    await knex.raw(`
      with d as (
        insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, status, applied_at, workflow_id, intake_fingerprint, created_by)
        select gen_random_uuid(), 'choice', ? || '-' || g, ?::uuid, 'portal', 10000, 'credit_card', 'paid', now() - g * interval '1 minute', ? || '-' || g, 'x', 'test'
        from generate_series(1, 5000) g returning id)
      insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen) select id, ?, 1, 10000 from d`, [`${ctx.prefix}-BULK`, donor, `${ctx.prefix}-bulkwf`, gift]);
    const res = await api.app.inject({ method: 'GET', url: `/donations/export?gift=${gift}`, headers: api.headers(), payloadAsStream: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBeUndefined();
    const { body, chunks } = await drain(res.stream());
    expect(chunks).toBeGreaterThan(1);
    const rows = parseCsv(body.subarray(3).toString('utf8'));
    expect(rows).toHaveLength(5_001);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(5_000);
    // The generator itself: header, then 2,000-row cursor fetches handed on in 250-row slices.
    let n = 0;
    for await (const _ of exportDonationsCsv(ctx.orm.em.fork(), { gift: [gift] }, { encoding: 'utf8', batchSize: 2_000 })) n += 1;
    expect(n).toBe(1 + 5_000 / 250);
    expect((await api.get(`/donations/export?gift=${gift}`, 'supplier')).statusCode).toBe(403);
    // A reader that goes away after the first batch ends the export's transaction: twelve of them
    // (more than the pool's ten connections) and the ledger still answers.
    for (let i = 0; i < 12; i++) {
      const gen = exportDonationsCsv(ctx.orm.em.fork(), { gift: [gift] }, { encoding: 'sjis', batchSize: 500 });
      await gen.next();
      await gen.next();
      await gen.return(undefined);
    }
    const knexAfter = ctx.orm.em.fork().getKnex();
    const open = await knexAfter.raw(`select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%' and query like '%donations_export%'`);
    expect(open.rows[0].n).toBe(0);
    expect((await api.get(`/donations?gift=${gift}&limit=1`)).json().total).toBe(5_000);
    expect((await api.get(`/donations/export?encoding=ebcdic`)).json().fields[0].field).toBe('querystring.encoding');
  });
});
