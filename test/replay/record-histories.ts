/**
 * `npm run record-histories`: runs each scenario on the current workflow code against the test
 * stack and writes its histories to test/replay/histories/, which replay.test.ts replays on every
 * run. Recorded histories are kept once committed: a change to workflow code must still replay every
 * history ever recorded (or branch on patched()), because leads started on older code are still running.
 * A file that already exists is left alone, so re-running only adds new scenarios; after a patched()
 * change, HISTORY_SUFFIX=-<patch> records the scenarios' new shapes beside the old ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { partnerWorkflowId } from '../../domain/ids';
import { SCENARIOS, type Scenario } from './scenarios';

const DIR = path.join(__dirname, 'histories');
const SUFFIX = process.env.HISTORY_SUFFIX ?? '';

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
  const stack = useLeadStack('record');
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (name, scenario: Scenario) => {
    const { api } = stack;
    const ctx = { api, receiver: stack.receiver, configure: (spec: Parameters<typeof configureDistribution>[1]) => configureDistribution(api, spec) };
    const { leadId, partnerIds } = await scenario.run(ctx);
    await api.temporal.workflow.getHandle(`lead-${leadId}`).result();
    save(`${name}${SUFFIX}.lead`, `lead-${leadId}`);
    for (const [i, partnerId] of partnerIds.entries()) save(`${name}${SUFFIX}.partner-${i}`, partnerWorkflowId(partnerId));
  }, 120_000);
});
