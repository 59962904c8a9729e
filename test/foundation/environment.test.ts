import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadEnv } from '../../infra/env';

const ROOT = path.resolve(__dirname, '..', '..');
const runEntry = (entry: string, env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8', timeout: 30_000 });

describe('configuration from the environment', () => {
  it('names each missing or malformed variable', () => {
    expect(() => loadEnv({ TEMPORAL_ADDRESS: 'nowhere' })).toThrow(/DATABASE_URL[\s\S]*TEMPORAL_ADDRESS: must be host:port/);
  });

  it('fills the embedded-stack defaults', () => {
    const env = loadEnv({ DATABASE_URL: 'postgres://u:p@localhost:5432/db' });
    expect(env).toMatchObject({ API_PORT: 3000, TEMPORAL_ADDRESS: 'localhost:7233', SMTP_URL: 'smtp://localhost:1025' });
  });

  it.each(['api/server.ts', 'worker/main.ts'])('%s refuses to start with a bad variable and says which', (entry) => {
    const result = runEntry(entry, { DATABASE_URL: 'mysql://x', API_PORT: 'eighty' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['api/server.ts', 'worker/main.ts'])('%s reports an unreachable database in one line, without a stack trace', (entry) => {
    const result = runEntry(entry, { DATABASE_URL: 'postgres://leadrelay:secret@127.0.0.1:1/leadrelay' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PostgreSQL at postgres:\/\/leadrelay:\*\*\*@127\.0\.0\.1:1\/leadrelay is unreachable/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
