/**
 * bench:ledger (LEDGER-2/3): seeds N donations (default 1,000,000; --n) straight in SQL
 * into the bench's private PostgreSQL, then measures
 * - search p95 over a mix of indexed filters through the real GET /donations (target < 200 ms);
 * - a ~100,000-row CSV export through the real GET /donations/export (target < 10 s),
 *   sampling this process's RSS during it (the API runs in-process: flat memory = streaming).
 * Prints BENCH_RESULT {...}.
 */
import { MemorySampler, parseOptions, percentile, startStack } from './support';

const OPERATOR_TOKEN = 'dev-operator-token';
const PREFS = ['東京都', '東京都', '東京都', '神奈川県', '神奈川県', '大阪府', '大阪府', '愛知県', '埼玉県', '千葉県', '福岡県', '福岡県', '兵庫県', '北海道', '静岡県', '京都府', '広島県', '宮城県', '熊本県', '沖縄県'];

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), { BENCH_N: '1000000', ...process.env });
  const n = opts.n;
  const stack = await startStack();
  try {
    const knex = stack.orm.em.fork().getKnex();
    const t0 = Date.now();
    await knex.raw(`insert into suppliers (name, code) select '事業者' || g, 'S-' || lpad(g::text, 2, '0') from generate_series(1, 20) g`);
    await knex.raw(`insert into gifts (code, name, supplier_id, price_yen, cost_yen, active)
      select 'G-' || lpad(g::text, 3, '0'), '返礼品' || g, (select id from suppliers where code = 'S-' || lpad((1 + g % 20)::text, 2, '0')), 10000, 3000, true from generate_series(1, 200) g`);
    const donors = Math.max(1, Math.floor(n * 0.6));
    await knex.raw(`insert into donors (id, name, name_kana, postal_code, prefecture, address)
      select gen_random_uuid(),
        (array['佐藤','鈴木','高橋','田中','伊藤','渡辺','山本','中村','小林','加藤'])[1 + g % 10] || ' ' || (array['太郎','花子','一郎','美咲','健','陽子','翔','さくら'])[1 + (g / 10) % 8] || g,
        (array['サトウ','スズキ','タカハシ','タナカ','イトウ','ワタナベ','ヤマモト','ナカムラ','コバヤシ','カトウ'])[1 + g % 10] || ' ' || (array['タロウ','ハナコ','イチロウ','ミサキ','ケン','ヨウコ','ショウ','サクラ'])[1 + (g / 10) % 8],
        lpad((g % 1000)::text, 3, '0') || '-' || lpad((g % 10000)::text, 4, '0'),
        (?::text[])[1 + (hashint4(g) & 2147483647) % ?], '住所' || g
      from generate_series(1, ?) g`, [PREFS, PREFS.length, donors]);
    await knex.raw(`create unlogged table bench_donor_ids as select row_number() over () as k, id from donors`);
    await knex.raw(`alter table bench_donor_ids add primary key (k)`);
    await knex.raw(`analyze bench_donor_ids`);
    await knex.raw(`insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, wants_one_stop, disaster_relief, status,
        review_flags, applied_at, paid_at, workflow_id, intake_fingerprint, created_by)
      select gen_random_uuid(), x.portal, 'B-' || x.g, (select id from bench_donor_ids where k = 1 + (hashint4(x.g * 7) & 2147483647) % ?), 'portal',
        x.amount, 'credit_card', x.r2 < 0.4, x.r2 > 0.98, x.status,
        case when x.r3 < 0.03 then '["duplicate_suspect"]'::jsonb when x.r3 < 0.04 then '["amount_unusual"]'::jsonb else '[]'::jsonb end,
        x.applied, case when x.status in ('received', 'held', 'awaiting_payment', 'cancelled') then null else x.applied + (x.r3 * interval '3 days') end,
        'bench-wf-' || x.g, 'x', 'bench'
      from (select g,
          (array['rakuten','rakuten','rakuten','choice','choice','satofull','satofull','furunavi','ana','amazon','mynavi','direct'])[1 + (hashint4(g) & 2147483647) % 12] as portal,
          (array[5000,10000,10000,10000,15000,20000,20000,30000,50000,100000])[1 + (hashint4(g * 3) & 2147483647) % 10] as amount,
          (array['completed','completed','completed','completed','documents_sent','documents_due','paid','awaiting_payment','received','cancelled'])[1 + (hashint4(g * 5) & 2147483647) % 10] as status,
          timestamptz '2026-01-01 00:00+09' + ((hashint4(g * 11) & 2147483647) % 31536000) * interval '1 second' as applied,
          ((hashint4(g * 13) & 2147483647) % 1000) / 1000.0 as r2, ((hashint4(g * 17) & 2147483647) % 1000) / 1000.0 as r3
        from generate_series(1, ?) g) x`, [donors, n]);
    await knex.raw(`insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen)
      select id, 'G-' || lpad((1 + (hashint4(hashtext(id::text)) & 2147483647) % 200)::text, 3, '0'), 1, amount_yen from donations`);
    await knex.raw(`insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen)
      select id, 'G-' || lpad((1 + (hashint4(hashtext(id::text) + 1) & 2147483647) % 200)::text, 3, '0'), 1, 5000 from donations where amount_yen >= 50000`);
    await knex.raw('drop table bench_donor_ids');
    await knex.raw('analyze');
    const seedSeconds = (Date.now() - t0) / 1000;
    process.stderr.write(`seeded ${n} donations in ${seedSeconds.toFixed(1)} s\n`);

    const headers = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    const queries = [
      'status=paid&status=documents_due',
      'portal=rakuten&appliedFrom=2026-03-01&appliedTo=2026-03-31',
      'gift=G-017',
      'supplier=S-03&status=completed&appliedFrom=2026-06-01&appliedTo=2026-06-30',
      `prefecture=${encodeURIComponent('福岡県')}&amountMin=50000`,
      'reviewFlagged=true',
      'paidFrom=2026-05-01&paidTo=2026-05-07',
      'disasterRelief=true&portal=choice',
      'amountMin=100000&appliedFrom=2026-12-01&appliedTo=2026-12-31',
      'status=awaiting_payment&portal=direct',
    ];
    const timings: number[] = [];
    const perQuery: Record<string, { p50: number; max: number; total: number }> = {};
    for (const q of queries) {
      const ts: number[] = [];
      let total = 0;
      let cursor: string | null = null;
      for (let i = 0; i < 8; i++) {
        const url: string = `${stack.apiBase}/donations?${q}&limit=50${i % 2 === 1 && cursor ? `&after=${cursor}` : ''}`;
        const s = performance.now();
        const res = await fetch(url, { headers });
        const json = (await res.json()) as { total: number; nextCursor: string | null };
        ts.push(performance.now() - s);
        if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
        total = json.total;
        cursor = json.nextCursor;
      }
      ts.sort((a, b) => a - b);
      timings.push(...ts.slice(1)); // the first run of each warms the cache
      perQuery[q] = { p50: Math.round(percentile(ts, 50)), max: Math.round(ts[ts.length - 1]!), total };
    }
    timings.sort((a, b) => a - b);

    // ~100,000 rows: pick the number of applied days that holds about that many.
    const days = Math.max(1, Math.min(365, Math.round((100_000 / n) * 365)));
    const to = new Date(Date.parse('2026-01-01T00:00:00+09:00') + (days - 1) * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
    const sampler = new MemorySampler(100);
    const rssBefore = process.memoryUsage().rss;
    const rss: number[] = [];
    const tick = setInterval(() => rss.push(process.memoryUsage().rss), 250);
    sampler.start();
    const s = performance.now();
    const res = await fetch(`${stack.apiBase}/donations/export?appliedFrom=2026-01-01&appliedTo=${to}&encoding=sjis`, { headers });
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 0x0a) lines += 1;
    }
    const exportSeconds = (performance.now() - s) / 1000;
    sampler.stop();
    clearInterval(tick);
    const result = {
      n,
      seedSeconds: Math.round(seedSeconds),
      search: { requests: timings.length, p50Ms: Math.round(percentile(timings, 50)), p95Ms: Math.round(percentile(timings, 95)), maxMs: Math.round(timings[timings.length - 1]!), targetP95Ms: 200, perQuery },
      export: {
        status: res.status, rows: lines - 1, bytes, seconds: Number(exportSeconds.toFixed(2)), targetSeconds: 10, encoding: 'sjis',
        rssBeforeMb: Math.round(rssBefore / 2 ** 20), rssPeakMb: Math.round(sampler.peakRss / 2 ** 20),
        rssSamplesMb: rss.filter((_, i) => i % Math.max(1, Math.floor(rss.length / 10)) === 0).map((r) => Math.round(r / 2 ** 20)),
      },
      serverErrors: stack.serverErrors.map((e) => `${e.route}: ${e.error.message}`),
    };
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
