import { TestWorkflowEnvironment } from '@temporalio/testing';
import { encryptedDataConverter } from '../../infra/payload-codec';

/** Temporal's Java time-skipping test server, for tests whose workflows wait on long timers. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.LEADRELAY_TEST_SERVER;
  if (!path) throw new Error('LEADRELAY_TEST_SERVER is not set: run the tests with `npm test`');
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } }, client: { dataConverter: encryptedDataConverter() } });
}
