import { ConfigError, DEV_TOKENS, loadConfig, requireApiTokens, UPLOAD_LIMIT } from '../../config/env';

test('defaults describe a developer machine: dev server, embedded PostgreSQL, dev tokens', () => {
  const config = loadConfig({});
  expect(config.temporal.address).toBeUndefined();
  expect(config.database.url).toBeUndefined();
  expect(config.api.port).toBe(3000);
  expect(config.temporal.uiPort).toBe(8233);
  expect(config.api.tokens).toBe(DEV_TOKENS);
});

test('production refuses to start the API without real tokens; workers need none', () => {
  const worker = loadConfig({ NODE_ENV: 'production' });
  expect(worker.api.tokens).toEqual([]);
  expect(() => requireApiTokens(worker)).toThrow(ConfigError);
  const config = loadConfig({ NODE_ENV: 'production', API_TOKENS: 'operator:tanaka:0123456789abcdef' });
  expect(config.api.tokens).toEqual([{ role: 'operator', name: 'tanaka', token: '0123456789abcdef' }]);
});

test.each([
  [{ API_PORT: 'eighty' }, /API_PORT must be a whole number/],
  [{ API_PORT: '70000' }, /API_PORT must be between/],
  [{ API_TOKENS: 'boss:x:0123456789abcdef' }, /unknown role "boss"/],
  [{ API_TOKENS: 'operator:x:short' }, /at least 16 characters/],
  [{ API_TOKENS: 'operator:a:0123456789abcdef,city:b:0123456789abcdef' }, /same token twice/],
  [{ DOCS_REMINDER_LEAD_DAYS: '20' }, /DOCS_REMINDER_LEAD_DAYS must be between 1 and 13/],
  [{ SHIP_YAMATO_CUSTOMER_CODE: '12-34' }, /SHIP_YAMATO_CUSTOMER_CODE must be 10–12 digits/],
  [{ SHIP_MAX_RESHIPMENTS: '-1' }, /SHIP_MAX_RESHIPMENTS/],
  [{ SHIP_ORDER_TIME: '25:00' }, /SHIP_ORDER_TIME/],
])('%j is refused with a message naming the variable', (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});

test('the upload limit is three times the largest file a peak day makes, unless INTAKE_UPLOAD_MAX_MIB says otherwise (issue 21)', () => {
  expect(UPLOAD_LIMIT).toMatchObject({ peakDayRows: 70_000, widestRowBytes: 2_560, largestFileBytes: 179_202_048, multiple: 3 });
  expect(loadConfig({}).intake.uploadMaxBytes).toBe(513 * 1_048_576);
  expect(loadConfig({ INTAKE_UPLOAD_MAX_MIB: '64' }).intake.uploadMaxBytes).toBe(64 * 1_048_576);
  expect(() => loadConfig({ INTAKE_UPLOAD_MAX_MIB: '0.5' })).toThrow(ConfigError);
});
