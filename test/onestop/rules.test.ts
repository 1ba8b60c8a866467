import {
  checkAttachments,
  checkMyNumber,
  compareWith,
  daysUntil,
  myNumberCheckDigit,
  normalizeAddress,
  normalizeKana,
  normalizeName,
  oneStopDeadline,
  openMyNumber,
  reviewApplication,
  sealMyNumber,
  type ApplicationContent,
  type DonationFacts,
  type ReviewInput,
} from '../../domain/onestop';
import { ConfigError, loadConfig, myNumberKeys } from '../../config/env';

describe('個人番号 check digit (番号法施行令第8条)', () => {
  // Worked by hand: 1,2,…,1 from the right weighted 2,3,4,5,6,7,2,3,4,5,6 → 212; 212 mod 11 = 3; 11 − 3 = 8.
  test.each([
    ['123456789018', 'valid'],
    ['111111111118', 'valid'], // Σ weights 47, 47 mod 11 = 3 → 8
    ['000000000060', 'valid'], // 6·2 = 12, remainder 1 → check digit 0
    ['000000000019', 'valid'], // 1·2 = 2 → 9
    ['１２３４ ５６７８ ９０１８', 'valid'], // full-width and spaced as people write it
    ['1234-5678-9018', 'valid'],
    ['123456789011', 'bad_check_digit'],
    ['000000000061', 'bad_check_digit'],
    ['12345678901', 'bad_format'],
    ['12345678901X', 'bad_format'],
    ['', 'missing'],
    [undefined, 'missing'],
  ])('%s is %s', (raw, verdict) => {
    expect(checkMyNumber(raw as string | undefined)).toBe(verdict);
  });

  test('the check digit function follows the statute for every remainder', () => {
    expect(myNumberCheckDigit('12345678901')).toBe(8);
    expect(myNumberCheckDigit('00000000006')).toBe(0);
    expect(myNumberCheckDigit('00000000000')).toBe(0);
    expect(() => myNumberCheckDigit('123')).toThrow(RangeError);
  });
});

describe('notation-insensitive comparison', () => {
  test('small and large kana, hiragana, half width and spaces are notation only', () => {
    expect(normalizeKana('ショウヘイ')).toBe(normalizeKana('シヨウヘイ'));
    expect(normalizeKana('ｼｮｳﾍｲ')).toBe(normalizeKana('ショウヘイ'));
    expect(normalizeKana('しょうへい')).toBe(normalizeKana('ショウヘイ'));
    expect(compareWith(normalizeKana, 'オオタニ　シヨウヘイ', 'オオタニ ショウヘイ')).toBe('notation');
    expect(compareWith(normalizeKana, 'オオタニ ショウヘイ', 'オオタニ ショウヘイ')).toBe('same');
    expect(compareWith(normalizeKana, 'オオタ ショウヘイ', 'オオタニ ショウヘイ')).toBe('different');
  });

  test('variant kanji and addresses written differently', () => {
    expect(normalizeName('髙橋　一郎')).toBe(normalizeName('高橋 一郎'));
    expect(normalizeAddress('福岡市博多区博多駅前１丁目２番地３号')).toBe(normalizeAddress('福岡市博多区博多駅前1-2-3'));
    expect(normalizeAddress('千代田区千代田一丁目1番')).toBe(normalizeAddress('千代田区千代田1-1'));
    expect(normalizeAddress('千代田区千代田1-2')).not.toBe(normalizeAddress('千代田区千代田1-1'));
  });
});

describe('番号確認 and 身元確認 documents (番号法施行規則)', () => {
  test('a マイナンバーカード copied on both sides is enough alone; one side is not', () => {
    expect(checkAttachments([{ kind: 'my_number_card' }]).problems).toEqual([]);
    expect(checkAttachments([{ kind: 'my_number_card', sides: ['front'] }]).problems.map((p) => p.code)).toEqual(['number_check_document_missing']);
    expect(checkAttachments([{ kind: 'my_number_card', sides: ['back'] }]).problems.map((p) => p.code)).toEqual(['identity_document_missing']);
  });

  test('通知カード proves the number only when it matches, and never the person', () => {
    expect(checkAttachments([{ kind: 'notification_card', matchesApplication: true }, { kind: 'drivers_license' }]).problems).toEqual([]);
    expect(checkAttachments([{ kind: 'notification_card', matchesApplication: false }, { kind: 'drivers_license' }]).problems.map((p) => p.code)).toEqual(['notification_card_mismatch']);
    expect(checkAttachments([{ kind: 'notification_card', matchesApplication: true }]).problems.map((p) => p.code)).toEqual(['identity_document_not_acceptable']);
    expect(checkAttachments([{ kind: 'notification_card', matchesApplication: false }, { kind: 'juminhyo_with_number' }, { kind: 'passport' }]).problems).toEqual([]);
  });

  test('住民票 with the number plus a photo ID; 運転経歴証明書 only from 2012-04-01; two non-photo documents', () => {
    expect(checkAttachments([{ kind: 'juminhyo_with_number' }, { kind: 'passport' }]).problems).toEqual([]);
    expect(checkAttachments([{ kind: 'juminhyo_with_number' }, { kind: 'driving_history_certificate', issuedOn: '2012-04-01' }]).problems).toEqual([]);
    expect(checkAttachments([{ kind: 'juminhyo_with_number' }, { kind: 'driving_history_certificate', issuedOn: '2012-03-31' }]).problems.map((p) => p.code)).toEqual([
      'driving_history_certificate_too_old',
      'identity_document_missing',
    ]);
    const two = checkAttachments([{ kind: 'juminhyo_with_number' }, { kind: 'health_insurance_card' }, { kind: 'pension_book' }]);
    expect(two.problems).toEqual([]);
    expect(two.notes.map((n) => n.code)).toEqual(['identity_by_two_documents']);
    expect(checkAttachments([{ kind: 'juminhyo_with_number' }, { kind: 'health_insurance_card' }]).problems.map((p) => p.code)).toEqual(['identity_document_missing']);
    expect(checkAttachments([]).problems.map((p) => p.code)).toEqual(['number_check_document_missing', 'identity_document_missing']);
  });
});

describe('deadline: January 10 of the next year, moved past holidays (地方税法第20条の5第2項)', () => {
  test.each([
    [2019, '2020-01-10'], // Friday
    [2021, '2022-01-11'], // Jan 10 was 成人の日
    [2022, '2023-01-10'], // Tuesday
    [2025, '2026-01-13'], // Saturday, Sunday, then 成人の日 on Monday the 12th
    [2026, '2027-01-12'], // Sunday, then 成人の日 on Monday the 11th
  ])('donations of %i are due %s', (year, due) => {
    expect(oneStopDeadline(year)).toBe(due);
  });

  test('days to the deadline', () => {
    expect(daysUntil('2026-11-26', '2027-01-12')).toBe(47);
    expect(daysUntil('2027-01-12', '2027-01-12')).toBe(0);
  });
});

const ledger: DonationFacts = {
  donorName: '大谷 翔平',
  donorKana: 'オオタニ ショウヘイ',
  prefecture: '福岡県',
  address: '柳川市本町87-1',
  amountYen: 30_000,
  receivedOn: '2026-11-21',
  appliedOn: '2026-11-20',
};

const form = (over: Partial<ApplicationContent> = {}): ApplicationContent => ({
  formVersion: 'current',
  name: '大谷 翔平',
  nameKana: 'オオタニ ショウヘイ',
  address: '福岡県柳川市本町87-1',
  donationDate: '2026-11-21',
  amountYen: 30_000,
  checkboxes: { first: true, second: true },
  attachments: [{ kind: 'my_number_card' }],
  ...over,
});

const review = (over: Partial<ReviewInput> = {}) =>
  reviewApplication({ content: form(), myNumber: 'valid', arrivedOn: '2026-12-01', deadline: '2027-01-12', donation: ledger, ...over });
const codes = (r: ReturnType<typeof review>) => r.findings.map((f) => `${f.severity}:${f.code}`);

describe('review rules: each yields a named finding', () => {
  test('a complete application on the current form is accepted with no findings', () => {
    expect(review()).toEqual({ outcome: 'accepted', findings: [] });
  });

  test('the old form with 性別 is accepted, with a note', () => {
    const r = review({ content: form({ formVersion: 'old_with_gender' }) });
    expect(r.outcome).toBe('accepted');
    expect(codes(r)).toEqual(['note:old_form_with_gender']);
  });

  test('notation-only differences in name, kana and address are notes, not deficiencies', () => {
    const r = review({ content: form({ name: '大谷　翔平', nameKana: 'ｵｵﾀﾆ ｼﾖｳﾍｲ', address: '柳川市本町８７－１' }) });
    expect(r.outcome).toBe('accepted');
    expect(codes(r)).toEqual(['note:name_notation', 'note:nameKana_notation', 'note:address_notation']);
  });

  test('each deficiency is named, with a reason that holds no personal data', () => {
    const r = review({
      myNumber: 'bad_check_digit',
      content: form({ name: '大谷 翔太', nameKana: 'オオタニ ショウタ', address: '柳川市本町1-1', donationDate: '2026-10-01', amountYen: 10_000, checkboxes: { first: false, second: false }, attachments: [] }),
    });
    expect(r.outcome).toBe('deficient');
    expect(codes(r)).toEqual([
      'deficiency:my_number_check_digit',
      'deficiency:number_check_document_missing',
      'deficiency:identity_document_missing',
      'deficiency:checkbox_1_unticked',
      'deficiency:checkbox_2_unticked',
      'deficiency:name_mismatch',
      'deficiency:nameKana_mismatch',
      'deficiency:address_mismatch',
      'deficiency:donation_date_mismatch',
      'deficiency:amount_mismatch',
    ]);
    const text = JSON.stringify(r.findings);
    for (const personal of ['翔太', 'ショウタ', '本町', '10000', '2026-10-01']) expect(text).not.toContain(personal);
  });

  test('missing number, date and amount are deficiencies; the application date instead of the receipt date is a note', () => {
    expect(codes(review({ myNumber: 'missing', content: form({ donationDate: undefined, amountYen: undefined }) }))).toEqual([
      'deficiency:my_number_missing',
      'deficiency:donation_date_missing',
      'deficiency:amount_missing',
    ]);
    expect(codes(review({ myNumber: 'bad_format' }))).toEqual(['deficiency:my_number_format']);
    expect(codes(review({ content: form({ donationDate: '2026-11-20' }) }))).toEqual(['note:donation_date_is_application_date']);
  });

  test('online with 公的個人認証 needs no copies', () => {
    const r = review({ content: form({ attachments: [], verifiedByJpki: true }) });
    expect(r.outcome).toBe('accepted');
    expect(codes(r)).toEqual(['note:identity_by_jpki']);
  });

  test('arriving on the deadline day is in time; the day after is late and rejected', () => {
    expect(review({ arrivedOn: '2027-01-12' }).outcome).toBe('accepted');
    const late = review({ arrivedOn: '2027-01-13' });
    expect(late.outcome).toBe('late');
    expect(codes(late)).toEqual(['rejection:arrived_after_deadline']);
    expect(late.findings[0].reason).toContain('確定申告');
  });
});

describe('sealing (AES-256-GCM) and keys', () => {
  const keyring = loadConfig({}).myNumber!;

  test('a sealed number opens only for its own application and never shows the digits', () => {
    const s = sealMyNumber(keyring, 'app-1', '1234 5678 9018');
    expect(s.keyId).toBe('dev-insecure');
    expect(s.sealed.toString('latin1')).not.toContain('123456789018');
    expect(s.sealed.toString('hex')).not.toContain(Buffer.from('123456789018').toString('hex'));
    expect(openMyNumber(keyring, 'app-1', s)).toBe('123456789018');
    expect(() => openMyNumber(keyring, 'app-2', s)).toThrow(/failed authentication/);
    const tampered = Buffer.from(s.sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => openMyNumber(keyring, 'app-1', { keyId: s.keyId, sealed: tampered })).toThrow(/failed authentication/);
  });

  test('MY_NUMBER_KEYS: several keys for rotation, the active one seals; production needs real keys', () => {
    const k1 = Buffer.alloc(32, 1).toString('base64');
    const k2 = Buffer.alloc(32, 2).toString('base64');
    const ring = myNumberKeys({ MY_NUMBER_KEYS: `2026a:${k1},2026b:${k2}`, MY_NUMBER_ACTIVE_KEY_ID: '2026a' }, true)!;
    expect(ring.activeKeyId).toBe('2026a');
    expect(ring.insecureDevKey).toBe(false);
    const old = sealMyNumber(ring, 'x', '123456789018');
    const rotated = { ...ring, activeKeyId: '2026b' };
    expect(openMyNumber(rotated, 'x', old)).toBe('123456789018');
    expect(sealMyNumber(rotated, 'x', '123456789018').keyId).toBe('2026b');
    expect(myNumberKeys({}, true)).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production' }).myNumber).toBeUndefined();
    expect(() => myNumberKeys({ MY_NUMBER_KEYS: 'k:c2hvcnQ=' }, false)).toThrow(ConfigError);
    expect(() => myNumberKeys({ MY_NUMBER_KEYS: `a:${k1}`, MY_NUMBER_ACTIVE_KEY_ID: 'b' }, false)).toThrow(/not in MY_NUMBER_KEYS/);
  });
});
