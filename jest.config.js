// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  ...base,
  // The dashboard preview test reads what the backend answers; this writes it when
  // it is missing or older than its sources.
  globalSetup: './harness/preview-answers.js',
  transform: {
    ...base.transform,
    // d3-color and friends ship .mjs files that Jest cannot load untransformed.
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
};
