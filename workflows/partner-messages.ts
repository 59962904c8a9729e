import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CapacityConfig, CapacityQuestion, CapacityView, Denial, PauseSource } from '../domain/capacity';
import type { Check } from '../domain/eligibility';
import type { ReserveRequest, ReserveResult, SettleRequest } from '../domain/reservations';

export const partnerWorkflowId = (partnerId: string) => `partner-${partnerId}`;

/**
 * Partner workflows run on a task queue of their own beside the leads' one, polled by a worker of their
 * own: a lead's workflow task waiting on a partner's Update (its first offer is a local activity) holds
 * its slot until the Update answers, so a partner needing a slot among the leads' could wait for ever.
 */
export const partnerTaskQueue = (taskQueue: string) => (taskQueue.endsWith('-partners') ? taskQueue : `${taskQueue}-partners`);

export interface CommitRequest extends SettleRequest { priceMinor: number }
export interface CommitResult { reservationId: string; balanceMinor: number; alreadyCommitted: boolean }
export interface ReleaseRequest extends SettleRequest { reason: string }
export interface SetPausedRequest { paused: boolean; by: PauseSource }
export interface PaymentRequest { paymentId: string; amountMinor: number; description?: string }
export interface CreditRequest { leadId: string; amountMinor: number; reason: string }
/** A charge after the lead was taken (a kept appointment's), once per key; it moves money only, the delivery already counted against the caps. */
export interface ChargeRequest { key: string; leadId: string; assignmentId: string | null; amountMinor: number; description: string }
/** The statement key of the transaction, written to PostgreSQL by the time the update returns. */
export interface TransactionReceipt { key: string; duplicate: boolean }

/** One reserve, commit or release inside a batch. */
export type CapacityOp = { reserve: ReserveRequest } | { commit: CommitRequest } | { release: ReleaseRequest };
/** Each operation's own answer: a refused one (the reason a lone update's validator would give) leaves the rest of its batch standing. */
export type CapacityOpResult = { ok: ReserveResult | CommitResult | null } | { refused: string };
export const MAX_CAPACITY_BATCH = 200;

export const reserveUpdate = defineUpdate<ReserveResult, [ReserveRequest]>('reserve');
export const commitUpdate = defineUpdate<CommitResult, [CommitRequest]>('commit');
export const releaseUpdate = defineUpdate<void, [ReleaseRequest]>('release');
/** Operations that raced each other in one client, decided one after another in the order given. */
export const capacityBatchUpdate = defineUpdate<CapacityOpResult[], [CapacityOp[]]>('capacityBatch');
export const setPausedUpdate = defineUpdate<CapacityView, [SetPausedRequest]>('setPaused');
export const addPaymentUpdate = defineUpdate<TransactionReceipt, [PaymentRequest]>('addPayment');
/** A returned lead: its price goes back to the partner as a credit. */
export const addCreditUpdate = defineUpdate<TransactionReceipt, [CreditRequest]>('addCredit');
/** Answers once the charge is on the statement in PostgreSQL. */
export const addChargeUpdate = defineUpdate<TransactionReceipt, [ChargeRequest]>('addCharge');
export const configChangedSignal = defineSignal<[CapacityConfig]>('configChanged');
/** Live state; `at` (ISO) picks the windows to show, defaulting to the workflow's clock. */
export const capacityQuery = defineQuery<CapacityView, [at?: string]>('capacity');
/** What a reserve would answer now, without reserving: for the dry run. */
export const assessQuery = defineQuery<{ checks: Check[]; denial: Denial | null }, [CapacityQuestion, at?: string]>('assess');
