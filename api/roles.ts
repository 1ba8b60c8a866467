import type { Role } from '../config/env';

/** Operators and admins change things; the city reads everything it is shown (LEDGER-3); suppliers see only their own routes. */
export const WRITE: Role[] = ['operator', 'admin'];
export const READ: Role[] = ['operator', 'city', 'admin'];

/** Request bodies and queries, already shaped by the route's JSON schema. */
export type Json = Record<string, any>;
