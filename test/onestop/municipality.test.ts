import data from '../../domain/onestop/municipalities.json';
import { addressWithPrefecture, foldPlaceName, isMunicipalityCode, MUNICIPALITY_COUNT, municipalityByCode, municipalityCheckDigit, municipalityOf } from '../../domain/onestop/municipality';

/** ONESTOP-4: the donor's residence municipality (団体コード) from the address. */
const code = (prefecture: string | undefined, address: string) => municipalityOf(prefecture, address)?.code;

describe('the table', () => {
  test('every 市町村 and 特別区 that levies 住民税 (1,741), six-digit codes with a valid JIS X 0402 check digit', () => {
    expect(MUNICIPALITY_COUNT).toBe(1741);
    expect(data.counts).toEqual({ prefectures: 47, municipalities: 1741, wards: 171 });
    for (const p of data.prefectures) {
      for (const m of p.municipalities as { code: string; wards?: [string, string][] }[]) {
        expect([m.code, m.code.slice(0, 2)]).toEqual([m.code.slice(0, 5) + municipalityCheckDigit(m.code.slice(0, 5)), p.code]);
        for (const [w] of m.wards ?? []) expect(w[5]).toBe(municipalityCheckDigit(w.slice(0, 5)));
      }
    }
    expect(municipalityByCode('402079')).toEqual({ code: '402079', name: '柳川市', prefecture: '福岡県' });
    expect(municipalityByCode('131016')?.name).toBe('千代田区');
    // A ward of a 政令指定都市 is not a taxing body: its code is not a destination.
    expect(isMunicipalityCode('401331')).toBe(false);
    expect(isMunicipalityCode('401307')).toBe(true);
  });

  test('no two municipalities of a prefecture fold to the same name', () => {
    for (const p of data.prefectures) {
      const names = p.municipalities.map((m: { name: string }) => foldPlaceName(m.name));
      const dupes = names.filter((n: string, i: number) => names.indexOf(n) !== i);
      expect([p.name, dupes]).toEqual([p.name, []]);
    }
  });
});

describe('municipalityOf', () => {
  test('郡 written or left out, and names that contain 郡', () => {
    expect(municipalityOf(undefined, '福岡県三潴郡大木町大字八町牟田255-1')).toEqual({ code: '405221', name: '大木町', prefecture: '福岡県', county: '三潴郡' });
    expect(code('福岡県', '大木町大字八町牟田255-1')).toBe('405221');
    expect(code('福岡県', '三潴郡大木町八町牟田')).toBe('405221');
    expect(code(undefined, '福岡県小郡市小郡255-1')).toBe('402168'); // not 小郡 + 市
    expect(code(undefined, '愛知県蒲郡市旭町17-1')).toBe('232149');
    expect(code(undefined, '岐阜県郡上市八幡町島谷520-1')).toBe('212199');
    expect(code(undefined, '奈良県大和郡山市北郡山町248-4')).toBe('292036');
    expect(code(undefined, '北海道虻田郡倶知安町北1条東3丁目')).toBe('014001');
    expect(code('東京都', '三宅島三宅村阿古497')).toBe('133817');
    expect(code('東京都', '三宅村阿古497')).toBe('133817');
  });

  test('the longest name wins where one name contains another', () => {
    expect(code(undefined, '千葉県市川市八幡1-1-1')).toBe('122033');
    expect(code(undefined, '山梨県西八代郡市川三郷町市川大門1790-3')).toBe('193461');
    expect(code('山梨県', '市川三郷町市川大門1790-3')).toBe('193461');
    expect(code(undefined, '三重県四日市市諏訪町1-5')).toBe('242021');
    expect(code(undefined, '広島県廿日市市下平良1-11-1')).toBe('342131');
    expect(code(undefined, '東京都東村山市本町1-2-3')).toBe('132136');
    expect(code(undefined, '東京都武蔵村山市本町1-1-1')).toBe('132233');
    expect(code(undefined, '山形県村山市中央1-3-6')).toBe('062081');
    expect(code(undefined, '北海道空知郡上富良野町大町2-2-11')).toBe('014605');
    expect(code(undefined, '北海道富良野市弥生町1-1')).toBe('012297');
    expect(code(undefined, '富山県中新川郡上市町法音寺1')).toBe('163228');
    expect(code(undefined, '東京都西東京市南町5-6-13')).toBe('132292');
  });

  test('政令指定都市: every ward resolves to the city, which levies the tax', () => {
    expect(municipalityOf(undefined, '福岡県福岡市中央区天神1-8-1')).toEqual({ code: '401307', name: '福岡市', prefecture: '福岡県' });
    expect(code(undefined, '福岡市博多区博多駅前1-1')).toBe('401307');
    expect(code('福岡県', '中央区天神1-8-1')).toBe('401307'); // the only 中央区 in 福岡県
    expect(code('大阪府', '北区梅田1-1')).toBeUndefined(); // 大阪市北区 or 堺市北区
    expect(code(undefined, '神奈川県横浜市港北区大豆戸町26-1')).toBe('141003');
    expect(code(undefined, '静岡県浜松市中央区元城町103-2')).toBe('221309'); // 2024 wards
    expect(code(undefined, '京都府京都市下京区烏丸通七条下ル')).toBe('261009');
    // Tokyo's 特別区 are municipalities in their own right.
    expect(code(undefined, '東京都千代田区千代田1-1')).toBe('131016');
    expect(code('東京都', '北区王子本町1-15-22')).toBe('131172');
  });

  test('the prefecture: written in the address, given, or unique in Japan', () => {
    expect(code(undefined, '東京都府中市宮西町2-24')).toBe('132063');
    expect(code('広島県', '府中市府川町315')).toBe('342084');
    expect(code(undefined, '府中市宮西町2-24')).toBeUndefined(); // two 府中市
    expect(code(undefined, '柳川市本町87-1')).toBe('402079'); // only one 柳川市
    expect(code('福岡', '柳川市本町87-1')).toBe('402079');
    // The address says where the donor lives now; the ledger's prefecture may be older.
    expect(code('東京都', '福岡県柳川市本町87-1')).toBe('402079');
    // A given prefecture without that name is not searched around: an operator decides.
    expect(code('東京都', '柳川市本町87-1')).toBeUndefined();
    // 国後郡泊村 (Northern Territories) is not in the table, so 北海道's 泊村 is 古宇郡泊村.
    expect(code(undefined, '北海道泊村大字茅沼村')).toBe('014036');
    expect(code(undefined, '北海道古宇郡泊村大字茅沼村')).toBe('014036');
  });

  test('spelling: spaces, widths, ケ/ヶ, old glyphs, postal code in front', () => {
    expect(code(undefined, '〒832-8601　福岡県　柳川市 本町８７－１')).toBe('402079');
    expect(code(undefined, '埼玉県鶴ケ島市大字中新田')).toBe('112411');
    expect(code(undefined, '埼玉県鶴ヶ島市大字中新田')).toBe('112411');
    expect(code(undefined, '千葉県袖ヶ浦市坂戸市場1-1')).toBe('122297');
    expect(code('高知県', '高岡郡檮原町梼原1444-1')).toBe('394050');
    expect(code('高知県', '梼原町梼原1444-1')).toBe('394050');
    expect(code(undefined, '福岡県糟屋郡須惠町大字須恵771')).toBe('403440');
    expect(code(undefined, 'ｆｕｋｕｏｋａ')).toBeUndefined();
    expect(code(undefined, '')).toBeUndefined();
    expect(code('ニューヨーク州', 'Manhattan')).toBeUndefined();
  });

  test('the notice carries the prefecture even where the form left it out', () => {
    const m = municipalityOf('福岡県', '柳川市本町87-1')!;
    expect(addressWithPrefecture('柳川市本町87-1', m)).toBe('福岡県柳川市本町87-1');
    expect(addressWithPrefecture('福岡県柳川市本町87-1', m)).toBe('福岡県柳川市本町87-1');
  });
});
