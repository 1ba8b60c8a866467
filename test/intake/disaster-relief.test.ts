// PORTAL-3: disaster-relief campaigns: no gift, the relief wording, quick to switch on and off.
import { reliefDecision, type ReliefCampaign } from '../../domain/intake/disaster-relief';
import { Donation, DonationEvent } from '../../ledger/entities';
import { statusQuery } from '../../workflows/donation/definitions';
import { eventually } from '../support/context';
import { intakeSuiteHooks } from './support';
import { MAPPED_HEADER } from '../fixtures/portals/generate';

const suite = intakeSuiteHooks('intake-relief', 'dr-fix-eel');

/** A チョイス-layout file with the 災害支援 column. */
function choiceFile(rows: { id: string; at: string; amount: string; gift: string; relief?: string; name: [string, string, string, string] }[]): Buffer {
  const header = [...MAPPED_HEADER, '災害支援'];
  const lines = [
    header,
    ...rows.map((r) => [r.id, r.at, r.amount, 'クレジットカード', '', '', '希望しない', r.name[0], r.name[1], r.name[2], r.name[3], '100-0001', '東京都', '千代田区千代田1-1', '', '03-1234-5678', 'x@example.jp', r.gift, '1', r.relief ?? '']),
  ];
  return Buffer.from(lines.map((l) => l.join(',')).join('\r\n') + '\r\n', 'utf8');
}

describe('reliefDecision', () => {
  const campaign: ReliefCampaign = { id: 'c1', name: '豪雨', startsAt: '2026-07-01T00:00:00Z', endsAt: '2026-08-01T00:00:00Z', portals: ['choice'], giftCodes: ['SAIGAI'], wholePortal: false };
  const d = (appliedAt: string, gifts: string[], disasterRelief = false) => ({ appliedAt, disasterRelief, gifts: gifts.map((code) => ({ code, quantity: 1 })) });

  test('by item code, inside the period and on the portal only', () => {
    expect(reliefDecision('choice', d('2026-07-10T00:00:00Z', ['SAIGAI']), [campaign])).toMatchObject({ relief: true, campaignId: 'c1', basis: 'gift_code', droppedGifts: [{ code: 'SAIGAI' }] });
    expect(reliefDecision('choice', d('2026-08-01T00:00:00Z', ['SAIGAI']), [campaign]).relief).toBe(false);
    expect(reliefDecision('choice', d('2026-06-30T23:59:59Z', ['SAIGAI']), [campaign]).relief).toBe(false);
    expect(reliefDecision('rakuten', d('2026-07-10T00:00:00Z', ['SAIGAI']), [campaign]).relief).toBe(false);
    expect(reliefDecision('choice', d('2026-07-10T00:00:00Z', ['eel']), [campaign]).relief).toBe(false);
  });

  test('a whole portal, or the portal row flag (with or without a campaign); the gifts are dropped', () => {
    const whole = { ...campaign, id: 'c2', giftCodes: [], wholePortal: true, endsAt: null };
    expect(reliefDecision('choice', d('2026-09-01T00:00:00Z', ['eel']), [whole])).toMatchObject({ relief: true, campaignId: 'c2', basis: 'whole_portal', droppedGifts: [{ code: 'eel' }] });
    expect(reliefDecision('furunavi', d('2026-09-01T00:00:00Z', ['eel'], true), [])).toMatchObject({ relief: true, campaignId: undefined, basis: 'portal_flag' });
    expect(reliefDecision('choice', d('2026-07-02T00:00:00Z', [], true), [campaign])).toMatchObject({ relief: true, campaignId: 'c1', basis: 'portal_flag' });
  });
});

test('an operator opens a campaign; its donations enter without gifts as relief donations; closing it ends that; re-importing changes nothing', async () => {
  const p = suite.ctx.prefix;
  const body = { name: '令和8年7月 豪雨災害支援', startsAt: '2026-07-01T00:00:00+09:00', portals: ['choice'], giftCodes: ['SAIGAI-SHIEN'], note: '筑後川流域' };
  expect((await suite.api.post('/intake/campaigns', body, 'city')).statusCode).toBe(403);
  const bad = await suite.api.post('/intake/campaigns', { ...body, portals: ['nowhere'] });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields).toEqual([{ field: 'portals[0]', reason: 'unknown or inactive portal "nowhere"' }]);

  const opened = await suite.api.post('/intake/campaigns', body);
  expect(opened.statusCode).toBe(201);
  const campaign = opened.json().campaign;
  expect(campaign).toMatchObject({ name: '令和8年7月 豪雨災害支援', status: 'open', portals: ['choice'], giftCodes: ['SAIGAI-SHIEN'], wholePortal: false, endsAt: null, openedBy: 'operator:tanaka' });
  const closed = await suite.api.post(`/intake/campaigns/${campaign.id}/close`, { endsAt: '2026-08-01T00:00:00+09:00' });
  expect(closed.json().campaign).toMatchObject({ status: 'closed', endsAt: '2026-07-31T15:00:00.000Z', closedBy: 'operator:tanaka' });
  expect((await suite.api.post(`/intake/campaigns/${campaign.id}/close`, {})).statusCode).toBe(409);

  const file = choiceFile([
    // The campaign's item on its portal in its period: relief, no gift (SAIGAI-SHIEN is not a gift at all).
    { id: `${p}-1`, at: '2026/07/10 10:00', amount: '5000', gift: 'SAIGAI-SHIEN', name: ['災害', '一郎', 'サイガイ', 'イチロウ'] },
    // An ordinary donation during the campaign keeps its gift.
    { id: `${p}-2`, at: '2026/07/10 11:00', amount: '20000', gift: 'dr-fix-eel', name: ['普通', '二郎', 'フツウ', 'ジロウ'] },
    // The portal flags it as 災害支援 (e.g. チョイスの災害支援ページ) although a gift code came along: relief, gift dropped.
    { id: `${p}-3`, at: '2026/07/11 09:00', amount: '20000', gift: 'dr-fix-eel', relief: '災害支援', name: ['支援', '三郎', 'シエン', 'サブロウ'] },
    // After the campaign closed the item code means nothing: an unknown gift, quarantined.
    { id: `${p}-4`, at: '2026/08/02 09:00', amount: '5000', gift: 'SAIGAI-SHIEN', name: ['遅延', '四郎', 'チエン', 'シロウ'] },
  ]);
  const res = await suite.upload('choice', 'choice-relief.csv', file);
  expect(res.statusCode).toBe(201);
  expect(res.json().file).toMatchObject({ created: 3, quarantined: 1 });
  expect(res.json().rows[3].issues).toEqual([{ column: 'お礼の品コード', reason: 'unknown gift code "SAIGAI-SHIEN"' }]);

  const donation = (id: string) => suite.ctx.orm.em.fork().findOneOrFail(Donation, { portal: { code: 'choice' }, portalOrderId: id }, { populate: ['giftLines'] });
  const [d1, d2, d3] = await Promise.all([donation(`${p}-1`), donation(`${p}-2`), donation(`${p}-3`)]);
  expect([d1, d2, d3].map((d) => [d.disasterRelief, d.giftLines.length])).toEqual([[true, 0], [false, 1], [true, 0]]);
  const [e1] = await suite.ctx.orm.em.fork().find(DonationEvent, { donation: d1.id, kind: 'disaster_relief' });
  expect(e1.after).toEqual({ disasterRelief: true, campaignId: campaign.id, basis: 'gift_code', droppedGifts: [{ code: 'SAIGAI-SHIEN', quantity: 1 }] });
  const [e3] = await suite.ctx.orm.em.fork().find(DonationEvent, { donation: d3.id, kind: 'disaster_relief' });
  expect(e3.after).toMatchObject({ campaignId: campaign.id, basis: 'portal_flag', droppedGifts: [{ code: 'dr-fix-eel', quantity: 1 }] });
  expect(e3.reason).toContain('no gift; dropped dr-fix-eel×1');

  // Relief donations run like any other (paid by card → documents due); nothing to ship.
  const s1 = await eventually(() => suite.ctx.client.workflow.getHandle(d1.workflowId).query(statusQuery), (s) => s.status === 'documents_due' && s.giftFulfilment !== undefined);
  expect(s1.shipments).toEqual([]);

  const summary = (await suite.api.get(`/intake/campaigns/${campaign.id}`, 'city')).json().campaign;
  expect(summary).toMatchObject({ donations: 2, amountYen: 25_000 });
  expect((await suite.api.get('/intake/campaigns', 'city')).json().campaigns.map((c: { id: string }) => c.id)).toContain(campaign.id);

  // Another export with the same orders: unchanged, no second relief event.
  const again = await suite.upload('choice', 'choice-relief-2.csv', Buffer.concat([file, Buffer.from('\r\n')]));
  expect(again.json().file).toMatchObject({ created: 0, unchanged: 3, quarantined: 1 });
  expect(await suite.ctx.orm.em.fork().count(DonationEvent, { donation: d1.id, kind: 'disaster_relief' })).toBe(1);
});
