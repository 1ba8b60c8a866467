/** Gift catalogue, supplier and stock rules (GIFT-1…5, SHIP-2, SHIP-8): pure, safe to import from workflow code. */
export * from './types';
export * from './cost';
export * from './acceptance';
export * from './schedule';
export * from './stock';
export * from './validation';
export * from './approval';
export * from './errors';
