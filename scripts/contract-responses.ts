import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * `npm run contract:responses [-- --check]`: writes api/contract-responses.ts, the success responses of every
 * JSON API route (issue 21), from the one place that states them: the TypeScript types of what each handler
 * returns or sends. For each route registered with app.get/post/put/patch/delete in api/ (not the console):
 * - the statuses: `reply.code(201)` / `reply.code(created ? 201 : 200)` before a send, else 200; 204 has no body;
 * - the body: the handler's return type, or the type of what `send()` gets under that status;
 * - a file (Buffer, stream or string sent with a content-type header) is documented as that content type.
 * Objects stay open (additionalProperties: true): a client may read what the document names and ignore the rest.
 * test/api/openapi-contract.test.ts runs it with --check and fails when the file is stale.
 */

// Run from dist/scripts (npm run) or from scripts (jest).
const repoRoot = [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..')].find((d) => fs.existsSync(path.join(d, 'api', 'contract.ts')))!;
const OUT = path.join(repoRoot, 'api', 'contract-responses.ts');
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

type Schema = Record<string, unknown>;

export function generate(): string {
  const configFile = ts.readConfigFile(path.join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, repoRoot);
  const apiFile = (f: string) => f.startsWith(path.join(repoRoot, 'api') + path.sep) && !f.includes(`${path.sep}console${path.sep}`);
  const program = ts.createProgram(parsed.fileNames.filter(apiFile), { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const defs = new Map<string, string>(); // name → schema source
  const defIds = new Map<number, string>(); // type id → name
  const done = new Set<string>();

  const isProjectType = (symbol: ts.Symbol | undefined) =>
    !!symbol?.declarations?.some((d) => {
      const f = d.getSourceFile().fileName;
      return f.startsWith(repoRoot) && !f.includes('node_modules');
    });
  const typeId = (t: ts.Type) => (t as unknown as { id: number }).id;
  const isBinary = (t: ts.Type): boolean => {
    const name = (t.aliasSymbol ?? t.getSymbol())?.getName();
    return name === 'Buffer' || name === 'Readable' || name === 'Uint8Array' || name === 'Stream' || (t.isUnion() && t.types.some(isBinary));
  };

  /** A schema source (TypeScript object literal text) for a type. */
  const schemaOf = (t: ts.Type, where: ts.Node, stack: number[] = []): string => {
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return '{}';
    if (t.isUnion()) {
      const nullable = t.types.some((u) => u.flags & ts.TypeFlags.Null);
      const rest = t.types.filter((u) => !(u.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
      const nullableOf = (s: string) => (nullable && s !== '{}' ? (s.startsWith('{ type:') ? `{ ${s.slice(2, -2)}, nullable: true }` : `{ allOf: [${s}], nullable: true }`) : s);
      if (rest.length === 0) return '{}';
      if (rest.every((u) => u.flags & ts.TypeFlags.BooleanLike)) return nullableOf(`{ type: 'boolean' }`);
      if (rest.every((u) => u.isStringLiteral())) return nullableOf(`{ type: 'string', enum: ${JSON.stringify(rest.map((u) => (u as ts.StringLiteralType).value))} }`);
      if (rest.every((u) => u.flags & ts.TypeFlags.StringLike)) return nullableOf(`{ type: 'string' }`);
      if (rest.every((u) => u.flags & ts.TypeFlags.NumberLike)) return nullableOf(`{ type: 'number' }`);
      if (rest.length === 1) return nullableOf(schemaOf(rest[0], where, stack));
      // Booleans arrive as true | false among the others.
      const parts = [...new Set(rest.filter((u) => !(u.flags & ts.TypeFlags.BooleanLiteral)).map((u) => schemaOf(u, where, stack)).concat(rest.some((u) => u.flags & ts.TypeFlags.BooleanLiteral) ? [`{ type: 'boolean' }`] : []))];
      if (parts.includes('{}')) return '{}';
      return nullableOf(parts.length === 1 ? parts[0] : `{ anyOf: [${parts.join(', ')}] }`);
    }
    if (t.flags & ts.TypeFlags.Null) return '{ nullable: true }';
    if (t.flags & ts.TypeFlags.StringLike) return t.isStringLiteral() ? `{ type: 'string', enum: ${JSON.stringify([t.value])} }` : `{ type: 'string' }`;
    if (t.flags & ts.TypeFlags.NumberLike) return `{ type: 'number' }`;
    if (t.flags & ts.TypeFlags.BooleanLike) return `{ type: 'boolean' }`;
    if (t.flags & (ts.TypeFlags.BigIntLike | ts.TypeFlags.Never | ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return '{}';
    const symbolName = t.getSymbol()?.getName();
    if (symbolName === 'Date') return `{ type: 'string', description: 'RFC 3339 date-time' }`;
    if (isBinary(t)) return `{ type: 'string', format: 'binary' }`;
    if (checker.isArrayType(t) || checker.isTupleType(t)) {
      const items = checker.getTypeArguments(t as ts.TypeReference);
      const item = items.length === 1 ? schemaOf(items[0], where, stack) : `{ anyOf: [${[...new Set(items.map((i) => schemaOf(i, where, stack)))].join(', ')}] }`;
      return `{ type: 'array', items: ${item} }`;
    }
    if (!(t.flags & ts.TypeFlags.Object) && !t.isIntersection()) return '{}';
    if (stack.includes(typeId(t)) || stack.length > 12) return `{ type: 'object', additionalProperties: true }`;
    // A named type of the project is defined once (R.Name) and referred to.
    const named = t.aliasSymbol && isProjectType(t.aliasSymbol) && !t.aliasTypeArguments?.length ? t.aliasSymbol : !t.aliasSymbol && isProjectType(t.getSymbol()) && t.getSymbol()!.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class) ? t.getSymbol() : undefined;
    if (named) {
      const existing = defIds.get(typeId(t));
      if (existing) return done.has(existing) ? `R.${existing}` : `{ type: 'object', additionalProperties: true }`;
      let name = named.getName();
      for (let i = 2; defIds.has(-1) || [...defIds.values()].includes(name); i++) name = `${named.getName()}${i}`;
      defIds.set(typeId(t), name);
      // Defined after what it refers to: the inner names are done first.
      defs.set(name, objectSchema(t, where, [...stack, typeId(t)]));
      done.add(name);
      return `R.${name}`;
    }
    return objectSchema(t, where, [...stack, typeId(t)]);
  };

  const objectSchema = (t: ts.Type, where: ts.Node, stack: number[]): string => {
    const props: string[] = [];
    const required: string[] = [];
    for (const p of checker.getPropertiesOfType(t)) {
      const pt = checker.getTypeOfSymbolAtLocation(p, where);
      if (pt.getCallSignatures().length) continue;
      const optional = !!(p.flags & ts.SymbolFlags.Optional) || (pt.isUnion() && pt.types.some((u) => u.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void))) || !!(pt.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Any | ts.TypeFlags.Unknown));
      if (!optional) required.push(p.getName());
      props.push(`${JSON.stringify(p.getName())}: ${schemaOf(pt, where, stack)}`);
    }
    const index = checker.getIndexInfosOfType(t)[0];
    const additional = index ? schemaOf(index.type, where, stack) : 'true';
    return `{ type: 'object'${required.length ? `, required: ${JSON.stringify(required)}` : ''}${props.length ? `, properties: { ${props.join(', ')} }` : ''}, additionalProperties: ${additional} }`;
  };

  /** String literal values an expression can take (a literal, a template over literal unions, a conditional of literals). */
  const literals = (e: ts.Expression): string[] => {
    const t = checker.getTypeAtLocation(e);
    if (t.isStringLiteral()) return [t.value];
    if (t.isUnion() && t.types.every((u) => u.isStringLiteral())) return t.types.map((u) => (u as ts.StringLiteralType).value);
    if (ts.isTemplateExpression(e)) {
      let out = [e.head.text];
      for (const span of e.templateSpans) {
        const values = literals(span.expression);
        if (!values.length) return [];
        out = out.flatMap((o) => values.map((v) => o + v + span.literal.text));
      }
      return out;
    }
    if (ts.isConditionalExpression(e)) return [...literals(e.whenTrue), ...literals(e.whenFalse)];
    if (ts.isStringLiteralLike(e)) return [e.text];
    return [];
  };
  const numbers = (e: ts.Expression): number[] => {
    if (ts.isNumericLiteral(e)) return [Number(e.text)];
    if (ts.isConditionalExpression(e)) return [...numbers(e.whenTrue), ...numbers(e.whenFalse)];
    if (ts.isParenthesizedExpression(e)) return numbers(e.expression);
    return [];
  };

  /** The function a handler expression stands for: a literal, or what a call like download('pdf') returns. */
  const handlerBody = (h: ts.Expression): ts.Node | undefined => {
    if (ts.isFunctionLike(h)) return h;
    if (ts.isCallExpression(h)) {
      const decl = checker.getSymbolAtLocation(h.expression)?.valueDeclaration;
      const fn = decl && ts.isVariableDeclaration(decl) ? decl.initializer : decl;
      if (fn && ts.isFunctionLike(fn)) return fn;
    }
    return undefined;
  };

  interface Route { key: string; responses: Map<number, string> }
  const routes: Route[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!apiFile(sf.fileName)) continue;
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && METHODS.has(n.expression.name.text) && n.arguments.length >= 2) {
        const urls = literals(n.arguments[0]);
        const opts = n.arguments[1];
        const schemaProp = ts.isObjectLiteralExpression(opts) ? opts.properties.find((p) => p.name?.getText() === 'schema') : undefined;
        // The schema written in place, or a constant it names (`schema: imageUploadSchema`).
        const schemaObject = (e: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined => {
          if (e && ts.isObjectLiteralExpression(e)) return e;
          const decl = e && ts.isIdentifier(e) ? checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
          return decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isObjectLiteralExpression(decl.initializer) ? decl.initializer : undefined;
        };
        const schemaLiteral = schemaProp && ts.isPropertyAssignment(schemaProp) ? schemaObject(schemaProp.initializer) : undefined;
        const documented = schemaLiteral?.properties.some((p) => p.name?.getText() === 'tags');
        if (urls.length && documented) {
          const handler = n.arguments[n.arguments.length - 1];
          const responses = new Map<number, string>();
          const fn = handlerBody(handler);
          const contentTypes: string[] = [];
          const sent: Array<{ statuses: number[]; type: ts.Type; at: ts.Node }> = [];
          const walked = new Set<ts.Node>();
          const walk = (m: ts.Node) => {
            // A helper handed the reply (intake(input, actor, reply), sendFile(reply, …)) answers for the route.
            if (ts.isCallExpression(m) && m.arguments.some((a) => checker.getTypeAtLocation(a).getSymbol()?.getName() === 'FastifyReply' || (ts.isIdentifier(a) && a.text === 'reply'))) {
              const helper = handlerBody(m);
              if (helper && !walked.has(helper)) {
                walked.add(helper);
                walk(helper);
              }
            }
            if (ts.isCallExpression(m) && ts.isPropertyAccessExpression(m.expression)) {
              const name = m.expression.name.text;
              if (name === 'header' && m.arguments.length === 2 && literals(m.arguments[0]).some((h) => h.toLowerCase() === 'content-type')) contentTypes.push(...literals(m.arguments[1]));
              if (name === 'type' && m.arguments.length === 1) contentTypes.push(...literals(m.arguments[0]));
              if (name === 'send') {
                // The status of this send: a .code()/.status() earlier in the same chain, else 200.
                let statuses: number[] = [200];
                for (let e: ts.Expression = m.expression.expression; ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression); e = e.expression.expression) {
                  if (['code', 'status'].includes(e.expression.name.text)) statuses = numbers(e.arguments[0]);
                }
                const success = statuses.filter((s) => s >= 200 && s < 300);
                if (success.length) sent.push({ statuses: success, type: m.arguments[0] ? checker.getTypeAtLocation(m.arguments[0]) : checker.getVoidType(), at: m });
              }
            }
            ts.forEachChild(m, walk);
          };
          if (fn) walk(fn);
          const mediaTypes = (url: string) => {
            const all = [...new Set(contentTypes.map((c) => c.split(';')[0].trim()))];
            const byExtension = all.filter((c) => url.endsWith(`.${c.split('/')[1]}`));
            return byExtension.length ? byExtension : all;
          };
          const fileOf = (url: string) => `{ content: { ${mediaTypes(url).map((c) => `${JSON.stringify(c)}: { schema: { type: 'string', format: 'binary' } }`).join(', ')} } }`;
          const add = (status: number, schema: string) => {
            const body = status === 204 ? `{ type: 'null' }` : contentTypes.length ? 'FILE' : schema;
            const before = responses.get(status);
            responses.set(status, before && before !== body ? `{ anyOf: [${before}, ${body}] }` : body);
          };
          for (const s of sent) for (const status of s.statuses) add(status, schemaOf(s.type, s.at));
          // What the handler returns is sent with 200 (unless it is the reply itself).
          const sig = ts.isFunctionLike(handler) ? checker.getSignatureFromDeclaration(handler) : checker.getTypeAtLocation(handler).getCallSignatures()[0];
          if (sig) {
            let ret = checker.getReturnTypeOfSignature(sig);
            const awaited = checker.getAwaitedType(ret);
            if (awaited) ret = awaited;
            const parts = (ret.isUnion() ? ret.types : [ret]).filter((u) => !(u.flags & (ts.TypeFlags.Never | ts.TypeFlags.Void | ts.TypeFlags.Undefined)) && u.getSymbol()?.getName() !== 'FastifyReply');
            // `any` says nothing when the body goes through send().
            if (parts.length && !(ret.flags & ts.TypeFlags.Never) && !(ret.flags & ts.TypeFlags.Any && sent.length)) {
              const body = parts.length === 1 ? schemaOf(parts[0], handler) : [...new Set(parts.map((p) => schemaOf(p, handler)))].join(' | ');
              add(200, body.includes(' | ') ? `{ anyOf: [${body.split(' | ').join(', ')}] }` : body);
            }
          }
          if (contentTypes.length && !responses.size) responses.set(200, 'FILE');
          for (const url of urls) {
            const own = new Map([...responses].map(([status, body]) => [status, body === 'FILE' ? fileOf(url) : body]));
            routes.push({ key: `${n.expression.name.text.toUpperCase()} ${url}`, responses: own });
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  routes.sort((a, b) => a.key.localeCompare(b.key));

  // A body several routes answer with (`{ gift: GiftView }` after each change of a gift) is written once, with
  // the routes and statuses that answer with it, instead of again on each route's line.
  const uses = new Map<string, number>();
  for (const r of routes) for (const body of r.responses.values()) if (!body.startsWith('R.')) uses.set(body, (uses.get(body) ?? 0) + 1);
  const shared = new Map<string, Map<string, number[]>>(); // body → route → the statuses it answers with it
  for (const r of routes) {
    for (const [status, body] of r.responses) {
      if ((uses.get(body) ?? 0) < 2) continue;
      const answering = shared.get(body) ?? shared.set(body, new Map()).get(body)!;
      answering.set(r.key, [...(answering.get(r.key) ?? []), status]);
      r.responses.delete(status);
    }
  }
  const statuses = (s: number[]) => (s.length === 1 ? `${s[0]}` : `[${s.join(', ')}]`);

  const lines = [
    '/* eslint-disable */',
    '// Generated by scripts/contract-responses.ts (npm run contract:responses) from the handlers\' types: do not edit.',
    '// test/api/openapi-contract.test.ts fails when it is stale. api/contract.ts puts these in GET /docs/json.',
    '',
    'const R = {} as Record<string, object>;',
    ...[...defs.entries()].map(([name, schema]) => `R.${name} = ${schema};`),
    '',
    '/** Success statuses and bodies of each route, by `METHOD /url` (Fastify\'s url). */',
    'export const SUCCESS_RESPONSES: Record<string, Record<number, object>> = {',
    ...routes.filter((r) => r.responses.size).map((r) => `  ${JSON.stringify(r.key)}: { ${[...r.responses.entries()].map(([s, b]) => `${s}: ${b}`).join(', ')} },`),
    '};',
    '',
    '/** Bodies that more than one route answers with, each written once with the routes (and statuses) that answer with it. */',
    'const SHARED: Array<[object, Record<string, number | number[]>]> = [',
    ...[...shared.entries()].map(([body, answering]) => `  [${body}, { ${[...answering].map(([route, s]) => `${JSON.stringify(route)}: ${statuses(s)}`).join(', ')} }],`),
    '];',
    'for (const [body, answering] of SHARED) for (const [route, status] of Object.entries(answering)) for (const s of [status].flat()) (SUCCESS_RESPONSES[route] ??= {})[s] = body;',
    '',
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (current !== text) {
      console.error(`${path.relative(repoRoot, OUT)} is stale: run npm run contract:responses`);
      process.exitCode = 1;
    }
  } else {
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${path.relative(repoRoot, OUT)}`);
  }
}
