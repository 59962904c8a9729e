import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { HttpError } from './http-error';

/**
 * Sends an Update to a lead workflow and turns a refusal (its validator's reason, or a lead that
 * already reached a final state) into a 409 the caller can read.
 */
export async function updateLead<Ret, Arg>(temporal: Client, workflowId: string, update: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
  try {
    return await temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'refused', err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError || /already completed|not found/i.test((err as Error).message)) {
      throw new HttpError(409, 'lead_closed', 'the lead has already reached its final state');
    }
    throw err;
  }
}
