import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadEnv } from '../../infra/env';

const ROOT = path.resolve(__dirname, '..', '..');
const composeFile = path.join(ROOT, 'docker-compose.yml');

describe('docker-compose.yml, checked without a Docker engine', () => {
  it('passes the compose-spec schema and lint rules (dclint)', () => {
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'dclint'), [composeFile], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
  });

  it('describes the production-like stack, and its app settings satisfy the environment schema', () => {
    const compose = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true });
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api', 'mailpit', 'minio', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'],
    );
    for (const app of ['api', 'worker']) {
      expect(() => loadEnv({ ...compose.services[app].environment, LEADRELAY_OPERATOR_KEY: undefined })).not.toThrow();
    }
  });
});
