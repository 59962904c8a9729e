import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import { HttpError } from './http-error';
import { askWorkflow } from '../infra/workflow-reads';

/** How a lead workflow's refusals (ApplicationFailure types its validators and handlers throw) read over HTTP. */
const STATUS_OF: Record<string, number> = { NotDelivered: 404, BadCancel: 400, BadAnswer: 400, BadTransfer: 400 };

/**
 * Sends an Update to a lead workflow and turns a refusal (its validator's or handler's reason, or a
 * lead that already reached a final state) into an answer the caller can read: 409 unless the
 * refusal says otherwise.
 */
export async function updateLead<Ret, Arg>(
  temporal: Client, workflowId: string, update: UpdateDefinition<Ret, [Arg]>, arg: Arg,
  closed = { code: 'lead_closed', message: 'the lead has already reached its final state' },
): Promise<Ret> {
  try {
    return await temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      const type = cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
      throw new HttpError(type ? (STATUS_OF[type] ?? 409) : 409, 'refused', cause?.message ?? err.message);
    }
    const grpcCode = (e: unknown) => (e as { code?: number } | undefined)?.code;
    // NOT_FOUND: the workflow has completed, so it takes no more updates.
    if (err instanceof WorkflowNotFoundError || grpcCode(err) === 5 || grpcCode((err as Error).cause) === 5) {
      throw new HttpError(409, closed.code, closed.message);
    }
    throw err;
  }
}

/** A lead workflow's answer to a query, or undefined when it can't answer soon (reads then use PostgreSQL). */
export const askLead = <Ret>(temporal: Client, workflowId: string, query: QueryDefinition<Ret>): Promise<Ret | undefined> =>
  askWorkflow(temporal, () => temporal.workflow.getHandle(workflowId).query(query));
