import { ApplicationFailure, CancellationScope, condition, isCancellation, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { LeadJudgement } from '../domain/lead-judgement';
import type { Candidate } from '../domain/referral-plan';
import { reservationIdFor } from '../domain/reservations';
import {
  callVerdict, conferenceNameFor, connectedSeconds, eventKey, hasEnded, transferConference, WHISPER_SECONDS,
  type CallVerdict, type TransferCallEvent, type TransferRequest, type TransferState,
} from '../domain/transfer';
import type { LeadProgress } from './lead-progress';
import { hasChange } from './lead-changes';

const {
  reserveCapacity, acceptDelivery, releaseDelivery, settleTestDelivery, holdConsumer, findConsumer, joinAgent, dialTransferPartner, hangUpCall, loadTransferSettings,
} = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});
const { recordLeadEvent: recordStepLocally } = proxyLocalActivities<LeadActivities>({ startToCloseTimeout: '10 seconds' });
// An ordinary activity: its place in the history is where the workflow scheduled it, whatever
// callbacks arrive while it runs. A local one's marker is not, and replays could then diverge.
const { recordLeadEvent: recordStep } = proxyActivities<LeadActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumInterval: '10 seconds' } });

/** Twilio's callbacks may lag; past the ring time, the whisper and this margin, the call is given up. */
const CALLBACK_MARGIN_SECONDS = 30;
const CALL_SID = /^CA[0-9a-f]{32}$/;
/** After pressing 1, a partner has this long to be reported in the conference before the call is given up. */
const JOIN_SECONDS = 30;

type ConferenceEvent = Extract<TransferCallEvent, { kind: 'conference' }>;
type CallEvent = Exclude<TransferCallEvent, ConferenceEvent>;

const refused = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * Transfers that reach a step before this marker record steps with local activities and time each
 * wake-up on its own timer, as they always did; both let a replay diverge from the live run.
 */
export const REPLAYABLE_STEPS_PATCH = 'transfer-replayable-steps';

/**
 * Transfers that follow a call before this marker judge it on every callback heard, even one that
 * arrived while the steps before it were being written: that callback never became a step.
 */
export const EVERY_STEP_PATCH = 'transfer-every-step';

/** How long a wait for Twilio's news may last, and the wait itself. */
interface Deadline {
  /** Resolves true once `news` holds, false once the deadline has passed without it. */
  wait(news: () => boolean): Promise<boolean>;
  cancel(): void;
}

/**
 * One timer for a whole wait, however many callbacks wake it. A timer per wake-up made the number of
 * timers depend on how callbacks interleave with the audit writes between them, which a replay may
 * order differently than the live run did: the history then no longer matched the code.
 */
function deadlineIn(ms: number): Deadline {
  if (!hasChange(REPLAYABLE_STEPS_PATCH)) {
    const end = Date.now() + ms;
    return { wait: async (news) => { const left = end - Date.now(); return left > 0 && condition(news, left); }, cancel: () => undefined };
  }
  let passed = ms <= 0;
  const timer = new CancellationScope();
  if (!passed) timer.run(() => sleep(ms)).then(() => { passed = true; }, () => undefined);
  return {
    wait: async (news) => { await condition(() => news() || passed); return news(); },
    cancel: () => timer.cancel(),
  };
}

/**
 * The agent's Transfer button and what Twilio tells us about each partner's call: the live steps the
 * agent watches, each also written to the lead's audit trail. A duplicate callback changes nothing.
 */
export class HotkeyTransfer {
  readonly state: TransferState;
  private readonly events = new Map<string, CallEvent[]>();
  /** The conference's joins, leaves and end, in the order Twilio reported them. */
  private readonly conferenceEvents: ConferenceEvent[] = [];
  private readonly heard = new Set<string>();
  /** How many of each call's events, and of the conference's, are already steps. */
  private readonly told = new Map<string, number>();
  private conferenceTold = 0;
  /** Partner calls by SID, so a conference event names the partner. */
  private readonly partnerCalls = new Map<string, Candidate>();
  /** Only a transfer lead (of this workflow version) waiting for its referral takes the Transfer button. */
  accepting = false;
  /** Leads started since transfer-v2: incoming calls' conferences, the agent's call, warm or cold, conference events. */
  conferences = false;
  /** The agent's call was moved into the conference. */
  agentJoined = false;

  constructor(private readonly lead: LeadProgress) {
    this.state = { status: 'waiting', conference: conferenceNameFor(lead.leadId), steps: [] };
  }

  get requested() { return this.state.status !== 'waiting'; }

  validate(req: TransferRequest): void {
    if (req?.conference !== undefined || req?.agentCallSid !== undefined || req?.mode !== undefined) {
      if (this.accepting && !this.conferences) throw refused('NoConferenceTransfer', 'this lead started before conference and warm transfers: give consumerCallSid only');
      if ((req.consumerCallSid === undefined) === (req.conference === undefined)) throw refused('BadTransfer', 'give either consumerCallSid or conference');
      if (req.agentCallSid !== undefined && !CALL_SID.test(req.agentCallSid)) throw refused('BadTransfer', 'agentCallSid must be a Twilio call SID: CA and 32 hex digits');
    }
    if (req?.conference === undefined && (typeof req?.consumerCallSid !== 'string' || !CALL_SID.test(req.consumerCallSid))) throw refused('BadTransfer', 'consumerCallSid must be a Twilio call SID: CA and 32 hex digits');
    if (!this.accepting) throw refused('NotTransfer', "this lead's type does not refer by telephone transfer");
    if (this.requested) throw refused('AlreadyTransferring', `the lead is already ${this.state.status}`);
    if (this.lead.state.status !== 'awaiting_referral') throw refused('NotWaiting', `lead is not waiting for a transfer (it is ${this.lead.state.status})`);
  }

  request(req: TransferRequest): TransferState {
    Object.assign(this.state, { status: 'transferring', consumerCallSid: req.consumerCallSid, requestedBy: req.requestedBy });
    if (this.conferences) {
      Object.assign(this.state, { conference: transferConference(this.lead.leadId, req), ...(req.agentCallSid ? { agentCallSid: req.agentCallSid, mode: req.mode ?? 'cold' } : {}) });
    }
    return this.state;
  }

  hear(event: TransferCallEvent): void {
    const key = eventKey(event);
    if (this.heard.has(key)) return;
    this.heard.add(key);
    if (event.kind === 'conference') this.conferenceEvents.push(event);
    else this.events.set(event.callSid, [...(this.events.get(event.callSid) ?? []), event]);
  }

  async step(who: Candidate | undefined, step: string, detail: string, callSid?: string): Promise<void> {
    const entry = { at: new Date().toISOString(), partnerId: who?.partnerId ?? '', partnerName: who?.partnerName ?? '', step, detail, ...(callSid ? { callSid } : {}) };
    this.state.steps.push(entry);
    await (hasChange(REPLAYABLE_STEPS_PATCH) ? recordStep : recordStepLocally)(this.lead.leadId, `transfer-step:${this.state.steps.length}`, {
      at: entry.at, type: `transfer_${step.replace(/-/g, '_')}`, summary: `${who ? `${who.partnerName}: ` : ''}${step}${detail ? ` (${detail})` : ''}`, detail: entry,
    });
  }

  /** True once the consumer's own call has ended, or they left the conference (or it ended): nobody is left to transfer. */
  get consumerGone() {
    return hasEnded(this.events.get(this.state.consumerCallSid ?? '') ?? [])
      || this.conferenceEvents.some((e) => e.event === 'conference-end' || (e.event === 'participant-leave' && e.callSid === this.state.consumerCallSid));
  }

  /** The agent joined and has not left (nor hung up). */
  get agentOnLine() {
    return this.agentJoined && !this.conferenceEvents.some((e) => e.event === 'participant-leave' && e.callSid === this.state.agentCallSid);
  }

  /** Twilio reported the call in the conference. */
  private joined(callSid: string) { return this.conferenceEvents.some((e) => e.event === 'participant-join' && e.callSid === callSid); }

  /** Records each callback about the call as a step until they reach a verdict, the consumer hangs up, or the call is given up. */
  async follow(who: Candidate, callSid: string, limitSeconds: number): Promise<CallVerdict & { hangUp?: true }> {
    this.partnerCalls.set(callSid, who);
    const deadline = deadlineIn(limitSeconds * 1000);
    try {
      for (;;) {
        await this.recordNews(who, callSid);
        const verdict = callVerdict(this.judgedOn(callSid));
        if (verdict) return verdict;
        if (this.consumerGone) return { taken: false, outcome: 'withdrawn', reason: 'the consumer hung up', hangUp: true };
        if (!(await this.news(callSid, deadline))) return { taken: false, outcome: 'failed', reason: `no word from Twilio within ${limitSeconds} s`, hangUp: true };
      }
    } finally {
      deadline.cancel();
    }
  }

  /** After a partner pressed 1: true once the call has stayed connected for `seconds`; false when it ended sooner. */
  async stayConnected(who: Candidate, callSid: string, seconds: number): Promise<boolean> {
    const deadline = deadlineIn(seconds * 1000);
    try {
      for (;;) {
        await this.recordNews(who, callSid);
        if (hasEnded(this.judgedOn(callSid))) return false;
        // The consumer leaving ends the conference, and with it this call: its own callback says so.
        if (!(await this.news(callSid, deadline, false))) return true;
      }
    } finally {
      deadline.cancel();
    }
  }

  /**
   * After a partner pressed 1: waits for Twilio to report them in the conference, which starts the billable
   * clock. Says why not otherwise: their call ended, the consumer left, or no join came in time.
   */
  async joinConference(who: Candidate, callSid: string, seconds: number): Promise<'joined' | 'ended' | 'consumer_gone' | 'timed_out'> {
    const deadline = deadlineIn(seconds * 1000);
    try {
      for (;;) {
        await this.recordNews(who, callSid);
        if (this.joined(callSid)) return 'joined';
        if (hasEnded(this.events.get(callSid) ?? [])) return 'ended';
        if (this.consumerGone) return 'consumer_gone';
        if (!(await this.news(callSid, deadline))) return 'timed_out';
      }
    } finally {
      deadline.cancel();
    }
  }

  connectedSeconds(callSid: string) { return connectedSeconds(this.events.get(callSid) ?? []); }

  /** The call's callbacks to judge it on: those already steps, so the trail shows whatever decided it. */
  private judgedOn(callSid: string): CallEvent[] {
    const events = this.events.get(callSid) ?? [];
    return hasChange(EVERY_STEP_PATCH) ? events.slice(0, this.told.get(callSid) ?? 0) : events;
  }

  /** Waits until the deadline for a callback about the call or the conference (or, if asked, the consumer's hang-up): false when none came. */
  private news(callSid: string, deadline: Deadline, orConsumerGone = true): Promise<boolean> {
    const seen = this.told.get(callSid) ?? 0;
    return deadline.wait(() => (this.events.get(callSid)?.length ?? 0) > seen || this.conferenceEvents.length > this.conferenceTold || (orConsumerGone && this.consumerGone));
  }

  private async recordNews(who: Candidate, callSid: string): Promise<void> {
    // Read afresh each time: a callback may arrive while a step is being written.
    for (let i = this.told.get(callSid) ?? 0; i < (this.events.get(callSid)?.length ?? 0); i++) {
      this.told.set(callSid, i + 1);
      await this.step(who, ...describe(this.events.get(callSid)![i]!), callSid);
    }
    await this.recordConference();
  }

  /** Each join, leave and end of the conference not yet a step, naming who came or went. */
  async recordConference(): Promise<void> {
    while (this.conferenceTold < this.conferenceEvents.length) {
      const e = this.conferenceEvents[this.conferenceTold++]!;
      const partner = this.partnerCalls.get(e.callSid);
      const who = e.callSid === this.state.consumerCallSid ? 'the consumer' : e.callSid === this.state.agentCallSid ? 'the agent' : partner ? 'the partner' : 'a caller';
      if (e.event === 'conference-end') await this.step(undefined, 'conference_ended', `conference ${e.conference} ended`);
      else await this.step(partner, e.event === 'participant-join' ? 'joined' : 'left', `${who} ${e.event === 'participant-join' ? 'joined' : 'left'} ${e.conference}`, e.callSid);
    }
  }
}

function describe(e: CallEvent): [string, string] {
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
  if (!(await consumerHolds(lead, transfer))) return;
  const { consumerCallSid, agentCallSid, conference } = transfer.state;
  await transfer.step(undefined, 'holding', `consumer call ${consumerCallSid} holds in conference ${conference}`);
  if (agentCallSid) {
    const joined = (transfer.agentJoined = await joinAgent({ conference, agentCallSid }));
    await transfer.step(undefined, joined ? 'agent_joined' : 'agent_gone', `agent call ${agentCallSid} ${joined ? `joins ${conference}` : 'has ended'}`, agentCallSid);
  }
  const { candidates } = judgement.plan;
  if (candidates.length === 0) {
    transfer.state.status = 'exhausted';
    return lead.setStatus('no_eligible_partner', judgement.noCandidateReason ?? 'no eligible partner');
  }
  await lead.setStatus('delivering');
  for (const candidate of candidates) {
    if (await transferTo(lead, transfer, judgement, candidate)) {
      transfer.state.status = 'transferred';
      await transfer.recordConference();
      return lead.setStatus('delivered', `call taken by ${candidate.partnerName}`);
    }
    if (transfer.consumerGone) {
      await transfer.recordConference();
      transfer.state.status = 'abandoned';
      await transfer.step(undefined, 'consumer_hung_up', `call ${consumerCallSid}; every hold released`);
      return lead.setStatus('cancelled', 'the consumer hung up during the transfer');
    }
  }
  transfer.state.status = 'exhausted';
  await lead.setStatus('declined_everywhere', `no partner took the call: ${lead.state.deliveries.map((d) => `${d.partnerName}: ${d.reason ?? d.status}`).join('; ')}`);
}

/**
 * The consumer waits in the conference: their call moved into the lead's own, or found in the one they
 * already wait in. False, the lead cancelled, when they are gone.
 */
async function consumerHolds(lead: LeadProgress, transfer: HotkeyTransfer): Promise<boolean> {
  const { consumerCallSid, conference, agentCallSid } = transfer.state;
  if (!consumerCallSid) {
    const found = await findConsumer({ conference, agentCallSid });
    if (found) transfer.state.consumerCallSid = found.consumerCallSid;
    else {
      transfer.state.status = 'abandoned';
      await transfer.step(undefined, 'consumer_gone', `nobody waits in conference ${conference}`);
      await lead.setStatus('cancelled', `the consumer had left conference ${conference} before the transfer`);
    }
    return found !== undefined;
  }
  try {
    await holdConsumer({ leadId: lead.leadId, consumerCallSid });
    return true;
  } catch (err) {
    if (isCancellation(err)) throw err;
    transfer.state.status = 'abandoned';
    await transfer.step(undefined, 'consumer_gone', `call ${consumerCallSid} could not be put on hold`);
    await lead.setStatus('cancelled', `the consumer's call ${consumerCallSid} ended before the transfer`);
    return false;
  }
}

/**
 * One partner: reserve, ring with the whisper, and on 1 charge the locked price once the call has
 * stayed connected for the partner's billable minimum; release on anything else. True when charged.
 */
async function transferTo(lead: LeadProgress, transfer: HotkeyTransfer, judgement: LeadJudgement, candidate: Candidate): Promise<boolean> {
  const route = judgement.routes[candidate.assignmentId]!;
  const delivery = lead.addDelivery(candidate, route.currency);
  const ids = { leadId: lead.leadId, partnerId: candidate.partnerId, reservationId: reservationIdFor(lead.leadId, candidate.partnerId), priceMinor: candidate.priceMinor };
  const { ringTimeoutSeconds, minBillableSeconds } = await loadTransferSettings({ partnerId: candidate.partnerId });
  const limitSeconds = ringTimeoutSeconds + WHISPER_SECONDS + CALLBACK_MARGIN_SECONDS;
  // A test lead reserves nothing and is charged nothing: its outcome is only recorded.
  const settle = (outcome: 'accepted' | 'declined' | 'failed' | 'withdrawn', reason?: string) => CancellationScope.nonCancellable(() => (judgement.test
    ? settleTestDelivery({ leadId: lead.leadId, partnerId: candidate.partnerId, outcome, reason })
    : outcome === 'accepted' ? acceptDelivery(ids) : releaseDelivery({ ...ids, outcome, reason: reason ?? outcome })));
  const refuse = async (outcome: 'declined' | 'failed' | 'withdrawn', reason: string, callSid?: string) => {
    await settle(outcome, reason);
    await lead.moveDelivery(delivery, outcome, reason);
    await transfer.step(candidate, 'refused', `${reason}; hold released`, callSid);
    return false;
  };

  const reservation = judgement.test ? { granted: true as const } : await CancellationScope.nonCancellable(() => reserveCapacity({
    leadId: lead.leadId, partnerId: candidate.partnerId, assignmentId: candidate.assignmentId, priceMinor: candidate.priceMinor,
    currency: route.currency, assignmentCaps: route.assignmentCaps, holdSeconds: limitSeconds + minBillableSeconds + 60,
  }));
  if (!reservation.granted) {
    const reason = `${reservation.reason}: ${reservation.detail}`;
    await lead.moveDelivery(delivery, 'denied', reason);
    await transfer.step(candidate, 'denied', reason);
    return false;
  }
  let callSid: string | undefined;
  try {
    if (transfer.consumerGone) return await refuse('withdrawn', 'the consumer hung up');
    await lead.moveDelivery(delivery, 'delivering');
    // Not cancellable: a dial cut short could still ring the partner, on a call nobody follows.
    const dial = await CancellationScope.nonCancellable(() => dialTransferPartner({
      leadId: lead.leadId, partnerId: candidate.partnerId, assignmentId: candidate.assignmentId, priceMinor: candidate.priceMinor, currency: route.currency, ringTimeoutSeconds,
    }));
    if (!dial.dialled) return await refuse('failed', dial.reason);
    callSid = dial.callSid;
    delivery.attempts = 1;
    await transfer.step(candidate, 'dialled', dial.to, callSid);
    const verdict = await transfer.follow(candidate, callSid, limitSeconds);
    if (!verdict.taken) {
      if (verdict.hangUp) await hangUpCall({ callSid });
      return await refuse(verdict.outcome, verdict.reason, callSid);
    }
    if (transfer.conferences) {
      const joined = await transfer.joinConference(candidate, callSid, JOIN_SECONDS);
      if (joined !== 'joined') {
        if (joined !== 'ended') await hangUpCall({ callSid });
        return await refuse(joined === 'consumer_gone' ? 'withdrawn' : 'failed', JOIN_FAILURES[joined], callSid);
      }
      await dropAgentIfCold(transfer);
    }
    await transfer.step(candidate, 'connected', `joined ${transfer.state.conference}; charged after ${minBillableSeconds} s connected`, callSid);
    if (!(await transfer.stayConnected(candidate, callSid, minBillableSeconds))) {
      return await refuse('declined', `connected ${transfer.connectedSeconds(callSid)} s, under the ${minBillableSeconds} s billable minimum`, callSid);
    }
    await settle('accepted');
    await lead.moveDelivery(delivery, 'accepted');
    await transfer.step(candidate, 'charged', `${candidate.priceMinor} (minor units) after ${minBillableSeconds} s connected`, callSid);
    return true;
  } catch (err) {
    // The lead was cancelled, or an activity gave up: the partner's phone stops ringing and its hold is released.
    const cancelled = isCancellation(err);
    if (cancelled) transfer.state.status = 'cancelled';
    await CancellationScope.nonCancellable(async () => {
      if (callSid) await hangUpCall({ callSid });
      await refuse(cancelled ? 'withdrawn' : 'failed', cancelled ? `lead cancelled: ${lead.cancellation?.reason ?? 'cancelled'}` : (err as Error).message, callSid);
    });
    if (cancelled) throw err;
    return false;
  }
}

const JOIN_FAILURES = {
  ended: 'pressed 1 but the call ended before joining the conference',
  consumer_gone: 'the consumer hung up',
  timed_out: `pressed 1 but was not in the conference within ${JOIN_SECONDS} s`,
} as const;

/** A cold transfer: the partner is with the consumer, so the agent's call is ended. A warm one leaves the agent to hang up. */
async function dropAgentIfCold(transfer: HotkeyTransfer): Promise<void> {
  const { agentCallSid, mode } = transfer.state;
  if (!agentCallSid || mode !== 'cold' || !transfer.agentOnLine) return;
  await hangUpCall({ callSid: agentCallSid });
  await transfer.step(undefined, 'agent_dropped', `cold transfer: agent call ${agentCallSid} ended once the partner joined`, agentCallSid);
}
