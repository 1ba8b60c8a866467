import { buildCarrierFiles } from '../../domain/carriers';
import { layoutLines, splitMunicipality } from '../../domain/carriers/shared';

describe('SHIP-3 address parts used for carrier length limits', () => {
  test.each([
    ['柳川市本町87-1', '柳川市', '本町87-1'],
    ['三潴郡大木町大字八町牟田255-1', '三潴郡大木町', '大字八町牟田255-1'],
    ['北九州市小倉北区城内1-1', '北九州市小倉北区', '城内1-1'],
    ['千代田区丸の内1-1', '千代田区', '丸の内1-1'],
    ['新宿区市谷本村町5-1', '新宿区', '市谷本村町5-1'],
    ['四日市市諏訪町1-5', '四日市市', '諏訪町1-5'],
    ['東村山市本町1-2-3', '東村山市', '本町1-2-3'],
    ['西村山郡河北町谷地甲1', '西村山郡河北町', '谷地甲1'],
    ['大和郡山市北郡山町248-4', '大和郡山市', '北郡山町248-4'],
  ])('%s → %s / %s', (address, city, street) => {
    expect(splitMunicipality(address)).toEqual({ city, street });
  });

  test('lines: each part on its own line when it fits, else packed, else nothing', () => {
    expect(layoutLines(['福岡県柳川市', '本町87-1', 'ハイツ101'], 3, 32)).toEqual(['福岡県柳川市', '本町87-1', 'ハイツ101']);
    expect(layoutLines(['福岡県柳川市', '本町87-1', 'ハイツ101'], 2, 32)).toEqual(['福岡県柳川市本町87-1ハイツ101']);
    expect(layoutLines(['一二三四五六七八九十一二三四五六七'], 2, 32)).toEqual(['一二三四五六七八九十一二三四五六', '七']);
    expect(layoutLines(['一二三四五六七八九十一二三四五六七'], 1, 32)).toBeUndefined();
  });

  test('an empty batch still gives one (header-only) file', () => {
    const files = buildCarrierFiles('japanpost_clickpost', []);
    expect(files.map((f) => [f.fileName, f.rows, f.problems])).toEqual([['japanpost_clickpost-undated.csv', 0, []]]);
  });
});
