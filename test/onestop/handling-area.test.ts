import { loadConfig } from '../../config/env';
import { consolePrincipalHeaders } from '../../api/auth';
import { handlingArea, terminalClearance } from '../../domain/onestop/handling-area';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';
import { clearHandler, seedApplication } from './support';

/**
 * MYNUM-2 (特記4): a 個人番号 is read only from a terminal inside the declared 取扱区域. A refused
 * read says why without the number and is logged with the terminal; so is every allowed read.
 */
const AREA = '10.20.0.0/16,2001:db8:1::/48';
const NUMBER = '123456789018';
const reason = encodeURIComponent('申告特例通知書の照合');

describe('the declared area (domain and configuration)', () => {
  test('ranges admit their addresses only, an IPv4 client on a dual-stack socket included', () => {
    const area = handlingArea(['10.20.0.0/16', '2001:db8:1::/48', '192.0.2.7']);
    expect(['10.20.0.1', '10.20.255.254', '::ffff:10.20.3.4', '2001:db8:1:ffff::9', '192.0.2.7'].filter((a) => area.contains(a))).toHaveLength(5);
    expect(['10.21.0.1', '127.0.0.1', '::1', '2001:db8:2::1', '192.0.2.8', '', 'not-an-ip', undefined].filter((a) => area.contains(a))).toEqual([]);
  });

  test('no declared area admits nobody, and says it is undeclared', () => {
    const refusal = terminalClearance(handlingArea([]), '127.0.0.1');
    expect(refusal).toEqual({ cleared: false, reason: expect.stringContaining('取扱区域が宣言されていない') });
    expect(terminalClearance(handlingArea(['127.0.0.0/8']), '10.0.0.1')).toEqual({ cleared: false, reason: expect.stringContaining('取扱区域の外の端末 (10.0.0.1)') });
  });

  test('configuration: loopback outside production, nothing in production until declared, a typo stops the start', () => {
    expect(loadConfig({}).onestop.handlingArea).toEqual(['127.0.0.0/8', '::1/128']);
    const production = { NODE_ENV: 'production', MY_NUMBER_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`, CONSOLE_SESSION_SECRET: 'x'.repeat(40), API_TOKENS: 'operator:a:aaaaaaaaaaaaaaaaaaaa' };
    const declared = (area?: string) => {
      try {
        return loadConfig({ ...production, ...(area === undefined ? {} : { MYNUMBER_HANDLING_AREA: area }) }).onestop.handlingArea;
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(declared()).toEqual([]);
    expect(declared(' 10.20.0.0/16 , 10.30.1.5 ')).toEqual(['10.20.0.0/16', '10.30.1.5']);
    expect(declared('10.20.0.0/33')).toMatch(/MYNUMBER_HANDLING_AREA: "10.20.0.0\/33": the prefix must be 0–32/);
    expect(declared('tanaka-pc')).toMatch(/MYNUMBER_HANDLING_AREA: "tanaka-pc" is not an address/);
    expect(() => loadConfig({ API_TRUST_PROXY: '10.0.0.1/abc' })).toThrow(/API_TRUST_PROXY/);
  });
});

describe('個人番号 reads by terminal (API and console)', () => {
  let ctx: SuiteContext;
  let api: TestApi;
  let id: string;

  beforeAll(async () => {
    ({ ctx, api } = await apiSuite('mynum-area', { env: { MYNUMBER_HANDLING_AREA: AREA } }));
    await clearHandler(api, 'admin:root');
    ({ application: { id } } = await seedApplication(ctx, { name: '区域 確認', nameKana: 'クイキ カクニン', prefecture: '福岡県', address: '柳川市本町1-1' }, { appliedAt: '2026-11-20T01:00:00.000Z', myNumber: NUMBER }));
  });
  afterAll(() => api?.close());

  const read = (remoteAddress: string, headers: Record<string, string> = api.headers('admin')) =>
    api.app.inject({ method: 'GET', url: `/onestop/applications/${id}/my-number?reason=${reason}`, remoteAddress, headers });

  test('inside the area the cleared admin reads, and the read names the terminal', async () => {
    const inside = await read('10.20.3.4');
    expect(inside.statusCode).toBe(200);
    expect(inside.json().myNumber).toBe(NUMBER);
    expect((await read('2001:db8:1::42')).statusCode).toBe(200);
    const log = (await api.get(`/onestop/applications/${id}/my-number/access-log`, 'city')).json().reads;
    expect(log.map((r: { terminal: string; source: string }) => [r.terminal, r.source])).toEqual([
      ['10.20.3.4', 'api'],
      ['2001:db8:1::42', 'api'],
    ]);
  });

  test('outside it the same admin is refused, told why, the number withheld, and the refusal logged with the terminal', async () => {
    const before = (await api.get(`/onestop/applications/${id}/my-number/access-log`, 'city')).json().reads.length;
    for (const terminal of ['127.0.0.1', '10.21.0.9']) {
      const outside = await read(terminal);
      expect(outside.statusCode).toBe(403);
      expect(outside.json().message).toContain(`取扱区域の外の端末 (${terminal})`);
      expect(outside.body).not.toContain(NUMBER);
    }
    const refusals = (await api.get(`/onestop/applications/${id}/my-number/refusals`, 'city')).json().refusals;
    expect(refusals.map((r: { terminal: string; actor: string }) => [r.actor, r.terminal])).toEqual([
      ['admin:root', '127.0.0.1'],
      ['admin:root', '10.21.0.9'],
    ]);
    expect((await api.get(`/onestop/applications/${id}/my-number/access-log`, 'city')).json().reads).toHaveLength(before);
  });

  test('the console forwards the browser’s terminal: its loopback call is judged by where the person sits', async () => {
    const asConsole = (terminal: string) => consolePrincipalHeaders({ role: 'admin', name: 'root', consoleTerminal: terminal });
    expect((await read('127.0.0.1', asConsole('10.21.7.7'))).statusCode).toBe(403);
    const inside = await read('127.0.0.1', asConsole('10.20.7.7'));
    expect(inside.statusCode).toBe(200);
    const last = (await api.get(`/onestop/applications/${id}/my-number/access-log`, 'city')).json().reads.at(-1);
    expect(last).toEqual(expect.objectContaining({ actor: 'admin:root', source: 'console', terminal: '10.20.7.7' }));
  });

  test('an X-Forwarded-For header is believed only from a declared proxy (API_TRUST_PROXY)', async () => {
    const forwarded = { ...api.headers('admin'), 'x-forwarded-for': '10.20.8.8' };
    // Not trusted here: a client cannot claim to sit inside the area.
    expect((await read('127.0.0.1', forwarded)).statusCode).toBe(403);
    const proxied = await apiSuite('mynum-proxy', { env: { MYNUMBER_HANDLING_AREA: AREA, API_TRUST_PROXY: '127.0.0.1' } });
    try {
      const res = await proxied.api.app.inject({ method: 'GET', url: `/onestop/applications/${id}/my-number?reason=${reason}`, remoteAddress: '127.0.0.1', headers: forwarded });
      expect(res.statusCode).toBe(200);
    } finally {
      await proxied.api.close();
    }
  });
});
