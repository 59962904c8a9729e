import type { Stack } from './stack';
import { fmt, percentile } from './stats';

/** Steps of a lead's way to its first webhook, each read from its history or its audit trail. */
const HISTORY_STEPS: Array<[string, string]> = [
  ['workflow started', 'workflowExecutionStartedEventAttributes'],
  ['first workflow task started', 'workflowTaskStartedEventAttributes'],
];
const AUDIT_STEPS: Array<[string, string]> = [
  ['judged (routing snapshot read)', 'eligibility_evaluated'],
  ['status delivering recorded', 'status_changed'],
  ['capacity reserved', 'capacity_reserved'],
  ['webhook attempt started', 'delivery_attempt'],
];

/**
 * Where the time to the first webhook goes: for each lead, ms from just before its POST /leads (wall clock)
 * to each step, printed as p50 / p90 per step. Reads histories and the audit trail after the phase.
 */
export async function printLeadSteps(stack: Stack, postedAt: Map<string, number>): Promise<void> {
  const steps = new Map<string, number[]>();
  const add = (step: string, ms: number) => {
    if (!steps.has(step)) steps.set(step, []);
    steps.get(step)!.push(ms);
  };
  const ids = [...postedAt.keys()];
  const audit = await stack.sql<{ leadId: string; type: string; at: Date }[]>`
    select lead_id as "leadId", type, at from lead_audit where lead_id = any(${ids}::uuid[]) and type = any(${AUDIT_STEPS.map(([, t]) => t)})`;
  const firstOfType = new Map<string, Date>();
  for (const a of audit) {
    const key = `${a.leadId}/${a.type}`;
    if (!firstOfType.has(key) || a.at < firstOfType.get(key)!) firstOfType.set(key, a.at);
  }
  for (const [id, t0] of postedAt) {
    for (const [step, type] of AUDIT_STEPS) {
      const at = firstOfType.get(`${id}/${type}`);
      if (at) add(step, at.getTime() - t0);
    }
    const events = (await stack.temporal.workflow.getHandle(`lead-${id}`).fetchHistory()).events ?? [];
    for (const [step, attribute] of HISTORY_STEPS) {
      const e = events.find((ev) => (ev as Record<string, unknown>)[attribute]);
      if (e?.eventTime) add(step, Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6) - t0);
    }
  }
  console.log(`\nphase 0, where the time to the first webhook goes (ms after just before POST /leads, p50 / p90 of ${postedAt.size} leads):`);
  const rows = [...steps].map(([step, ms]) => [step, percentile(ms, 0.5), percentile(ms, 0.9)] as const).sort((a, b) => a[1] - b[1]);
  for (const [step, p50, p90] of rows) console.log(`  ${step.padEnd(32)} ${fmt(p50, 0).padStart(5)} / ${fmt(p90, 0).padStart(5)}`);
}
