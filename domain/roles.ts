/** The roles a person acts in, declared once: API tokens (config/env.ts) and console accounts (domain/console) both use them. */
export const ROLES = ['operator', 'city', 'supplier', 'admin'] as const;
export type Role = (typeof ROLES)[number];
