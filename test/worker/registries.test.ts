import fs from 'node:fs';
import path from 'node:path';
import { FEATURES } from '../../domain/features';
import { ACTIVITY_FEATURES, createActivities, type ActivityDeps } from '../../activities';
import { API_FEATURES } from '../../api/features';
import { WORKFLOW_FEATURES } from '../../workflows/features';
import * as bundleEntry from '../../workflows';

const root = path.resolve(__dirname, '../..');
const subfolders = (layer: string) =>
  fs.readdirSync(path.join(root, layer), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const featureDirs = (layer: string) => subfolders(layer).filter((d) => fs.existsSync(path.join(root, layer, d, 'registry.ts')));

test('each layer registers exactly the declared features, and every feature folder with a registry is one of them', () => {
  const declared = [...FEATURES].sort();
  for (const registry of [WORKFLOW_FEATURES, ACTIVITY_FEATURES, API_FEATURES]) expect(Object.keys(registry).sort()).toEqual(declared);
  for (const layer of ['workflows', 'activities', 'api']) for (const dir of featureDirs(layer)) expect(declared).toContain(dir);
  // Under workflows/ and api/ every folder is a feature: a folder without a registry would be code nobody registers.
  for (const layer of ['workflows', 'api']) expect(subfolders(layer)).toEqual(featureDirs(layer));
});

test("the bundle entry exports exactly the functions of every feature's workflows.ts", () => {
  const exported: string[] = [];
  for (const dir of featureDirs('workflows')) {
    const file = path.join(root, 'workflows', dir, 'workflows.ts');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (fs.existsSync(file)) exported.push(...Object.keys(require(file)));
  }
  expect(exported.length).toBeGreaterThanOrEqual(15);
  expect(Object.keys(bundleEntry).sort()).toEqual(exported.sort());
});

test('two features registering an activity of the same name is refused, not silently overwritten', () => {
  const deps = { documents: {}, workflows: {}, onestop: {}, reports: {} } as unknown as ActivityDeps;
  expect(Object.keys(createActivities(deps))).toEqual(expect.arrayContaining(['sendMail', 'recordTransition', 'planDonationShipments']));
  const original = ACTIVITY_FEATURES.gifts;
  (ACTIVITY_FEATURES as Record<string, unknown>).gifts = () => ({ sendMail: async () => undefined });
  try {
    expect(() => createActivities(deps)).toThrow(/sendMail of feature gifts is already registered/);
  } finally {
    (ACTIVITY_FEATURES as Record<string, unknown>).gifts = original;
  }
});
