/** Type checking is done once by `tsc --noEmit` (npm test runs it first), so ts-jest only transpiles. */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
    // tfjs-core's gradient registrations ship only as ES modules (src/model/tf.ts); compile them to CommonJS.
    '/node_modules/@tensorflow/tfjs-core/dist/(?!tf-core).+\\.js$': ['ts-jest', { isolatedModules: true, tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/)'],
};

/** Tests that run the built package (dist/), the command line, the examples or a browser: they need `npm run build` first. */
const integration = ['<rootDir>/test/cli/', '<rootDir>/test/examples/', '<rootDir>/test/package/', '<rootDir>/test/browser/', '<rootDir>/test/pipeline/'];

module.exports = {
  testTimeout: 60000,
  // Every core: jest's default leaves one idle, which on CI's two cores would run the suite on one.
  maxWorkers: '100%',
  projects: [
    { ...shared, displayName: 'unit', testPathIgnorePatterns: ['/node_modules/', ...integration] },
    { ...shared, displayName: 'integration', testMatch: integration.map((dir) => `${dir}**/*.test.ts`) },
  ],
};
