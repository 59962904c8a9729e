/**
 * `npm run record-histories`: runs each scenario on the current workflow code against the test
 * stack and writes its histories to test/replay/histories/, which replay.test.ts replays on every
 * run. Recorded histories are kept once committed: a change to workflow code must still replay every
 * history ever recorded (or branch on patched()), because leads started on older code are still running.
 * A file that already exists is left alone, so re-running only adds new scenarios.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
import { configureDistribution } from '../helpers/distribution';
import { partnerWorkflowId } from '../../domain/ids';
import { SCENARIOS, type Scenario } from './scenarios';

const DIR = path.join(__dirname, 'histories');

/** Written by the Temporal CLI, whose JSON is the form `temporal workflow show --output json` gives operators too. */
function save(name: string, workflowId: string): void {
  const file = path.join(DIR, `${name}.json`);
  if (fs.existsSync(file)) return;
  const json = execFileSync(process.env.LEADRELAY_TEMPORAL_CLI!, [
    'workflow', 'show', '--workflow-id', workflowId, '--address', process.env.TEMPORAL_ADDRESS!, '--namespace', process.env.TEMPORAL_NAMESPACE!, '--output', 'json',
  ], { encoding: 'utf8' });
  fs.writeFileSync(file, json);
  process.stdout.write(`recorded ${path.relative(process.cwd(), file)}\n`);
}

describe('recording workflow histories', () => {
  const taskQueue = `record-${randomUUID()}`;
  let api: TestApi;
  let worker: RunningWorker;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue });
  });
  afterAll(async () => {
    await worker.stop();
    await Promise.all(receivers.map((r) => r.close()));
    await api.close();
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (name, scenario: Scenario) => {
    const ctx = {
      api,
      receiver: async (b: Parameters<typeof startReceiver>[0]) => {
        const r = await startReceiver(b);
        receivers.push(r);
        return r;
      },
      configure: (spec: Parameters<typeof configureDistribution>[1]) => configureDistribution(api, spec),
    };
    const { leadId, partnerIds } = await scenario.run(ctx);
    await api.temporal.workflow.getHandle(`lead-${leadId}`).result();
    save(`${name}.lead`, `lead-${leadId}`);
    for (const [i, partnerId] of partnerIds.entries()) save(`${name}.partner-${i}`, partnerWorkflowId(partnerId));
  }, 120_000);
});
