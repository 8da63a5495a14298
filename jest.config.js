// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// Jest's workers start with the young generation V8 picks for a small process; loading
// @grafana/ui and the editors anew in each test file allocates far more than that, and
// the scavenges it costs were a sixth of the run. Workers inherit this from the parent.
if (!/--max-semi-space-size/.test(process.env.NODE_OPTIONS ?? '')) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --max-semi-space-size=64`.trim();
}

module.exports = {
  ...base,
  // Modules compiled once per worker, not once per test file: see the file.
  runtime: '<rootDir>/jest-script-runtime.js',
  // The dashboard preview test reads what the backend answers; this writes it when
  // it is missing or older than its sources.
  globalSetup: './harness/preview-answers.js',
  // @grafana/data 13 depends on @react-hookz/web, which ships only ES modules, as does its @ver0/deep-equal.
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz', '@ver0'])],
  // An editor test mounts @grafana/ui pickers; on a busy shared machine the first one in a
  // file can take longer than Jest's 5 s default while modules load. A generous bound, not a
  // speed check.
  testTimeout: 30_000,
  // compat/ holds the lowest Grafana's package set (scripts/check-lowest-grafana), whose
  // package.json has the project's name: not a module of this tree.
  modulePathIgnorePatterns: ['<rootDir>/compat/'],
  transform: {
    ...base.transform,
    // d3-color and friends ship .mjs files that Jest cannot load untransformed.
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
};
