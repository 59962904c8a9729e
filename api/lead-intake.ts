import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client';
import { listUnstartedLeads, type LeadRow } from '../db/leads';
import { leadWorkflowId } from '../domain/ids';
import { LeadIdAttribute, LeadStatusAttribute, LeadTypeAttribute } from '../domain/search-attributes';
import type { Logger } from '../infra/logger';

/**
 * Starts lead-<id>. A running one is left alone (a retry finds it), and a closed one is never run
 * again, however it ended: a lead is routed once.
 */
export async function startLeadWorkflow(temporal: Client, taskQueue: string, lead: Pick<LeadRow, 'id' | 'leadType'>): Promise<void> {
  try {
    await temporal.workflow.start('leadWorkflowV4', {
      taskQueue,
      workflowId: leadWorkflowId(lead.id),
      args: [{ leadId: lead.id }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: LeadIdAttribute, value: lead.id },
        { key: LeadTypeAttribute, value: lead.leadType },
        { key: LeadStatusAttribute, value: 'received' },
      ],
    });
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  }
}

/** What a lead submission asked for: a retry with the same Idempotency-Key must ask the same. */
export const requestFingerprint = (leadType: string, fields: Record<string, unknown>) =>
  createHash('sha256').update(JSON.stringify([leadType.toLowerCase(), sortKeys(fields)])).digest('hex');

const sortKeys = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(sortKeys)
    : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]))
      : value;

/**
 * Starts the workflow of any lead left without one, should a process die between storing a lead and
 * starting its workflow and nobody retry. Runs at API start and every minute; a lead with a workflow
 * is left alone by startLeadWorkflow.
 */
export function sweepUnstartedLeads(sql: Sql, temporal: Client, taskQueue: string, logger: Logger, everyMs = 60_000): { stop(): void; sweep(): Promise<number> } {
  const sweep = async () => {
    const stale = await listUnstartedLeads(sql, new Date(Date.now() - everyMs));
    for (const lead of stale) await startLeadWorkflow(temporal, taskQueue, lead);
    if (stale.length > 0) logger.info({ leads: stale.length }, 'started workflows of leads left without one');
    return stale.length;
  };
  const timer = setInterval(() => void sweep().catch((err: Error) => logger.warn({ err }, 'lead sweep failed')), everyMs);
  timer.unref();
  void sweep().catch((err: Error) => logger.warn({ err }, 'lead sweep failed'));
  return { stop: () => clearInterval(timer), sweep };
}
