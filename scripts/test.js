'use strict';
// `npm test`: installs or builds what the tests run on (once per machine), type-checks, then runs jest.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const tools = require('./lib/tools');

function step(cmd, args, env) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: tools.ROOT, env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

let env;
try {
  tools.ensureNodeModules();
  env = {
    ...process.env,
    LEADRELAY_TEMPORAL_CLI: tools.ensureTemporalCli(),
    LEADRELAY_MINIO: tools.ensureMinio(),
    LEADRELAY_TEST_SERVER: tools.ensureJavaTestServer(),
    LEADRELAY_CHROMIUM: tools.ensureChromium(),
    LEADRELAY_PDFTOPPM: tools.ensurePoppler(),
    NODE_ENV: 'test',
  };
} catch (err) {
  tools.say(err.message);
  process.exit(1);
}
const bin = (name) => path.join(tools.ROOT, 'node_modules', '.bin', name);
tools.say('type-checking...');
step(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], env);
tools.say('running the tests...');
step(bin('jest'), process.argv.slice(2), env);
