import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { Donation, DonationIntake, ImportFile, QuarantineEntry } from '../../ledger/entities';
import { importChunk, importReport, storeImportFile } from '../../ledger/intake';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { statusQuery } from '../../workflows/donation/definitions';
import { importFileWorkflow } from '../../workflows/intake/import-file-workflow';
import { eventually, suiteContext, type SuiteContext } from '../support/context';
import { rakutenFixture, rakutenRow } from '../fixtures/portals/generate';
import { RAKUTEN_COLUMNS } from '../../domain/portals/rakuten';

let ctx: SuiteContext;

beforeAll(async () => {
  ctx = await suiteContext('intake-import');
  await ctx.startWorker();
  await ctx.orm.em
    .fork()
    .getKnex()('gifts')
    .insert([
      { code: 'rk-fix-eel', name: 'うなぎのせいろ蒸し', price_yen: 20_000, active: true },
      { code: 'rk-fix-nori', name: '有明海産 海苔', price_yen: 10_000, active: true },
    ])
    .onConflict('code')
    .ignore();
});

afterAll(async () => {
  await ctx?.close();
});

const store = (bytes: Buffer, fileName = 'rms.csv') =>
  storeImportFile(ctx.orm, { portal: 'rakuten', fileName, source: 'upload', createdBy: 'operator:test', bytes: Readable.from([bytes]) });

const runImport = (fileId: string, chunkRows?: number) =>
  ctx.client.workflow.execute(importFileWorkflow, { taskQueue: ctx.taskQueue, workflowId: `import/${fileId}`, args: [{ fileId, chunkRows }] });

const donation = (orderId: string) => ctx.orm.em.fork().findOne(Donation, { portal: { code: 'rakuten' }, portalOrderId: orderId }, { populate: ['donor', 'giftLines'] });

test('a 楽天 file becomes donations with running workflows; bad rows go to the quarantine with row, column and reason; the same file again changes nothing', async () => {
  const { file, existing } = await store(rakutenFixture());
  expect(existing).toBe(false);
  // Two chunks of 3 rows: the workflow loops over chunk activities.
  const totals = await runImport(file.id, 3);
  expect(totals).toEqual({ rowsDone: 7, created: 3, unchanged: 0, quarantined: 2, late: 3 });

  const card = (await donation('123456-20261120-0000001'))!;
  expect(card.amountYen).toBe(30_000);
  expect(card.giftLines.getItems().map((l) => l.quantity)).toEqual([1, 1]);
  expect(card.reviewFlags).toEqual([]);
  const cardStatus = await eventually(() => ctx.client.workflow.getHandle(card.workflowId).query(statusQuery), (s) => s.status === 'documents_due');
  expect(cardStatus.paidAt).toBe('2026-11-20T01:15:30.000Z');

  const transfer = (await donation('123456-20261120-0000002'))!;
  await eventually(() => ctx.client.workflow.getHandle(transfer.workflowId).query(statusQuery), (s) => s.status === 'awaiting_payment');

  // 𠮷 arrived as "?" from Shift_JIS: held for an operator with a named flag and reason.
  const lost = (await donation('123456-20261121-0000003'))!;
  expect(lost.reviewFlags).toEqual(['invalid_characters']);
  await eventually(() => ctx.client.workflow.getHandle(lost.workflowId).query(statusQuery), (s) => s.status === 'held');
  const intake = await ctx.orm.em.fork().findOneOrFail(DonationIntake, { donationId: lost.id });
  expect(intake).toMatchObject({ importFileId: file.id, rowNumber: 5, dueOn: '2026-11-24', late: true });
  expect(intake.reviewFindings[0].reason).toContain('name contains U+003F "?"');

  const report = (await importReport(ctx.orm, file.id, { limit: 100, offset: 0 }))!;
  expect(report.file).toMatchObject({ status: 'done', encoding: 'cp932', rowsDone: 7, created: 3, quarantined: 2, late: 3 });
  expect(report.rows.map((r) => [r.row, r.lastRow, r.outcome])).toEqual([
    [2, 3, 'created'], [4, 4, 'created'], [5, 5, 'created'], [6, 6, 'quarantined'], [7, 7, 'quarantined'],
  ]);
  expect(report.rows[3].issues).toEqual([
    { column: '注文日時', reason: '"2026-13-40 25:00" is not a date and time' },
    { column: '合計金額', reason: '"一万円" is not an amount in yen' },
    { column: '注文者郵便番号1', reason: 'must be a 7-digit postal code (e.g. 832-8601)' },
  ]);
  expect(report.rows[4].issues).toEqual([{ column: '商品管理番号', reason: 'unknown gift code "rk-fix-unknown"' }]);
  const q = await ctx.orm.em.fork().find(QuarantineEntry, { fileId: file.id }, { orderBy: { rowNumber: 'asc' } });
  expect(q.map((e) => [e.rowNumber, e.portalOrderId, e.kind, e.status])).toEqual([
    [6, '123456-20261121-0000004', 'invalid', 'open'],
    [7, '123456-20261121-0000005', 'invalid', 'open'],
  ]);
  expect(q[0].rows[0][40]).toBe('佐藤');

  // The same bytes again: the stored import is found, nothing new is written.
  const again = await store(rakutenFixture(), 'rms-copy.csv');
  expect(again).toMatchObject({ existing: true, file: { id: file.id } });
  const count = async () => (await ctx.orm.em.fork().getKnex()('donations').where('portal_code', 'rakuten').count({ n: '*' }))[0].n;
  const before = await count();
  expect(await runImport(file.id)).toEqual({ rowsDone: 7, created: 0, unchanged: 0, quarantined: 0, late: 0 });
  expect(await count()).toBe(before);
});

test('overlapping files: orders already in the ledger are unchanged; changed content is quarantined as a conflict', async () => {
  const text = iconv.decode(rakutenFixture(), 'cp932');
  const lines = text.split('\r\n');
  // The second export repeats orders 1 and 2 and shows order 2 with another amount.
  const changed = [lines[0], lines[1], lines[2], lines[3].replace(/１０，０００/g, '１２，０００')].join('\r\n') + '\r\n';
  const { file } = await store(iconv.encode(changed, 'cp932'), 'rms-next.csv');
  const totals = await runImport(file.id);
  expect(totals).toMatchObject({ created: 0, unchanged: 1, quarantined: 1 });
  const [conflict] = await ctx.orm.em.fork().find(QuarantineEntry, { fileId: file.id });
  expect(conflict).toMatchObject({ kind: 'conflict', portalOrderId: '123456-20261120-0000002', issues: [{ column: '注文番号', reason: expect.stringContaining('already in the ledger with different content') }] });
});

test('a crash after the rows are in the ledger but before their workflows started: the next attempt starts them; no duplicate, no lost row, counts exact', async () => {
  const rows = iconv.decode(rakutenFixture(), 'cp932').split('\r\n');
  // Same orders under new numbers, so this file is a fresh import.
  const fresh = rows.map((l, i) => (i === 0 ? l : l.replace(/^123456-/, '777777-'))).join('\r\n');
  const { file } = await store(iconv.encode(fresh, 'cp932'), 'rms-crash.csv');
  let starts = 0;
  const crashing = {
    batchGroups: 1,
    heartbeat: () => undefined,
    paymentSeen: async () => undefined,
    ensureWorkflow: async (d: Donation) => {
      starts += 1;
      // The worker dies while starting the third order's workflow: its batch is committed, the start is not.
      if (starts === 3) throw new Error('worker killed');
      await ensureDonationWorkflow(ctx.client, d, ctx.config);
    },
  };
  await expect(importChunk(ctx.orm, file.id, 10_000, crashing)).rejects.toThrow('worker killed');
  const mid = await ctx.orm.em.fork().findOneOrFail(ImportFile, { id: file.id });
  // The whole file went into the ledger first; the starts stopped at the third order.
  expect(mid).toMatchObject({ status: 'running', rowsDone: 7, createdCount: 3, quarantinedCount: 2 });
  expect(mid.registeredAt).toBeInstanceOf(Date);
  expect(mid.finishedAt).toBeFalsy();
  // Orders 1 and 2 (rows 2–4) started; order 3 did not.
  expect(mid.workflowsRow).toBe(4);
  const third = (await donation('777777-20261121-0000003'))!;
  await expect(ctx.client.workflow.getHandle(third.workflowId).describe()).rejects.toThrow();

  const totals = await runImport(file.id);
  // Nothing left to register: the resumed import only starts workflows.
  expect(totals).toMatchObject({ rowsDone: 7, created: 0, unchanged: 0, quarantined: 0 });
  const done = await ctx.orm.em.fork().findOneOrFail(ImportFile, { id: file.id });
  expect(done).toMatchObject({ status: 'done', createdCount: 3, unchangedCount: 0, quarantinedCount: 2 });
  const report = (await importReport(ctx.orm, file.id, { limit: 100, offset: 0 }))!;
  expect(report.rows.map((r) => r.outcome)).toEqual(['created', 'created', 'created', 'quarantined', 'quarantined']);
  expect(await ctx.orm.em.fork().findOne(DonationIntake, { donationId: third.id })).not.toBeNull();
  // The resumed attempt started the missing workflow, and the first two were not started twice.
  await eventually(() => ctx.client.workflow.getHandle(third.workflowId).query(statusQuery), (s) => s.status === 'held');
  const first = (await donation('777777-20261120-0000001'))!;
  const history = await ctx.client.workflow.getHandle(first.workflowId).fetchHistory();
  expect(history.events?.filter((e) => e.workflowExecutionStartedEventAttributes).length).toBe(1);
});

test('a file that is not in the portal layout fails as a whole with the reason, and nothing is imported', async () => {
  const { file } = await store(iconv.encode('注文番号,金額\r\n1,2\r\n', 'cp932'), 'wrong.csv');
  await runImport(file.id);
  const f = await ctx.orm.em.fork().findOneOrFail(ImportFile, { id: file.id });
  expect(f.status).toBe('failed');
  expect(f.error).toMatch(/not an RMS 受注CSV in the known layout/);
});

test('INTAKE-4 on the batch path: the same person, amount and gifts on another portal within 48 h is a possible duplicate', async () => {
  const kana = 'ニジュウ' + ctx.prefix.slice(-6).replace(/[^0-9a-f]/g, '').split('').map((c) => 'アイウエオカキクケコサシスセソタ'[parseInt(c, 16)]).join('');
  const { registerDonation } = await import('../../ledger/donations');
  const { newDonation } = await import('../support/factory');
  const first = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix, {
    portal: 'choice', amountYen: 10_000, appliedAt: '2026-11-20T01:00:00.000Z',
    donor: { name: '二重 太郎', nameKana: `${kana} タロウ`, postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田9-9', phone: '03-9999-0000', email: 'w@example.jp' },
  }), 'test:setup');
  const order = `${ctx.prefix}-dup-1`;
  const rms = [[...RAKUTEN_COLUMNS], rakutenRow({
    注文番号: order, 注文日時: '2026-11-21 09:00:00', 支払方法名: 'クレジットカード', 合計金額: '10000',
    注文者郵便番号1: '100', 注文者郵便番号2: '0001', 注文者住所都道府県: '東京都', 注文者住所郡市区: '千代田区', 注文者住所それ以降の住所: '千代田9-9',
    注文者姓: '二重', 注文者名: '太郎', 注文者姓カナ: kana, 注文者名カナ: 'タロウ', 注文者電話番号1: '03', 注文者電話番号2: '9999', 注文者電話番号3: '0000', 注文者メールアドレス: 'w@pc.fw.rakuten.ne.jp',
  })];
  const { file } = await store(iconv.encode(rms.map((r) => r.join(',')).join('\r\n') + '\r\n', 'cp932'), 'rms-dup.csv');
  await importChunk(ctx.orm, file.id, 10_000, { heartbeat: () => undefined, paymentSeen: async () => undefined, ensureWorkflow: async () => undefined });
  const second = (await donation(order))!;
  expect(second.reviewFlags).toContain('possible_duplicate_order');
  const intake = await ctx.orm.em.fork().findOneOrFail(DonationIntake, { donationId: second.id });
  expect(intake.reviewFindings.find((f) => f.flag === 'possible_duplicate_order')?.reason).toContain(first.donation.portalOrderId);
});

test('送付先 enters the ledger with its order; the same export again is unchanged, another 送付先 for the order is a conflict', async () => {
  const id = `${ctx.prefix.replace(/[^0-9a-z]/gi, '')}-SHIPTO`;
  const row = (rest: string) =>
    rakutenRow({
      注文番号: id, 注文日時: '2026-11-20 10:00:00', 支払方法名: 'クレジットカード', 合計金額: '20000',
      注文者郵便番号1: '100', 注文者郵便番号2: '0001', 注文者住所都道府県: '東京都', 注文者住所郡市区: '千代田区', 注文者住所それ以降の住所: '千代田9-9',
      注文者姓: '有明', 注文者名: '一郎', 注文者姓カナ: 'アリアケ', 注文者名カナ: 'イチロウ', 注文者電話番号1: '03', 注文者電話番号2: '9999', 注文者電話番号3: '0000',
      注文者メールアドレス: 'ship@pc.fw.rakuten.ne.jp', 商品管理番号: 'rk-fix-eel', 個数: '1',
      送付先郵便番号1: '812', 送付先郵便番号2: '0011', 送付先住所都道府県: '福岡県', 送付先住所郡市区: '福岡市博多区', 送付先住所それ以降の住所: rest,
      送付先姓: '有明', 送付先名: '母', 送付先電話番号1: '092', 送付先電話番号2: '000', 送付先電話番号3: '3333',
    });
  const file = (rest: string) => iconv.encode([[...RAKUTEN_COLUMNS], row(rest)].map((r) => r.join(',')).join('\r\n') + '\r\n', 'cp932');
  const first = await store(file('博多駅前4-4'), 'rms-shipto.csv');
  expect(await runImport(first.file.id)).toMatchObject({ created: 1 });
  const d = (await donation(id))!;
  const [shipTo] = await ctx.orm.em.fork().getKnex()('donation_recipients').where({ donation_id: d.id }).select('ship_to', 'name', 'address');
  expect(shipTo).toEqual({ ship_to: true, name: '有明 母', address: '福岡市博多区博多駅前4-4' });
  expect(d.donor.address).toBe('千代田区千代田9-9');

  const again = await store(Buffer.concat([file('博多駅前4-4'), Buffer.from('\r\n')]), 'rms-shipto-again.csv');
  expect(await runImport(again.file.id)).toMatchObject({ created: 0, unchanged: 1, quarantined: 0 });
  const moved = await store(file('博多駅前5-5'), 'rms-shipto-moved.csv');
  expect(await runImport(moved.file.id)).toMatchObject({ created: 0, unchanged: 0, quarantined: 1 });
});
