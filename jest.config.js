/** Type checking is done once by `tsc --noEmit` (npm test runs it first), so ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
    // tfjs-core's gradient registrations ship only as ES modules (src/model/tf.ts); compile them to CommonJS.
    '/node_modules/@tensorflow/tfjs-core/dist/(?!tf-core).+\\.js$': ['ts-jest', { isolatedModules: true, tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/)'],
  testTimeout: 60000,
};
