import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TransferCallEvent, TransferRequest, TransferState } from '../domain/transfer';

/** The agent presses Transfer: an update, so the agent hears at once whether the lead can be transferred. */
export const transferUpdate = defineUpdate<TransferState, [TransferRequest]>('transfer');
/** A signed Twilio callback about a partner's call; a signal, because Twilio only needs to know we heard it. */
export const transferCallSignal = defineSignal<[TransferCallEvent]>('transferCall');
/** Each step of the transfer so far, for the agent to watch live. */
export const transferStateQuery = defineQuery<TransferState | null>('transferState');
