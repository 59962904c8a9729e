import { TestWorkflowEnvironment } from '@temporalio/testing';
import { encryptedDataConverter } from '../../infra/payload-codec';

/** The SDK gives the server 5 s to answer, which a JVM starting on a busy 2-core machine can miss. */
const ATTEMPTS = 3;

/** Temporal's Java time-skipping test server, for tests whose workflows wait on long timers. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.LEADRELAY_TEST_SERVER;
  if (!path) throw new Error('LEADRELAY_TEST_SERVER is not set: run the tests with `npm test`');
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } }, client: { dataConverter: encryptedDataConverter() } });
    } catch (err) {
      if (attempt >= ATTEMPTS || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
}
