// INTAKE-3: catalogue requests (資料請求) are recorded, listed for the mail room, and marked sent.
import type { SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';

let ctx: SuiteContext;
let api: TestApi;


beforeAll(async () => {
  ({ ctx, api } = await apiSuite('intake-catalogue'));
});

afterAll(() => api?.close());


test('a phoned-in request is recorded once, listed, exported for labels and marked sent; cancelled ones are never mailed', async () => {
  const name = `資料 ${ctx.prefix.slice(-6)}`;
  const request = {
    requester: { name, nameKana: 'シリョウ タロウ', postalCode: '1000001', prefecture: '東京都', address: '千代田区千代田1-1', phone: '03-1234-5678' },
    items: ['catalogue', 'onestop_form'],
    channel: 'phone',
    note: '12月に寄附予定',
  };
  expect((await api.post('/catalogue-requests', request, 'city')).statusCode).toBe(403);
  expect((await api.get('/catalogue-requests', 'supplier')).statusCode).toBe(403);
  const invalid = await api.post('/catalogue-requests', { ...request, requester: { ...request.requester, postalCode: '100', prefecture: '東京' } });
  expect(invalid.statusCode).toBe(400);
  expect(invalid.json().fields.map((f: { field: string }) => f.field)).toEqual(['requester.postalCode', 'requester.prefecture']);

  const created = await api.post('/catalogue-requests', request);
  expect(created.statusCode).toBe(201);
  const saved = created.json().request;
  expect(saved).toMatchObject({
    requester: { name, postalCode: '100-0001', prefecture: '東京都', phone: '03-1234-5678', email: null },
    items: ['catalogue', 'onestop_form'], copies: 1, channel: 'phone', status: 'requested', recordedBy: 'operator:tanaka', sentAt: null,
  });
  // The same caller rings again before it went out: one envelope.
  const repeat = await api.post('/catalogue-requests', { ...request, items: ['onestop_form', 'catalogue'] });
  expect(repeat.statusCode).toBe(200);
  expect(repeat.json()).toMatchObject({ created: false, request: { id: saved.id } });

  // A counter visitor without kana or phone, who then changes their mind.
  const other = (await api.post('/catalogue-requests', { requester: { name: `窓口 ${ctx.prefix.slice(-6)}`, postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前1-1' }, channel: 'counter' })).json().request;
  expect(other).toMatchObject({ items: ['catalogue'], requester: { nameKana: '' } });

  const open = (await api.get('/catalogue-requests?status=requested&limit=1000', 'city')).json();
  expect(open.requests.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([saved.id, other.id]));

  const csv = await api.get('/catalogue-requests/mailing-list.csv');
  expect(csv.headers['content-type']).toContain('text/csv');
  expect(csv.body.startsWith('\uFEFFid,郵便番号,都道府県,住所,氏名,電話番号,送付物,部数,受付日\r\n')).toBe(true);
  expect(csv.body).toContain(`${saved.id},100-0001,東京都,千代田区千代田1-1,${name} 様,03-1234-5678,返礼品カタログ・ワンストップ特例申請書,1,`);

  const cancelled = await api.post(`/catalogue-requests/${other.id}/cancel`, { reason: '不要になったと電話あり' });
  expect(cancelled.json().request).toMatchObject({ status: 'cancelled', cancelledBy: 'operator:tanaka', cancelReason: '不要になったと電話あり' });
  expect((await api.post(`/catalogue-requests/${other.id}/cancel`, { reason: 'again' })).statusCode).toBe(409);

  // A cancelled id in the run refuses the whole call; nothing is marked.
  const refused = await api.post('/catalogue-requests/sent', { ids: [saved.id, other.id] });
  expect(refused.statusCode).toBe(409);
  expect((await api.get(`/catalogue-requests/${saved.id}`)).json().request.status).toBe('requested');

  const sent = await api.post('/catalogue-requests/sent', { ids: [saved.id], reference: '2026-11-26 発送分', sentAt: '2026-11-26T06:00:00.000Z' });
  expect(sent.json()).toEqual({ sent: [saved.id], alreadySent: [] });
  expect((await api.post('/catalogue-requests/sent', { ids: [saved.id] })).json()).toEqual({ sent: [], alreadySent: [saved.id] });
  expect((await api.get(`/catalogue-requests/${saved.id}`, 'city')).json().request).toMatchObject({ status: 'sent', sentAt: '2026-11-26T06:00:00.000Z', sentBy: 'operator:tanaka', sendReference: '2026-11-26 発送分' });
  expect((await api.get('/catalogue-requests/mailing-list.csv')).body).not.toContain(saved.id);
  expect((await api.get('/catalogue-requests/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);

  // Asking again after it was mailed is a new request.
  expect((await api.post('/catalogue-requests', request)).statusCode).toBe(201);
});
