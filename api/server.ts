import { loadEnv } from '../infra/env';
import { fieldSealerFromEnv } from '../infra/field-sealing';
import { assertReachable, createSql } from '../db/client';
import { migrate } from '../db/migrate';
import { createObjectStore, ensureBucket } from '../infra/object-store';
import { connectTemporalClient } from '../infra/temporal-client';
import { runMain } from '../infra/run-main';
import { createApp } from './app';
import { sweepUnstartedLeads } from './lead-intake';
import { createNotifier } from '../infra/notifier';
import { ensureOperatorKey } from './auth';

runMain('api', async (logger) => {
  const env = loadEnv();
  const sql = createSql(env.DATABASE_URL);
  await assertReachable(sql, env.DATABASE_URL);
  await migrate(sql);
  await ensureOperatorKey(sql, { envKey: env.LEADRELAY_OPERATOR_KEY, print: (line) => process.stdout.write(`${line}\n`) });
  const objectStore = createObjectStore(env);
  await ensureBucket(objectStore, env.S3_REGION);
  const temporal = await connectTemporalClient(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE);
  const app = createApp({ sql, temporal, taskQueue: env.TEMPORAL_TASK_QUEUE, objectStore, logger, publicUrl: env.PUBLIC_URL, linkSecret: env.LINK_SIGNING_SECRET, twilioAuthToken: env.TWILIO_AUTH_TOKEN, sealer: fieldSealerFromEnv(),
    notifier: createNotifier(env), operatorEmail: env.OPERATOR_EMAIL,
    temporalUiOrigin: env.TEMPORAL_UI_ORIGIN, development: env.NODE_ENV === 'development', billingTimezone: env.BILLING_TIMEZONE,
    rateLimits: { perKeyPerMinute: env.RATE_LIMIT_PER_KEY_PER_MINUTE, perAddressPerMinute: env.RATE_LIMIT_PER_ADDRESS_PER_MINUTE, signupsPerHour: env.SIGNUP_LIMIT_PER_HOUR } });
  const sweeper = sweepUnstartedLeads(sql, temporal, env.TEMPORAL_TASK_QUEUE, logger);
  const server = app.listen(env.API_PORT, () => logger.info({ url: env.PUBLIC_URL }, 'api listening'));

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'api stopping');
    sweeper.stop();
    server.close(async () => {
      await temporal.connection.close();
      await sql.end({ timeout: 5 });
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
});
