/**
 * Which way dependencies point (issue 15), checked by `npm test` (`npm run deps`).
 *
 *   domain/  ← ledger/ ← activities/ ← worker/
 *   config/  ←          workflows/ (activity *types* only)
 *                        api/ (ledger/, workflow clients)
 *
 * Product code is api/, activities/, workflows/, ledger/, domain/, config/ and worker/.
 * scripts/ (dev launcher, stack helpers, one-off tools) and bench/ are entry points and
 * harnesses: they may wire product code together, but product code never imports them.
 * test/ is not cruised (suites reach into anything they exercise).
 *
 * Type-only imports (`import type …`) are cruised too (tsPreCompilationDeps) and carry the
 * dependency type "type-only"; rules that are about what runs at run time exempt them.
 */

/** Every folder of our own code; used to say "nothing of ours but …". */
const OURS = '^(api|activities|workflows|ledger|domain|config|worker|scripts|bench|test|templates)/';

/** Every rule here is an error: a forbidden edge fails `npm test`. */
const forbid = (name, comment, from, to) => ({ name, severity: 'error', comment, from, to });

/** A layer that, of our own code, may import only the listed folders (itself among them). */
const importsOnly = (name, layer, allowed, comment) => forbid(name, comment, { path: `^${layer}/` }, { path: OURS, pathNot: `^(${allowed.join('|')})/` });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      'no-circular',
      'No import circles. A circle that only closes through `import type` is harmless at run time ' +
        'and is not counted; any run-time edge in it is. Break a circle by injecting the dependency ' +
        '(activities get theirs from createActivities / ActivityDeps).',
      {},
      { circular: true },
    ),
    forbid(
      'workflows-import-activity-types-only',
      'Workflow code runs in the deterministic sandbox and is bundled on its own: it names ' +
        'activities through `proxyActivities<typeof …>()`, so it may import activity modules ' +
        'with `import type` only, never their run-time code.',
      { path: '^workflows/' },
      { path: '^activities/', dependencyTypesNot: ['type-only'] },
    ),
    forbid(
      'activities-no-workflow-clients',
      'An activity that starts a workflow does it through a function injected by createActivities ' +
        '(ActivityDeps.workflows), not by importing a workflow client module. Definitions ' +
        '(signal/update/query names, workflow ids, input types) may be imported. The exception is ' +
        'activities/deps.ts, the composition root that binds those functions to the process client.',
      { path: '^activities/', pathNot: '^activities/deps[.]ts$' },
      { path: ['^workflows/client[.]ts$', '^workflows/[^/]+/client[.]ts$'] },
    ),
    importsOnly('ledger-imports-domain-and-config-only', 'ledger', ['ledger', 'domain', 'config'], 'The ledger is data: of our own code it imports only domain/, config/ and itself.'),
    forbid(
      'api-not-to-scripts-or-activities',
      'The API reads the ledger and talks to workflows through their clients; it never runs ' +
        'activity code or imports dev scripts.',
      { path: '^api/' },
      { path: '^(scripts|activities)/', dependencyTypesNot: ['type-only'] },
    ),
    importsOnly('domain-imports-only-domain', 'domain', ['domain'], 'domain/ is pure rules and vocabulary: of our own code it imports only domain/.'),
    forbid(
      'product-not-to-scripts-bench-test',
      'Product code (api, activities, workflows, ledger, domain, config, worker) never imports ' +
        'the dev launcher, stack helpers, benchmarks or tests; those import it.',
      { path: '^(api|activities|workflows|ledger|domain|config|worker)/' },
      { path: '^(scripts|bench|test)/' },
    ),
    forbid('not-to-unresolvable', 'An import that does not resolve to a file on disk.', {}, { couldNotResolve: true }),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^dist/', '\\.test\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
