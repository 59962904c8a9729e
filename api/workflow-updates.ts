import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import { HttpError } from './http-error';
import { askWorkflow } from '../infra/workflow-reads';

/** How a lead workflow's refusals (ApplicationFailure types its validators and handlers throw) read over HTTP. */
const STATUS_OF: Record<string, number> = { NotDelivered: 404, BadCancel: 400, BadAnswer: 400, BadTransfer: 400 };

/** Starts a workflow that never ran, to take the update; one that ran and ended stays closed. */
export interface StartIfNeverRun { workflowType: string; taskQueue: string; args: unknown[] }

/**
 * Sends an Update to a lead workflow and turns a refusal (its validator's or handler's reason, or a
 * lead that already reached a final state) into an answer the caller can read: 409 unless the
 * refusal says otherwise.
 */
export async function updateLead<Ret, Arg>(
  temporal: Client, workflowId: string, update: UpdateDefinition<Ret, [Arg]>, arg: Arg,
  closed = { code: 'lead_closed', message: 'the lead has already reached its final state' },
  start?: StartIfNeverRun,
): Promise<Ret> {
  try {
    if (!start) return await temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg] });
    return await temporal.workflow.executeUpdateWithStart(update, {
      args: [arg],
      startWorkflowOperation: new WithStartWorkflowOperation(start.workflowType, {
        workflowId, taskQueue: start.taskQueue, args: start.args, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      const type = cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
      throw new HttpError(type ? (STATUS_OF[type] ?? 409) : 409, 'refused', cause?.message ?? err.message);
    }
    const grpcCode = (e: unknown) => (e as { code?: number } | undefined)?.code;
    // NOT_FOUND: the workflow has completed, so it takes no more updates; ALREADY_EXISTS: it ran and ended.
    const codes = [grpcCode(err), grpcCode((err as Error).cause)];
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError || codes.some((c) => c === 5 || c === 6)) {
      throw new HttpError(409, closed.code, closed.message);
    }
    throw err;
  }
}

/** A lead workflow's answer to a query, or undefined when it can't answer soon (reads then use PostgreSQL). */
export const askLead = <Ret>(temporal: Client, workflowId: string, query: QueryDefinition<Ret>, patienceMs?: number): Promise<Ret | undefined> =>
  askWorkflow(temporal, () => temporal.workflow.getHandle(workflowId).query(query), patienceMs);
