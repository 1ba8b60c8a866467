/**
 * The features of the system, each one folder in workflows/, activities/ and api/ with a
 * registry.ts there. Each layer's list of registries is a Record over these names, so a
 * feature that one layer forgets does not type-check (docs/architecture.md, "Features").
 */
export const FEATURES = ['donation', 'intake', 'documents', 'shipping', 'gifts', 'onestop', 'billing', 'reports', 'callcentre', 'subcontractors', 'listings', 'retention', 'console'] as const;

export type Feature = (typeof FEATURES)[number];
