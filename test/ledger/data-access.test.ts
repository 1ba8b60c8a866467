import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * ADR 0005 (docs/adr/0005-data-access.md): no SQL outside ledger/. API routes, activities,
 * scripts, the worker and workflows call a named function of a query module in ledger/ (handing
 * it their knex or transaction), or load and change an aggregate through the entity manager
 * (`em.find(PrintBatch, …)`); they build no query themselves.
 *
 * What counts as building a query, read from the syntax tree (so comments and strings that
 * mention SQL do not count):
 * - a knex table call: `knex('t')`, `trx('t')`, `knex()('t')`, `em.getKnex()('t')`, `knexOf(orm)('t')`;
 * - raw SQL: `.raw(…)`, `.whereRaw(…)` and the builder's other `…Raw(…)` methods;
 * - SQL handed to the connection: `.execute('…')`, `createQueryBuilder(…)`.
 * The one exception is the API's health check, `select 1` in api/server.ts.
 */
const root = path.resolve(__dirname, '..', '..');
const CALLERS = ['api', 'activities', 'scripts', 'worker', 'workflows'];

/** Names a knex instance or transaction goes by when it is called as a function with a table. */
const QUERY_HANDLES = new Set(['knex', 'trx', 'tx', 'db']);

/** file → what its one allowed query says. */
const EXCEPTIONS: { file: string; text: RegExp }[] = [{ file: 'api/server.ts', text: /^\S+\.execute\(\s*['"`]select 1['"`]\s*\)$/ }];

function sources(dir: string): string[] {
  if (!fs.existsSync(path.join(root, dir))) return [];
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

function nameOf(callee: ts.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** Why this call builds a query, or undefined when it does not. */
function queryKind(call: ts.CallExpression, sf: ts.SourceFile): string | undefined {
  const callee = call.expression;
  const name = nameOf(callee);
  if (ts.isPropertyAccessExpression(callee) && (name === 'raw' || /^[a-z]\w*Raw$/.test(name!))) return `.${name}(`;
  if (name !== undefined && QUERY_HANDLES.has(name) && call.arguments.length > 0) return `${name}(…) table call`;
  // knex()('t'), em.getKnex()('t'), knexOf(orm)('t'): a call that returns a knex, called with a table.
  if (ts.isCallExpression(callee) && call.arguments.length > 0 && /knex/i.test(callee.expression.getText(sf))) return 'knex table call';
  if (ts.isPropertyAccessExpression(callee) && name === 'execute' && call.arguments.length > 0) {
    const first = call.arguments[0];
    if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first) || ts.isTemplateExpression(first)) return 'SQL executed on the connection';
  }
  if (name === 'createQueryBuilder') return 'createQueryBuilder(';
  return undefined;
}

/** `file:line: what — the code` for every query built in this source text. */
export function queriesIn(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const kind = queryKind(node, sf);
      const code = node.getText(sf).replace(/\s+/g, ' ');
      if (kind && !EXCEPTIONS.some((e) => e.file === file && e.text.test(code))) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        found.push(`${file}:${line}: ${kind} — ${code.length > 100 ? `${code.slice(0, 100)}…` : code}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test('no code outside ledger/ builds a query (ADR 0005): each names a function of a ledger/ query module', () => {
  const found = CALLERS.flatMap(sources).flatMap((file) => queriesIn(file, fs.readFileSync(path.join(root, file), 'utf8')));
  expect(found).toEqual([]);
});

test('the check sees what it looks for, and not what it does not', () => {
  const hits = (text: string, file = 'activities/x.ts') => queriesIn(file, text).length;
  expect(hits(`await knex()('mail_log').where({ a: 1 }).update({ b: 2 });`)).toBe(1);
  expect(hits(`await trx('receipts').insert(row); await trx.raw('select 1');`)).toBe(2);
  expect(hits(`const { rows } = await knex.raw(SQL, [1]);`)).toBe(1);
  expect(hits(`await orm.em.getKnex()('t').first(); await knexOf(orm)('t').first();`)).toBe(2);
  expect(hits(`q.whereNot(k.raw(OPEN)).whereRaw('a = b');`)).toBe(2);
  expect(hits(`await em.getConnection().execute('select * from donations');`)).toBe(1);
  expect(hits(`await orm.em.fork().getConnection().execute('select 1');`, 'api/server.ts')).toBe(0);
  expect(hits(`await orm.em.fork().getConnection().execute('select 1');`, 'api/other.ts')).toBe(1);
  // Handing the knex or a transaction to a ledger function, opening a transaction, entity reads, comments: no query.
  expect(hits(`const knex = () => orm.em.getKnex(); await findShipment(knex(), id); await knex().transaction((trx) => lock(trx, id));`)).toBe(0);
  expect(hits(`await em.find(PrintBatch, { id }); // knex('x') and trx.raw('y') in a comment\nconst s = "knex('x')";`)).toBe(0);
  expect(CALLERS.flatMap(sources)).toContain('api/server.ts');
});
