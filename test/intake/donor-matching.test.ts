// 名寄せ: one donor, one history across portals; ambiguous records go to an operator.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { decideMatch, identityKeys } from '../../domain/intake/donor-identity';
import { RAKUTEN_COLUMNS } from '../../domain/portals/rakuten';
import { registerDonation } from '../../ledger/donations';
import { linkUnlinkedDonors } from '../../ledger/donor-matching';
import { Donation } from '../../ledger/entities';
import { importChunk, storeImportFile } from '../../ledger/intake';
import type { SuiteContext } from '../support/context';
import { apiSuite, type Caller, type TestApi } from '../support/api';
import { newDonation } from '../support/factory';
import { MAPPED_HEADER, rakutenRow } from '../fixtures/portals/generate';

describe('identity keys and the decision (pure)', () => {
  test('width, hiragana, small kana, spaces and hyphens do not make two people', () => {
    const a = identityKeys({ nameKana: 'ﾔﾏﾀﾞ ｼｮｳﾍｲ', phone: '０３－１２３４－５６７８', postalCode: '100-0001', address: '千代田区千代田1丁目2番3号' });
    const b = identityKeys({ nameKana: 'やまだ　しようへい', phone: '03(1234)5678', postalCode: '１００００01', address: '千代田区千代田１－２－３' });
    expect(a).toEqual(b);
    expect(a).toEqual({ kana: 'ヤマダシヨウヘイ', phone: '0312345678', address: '1000001|千代田区千代田1-2-3', birthDate: null });
  });

  test('kana plus one agreeing identifier joins; a different birth date or two fitting people is ambiguous; a namesake is new', () => {
    const known = [
      { personId: 'P', kana: 'ヤマダハナコ', phone: '0311112222', address: '1000001|千代田1-1', birthDate: '1980-01-01' },
      { personId: 'Q', kana: 'ヤマダハナコ', phone: '0933334444', address: '8120011|博多駅前1-1', birthDate: null },
    ];
    expect(decideMatch({ kana: 'ヤマダハナコ', phone: '0311112222', address: null, birthDate: null }, known)).toEqual({ kind: 'join', personId: 'P', matchedOn: ['phone'] });
    expect(decideMatch({ kana: 'ヤマダハナコ', phone: null, address: '8120011|博多駅前1-1', birthDate: '1990-02-02' }, known)).toEqual({ kind: 'join', personId: 'Q', matchedOn: ['address'] });
    expect(decideMatch({ kana: 'ヤマダハナコ', phone: '0311112222', address: null, birthDate: '1999-09-09' }, known)).toMatchObject({ kind: 'ambiguous', candidates: ['P'], reason: expect.stringContaining('different birth date') });
    expect(decideMatch({ kana: 'ヤマダハナコ', phone: '0311112222', address: '8120011|博多駅前1-1', birthDate: null }, known)).toMatchObject({ kind: 'ambiguous', candidates: ['P', 'Q'] });
    expect(decideMatch({ kana: 'ヤマダハナコ', phone: '0955556666', address: '9000001|那覇1-1', birthDate: null }, known)).toEqual({ kind: 'new' });
    expect(decideMatch({ kana: 'スズキハナコ', phone: '0311112222', address: null, birthDate: null }, known)).toEqual({ kind: 'new' });
  });
});

describe('名寄せ in the ledger and the API', () => {
  let ctx: SuiteContext;
  let api: TestApi;

  beforeAll(async () => {
    ({ ctx, api } = await apiSuite('intake-nayose'));
  });
  afterAll(() => api?.close());

  // Kana no other suite (or earlier run) uses: donors are matched across the whole shared ledger.
  const KATA = 'アイウエオカキクケコサシスセソタ';
  const uniqueKana = () => Array.from(randomUUID().replace(/-/g, '').slice(0, 6), (c) => KATA[parseInt(c, 16)]).join('');
  const noWorkflows = { heartbeat: () => undefined, paymentSeen: async () => undefined, ensureWorkflow: async () => undefined };
  const importFile = async (portal: string, fileName: string, bytes: Buffer) => {
    const { file } = await storeImportFile(ctx.orm, { portal, fileName, source: 'upload', createdBy: 'operator:test', bytes: Readable.from([bytes]) });
    return importChunk(ctx.orm, file.id, 10_000, noWorkflows);
  };
  const donorOf = async (portal: string, orderId: string) => (await ctx.orm.em.fork().findOneOrFail(Donation, { portal: { code: portal }, portalOrderId: orderId })).donor.id;
  const history = async (donorId: string) => (await api.get(`/donors/${donorId}`, 'city')).json();

  test('one person from 楽天 (half-width kana, 丁目/番/号), チョイス (hiragana, full-width digits, 全角 space) and a phone entry after moving house: one history', async () => {
    const sei = uniqueKana();
    const p = ctx.prefix;
    // 楽天 RMS, CP932: half-width kana, address with 丁目/番/号, phone in three cells.
    const rms = [[...RAKUTEN_COLUMNS], rakutenRow({
      注文番号: `${p}-R1`, 注文日時: '2026-11-20 10:00:00', 支払方法名: 'クレジットカード', 合計金額: '10000',
      注文者郵便番号1: '100', 注文者郵便番号2: '0001', 注文者住所都道府県: '東京都', 注文者住所郡市区: '千代田区', 注文者住所それ以降の住所: '千代田1丁目2番3号',
      注文者姓: '柳川', 注文者名: '太郎', 注文者姓カナ: toHalfWidth(sei), 注文者名カナ: 'ﾀﾛｳ', 注文者電話番号1: '03', 注文者電話番号2: '1234', 注文者電話番号3: '5678',
      注文者メールアドレス: 'x@pc.fw.rakuten.ne.jp',
    })];
    expect(await importFile('rakuten', 'rms-nayose.csv', iconv.encode(rms.map((r) => r.join(',')).join('\r\n') + '\r\n', 'cp932'))).toMatchObject({ created: 1 });

    // チョイス (provisional mapping), UTF-8: hiragana with a full-width space, full-width digits and hyphens, 髙 for 高.
    const hira = Array.from(sei, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60)).join('');
    const choice = [MAPPED_HEADER, [`${p}-C1`, '2026/11/21 09:00', '10000', '銀行振込', '', '', '希望しない', '柳川', '太郎', hira, 'たろう', '100-0001', '東京都', '千代田区千代田１－２－３', '', '０３－１２３４－５６７８', 'taro@example.jp', '寄附のみ', '']];
    expect(await importFile('choice', 'choice-nayose.csv', Buffer.from(choice.map((r) => r.join(',')).join('\r\n') + '\r\n'))).toMatchObject({ created: 1 });

    // By phone, after moving to 福岡: only the phone (written with spaces) ties it to the others; a birth date is given.
    const moved = await registerDonation(ctx.orm.em.fork(), newDonation(p, {
      portal: 'direct', channel: 'phone',
      donor: { name: '柳川 太郎', nameKana: `${sei} タロウ`, postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前1-1', phone: '03 1234 5678' },
      donorBirthDate: '1970-05-05',
    }), 'operator:tanaka');

    const rakutenDonor = await donorOf('rakuten', `${p}-R1`);
    const choiceDonor = await donorOf('choice', `${p}-C1`);
    // Three donor rows (each as its portal wrote it), one person.
    expect(new Set([rakutenDonor, choiceDonor, moved.donation.donor.id]).size).toBe(3);
    const h = await history(choiceDonor);
    expect(h.records.map((r: { donorId: string }) => r.donorId).sort()).toEqual([rakutenDonor, choiceDonor, moved.donation.donor.id].sort());
    expect(h.donations.map((d: { portal: string }) => d.portal).sort()).toEqual(['choice', 'direct', 'rakuten']);
    expect(h.records.find((r: { donorId: string }) => r.donorId === choiceDonor).matchedOn).toEqual(['address', 'phone']);
    expect(h.records.find((r: { donorId: string }) => r.donorId === moved.donation.donor.id).matchedOn).toEqual(['phone']);
    expect((await history(rakutenDonor)).personId).toBe(h.personId);
    expect(h.reviews).toEqual([]);

    // Same kana and phone but another birth date: not merged, flagged for an operator.
    const twin = await registerDonation(ctx.orm.em.fork(), newDonation(p, {
      portal: 'direct', channel: 'fax',
      donor: { name: '柳川 太郎', nameKana: `${sei} タロウ`, postalCode: '832-0065', prefecture: '福岡県', address: '柳川市本町1', phone: '03-1234-5678' },
      donorBirthDate: '2001-01-01',
    }), 'operator:tanaka');
    const t = await history(twin.donation.donor.id);
    expect(t.personId).not.toBe(h.personId);
    expect(t.donations).toHaveLength(1);
    expect(t.reviews).toEqual([expect.objectContaining({ status: 'open', candidates: [h.personId], reason: expect.stringContaining('different birth date') })]);

    // A namesake elsewhere with nothing in common: simply another person, nobody is bothered.
    const namesake = await registerDonation(ctx.orm.em.fork(), newDonation(p, {
      donor: { name: '柳川 太郎', nameKana: `${sei} タロウ`, postalCode: '060-0001', prefecture: '北海道', address: '札幌市中央区北一条西1-1', phone: '011-000-0000' },
    }), 'operator:tanaka');
    const n = await history(namesake.donation.donor.id);
    expect(n.personId).not.toBe(h.personId);
    expect(n.reviews).toEqual([]);

    // The operator decides: the flagged record is the same person after all (wrong birth date on the FAX). City may not decide.
    const list = (await api.get('/donors/match-reviews?status=open&limit=1000', 'operator')).json();
    const review = list.reviews.find((r: { donorId: string }) => r.donorId === twin.donation.donor.id);
    expect(review).toBeDefined();
    const decide = (as: Caller, body: object) => api.post(`/donors/match-reviews/${review.id}/decision`, body, as);
    expect((await decide('city', { decision: 'merge', personId: h.personId, note: 'x' })).statusCode).toBe(403);
    expect((await decide('operator', { decision: 'merge', personId: n.personId, note: 'not a candidate' })).statusCode).toBe(409);
    const merged = await decide('operator', { decision: 'merge', personId: h.personId, note: '電話で確認: FAXの生年月日は誤記' });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ status: 'merged', decidedBy: 'operator:tanaka', note: '電話で確認: FAXの生年月日は誤記' });
    expect((await decide('operator', { decision: 'separate', note: 'again' })).statusCode).toBe(409);
    const after = await history(rakutenDonor);
    expect(after.donations).toHaveLength(4);
    expect(after.records.find((r: { donorId: string }) => r.donorId === twin.donation.donor.id)).toMatchObject({ matchedOn: ['operator'], linkedBy: 'operator:tanaka' });
  });

  test('a record that fits two known people is not merged into either', async () => {
    const sei = uniqueKana();
    const p = `${ctx.prefix}-2`;
    const reg = (donor: object) => registerDonation(ctx.orm.em.fork(), newDonation(p, { donor: { name: '有明 花子', nameKana: `${sei} ハナコ`, prefecture: '東京都', ...donor } as never }), 'operator:tanaka');
    const a = await reg({ postalCode: '100-0001', address: '千代田区千代田1-1', phone: '03-1111-2222' });
    const b = await reg({ postalCode: '150-0001', address: '渋谷区神宮前1-1', phone: '03-3333-4444' });
    expect((await history(a.donation.donor.id)).personId).not.toBe((await history(b.donation.donor.id)).personId);
    // A's phone at B's address.
    const c = await reg({ postalCode: '150-0001', address: '渋谷区神宮前1丁目1番', phone: '03-1111-2222' });
    const h = await history(c.donation.donor.id);
    expect(h.reviews).toEqual([expect.objectContaining({ status: 'open', reason: expect.stringContaining('fits 2 different donors') })]);
    expect(h.reviews[0].candidates.sort()).toEqual([(await history(a.donation.donor.id)).personId, (await history(b.donation.donor.id)).personId].sort());
  });

  test('a phone or birth date a donor row gains later becomes a match key: the next record with it joins the person', async () => {
    const sei = uniqueKana();
    const p = `${ctx.prefix}-3`;
    const reg = (donor: object, extra: object = {}) =>
      registerDonation(ctx.orm.em.fork(), newDonation(p, { donor: { name: '三橋 次郎', nameKana: `${sei} ジロウ`, prefecture: '東京都', postalCode: '100-0001', address: '千代田区千代田2-2', ...donor } as never, ...extra }), 'operator:tanaka');
    // First order without a phone; the second, same name and address, gives one (filled into the same donor row) and a birth date.
    const first = await reg({ phone: undefined });
    const second = await reg({ phone: '03-5555-6666' }, { donorBirthDate: '1975-03-03' });
    expect(second.donation.donor.id).toBe(first.donation.donor.id);
    const [keys] = await ctx.orm.em.fork().getKnex()('donor_person_members').where('donor_id', first.donation.donor.id).select('phone_key', 'birth_date');
    expect(keys.phone_key).toBe('0355556666');
    expect(keys.birth_date).not.toBeNull();
    // After a move, only that phone ties the next record to the person.
    const moved = await reg({ postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前2-2', phone: '03-5555-6666' });
    const h = await history(moved.donation.donor.id);
    expect(h.personId).toBe((await history(first.donation.donor.id)).personId);
    expect(h.records.find((r: { donorId: string }) => r.donorId === moved.donation.donor.id).matchedOn).toEqual(['phone']);
  });

  test('donors written before 名寄せ existed are linked by the admin command, by the same rules, once', async () => {
    const sei = uniqueKana();
    const knex = ctx.orm.em.fork().getKnex();
    const row = (address: string) => ({ id: randomUUID(), name: '古賀 一郎', name_kana: `${sei} イチロウ`, postal_code: '100-0001', prefecture: '東京都', address, phone: '03-7777-8888' });
    const [a, b] = [row('千代田区千代田3-3'), row('千代田区千代田4-4')];
    // Rows as an older ledger holds them: no person.
    await knex('donors').insert([a, b]);
    const run = () => linkUnlinkedDonors(knex, { batch: 50 });
    // Other suites' unlinked seed rows may be linked in the same run; ours must be among them.
    expect(await run()).toBeGreaterThanOrEqual(2);
    const ha = await history(a.id);
    expect(ha.personId).not.toBeNull();
    expect((await history(b.id)).personId).toBe(ha.personId);
    // Whichever of the two was linked first started the person; the other joined it on the phone.
    expect(ha.records.map((r: { matchedOn: string[] }) => r.matchedOn.join(',')).sort()).toEqual(['', 'phone']);
    const members = await knex('donor_person_members').whereIn('donor_id', [a.id, b.id]).select('linked_by');
    expect(members.map((m) => m.linked_by)).toEqual(['system:link-donors', 'system:link-donors']);
  });

  test('an unknown donor is a 404 and suppliers see nothing', async () => {
    expect((await api.get(`/donors/${randomUUID()}`, 'operator')).statusCode).toBe(404);
    expect((await api.get('/donors/match-reviews', 'supplier')).statusCode).toBe(403);
  });
});

function toHalfWidth(kana: string): string {
  const map: Record<string, string> = { ア: 'ｱ', イ: 'ｲ', ウ: 'ｳ', エ: 'ｴ', オ: 'ｵ', カ: 'ｶ', キ: 'ｷ', ク: 'ｸ', ケ: 'ｹ', コ: 'ｺ', サ: 'ｻ', シ: 'ｼ', ス: 'ｽ', セ: 'ｾ', ソ: 'ｿ', タ: 'ﾀ' };
  return Array.from(kana, (c) => map[c] ?? c).join('');
}
