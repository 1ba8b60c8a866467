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

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import circles. A circle that only closes through `import type` is harmless at run time ' +
        'and is not counted; any run-time edge in it is. Break a circle by injecting the dependency ' +
        '(activities get theirs from createActivities / ActivityDeps).',
      from: {},
      to: {
        circular: true,
      },
    },
    {
      name: 'workflows-import-activity-types-only',
      severity: 'error',
      comment:
        'Workflow code runs in the deterministic sandbox and is bundled on its own: it names ' +
        'activities through `proxyActivities<typeof …>()`, so it may import activity modules ' +
        'with `import type` only, never their run-time code.',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'activities-no-workflow-clients',
      severity: 'error',
      comment:
        'An activity that starts a workflow does it through a function injected by createActivities ' +
        '(ActivityDeps.workflows), not by importing a workflow client module. Definitions ' +
        '(signal/update/query names, workflow ids, input types) may be imported. The exception is ' +
        'activities/deps.ts, the composition root that binds those functions to the process client.',
      from: { path: '^activities/', pathNot: '^activities/deps[.]ts$' },
      to: { path: ['^workflows/client[.]ts$', '^workflows/[^/]+/client[.]ts$'] },
    },
    {
      name: 'ledger-imports-domain-and-config-only',
      severity: 'error',
      comment: 'The ledger is data: of our own code it imports only domain/, config/ and itself.',
      from: { path: '^ledger/' },
      to: { path: OURS, pathNot: '^(ledger|domain|config)/' },
    },
    {
      name: 'api-not-to-scripts-or-activities',
      severity: 'error',
      comment:
        'The API reads the ledger and talks to workflows through their clients; it never runs ' +
        'activity code or imports dev scripts.',
      from: { path: '^api/' },
      to: { path: '^(scripts|activities)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'domain/ is pure rules and vocabulary: of our own code it imports only domain/.',
      from: { path: '^domain/' },
      to: { path: OURS, pathNot: '^domain/' },
    },
    {
      name: 'product-not-to-scripts-bench-test',
      severity: 'error',
      comment:
        'Product code (api, activities, workflows, ledger, domain, config, worker) never imports ' +
        'the dev launcher, stack helpers, benchmarks or tests; those import it.',
      from: { path: '^(api|activities|workflows|ledger|domain|config|worker)/' },
      to: { path: '^(scripts|bench|test)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve to a file on disk.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^dist/', '\\.test\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
