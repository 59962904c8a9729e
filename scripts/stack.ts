// `npm start`: the whole stack on embedded defaults, with its data kept under .data/ (or LEADRELAY_DATA_DIR) between runs.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assertPortsFree, startMailCatcher, startMinio, startPostgres, startTemporal, stopAll, waitFor, type Service } from './lib/services';
import { startTwilioVoiceSimulator } from '../infra/twilio-voice-simulator';
import { incomingCallUrl } from '../domain/transfer';
import { loadEnv } from '../infra/env';
const { ROOT, ensureMinio, ensureTemporalCli, say } = require('./lib/tools');

const DATA = process.env.LEADRELAY_DATA_DIR ?? path.join(ROOT, '.data');
const LOGS = path.join(DATA, 'logs');
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main() {
  const twilioSimulated = !process.env.TWILIO_ACCOUNT_SID;
  fs.mkdirSync(LOGS, { recursive: true });
  const services: Service[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await stopAll(services);
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const apiPort = port('API_PORT', 3000);
    await assertPortsFree([
      { port: apiPort, what: 'API', env: 'API_PORT' },
      { port: port('TEMPORAL_PORT', 7233), what: 'Temporal', env: 'TEMPORAL_PORT' },
      { port: port('TEMPORAL_UI_PORT', 8233), what: 'Temporal Web UI', env: 'TEMPORAL_UI_PORT' },
      { port: port('PG_PORT', 54329), what: 'PostgreSQL', env: 'PG_PORT' },
      { port: port('MINIO_PORT', 9000), what: 'MinIO', env: 'MINIO_PORT' },
      { port: port('MINIO_CONSOLE_PORT', 9001), what: 'MinIO console', env: 'MINIO_CONSOLE_PORT' },
      { port: port('SMTP_PORT', 1025), what: 'mail catcher SMTP', env: 'SMTP_PORT' },
      { port: port('MAIL_UI_PORT', 1080), what: 'mail catcher UI', env: 'MAIL_UI_PORT' },
      { port: port('WORKER_METRICS_PORT', 9464), what: 'worker metrics', env: 'WORKER_METRICS_PORT' },
      ...(twilioSimulated ? [{ port: port('TWILIO_SIMULATOR_PORT', 3010), what: 'Twilio Voice simulator', env: 'TWILIO_SIMULATOR_PORT' }] : []),
    ], () => fetch(`http://127.0.0.1:${apiPort}/healthz`).then((r) => r.headers.get('content-type')?.includes('json') ?? false));
    const temporalCli: string = ensureTemporalCli();
    const minioBin: string = ensureMinio();
    say('starting PostgreSQL, Temporal, MinIO and MailDev...');
    const [pg, temporal, minio, mail] = await Promise.all([
      startPostgres({ dataDir: path.join(DATA, 'postgres'), port: port('PG_PORT', 54329), persistent: true, database: 'leadrelay' }),
      startTemporal({
        cli: temporalCli, dbFile: path.join(DATA, 'temporal.sqlite'), port: port('TEMPORAL_PORT', 7233), uiPort: port('TEMPORAL_UI_PORT', 8233),
        logFile: path.join(LOGS, 'temporal.log'), uiCodecEndpoint: `http://localhost:${apiPort}/codec`,
      }),
      startMinio({ binary: minioBin, dataDir: path.join(DATA, 'minio'), port: port('MINIO_PORT', 9000), consolePort: port('MINIO_CONSOLE_PORT', 9001), accessKey: 'leadrelay', secretKey: 'leadrelay-secret', logFile: path.join(LOGS, 'minio.log') }),
      startMailCatcher({ smtpPort: port('SMTP_PORT', 1025), webPort: port('MAIL_UI_PORT', 1080), mailDir: path.join(DATA, 'mail'), logFile: path.join(LOGS, 'maildev.log') }),
    ].map((p) => p.then((s) => { services.push(s); return s; }))) as [Awaited<ReturnType<typeof startPostgres>>, Awaited<ReturnType<typeof startTemporal>>, Awaited<ReturnType<typeof startMinio>>, Awaited<ReturnType<typeof startMailCatcher>>];

    const publicUrl = `http://localhost:${apiPort}`;
    const base = {
      ...process.env,
      NODE_ENV: 'development',
      API_PORT: String(apiPort),
      PUBLIC_URL: publicUrl,
      TEMPORAL_UI_ORIGIN: `http://localhost:${port('TEMPORAL_UI_PORT', 8233)}`,
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY: minio.accessKey,
      S3_SECRET_KEY: minio.secretKey,
      SMTP_URL: mail.smtpUrl,
      // The local stack delivers to receivers on this machine.
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: process.env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES ?? 'true',
    };
    // Checked here, so a bad setting is named before the API and worker start.
    const settings = loadEnv(base);
    // Without real Twilio credentials, hotkey transfers dial the local Voice simulator.
    const twilio = twilioSimulated
      ? await startTwilioVoiceSimulator({ accountSid: settings.TWILIO_ACCOUNT_SID, authToken: settings.TWILIO_AUTH_TOKEN, port: port('TWILIO_SIMULATOR_PORT', 3010),
        // Our Twilio number answers incoming calls as leadrelay would have Twilio do.
        voiceUrls: { [settings.TWILIO_FROM_NUMBER]: incomingCallUrl(publicUrl) } })
      : undefined;
    if (twilio) services.push({ name: 'twilio-simulator', stop: () => twilio.close() });
    const env = { ...base, ...(twilio ? { TWILIO_API_BASE_URL: twilio.url } : {}) };
    for (const name of ['worker', 'api'] as const) {
      const proc = node(name, name === 'api' ? 'api/server.ts' : 'worker/main.ts', env);
      services.push(processService(name, proc));
      proc.once('exit', (code, signal) => {
        if (!stopping) { say(`${name} exited (${signal ?? code}); stopping the stack`); void shutdown(1); }
      });
    }
    await waitFor('API', () => fetch(`${publicUrl}/healthz`).then((r) => r.ok));
    say('ready:');
    const rows: [string, string][] = [
      ['API', publicUrl],
      ['API docs', `${publicUrl}/docs`],
      ['OpenAPI', `${publicUrl}/openapi.json`],
      ['Temporal UI', temporal.uiUrl],
      ['Mail UI', mail.webUrl],
      ['Worker metrics', `http://127.0.0.1:${port('WORKER_METRICS_PORT', 9464)}/metrics`],
      ['MinIO console', `${minio.consoleUrl}  (user ${minio.accessKey}, password ${minio.secretKey})`],
      ['PostgreSQL', pg.url],
      ...(twilio ? [['Twilio (sim)', `${twilio.url}/simulator/calls  (README: Hotkey telephone transfer)`] as [string, string]] : []),
      ['Data and logs', DATA],
    ];
    for (const [what, where] of rows) process.stdout.write(`  ${what.padEnd(14)} ${where}\n`);
    process.stdout.write('Press Ctrl-C to stop everything.\n');
  } catch (err) {
    process.stderr.write(`[leadrelay] could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
  }
}

function node(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line: string) => `${name.padEnd(6)}| ${line}\n`;
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix(line));
    });
  }
  return proc;
}

function processService(name: string, proc: ChildProcess): Service {
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  return {
    name,
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

void main();
