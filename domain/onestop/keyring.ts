/** SEC-1: the keys that seal 個人番号 at rest (config/env.ts builds it from MY_NUMBER_KEYS). */
export interface MyNumberKeyring {
  activeKeyId: string;
  keys: Map<string, Buffer>;
  /** True for the well-known development key: never good enough for real numbers. */
  insecureDevKey: boolean;
}
