import { ApplicationFailure, condition, upsertSearchAttributes } from '@temporalio/workflow';
import type { Candidate } from '../domain/referral-plan';
import { statusAfterArrival, type LeadJudgement } from '../domain/lead-judgement';
import { isFinal, type Decision, type DeliveryState, type DeliveryStatus, type LeadState, type LeadStatus } from '../domain/lead-state';
import { LeadStatusAttribute, PartnerIdsAttribute } from '../domain/search-attributes';
import type { CancelInput, RespondInput } from './messages';

/** The side effects progress needs: the projection and audit rows in PostgreSQL. */
export interface ProgressRecorder {
  status(status: LeadStatus, reason: string | undefined, step: number): Promise<void>;
}

const SETTLED: readonly DeliveryStatus[] = ['denied', 'accepted', 'declined', 'expired', 'failed', 'withdrawn'];

/**
 * One lead's state as its workflow moves it: the status (kept in PostgreSQL and the LeadStatus search
 * attribute as it changes), each offer to a partner, the partners' answers and a cancellation.
 * Validation of every message lives here, beside the state it protects.
 */
export class LeadProgress {
  readonly state: LeadState;
  private step = 0;
  private readonly answers = new Map<string, { decision: Decision; reason?: string }>();
  private acceptedIds: string[] = [];
  cancellation: CancelInput | undefined;

  constructor(leadId: string, private readonly recorder: ProgressRecorder) {
    this.state = { leadId, status: 'received', deliveries: [] };
  }

  get leadId() { return this.state.leadId; }
  get accepted() { return this.state.deliveries.filter((d) => d.status === 'accepted'); }

  /** One upsert and one projection write per change of state. */
  async setStatus(status: LeadStatus, reason?: string): Promise<void> {
    if (this.change(status, reason)) await this.recorder.status(status, reason, this.step);
  }

  /** The number the next status change writes under. */
  get nextStep() { return this.step + 1; }

  /**
   * The judgement activity records `routing` itself as it routes: the state changes here without a
   * write or an upsert of its own, which would cost the lead two more history events.
   */
  routedBy(judgement: { judgedAt: string }): void {
    this.state.status = 'routing';
    this.state.reason = `judged at ${judgement.judgedAt}`;
  }

  /**
   * An arrival judgement given `nextStep` also wrote the status it moves the lead to (statusAfterArrival)
   * as that change: the state follows, with its upsert, but no write of its own.
   */
  arrivedBy(judgement: LeadJudgement): void {
    const next = statusAfterArrival(judgement);
    if (next) this.change(next);
    else this.routedBy(judgement);
  }

  /** False when nothing changed. */
  private change(status: LeadStatus, reason?: string): boolean {
    if (this.state.status === status && this.state.reason === reason) return false;
    this.state.status = status;
    this.state.reason = reason;
    const accepted = this.accepted.map((d) => d.partnerId);
    const partnersChanged = accepted.length !== this.acceptedIds.length;
    this.acceptedIds = accepted;
    upsertSearchAttributes([{ key: LeadStatusAttribute, value: status }, ...(partnersChanged ? [{ key: PartnerIdsAttribute, value: accepted }] : [])]);
    this.step++;
    return true;
  }

  /** Delivering while any offer is being delivered; awaiting response while every open offer waits for its partner. */
  async refreshLiveStatus(): Promise<void> {
    if (isFinal(this.state.status) || this.cancellation) return;
    const open = this.state.deliveries.filter((d) => !SETTLED.includes(d.status));
    const waiting = open.length > 0 && open.every((d) => d.status === 'awaiting_response');
    await this.setStatus(waiting ? 'awaiting_response' : 'delivering');
  }

  addDelivery(candidate: Candidate, currency: string): DeliveryState {
    const delivery: DeliveryState = {
      partnerId: candidate.partnerId, partnerName: candidate.partnerName, assignmentId: candidate.assignmentId,
      status: 'reserving', priceMinor: candidate.priceMinor, currency, attempts: 0,
    };
    this.state.deliveries.push(delivery);
    return delivery;
  }

  async moveDelivery(delivery: DeliveryState, status: DeliveryStatus, reason?: string): Promise<void> {
    delivery.status = status;
    if (reason !== undefined) delivery.reason = reason;
    if (status !== 'awaiting_response') delete delivery.respondBy;
    await this.refreshLiveStatus();
  }

  answerOf(partnerId: string) { return this.answers.get(partnerId); }

  validateAnswer({ partnerId, decision }: RespondInput): void {
    const delivery = this.state.deliveries.find((d) => d.partnerId === partnerId);
    if (!delivery) throw ApplicationFailure.create({ type: 'NotDelivered', message: 'this lead was not delivered to this partner', nonRetryable: true });
    if (delivery.status !== 'awaiting_response' || this.answers.has(partnerId)) {
      throw ApplicationFailure.create({ type: 'TooLate', message: `too late to respond: the delivery is ${delivery.status}`, nonRetryable: true });
    }
    if (decision !== 'accept' && decision !== 'decline') throw ApplicationFailure.create({ type: 'BadAnswer', message: 'decision must be accept or decline', nonRetryable: true });
  }

  /** Records the answer, then waits for the offer to settle on it: "accepted" means the charge has landed. */
  async respond({ partnerId, decision, reason }: RespondInput): Promise<{ status: 'accepted' | 'declined' }> {
    this.answers.set(partnerId, { decision, reason });
    const delivery = this.state.deliveries.find((d) => d.partnerId === partnerId)!;
    await condition(() => SETTLED.includes(delivery.status));
    if (delivery.status === 'accepted' || delivery.status === 'declined') return { status: delivery.status };
    throw ApplicationFailure.create({ type: 'NotAvailable', message: `the lead is no longer available: ${delivery.reason ?? delivery.status}`, nonRetryable: true });
  }

  validateCancel({ reason }: CancelInput): void {
    if (typeof reason !== 'string' || reason.trim() === '') throw ApplicationFailure.create({ type: 'BadCancel', message: 'a cancellation needs a reason', nonRetryable: true });
    if (isFinal(this.state.status)) throw ApplicationFailure.create({ type: 'AlreadyFinal', message: `the lead is already ${this.state.status}`, nonRetryable: true });
    if (this.cancellation) throw ApplicationFailure.create({ type: 'AlreadyCancelling', message: 'the lead is already being cancelled', nonRetryable: true });
  }

  /** Stops the routing; answers once the lead is cancelled, its holds released and partners told. */
  async cancel(req: CancelInput, stopRouting: () => void): Promise<{ status: 'cancelled' }> {
    this.cancellation = req;
    stopRouting();
    await condition(() => isFinal(this.state.status));
    if (this.state.status !== 'cancelled') throw ApplicationFailure.create({ type: 'AlreadyFinal', message: `the lead ended ${this.state.status} first`, nonRetryable: true });
    return { status: 'cancelled' };
  }
}
