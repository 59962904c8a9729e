import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** How long a read waits on a workflow before answering from PostgreSQL instead. */
export const QUERY_PATIENCE_MS = 3_000;

/**
 * Runs a workflow query, or gives undefined when the workflow can't answer soon: never started, no
 * worker polling its task queue, a busy worker, or a closed run whose replay fails. Every read that
 * asks a workflow has PostgreSQL to fall back on, so a dead worker never hangs a page.
 */
export async function askWorkflow<T>(client: Client, ask: () => Promise<T>, patienceMs = QUERY_PATIENCE_MS): Promise<T | undefined> {
  return client.withDeadline(Date.now() + patienceMs, ask).catch(() => undefined);
}

/** Whether the workflow's latest run is still running; false when it never ran. */
export async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
