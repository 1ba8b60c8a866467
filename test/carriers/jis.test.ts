import { isJisX0208, jisRowCell, SUBSTITUTIONS, substitute, toHalfWidthKana, unrepresentable } from '../../domain/carriers/jis';

describe('SHIP-3 JIS X 0208 check and substitutions', () => {
  test('JIS第一・第二水準 and row 1–8 symbols are in; NEC row 13, IBM extensions and non-CP932 characters are out', () => {
    for (const ch of ['亜', '高', '崎', '邉', '邊', '凜', '熙', '～', '－', '∥', '￠', '￡', '￢', '―', '∵', '≒']) expect([ch, isJisX0208(ch)]).toEqual([ch, true]);
    for (const ch of ['髙', '﨑', '德', '濵', '瀨', '栁', '①', 'Ⅰ', 'ⅰ', '㈱', '∑', '〜', '−', '𠮷', '𠀋', '🍙', 'ｱ', 'A']) expect([ch, isJisX0208(ch)]).toEqual([ch, false]);
    expect(jisRowCell('亜')).toEqual({ row: 16, cell: 1 });
    expect(jisRowCell('①')).toEqual({ row: 13, cell: 1 });
    expect(jisRowCell('髙')!.row).toBeGreaterThan(84);
  });

  test('every substitute maps a character that is not printable to one that is', () => {
    for (const [from, to] of Object.entries(SUBSTITUTIONS)) {
      expect([from, unrepresentable(from).length]).toEqual([from, 1]);
      expect([from, to, unrepresentable(to)]).toEqual([from, to, []]);
    }
    expect(SUBSTITUTIONS['邉']).toBeUndefined();
    expect(SUBSTITUTIONS['邊']).toBeUndefined();
  });

  test.each([
    ['髙橋', '高橋'], ['山﨑', '山崎'], ['𠮷田', '吉田'], ['德永', '徳永'], ['繫田', '繋田'], ['濵田', '濱田'], ['槗本', '橋本'], ['瀨戸', '瀬戸'], ['栁川', '柳川'],
    ['①', '(1)'], ['⑳', '(20)'], ['㈱柳川', '(株)柳川'], ['Ⅲ', 'III'], ['ⅳ', 'iv'],
    ['10〜12', '10～12'], ['¢£¬‖−—', '￠￡￢∥－―'], ['ｶﾞｰﾃﾞﾝ', 'ガーデン'], ['\u585A', '塚'], ['\uFA10', '塚'], ['a\tb\nc', 'a b c'],
  ])('%s → %s', (from, to) => {
    expect(substitute(from)).toBe(to);
    expect(unrepresentable(to)).toEqual([]);
  });

  test('what has no substitute is reported, once per character', () => {
    expect(unrepresentable('𠀋𠀋田🍙')).toEqual(['𠀋', '🍙']);
    expect(unrepresentable('ｱ')).toEqual(['ｱ']);
    expect(unrepresentable('ｱ', true)).toEqual([]);
  });

  test('全角 → 半角ｶﾅ for the B2 カナ field', () => {
    expect(toHalfWidthKana('ヤマダ　タロウ')).toEqual({ text: 'ﾔﾏﾀﾞ ﾀﾛｳ', unconvertible: [] });
    expect(toHalfWidthKana('ぱぴぷヴァー・Ａ１')).toEqual({ text: 'ﾊﾟﾋﾟﾌﾟｳﾞｧｰ･A1', unconvertible: [] });
    expect(toHalfWidthKana('山田タロウ').unconvertible).toEqual(['山', '田']);
  });
});
