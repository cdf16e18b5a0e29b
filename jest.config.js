/**
 * Three tiers: colocated unit specs for pure logic; service specs that boot a
 * feature's Nest providers on a real PostgreSQL with B-Trust faked in process
 * at the port (test/support/service-module.ts); and e2e specs that boot the
 * real app and the real sandbox over mutual TLS. The last two share one
 * PostgreSQL (embedded, started once in global setup, or DATABASE_URL); each
 * spec file gets a database of its own.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

/**
 * The transpiled copy of the sources that child processes run (bench/tmp/,
 * see test/support/built-sources.ts) is no module of the tests': crawling it
 * would find a second package.json, possibly while a test rewrites it.
 */
const BUILT = ['<rootDir>/bench/tmp/'];

function tier(displayName, testMatch, extra = {}) {
  return {
    displayName,
    testEnvironment: 'node',
    rootDir: __dirname,
    testMatch: [testMatch],
    transform: { '^.+\\.ts$': tsJest },
    modulePathIgnorePatterns: BUILT,
    ...extra,
  };
}

/** Global setup starts the PostgreSQL these tiers share (and teardown stops it) once per run, not per tier. */
const ON_POSTGRES = {
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
};

module.exports = {
  // A per-project testTimeout is ignored by jest; real sockets, key generation
  // and child processes on a shared 2-core machine need more than 5 s.
  testTimeout: 60000,
  projects: [
    tier('unit', '<rootDir>/src/**/*.spec.ts'),
    tier('service', '<rootDir>/test/service/**/*.service-spec.ts', ON_POSTGRES),
    tier('e2e', '<rootDir>/test/**/*.e2e-spec.ts', ON_POSTGRES),
  ],
};
