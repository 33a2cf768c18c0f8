/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  moduleNameMapper: {
    "^cdktf-togai$": "<rootDir>/lib/index.ts",
    "^cdktf-togai/runtime$": "<rootDir>/lib/runtime/index.ts",
  },
  setupFiles: ["<rootDir>/test/support/jest-setup.ts"],
  collectCoverageFrom: ["lib/**/*.ts"],
  coverageReporters: ["text-summary", "text"],
  coverageThreshold: { global: { lines: 90, statements: 90 } },
  testTimeout: 60000,
};
