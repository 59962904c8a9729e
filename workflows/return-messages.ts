import { defineUpdate } from '@temporalio/workflow';
import type { ReturnDecision, ReturnStatus } from '../domain/returns';

/**
 * An operator approves or denies a pending return. An update rather than a signal: the caller waits
 * for the credit (or the denial) to be recorded, and a return already decided is refused by the validator.
 */
export const decideReturnUpdate = defineUpdate<ReturnStatus, [ReturnDecision]>('decideReturn');
