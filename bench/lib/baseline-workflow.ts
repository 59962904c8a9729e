// Bench-only: a workflow with the same shape as the lead workflow's happy path (five sequential
// activities) whose activities do nothing, to show what Temporal itself costs on this machine.
import { proxyActivities } from '@temporalio/workflow';

export interface BaselineActivities { noop(step: number): Promise<void> }

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } });

export async function baselineWorkflow(): Promise<void> {
  for (let step = 1; step <= 5; step++) await noop(step);
}
