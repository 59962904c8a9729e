'use strict';
// Installs or builds, once per machine, everything the stack and the tests run on. Built tools live
// in a per-user cache keyed by version, outside the clone, so a fresh clone (which is what CI is)
// reuses them. No prebuilt binaries are downloaded: Go modules and Maven Central only.
const { execFileSync, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';
const TEST_SERVER_VERSION = '1.38.0';

const cacheDir = () =>
  process.env.LEADRELAY_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'leadrelay');

const say = (msg) => process.stderr.write(`[leadrelay] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (result.error) throw new Error(`${cmd} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}`);
}

/** Builds into a temporary folder and renames it into place, so an interrupted build is never mistaken for a finished one. */
function buildOnce(dir, marker, build) {
  if (fs.existsSync(path.join(dir, marker))) return path.join(dir, marker);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    build(tmp);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(path.join(dir, marker))) return path.join(dir, marker); // a parallel run won
    throw err;
  }
  return path.join(dir, marker);
}

function requireGo() {
  let version;
  try {
    version = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Go is needed once, to build the Temporal CLI and MinIO; install Go 1.25 or newer');
  }
  const [major, minor] = version.replace(/^go/, '').split('.').map(Number);
  if (major < 1 || (major === 1 && minor < 25)) throw new Error(`Go 1.25 or newer is needed, found ${version}`);
}

function goInstall(module, version, binary, minutes) {
  const dir = path.join(cacheDir(), `${binary}-${version}`);
  return buildOnce(dir, binary, (out) => {
    requireGo();
    say(`building ${binary} ${version} from its Go module (first run only, about ${minutes} minutes)...`);
    run('go', ['install', `${module}@${version}`], { env: { ...process.env, GOBIN: out, CGO_ENABLED: '0', GOFLAGS: '-trimpath' } });
    say(`${binary} built`);
  });
}

const ensureTemporalCli = () =>
  process.env.TEMPORAL_CLI_PATH || goInstall('github.com/temporalio/cli/cmd/temporal', TEMPORAL_CLI_VERSION, 'temporal', 4);

const ensureMinio = () => process.env.MINIO_PATH || goInstall('github.com/minio/minio', MINIO_VERSION, 'minio', 8);

/** Fetches Temporal's Java time-skipping test server and writes a wrapper that execs java (the SDK signals its direct child). */
function ensureJavaTestServer() {
  const dir = path.join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}`);
  return buildOnce(dir, 'test-server', (out) => {
    say(`fetching Temporal's time-skipping test server ${TEST_SERVER_VERSION} from Maven Central (first run only)...`);
    run('mvn', ['-B', '-q', '-f', path.join(__dirname, '..', 'java-test-server', 'pom.xml'),
      `-Dtemporal.test.server.version=${TEST_SERVER_VERSION}`, 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(out, 'lib')}`]);
    const script = `#!/bin/sh\nexec java -cp "${dir}/lib/*" io.temporal.testserver.TestServer "$@"\n`;
    fs.writeFileSync(path.join(out, 'test-server'), script, { mode: 0o755 });
  });
}

const SCHEMATHESIS_VERSION = '4.32.5';

/** schemathesis from PyPI in a virtualenv of its own (venvs can't be moved, so it is built in place and marked done). */
function ensureSchemathesis() {
  const dir = path.join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
  const bin = path.join(dir, 'bin', 'schemathesis');
  if (fs.existsSync(path.join(dir, 'installed'))) return bin;
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${dir} (first run only)...`);
  fs.rmSync(dir, { recursive: true, force: true });
  run('python3', ['-m', 'venv', dir]);
  run(path.join(dir, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]);
  fs.writeFileSync(path.join(dir, 'installed'), SCHEMATHESIS_VERSION);
  return bin;
}

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
function ensureNodeModules() {
  const lock = path.join(ROOT, 'package-lock.json');
  const stamp = path.join(ROOT, 'node_modules', '.leadrelay-lock-sha256');
  const hash = createHash('sha256').update(fs.readFileSync(lock));
  // patch-package applies patches/ on install, so a changed patch needs an install too.
  const patches = path.join(ROOT, 'patches');
  for (const f of fs.existsSync(patches) ? fs.readdirSync(patches).sort() : []) hash.update(f).update(fs.readFileSync(path.join(patches, f)));
  const want = hash.digest('hex');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return;
  say('installing npm dependencies...');
  // npm install, not npm ci: this npm records no entries for other platforms' optional binaries, which npm ci then demands.
  run('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT });
  fs.writeFileSync(stamp, want);
}

/**
 * A Debian package's program, installed with apt-get when missing (CI runs as root without a
 * terminal); nothing is downloaded from a vendor. `override` names an environment variable that
 * points at the program instead.
 */
function ensureDebianProgram({ pkg, program, override, usedBy }) {
  if (process.env[override]) return process.env[override];
  if (fs.existsSync(program)) return program;
  say(`installing Debian's ${pkg} for ${usedBy} (first run only)...`);
  const [cmd, ...prefix] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const apt = (...args) => spawnSync(cmd, [...prefix, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  const install = () => apt('install', '-y', '-q', '--no-install-recommends', pkg);
  // A fresh image has no package lists yet: refresh them once if the first try fails.
  const installed = install() || (apt('update', '-q') && install());
  if (!installed || !fs.existsSync(program)) {
    throw new Error(`${usedBy} need ${program}: install Debian's package (apt-get install ${pkg}) as root, or set ${override}`);
  }
  return program;
}

/** The page tests drive Debian's Chromium through playwright-core. */
const ensureChromium = () => ensureDebianProgram({ pkg: 'chromium', program: '/usr/bin/chromium', override: 'CHROMIUM_PATH', usedBy: 'the page tests' });

/** The invoice tests look at PDFs as a person would: rendered to PNG by pdftoppm (poppler-utils, with pdftotext beside it). */
const ensurePoppler = () => ensureDebianProgram({ pkg: 'poppler-utils', program: '/usr/bin/pdftoppm', override: 'PDFTOPPM_PATH', usedBy: 'the invoice tests' });

module.exports = { ROOT, cacheDir, say, ensureNodeModules, ensureTemporalCli, ensureMinio, ensureJavaTestServer, ensureSchemathesis, ensureChromium, ensurePoppler };
