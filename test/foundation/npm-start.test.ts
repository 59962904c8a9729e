import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/services';
import { eventually } from '../helpers/wait';

const ROOT = path.resolve(__dirname, '..', '..');
const PORTS = ['API_PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'PG_PORT', 'MINIO_PORT', 'MINIO_CONSOLE_PORT', 'SMTP_PORT', 'MAIL_UI_PORT', 'WORKER_METRICS_PORT', 'TWILIO_SIMULATOR_PORT'];

describe('npm start', () => {
  it('brings the whole stack up on its own, answers healthy, and stops everything on Ctrl-C', async () => {
    const ports = Object.fromEntries(await Promise.all(PORTS.map(async (name) => [name, String(await freePort())])));
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-start-'));
    // Run as root, PostgreSQL's initdb runs as its own user, which must reach the data directory.
    fs.chmodSync(dataDir, 0o755);
    // The tools the test run already built, so this start builds nothing.
    const env = { ...process.env, ...ports, LEADRELAY_DATA_DIR: dataDir, TEMPORAL_CLI_PATH: process.env.LEADRELAY_TEMPORAL_CLI, MINIO_PATH: process.env.LEADRELAY_MINIO };
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'S3_ENDPOINT', 'SMTP_URL', 'PUBLIC_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_API_BASE_URL']) delete env[name];
    const stack = spawn(process.execPath, ['scripts/start.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    stack.stdout.on('data', (d) => (output += d));
    stack.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
    try {
      await eventually(async () => (output.includes('ready:') || stack.exitCode !== null ? true : undefined), { timeoutMs: 150_000, intervalMs: 500 }).catch(() => undefined);
      if (!output.includes('ready:')) throw new Error(`npm start did not get ready:\n${output}`);
      const api = `http://localhost:${ports.API_PORT}`;
      expect(output).toContain(`API            ${api}`);
      const health = await (await fetch(`${api}/healthz`)).json();
      expect(health).toMatchObject({ ok: true, temporal: { ok: true }, postgres: { ok: true }, objectStore: { ok: true } });
      expect((await fetch(`${api}/openapi.json`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.TWILIO_SIMULATOR_PORT}/simulator/calls`)).status).toBe(200);
    } finally {
      stack.kill('SIGINT');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
    // Nothing left behind: every service's port is closed again.
    for (const name of ['API_PORT', 'TEMPORAL_PORT', 'PG_PORT', 'MINIO_PORT', 'MAIL_UI_PORT']) {
      await expect(fetch(`http://127.0.0.1:${ports[name]}/`)).rejects.toThrow();
    }
  }, 240_000);
});
