import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadEnv } from '../../infra/env';

const ROOT = path.resolve(__dirname, '..', '..');
const composeFile = path.join(ROOT, 'docker-compose.yml');

/** Compose's `${VAR:?message}` interpolation: a required variable that is unset stops the stack with its message. */
const interpolate = (environment: Record<string, string>, vars: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, String(value).replace(/\$\{(\w+):\?([^}]*)\}/g, (_, v: string, message: string) => {
    if (!vars[v]) throw new Error(message);
    return vars[v]!;
  })]));

describe('docker-compose.yml, checked without a Docker engine', () => {
  it('passes the compose-spec schema and lint rules (dclint)', () => {
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'dclint'), [composeFile], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
  });

  it('describes the production-like stack, and its app settings satisfy the environment schema', () => {
    const compose = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true });
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api', 'mailpit', 'minio', 'postgresql', 'prometheus', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'],
    );
    const secrets = { LINK_SIGNING_SECRET: 'a-secret-of-our-own', TWILIO_AUTH_TOKEN: 'a-real-twilio-auth-token', LEADRELAY_PAYLOAD_KEYS: 'k1:x', LEADRELAY_FIELD_KEYS: 'f1:x' };
    for (const app of ['api', 'worker']) {
      const environment = compose.services[app].environment;
      expect(environment.NODE_ENV).toBe('production');
      expect(() => interpolate(environment, {})).toThrow(/set LINK_SIGNING_SECRET/);
      const { LEADRELAY_FIELD_KEYS: _fieldKeys, ...withoutFieldKeys } = secrets;
      expect(() => interpolate(environment, withoutFieldKeys)).toThrow(/set LEADRELAY_FIELD_KEYS/);
      expect(() => loadEnv({ ...interpolate(environment, secrets), LEADRELAY_OPERATOR_KEY: undefined })).not.toThrow();
      expect(() => loadEnv({ ...interpolate(environment, { ...secrets, LINK_SIGNING_SECRET: 'development-only-link-secret' }), LEADRELAY_OPERATOR_KEY: undefined })).toThrow(/LINK_SIGNING_SECRET/);
    }
  });

  it('has Prometheus scrape the API with an operator key and the worker on its metrics port', () => {
    const compose = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true });
    const prometheus = parse(fs.readFileSync(path.join(path.dirname(composeFile), 'deploy', 'prometheus.yml'), 'utf8'));
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((j: { job_name: string }) => [j.job_name, j]));
    expect(jobs['leadrelay-api']).toMatchObject({ metrics_path: '/metrics', authorization: { credentials_file: '/run/secrets/operator_key' }, static_configs: [{ targets: ['api:3000'] }] });
    expect(compose.services.prometheus.secrets).toEqual(['operator_key']);
    expect(compose.secrets.operator_key).toEqual({ environment: 'LEADRELAY_OPERATOR_KEY' });
    const worker = loadEnv({ ...interpolate(compose.services.worker.environment, { LINK_SIGNING_SECRET: 'a-secret-of-our-own', TWILIO_AUTH_TOKEN: 'a-real-twilio-auth-token', LEADRELAY_PAYLOAD_KEYS: 'k1:x', LEADRELAY_FIELD_KEYS: 'f1:x' }), LEADRELAY_OPERATOR_KEY: undefined });
    expect(worker.WORKER_METRICS_HOST).toBe('0.0.0.0');
    expect(jobs['leadrelay-worker'].static_configs).toEqual([{ targets: [`worker:${worker.WORKER_METRICS_PORT}`] }]);
  });
});
