export * from './my-number';
export * from './kana';
export * from './documents';
export * from './deadline';
export * from './review';
export * from './vault';
