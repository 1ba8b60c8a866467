import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { readCsv } from '../../domain/portals/csv';
import { decodeStream, detectEncoding } from '../../domain/portals/encoding';
import { adapterFor, PORTALS_WITH_ADAPTERS } from '../../domain/portals';
import { openPortalFile, PortalFileError, type OrderGroup } from '../../domain/portals/reader';
import { parseJstDateTime, parseYen, toKatakana } from '../../domain/portals/normalize';
import { MAPPED_HEADER, mappedFixture, rakutenFixture, rakutenRow } from '../fixtures/portals/generate';
import { RAKUTEN_COLUMNS } from '../../domain/portals/rakuten';

/** Feeds a buffer in small pieces, so multi-byte characters and CRLFs are split across chunks. */
function chunked(buf: Buffer, size = 7): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

async function groups(portal: string, buf: Buffer, size?: number, options: { mappingsDir?: string } = {}): Promise<{ encoding: string; groups: OrderGroup[] }> {
  const file = await openPortalFile(chunked(buf, size), adapterFor(portal, options));
  const out: OrderGroup[] = [];
  for await (const g of file.groups) out.push(g);
  return { encoding: file.encoding, groups: out };
}

if (process.env.WRITE_FIXTURES === '1') {
  const dir = path.join(__dirname, '..', 'fixtures', 'portals');
  fs.writeFileSync(path.join(dir, 'rakuten-rms-cp932.csv'), rakutenFixture());
  fs.writeFileSync(path.join(dir, 'choice-utf8-bom.csv'), mappedFixture('CH', { bom: true, encoding: 'utf-8' }));
  fs.writeFileSync(path.join(dir, 'furunavi-cp932.csv'), mappedFixture('FN', { bom: false, encoding: 'cp932' }));
}

/** A folder of operator mappings for one test, removed after the file's tests. */
const mappingsDirs: string[] = [];
const mappingsDir = () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'mappings-'));
  mappingsDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of mappingsDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('CSV and encodings', () => {
  test('quoted fields with commas, quotes and line breaks; CRLF split across chunks; blank trailing lines', async () => {
    const text = 'a,b,c\r\n"1,5","say ""hi""","line1\r\nline2"\r\n,,\r\nx,y,z\r\n\r\n';
    for (const size of [1, 2, 3, 100]) {
      const chunks = Readable.from(text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) as string[]);
      const rows = [];
      for await (const r of readCsv(chunks)) rows.push(r);
      expect(rows).toEqual([
        { row: 1, cells: ['a', 'b', 'c'] },
        { row: 2, cells: ['1,5', 'say "hi"', 'line1\r\nline2'] },
        { row: 3, cells: ['', '', ''] },
        { row: 4, cells: ['x', 'y', 'z'] },
      ]);
    }
  });

  test('Shift_JIS (CP932) vs UTF-8 with and without BOM are told apart; IBM kanji and 外字 survive CP932 decoding', async () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('utf-8-bom');
    expect(detectEncoding(Buffer.from('寄附金額,𠮷', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(iconv.encode('寄附金額,髙橋', 'cp932'))).toBe('cp932');
    // A sample cut in the middle of a UTF-8 character is still UTF-8.
    expect(detectEncoding(Buffer.from('寄附', 'utf8').subarray(0, 5))).toBe('utf-8');
    const decoded = await decodeStream(chunked(Buffer.concat([iconv.encode('髙﨑①ｱ', 'cp932'), Buffer.from([0xf0, 0x40])]), 1));
    let text = '';
    for await (const t of decoded.chunks) text += t;
    expect(decoded.encoding).toBe('cp932');
    expect(text).toBe('髙﨑①ｱ\uE000');
  });

  test('amounts, dates and kana in the forms portals write them', () => {
    expect(parseYen('１０，０００円')).toBe(10000);
    expect(parseYen('¥30,000')).toBe(30000);
    expect(parseYen('一万円')).toBeUndefined();
    expect(parseJstDateTime('2026/11/20 9:05')).toBe('2026-11-20T00:05:00.000Z');
    expect(parseJstDateTime('２０２６年１１月２０日')).toBe('2026-11-19T15:00:00.000Z');
    expect(parseJstDateTime('2026-02-30')).toBeUndefined();
    expect(toKatakana('ﾔﾏｻﾞｷ　ﾊﾅｺ')).toBe('ヤマザキ ハナコ');
    expect(toKatakana('よしだ')).toBe('ヨシダ');
  });
});

describe('楽天 RMS 受注CSV (PORTAL-1)', () => {
  test('maps the order column by column, groups item rows into one donation, and reports broken rows by column', async () => {
    const { encoding, groups: g } = await groups('rakuten', rakutenFixture());
    expect(encoding).toBe('cp932');
    expect(g.map((x) => [x.firstRow, x.lastRow])).toEqual([[2, 3], [4, 4], [5, 5], [6, 6], [7, 7]]);

    const first = g[0].result;
    expect(first).toEqual({
      ok: true,
      donation: {
        portalOrderId: '123456-20261120-0000001',
        appliedAt: '2026-11-20T01:15:30.000Z',
        paidAt: '2026-11-20T01:15:30.000Z',
        amountYen: 30000,
        paymentMethod: 'credit_card',
        purpose: '子育て支援',
        wantsOneStop: true,
        disasterRelief: false,
        donor: { name: '髙橋 一郎', nameKana: 'タカハシ イチロウ', postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田1-1', phone: '03-1234-5678', email: 'a1b2c3@pc.fw.rakuten.ne.jp' },
        gifts: [{ code: 'rk-fix-eel', quantity: 1 }, { code: 'rk-fix-nori', quantity: 1 }],
      },
    });

    const second = g[1].result;
    expect(second.ok && second.donation).toMatchObject({
      amountYen: 10000,
      paymentMethod: 'bank_transfer',
      wantsOneStop: false,
      donor: { name: '山﨑 花子', nameKana: 'ヤマザキ ハナコ', postalCode: '812-0011', address: '福岡市博多区博多駅前1-1', phone: '092-000-0001' },
    });
    expect(second.ok && second.donation.paidAt).toBeUndefined();

    // 𠮷 cannot be written in Shift_JIS: the portal's file carries "?" instead (flagged at review, not refused).
    const third = g[2].result;
    expect(third.ok && third.donation.donor.name).toBe('?田 次郎');

    const broken = g[3].result;
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.issues).toEqual([
      { column: '注文日時', reason: '"2026-13-40 25:00" is not a date and time' },
      { column: '合計金額', reason: '"一万円" is not an amount in yen' },
      { column: '注文者郵便番号1', reason: 'must be a 7-digit postal code (e.g. 832-8601)' },
    ]);
    expect(!broken.ok && broken.portalOrderId).toBe('123456-20261121-0000004');
  });

  test('送付先: another recipient is kept; the donor written again is no 送付先; two in one order are quarantined with the column', async () => {
    const base = {
      注文番号: 'SHIP-1', 注文日時: '2026-11-20 10:00:00', 支払方法名: 'クレジットカード', 合計金額: '10000',
      注文者郵便番号1: '100', 注文者郵便番号2: '0001', 注文者住所都道府県: '東京都', 注文者住所郡市区: '千代田区', 注文者住所それ以降の住所: '千代田1-1',
      注文者姓: '髙橋', 注文者名: '一郎', 注文者姓カナ: 'タカハシ', 注文者名カナ: 'イチロウ', 注文者電話番号1: '03', 注文者電話番号2: '1234', 注文者電話番号3: '5678',
      注文者メールアドレス: 'x@pc.fw.rakuten.ne.jp', 商品管理番号: 'rk-fix-eel', 個数: '1',
    } as const;
    const parents = {
      送付先郵便番号1: '８１２', 送付先郵便番号2: '００１１', 送付先住所都道府県: '福岡県', 送付先住所郡市区: '福岡市博多区', 送付先住所それ以降の住所: '博多駅前２－２',
      送付先姓: '髙橋', 送付先名: '正男', 送付先姓カナ: 'ﾀｶﾊｼ', 送付先名カナ: 'ﾏｻｵ', 送付先電話番号1: '092', 送付先電話番号2: '000', 送付先電話番号3: '2222',
    } as const;
    const self = {
      送付先郵便番号1: '100', 送付先郵便番号2: '0001', 送付先住所都道府県: '東京都', 送付先住所郡市区: '千代田区', 送付先住所それ以降の住所: '千代田1-1',
      送付先姓: '髙橋', 送付先名: '一郎', 送付先電話番号1: '03', 送付先電話番号2: '1234', 送付先電話番号3: '5678',
    } as const;
    const file = [
      [...RAKUTEN_COLUMNS],
      rakutenRow({ ...base, ...parents }),
      rakutenRow({ ...base, ...self, 注文番号: 'SHIP-2' }),
      rakutenRow({ ...base, ...parents, 注文番号: 'SHIP-3' }),
      rakutenRow({ ...base, ...self, 注文番号: 'SHIP-3', 商品管理番号: 'rk-fix-nori' }),
    ];
    const { groups: g } = await groups('rakuten', iconv.encode(file.map((r) => r.map((c) => (/[",]/.test(c) ? `"${c}"` : c)).join(',')).join('\r\n') + '\r\n', 'cp932'));
    const [other, same, split] = g.map((x) => x.result);
    expect(other.ok && other.donation.shipTo).toEqual({ name: '髙橋 正男', nameKana: 'タカハシ マサオ', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前2-2', phone: '092-000-2222' });
    expect(other.ok && other.donation.donor.address).toBe('千代田区千代田1-1');
    expect(same.ok && same.donation.shipTo).toBeUndefined();
    expect(split.ok).toBe(false);
    expect(!split.ok && split.issues).toEqual([{ column: '送付先住所郡市区', reason: expect.stringContaining('different 送付先') }]);
  });

  test('a file that is not the known RMS layout is refused whole, naming the shifted columns', async () => {
    const bad = iconv.encode('注文番号,注文日時,支払方法名\r\n1,2,3\r\n', 'cp932');
    await expect(groups('rakuten', bad)).rejects.toThrow(PortalFileError);
    await expect(groups('rakuten', bad)).rejects.toThrow(/column 5 is "\(missing\)", expected "注文日時"/);
  });
});

describe('declarative mappings (provisional layouts)', () => {
  test('every portal the city uses has an adapter', () => {
    expect(PORTALS_WITH_ADAPTERS).toEqual(['amazon', 'ana', 'choice', 'city', 'furunavi', 'mynavi', 'rakuten', 'satofull']);
    for (const p of PORTALS_WITH_ADAPTERS) expect(adapterFor(p).portal).toBe(p);
  });

  test.each([
    ['choice', true, 'utf-8' as const],
    ['furunavi', false, 'cp932' as const],
    ['ana', false, 'utf-8' as const],
    ['mynavi', true, 'utf-8' as const],
    ['city', false, 'cp932' as const],
  ])('%s: UTF-8 BOM=%s / %s file maps to the ledger record, bad rows name their column', async (portal, bom, enc) => {
    const { encoding, groups: g } = await groups(portal, mappedFixture(`${portal}-x`, { bom, encoding: enc }), 5);
    expect(encoding).toBe(enc === 'cp932' ? 'cp932' : bom ? 'utf-8-bom' : 'utf-8');
    expect(g).toHaveLength(4);
    const [a, b, c, d] = g.map((x) => x.result);
    expect(a.ok && a.donation).toMatchObject({
      portalOrderId: `${portal}-x-0001`,
      amountYen: 20000,
      paymentMethod: 'credit_card',
      paidAt: '2026-11-20T01:00:00.000Z',
      wantsOneStop: true,
      purpose: '掘割・自然環境の保全',
      donor: { name: enc === 'cp932' ? '?田 太郎' : '𠮷田 太郎', nameKana: 'ヨシダ タロウ', postalCode: '100-0001' },
      gifts: [{ code: 'map-fix-eel', quantity: 1 }],
    });
    expect(b.ok && b.donation).toMatchObject({ paymentMethod: 'bank_transfer', paidAt: '2026-11-21T15:00:00.000Z', gifts: [], donor: { address: '柳川市本町87-1' } });
    expect(c).toEqual({ ok: false, portalOrderId: `${portal}-x-0003`, issues: [{ column: '決済方法', reason: 'unknown payment method "ビットコイン" (add it to this portal\'s paymentMethod value map)' }] });
    expect(d.ok && d.donation.donor.address).toBe('千代田区千代田2-2 ハイツ201');
  });

  test('さとふる and Amazon use their own header names; the full address without a prefecture column is split', async () => {
    const header = MAPPED_HEADER.map((h) => (h === '受付番号' ? '注文番号' : h === 'お礼の品コード' ? 'お礼品ID' : h));
    const { groups: g } = await groups('satofull', mappedFixture('sf-x', { bom: false, encoding: 'utf-8', header }));
    expect(g[0].result.ok).toBe(true);
    const third = g[2].result;
    expect(third.ok).toBe(false);
    const amazonHeader = MAPPED_HEADER.map((h) => (h === '受付番号' ? '注文番号' : h === 'お礼の品コード' ? 'SKU' : h));
    const { groups: a } = await groups('amazon', mappedFixture('az-x', { bom: false, encoding: 'utf-8', header: amazonHeader }));
    expect(a[0].result.ok && a[0].result.donation.portalOrderId).toBe('az-x-0001');
  });

  test('a header missing a required column stops the file and says which mapping file to correct', async () => {
    const header = MAPPED_HEADER.map((h) => (h === '寄附金額' ? '金額' : h));
    await expect(groups('choice', mappedFixture('c', { bom: false, encoding: 'utf-8', header }))).rejects.toThrow(
      /amountYen ← "寄附金額 \/ 寄付金額".*mappings\/choice\.json/,
    );
  });

  test('an operator-corrected mapping in PORTAL_MAPPINGS_DIR takes precedence over the shipped one', async () => {
    const dir = mappingsDir();
    const shipped = JSON.parse(fs.readFileSync(path.join(__dirname, '../../domain/portals/mappings/choice.json'), 'utf8'));
    shipped.columns.amountYen = '金額';
    fs.writeFileSync(path.join(dir, 'choice.json'), JSON.stringify(shipped));
    const header = MAPPED_HEADER.map((h) => (h === '寄附金額' ? '金額' : h));
    const file = await openPortalFile(chunked(mappedFixture('c', { bom: false, encoding: 'utf-8', header })), adapterFor('choice', { mappingsDir: dir }));
    const first = await file.groups.next();
    expect(!first.done && first.value.result.ok && first.value.result.donation.amountYen).toBe(20000);
    fs.writeFileSync(path.join(dir, 'choice.json'), JSON.stringify({ ...shipped, columns: { ...shipped.columns, amountYn: 'x' } }));
    expect(() => adapterFor('choice', { mappingsDir: dir })).toThrow(/columns\.amountYn is not a known field/);
  });

  test('a mapping that names 送付先 columns gives the donation its recipient', async () => {
    const dir = mappingsDir();
    const shipped = JSON.parse(fs.readFileSync(path.join(__dirname, '../../domain/portals/mappings/choice.json'), 'utf8'));
    shipped.columns = { ...shipped.columns, 'shipTo.name': 'お届け先氏名', 'shipTo.postalCode': 'お届け先郵便番号', 'shipTo.address': 'お届け先住所' };
    fs.writeFileSync(path.join(dir, 'choice.json'), JSON.stringify(shipped));
    const text = mappedFixture('s', { bom: false, encoding: 'utf-8' }).toString('utf8').split('\r\n');
    const withShipTo = [
      `${text[0]},お届け先氏名,お届け先郵便番号,お届け先住所`,
      `${text[1]},柳川 母,832-0065,福岡県柳川市本町2`,
      `${text[2]},,,`,
    ].join('\r\n') + '\r\n';
    const { groups: g } = await groups('choice', Buffer.from(withShipTo), 5, { mappingsDir: dir });
    const [a, b] = g.map((x) => x.result);
    expect(a.ok && a.donation.shipTo).toEqual({ name: '柳川 母', nameKana: '', postalCode: '832-0065', prefecture: '福岡県', address: '柳川市本町2' });
    expect(b.ok && b.donation.shipTo).toBeUndefined();
  });
});
