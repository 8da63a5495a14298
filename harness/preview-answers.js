// Writes harness/preview/answers.json, what the backend answers for every panel of
// the provisioned dashboard (`go run ./pkg/cmd/preview`, over gRPC against the
// simulator), unless it is already newer than everything it is made from. Jest's
// dashboard test and the browser's dashboard page read it, so each test command
// makes it itself: `npm run test:ci` and `npm run e2e` work on their own in a
// fresh clone. Jest runs it as its global setup; `npm run e2e` runs it first.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const answers = path.join(root, 'harness/preview/answers.json');
const sources = [
  path.join(root, 'provisioning/dashboards/agentx-bot-operations.json'),
  path.join(root, 'provisioning/datasources/datasources.yml'),
  path.join(root, 'provisioning/alerting'),
  path.join(root, 'go.mod'),
  path.join(root, 'pkg'),
];

// newest is the latest change of a file or of any file under a directory. Go test
// files do not change what the backend answers: editing one must not cost the next
// Jest run a `go run`.
function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) {
    return p.endsWith('_test.go') ? 0 : st.mtimeMs;
  }
  return fs.readdirSync(p).reduce((m, name) => Math.max(m, newest(path.join(p, name))), st.mtimeMs);
}

function fresh() {
  if (!fs.existsSync(answers)) {
    return false;
  }
  const written = fs.statSync(answers).mtimeMs;
  return sources.every((s) => newest(s) <= written);
}

function ensureAnswers() {
  if (fresh()) {
    return;
  }
  console.log('\nAnswering the provisioned dashboard for the panel preview (go run ./pkg/cmd/preview)…');
  try {
    // The disk cache off, as scripts/check runs it: every run reads the API.
    execFileSync('go', ['run', './pkg/cmd/preview', '-quiet'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, GF_PLUGIN_STORE_MB: '0' },
    });
  } catch (e) {
    throw new Error(`the panel preview needs ${answers}, and "go run ./pkg/cmd/preview" failed: ${e.message}`);
  }
}

module.exports = ensureAnswers;

if (require.main === module) {
  ensureAnswers();
}
