import { ApplicationFailure, CancellationScope, condition, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { LeadJudgement } from '../domain/lead-judgement';
import type { Candidate } from '../domain/referral-plan';
import { reservationIdFor } from '../domain/reservations';
import {
  callVerdict, conferenceNameFor, DEFAULT_RING_TIMEOUT_SECONDS, eventKey, WHISPER_SECONDS,
  type CallVerdict, type TransferCallEvent, type TransferRequest, type TransferState,
} from '../domain/transfer';
import type { LeadProgress } from './lead-progress';

const { reserveCapacity, acceptDelivery, releaseDelivery, settleTestDelivery, holdConsumer, dialTransferPartner, hangUpCall } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});
const { recordLeadEvent } = proxyLocalActivities<LeadActivities>({ startToCloseTimeout: '10 seconds' });

/** Twilio's callbacks may lag; past the ring time, the whisper and this margin, the call is given up. */
const CALLBACK_MARGIN_SECONDS = 30;
const CALL_SID = /^CA[0-9a-f]{32}$/;

const refused = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * The agent's Transfer button and what Twilio tells us about each partner's call: the live steps the
 * agent watches, each also written to the lead's audit trail. A duplicate callback changes nothing.
 */
export class HotkeyTransfer {
  readonly state: TransferState;
  private readonly events = new Map<string, TransferCallEvent[]>();
  private readonly heard = new Set<string>();
  /** Only a transfer lead (of this workflow version) waiting for its referral takes the Transfer button. */
  accepting = false;

  constructor(private readonly lead: LeadProgress) {
    this.state = { status: 'waiting', conference: conferenceNameFor(lead.leadId), steps: [] };
  }

  get requested() { return this.state.status !== 'waiting'; }

  validate(req: TransferRequest): void {
    if (typeof req?.consumerCallSid !== 'string' || !CALL_SID.test(req.consumerCallSid)) throw refused('BadTransfer', 'consumerCallSid must be a Twilio call SID: CA and 32 hex digits');
    if (!this.accepting) throw refused('NotTransfer', "this lead's type does not refer by telephone transfer");
    if (this.requested) throw refused('AlreadyTransferring', `the lead is already ${this.state.status}`);
    if (this.lead.state.status !== 'awaiting_referral') throw refused('NotWaiting', `lead is not waiting for a transfer (it is ${this.lead.state.status})`);
  }

  request(req: TransferRequest): TransferState {
    Object.assign(this.state, { status: 'transferring', consumerCallSid: req.consumerCallSid, requestedBy: req.requestedBy });
    return this.state;
  }

  hear(event: TransferCallEvent): void {
    const key = eventKey(event);
    if (this.heard.has(key)) return;
    this.heard.add(key);
    this.events.set(event.callSid, [...(this.events.get(event.callSid) ?? []), event]);
  }

  async step(who: Candidate | undefined, step: string, detail: string, callSid?: string): Promise<void> {
    const entry = { at: new Date().toISOString(), partnerId: who?.partnerId ?? '', partnerName: who?.partnerName ?? '', step, detail, ...(callSid ? { callSid } : {}) };
    this.state.steps.push(entry);
    await recordLeadEvent(this.lead.leadId, `transfer-step:${this.state.steps.length}`, {
      at: entry.at, type: `transfer_${step.replace(/-/g, '_')}`, summary: `${who ? `${who.partnerName}: ` : ''}${step}${detail ? ` (${detail})` : ''}`, detail: entry,
    });
  }

  /** Records each callback about the call as a step until they reach a verdict, or the call is given up. */
  async follow(who: Candidate, callSid: string, limitSeconds: number): Promise<CallVerdict & { givenUp?: true }> {
    const deadline = Date.now() + limitSeconds * 1000;
    let told = 0;
    for (;;) {
      const events = this.events.get(callSid) ?? [];
      for (; told < events.length; told++) await this.step(who, ...describe(events[told]!), callSid);
      const verdict = callVerdict(events);
      if (verdict) return verdict;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await condition(() => (this.events.get(callSid)?.length ?? 0) > told, remaining))) {
        return { taken: false, outcome: 'failed', reason: `no word from Twilio within ${limitSeconds} s`, givenUp: true };
      }
    }
  }
}

function describe(e: TransferCallEvent): [string, string] {
  if (e.kind === 'digits') return ['pressed', e.digits];
  if (e.kind === 'answered_by') return ['answered_by', e.answeredBy];
  if (e.status === 'in-progress') return ['answered', ''];
  return [e.status, e.durationSeconds !== undefined ? `${e.durationSeconds} s` : ''];
}

/**
 * The transfer itself: the consumer holds in the lead's conference while each eligible partner in
 * turn is reserved, rung and whispered to; the first to press 1 joins the consumer and is charged.
 * Ends the lead delivered, or saying why nobody took the call.
 */
export async function transferInTurn(lead: LeadProgress, transfer: HotkeyTransfer, judgement: LeadJudgement): Promise<void> {
  const { consumerCallSid } = transfer.state;
  try {
    await holdConsumer({ leadId: lead.leadId, consumerCallSid: consumerCallSid! });
  } catch {
    transfer.state.status = 'exhausted';
    await transfer.step(undefined, 'consumer_gone', `call ${consumerCallSid} could not be put on hold`);
    return lead.setStatus('cancelled', `the consumer's call ${consumerCallSid} ended before the transfer`);
  }
  await transfer.step(undefined, 'holding', `consumer call ${consumerCallSid} holds in conference ${transfer.state.conference}`);
  const { candidates } = judgement.plan;
  if (candidates.length === 0) {
    transfer.state.status = 'exhausted';
    return lead.setStatus('no_eligible_partner', judgement.noCandidateReason ?? 'no eligible partner');
  }
  await lead.setStatus('delivering');
  for (const candidate of candidates) {
    if (await transferTo(lead, transfer, judgement, candidate)) {
      transfer.state.status = 'transferred';
      return lead.setStatus('delivered', `call taken by ${candidate.partnerName}`);
    }
  }
  transfer.state.status = 'exhausted';
  await lead.setStatus('declined_everywhere', `no partner took the call: ${lead.state.deliveries.map((d) => `${d.partnerName}: ${d.reason ?? d.status}`).join('; ')}`);
}

/** One partner: reserve, ring with the whisper, and charge on 1 or release on anything else. True when it took the call. */
async function transferTo(lead: LeadProgress, transfer: HotkeyTransfer, judgement: LeadJudgement, candidate: Candidate): Promise<boolean> {
  const route = judgement.routes[candidate.assignmentId]!;
  const delivery = lead.addDelivery(candidate, route.currency);
  const ids = { leadId: lead.leadId, partnerId: candidate.partnerId, reservationId: reservationIdFor(lead.leadId, candidate.partnerId), priceMinor: candidate.priceMinor };
  const ringSeconds = DEFAULT_RING_TIMEOUT_SECONDS;
  const limitSeconds = ringSeconds + WHISPER_SECONDS + CALLBACK_MARGIN_SECONDS;
  // A test lead reserves nothing and is charged nothing: its outcome is only recorded.
  const settle = (outcome: 'accepted' | 'declined' | 'failed', reason?: string) => CancellationScope.nonCancellable(() => (judgement.test
    ? settleTestDelivery({ leadId: lead.leadId, partnerId: candidate.partnerId, outcome, reason })
    : outcome === 'accepted' ? acceptDelivery(ids) : releaseDelivery({ ...ids, outcome, reason: reason ?? outcome })));

  const reservation = judgement.test ? { granted: true as const } : await CancellationScope.nonCancellable(() => reserveCapacity({
    leadId: lead.leadId, partnerId: candidate.partnerId, assignmentId: candidate.assignmentId, priceMinor: candidate.priceMinor,
    currency: route.currency, assignmentCaps: route.assignmentCaps, holdSeconds: limitSeconds + 60,
  }));
  if (!reservation.granted) {
    const reason = `${reservation.reason}: ${reservation.detail}`;
    await lead.moveDelivery(delivery, 'denied', reason);
    await transfer.step(candidate, 'denied', reason);
    return false;
  }
  await lead.moveDelivery(delivery, 'delivering');
  const dial = await dialTransferPartner({
    leadId: lead.leadId, partnerId: candidate.partnerId, assignmentId: candidate.assignmentId, priceMinor: candidate.priceMinor, currency: route.currency, ringTimeoutSeconds: ringSeconds,
  });
  if (!dial.dialled) {
    await settle('failed', dial.reason);
    await lead.moveDelivery(delivery, 'failed', dial.reason);
    await transfer.step(candidate, 'not_dialled', dial.reason);
    return false;
  }
  delivery.attempts = 1;
  await transfer.step(candidate, 'dialled', dial.to, dial.callSid);
  const verdict = await transfer.follow(candidate, dial.callSid, limitSeconds);
  if (verdict.taken) {
    await settle('accepted');
    await lead.moveDelivery(delivery, 'accepted');
    await transfer.step(candidate, 'taken', `joined ${transfer.state.conference}; charged ${candidate.priceMinor} (minor units)`, dial.callSid);
    return true;
  }
  if (verdict.givenUp) await hangUpCall({ callSid: dial.callSid });
  await settle(verdict.outcome, verdict.reason);
  await lead.moveDelivery(delivery, verdict.outcome, verdict.reason);
  await transfer.step(candidate, 'refused', `${verdict.reason}; hold released`, dial.callSid);
  return false;
}
