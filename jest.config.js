/**
 * Three lanes, chosen by file name (test/README.md):
 * - unit (`*.test.ts`): no build, no moto_server, no Terraform; `npm run test:unit`.
 * - integration (`*.int.test.ts`): moto_server, the Togai stand-in, the built rotation zip.
 * - e2e (`*.e2e.test.ts`): Terraform for real, the packed tarball in fresh projects, jsii.
 * `npm test` runs all three (what CI runs); the integration and e2e lanes are the authority.
 */
const shared = {
  testEnvironment: "node",
  // lib is a root too: coverage lists the lib files no test loads only from the roots' files.
  roots: ["<rootDir>/test", "<rootDir>/lib"],
  // Source maps, which tsconfig.json leaves off for the build: without them coverage names the
  // compiled lines, not the TypeScript ones.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { sourceMap: true } }] },
  moduleNameMapper: {
    "^cdktf-togai$": "<rootDir>/lib/index.ts",
    "^cdktf-togai/runtime$": "<rootDir>/lib/runtime/index.ts",
  },
  setupFiles: ["<rootDir>/test/support/jest-setup.ts"],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: ["\\.int\\.test\\.ts$", "\\.e2e\\.test\\.ts$"],
      setupFiles: [...shared.setupFiles, "<rootDir>/test/support/unit-lane.ts"],
    },
    { ...shared, displayName: "integration", testMatch: ["**/*.int.test.ts"] },
    { ...shared, displayName: "e2e", testMatch: ["**/*.e2e.test.ts"] },
  ],
  // token-rotation-props.ts holds types only: no test can load what compiles to nothing.
  collectCoverageFrom: ["lib/**/*.ts", "!lib/constructs/token-rotation-props.ts"],
  coverageReporters: ["text-summary", "text"],
  coverageThreshold: { global: { lines: 90, statements: 90 } },
  testTimeout: 60000,
};
