/** One Temporal dev server and one PostgreSQL per run (global setup); each suite has its own task queue and data. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '^.+\\.m?js$': ['@swc/jest'] },
  // otplib's base32 and hash plugins (@scure/base, @noble/hashes) are ES modules only: jest's CommonJS runtime needs them compiled.
  transformIgnorePatterns: ['/node_modules/(?!(@scure|@noble)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
};
