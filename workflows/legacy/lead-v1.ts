import { condition, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { LeadActivities } from '../../activities';
import type { RoutingSnapshot } from '../../activities/routing';
import type { Candidate, ReferralPlan } from '../../domain/referral-plan';
import { whyNotEligible } from '../../domain/referral-plan';
import type { Decision, DeliveryState, LeadState, LeadStatus } from '../../domain/lead-state';
import { LeadStatusAttribute, PartnerIdsAttribute } from '../../domain/search-attributes';
import { leadStateQuery, referUpdate, respondUpdate, type ReferInput } from '../messages';

const { snapshotRouting, reserveCapacity, settleDelivery, recordLeadStatus } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});


/** The first retry waits this long; each later one twice as long, up to a minute. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * The lead workflow as it ran before the lifecycle rework (see workflows/lead.ts): leads started on
 * it finish on it. Frozen: delete it once no lead started before the rework is still running.
 */
export async function leadWorkflowV1({ leadId }: { leadId: string }): Promise<LeadState> {
  const state: LeadState = { leadId, status: 'received', deliveries: [] };
  const decisions = new Map<string, { decision: Decision; reason?: string }>();
  let referral: ReferInput | undefined;
  let snapshot: RoutingSnapshot | undefined;

  setHandler(leadStateQuery, () => state);
  setHandler(
    referUpdate,
    (input) => {
      referral = input;
      const plan = planFor(snapshot!, input);
      return { partners: plan.candidates.map((c) => c.partnerName) };
    },
    {
      validator: (input) => {
        if (state.status !== 'awaiting_referral') throw new Error(`lead is not waiting for a referral (it is ${state.status})`);
        if (referral) throw new Error('lead has already been referred');
        if (input.partnerId) {
          const why = whyNotEligible(snapshot!.eligibility, input.partnerId);
          if (why) throw new Error(`partner ${input.partnerId} is not eligible: ${why}`);
        } else if (snapshot!.plan.candidates.length === 0) {
          throw new Error('no partner is eligible for this lead');
        }
      },
    },
  );
  setHandler(
    respondUpdate,
    ({ partnerId, decision, reason }) => {
      decisions.set(partnerId, { decision, reason });
      return { status: decision === 'accept' ? 'accepted' : 'declined' };
    },
    {
      validator: ({ partnerId }) => {
        const delivery = state.deliveries.find((d) => d.partnerId === partnerId);
        if (!delivery) throw new Error('this lead was not delivered to this partner');
        if (delivery.status !== 'awaiting_response' || decisions.has(partnerId)) throw new Error(`too late to respond: the delivery is ${delivery.status}`);
      },
    },
  );

  const setStatus = (status: LeadStatus, reason?: string) => {
    state.status = status;
    state.reason = reason;
    upsertSearchAttributes([{ key: LeadStatusAttribute, value: status }]);
  };

  snapshot = await snapshotRouting(leadId);
  setStatus('routing');

  let plan = snapshot.plan;
  if (snapshot.referralMethod !== 'immediate') {
    // Appointment setting and telephone transfer will drive this wait themselves; until they exist
    // an agent refers those leads by hand, exactly like manual ones.
    setStatus('awaiting_referral');
    await recordLeadStatus(leadId, 'awaiting_referral');
    await condition(() => referral !== undefined);
    plan = planFor(snapshot, referral!);
  }

  if (plan.candidates.length === 0) {
    setStatus('no_eligible_partner', noCandidateReason(snapshot));
  } else {
    setStatus('delivering');
    const accepted = await offerInTurn(plan, (candidate) => offer(candidate, snapshot!));
    const denied = state.deliveries.every((d) => d.status === 'denied');
    if (accepted > 0) setStatus('delivered', `accepted by ${state.deliveries.filter((d) => d.status === 'accepted').map((d) => d.partnerName).join(', ')}`);
    else if (denied) setStatus('no_eligible_partner', `every eligible partner refused capacity: ${state.deliveries.map((d) => `${d.partnerName} (${d.reason})`).join('; ')}`);
    else setStatus('declined_everywhere', state.deliveries.map((d) => `${d.partnerName}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`).join('; '));
  }
  await recordLeadStatus(leadId, state.status, state.reason);
  return state;

  /** Reserve, deliver, await the answer, settle. True when the partner ends up with the lead. */
  async function offer(candidate: Candidate, snap: RoutingSnapshot): Promise<boolean> {
    const route = snap.routes[candidate.assignmentId]!;
    const window = snap.acceptanceWindowSeconds;
    const delivery: DeliveryState = {
      partnerId: candidate.partnerId,
      partnerName: candidate.partnerName,
      assignmentId: candidate.assignmentId,
      status: 'reserving',
      priceMinor: candidate.priceMinor,
      currency: route.currency,
      attempts: 0,
    };
    state.deliveries.push(delivery);

    const holdSeconds = Math.ceil((route.maxAttempts * route.attemptTimeoutMs + backoffTotal(route.maxAttempts)) / 1000) + (window ?? 0) + 60;
    const reservation = await reserveCapacity({
      leadId, partnerId: candidate.partnerId, assignmentId: candidate.assignmentId,
      priceMinor: candidate.priceMinor, currency: route.currency, assignmentCaps: route.assignmentCaps, holdSeconds,
    });
    if (!reservation.granted) {
      delivery.status = 'denied';
      delivery.reason = `${reservation.reason}${reservation.window ? ` (${reservation.window} cap)` : ''}: ${reservation.detail}`;
      return false;
    }
    const settle = async (outcome: 'accepted' | 'declined' | 'expired' | 'failed', reason?: string) => {
      const settled = await settleDelivery({ leadId, partnerId: candidate.partnerId, reservationId: reservation.reservationId, priceMinor: delivery.priceMinor, outcome, reason });
      delivery.status = settled.outcome;
      delivery.reason = settled.reason;
      return settled.outcome === 'accepted';
    };

    delivery.status = 'delivering';
    const { deliverLead } = proxyActivities<LeadActivities>({
      startToCloseTimeout: route.attemptTimeoutMs,
      retry: { maximumAttempts: 3, initialInterval: '1 second' },
    });
    let answer: { decision: Decision; reason?: string } | undefined;
    for (let attempt = 1; ; attempt++) {
      delivery.attempts = attempt;
      const result = await deliverLead({ leadId, partnerId: candidate.partnerId, assignmentId: candidate.assignmentId, attempt, priceMinor: delivery.priceMinor, currency: route.currency, awaitsResponse: window !== null });
      if (result.ok) {
        answer = result.decision;
        break;
      }
      if (attempt >= route.maxAttempts) return settle('failed', `${attempt} attempts failed; last: ${result.error}`);
      await sleep(backoff(attempt));
    }

    if (!answer && window !== null) {
      delivery.status = 'awaiting_response';
      delivery.respondBy = new Date(Date.now() + window * 1000).toISOString();
      if (await condition(() => decisions.has(candidate.partnerId), window * 1000)) answer = decisions.get(candidate.partnerId);
      else return settle('expired', `no answer within ${window} s`);
    }
    if (answer?.decision === 'decline') return settle('declined', answer.reason);
    const accepted = await settle('accepted');
    upsertSearchAttributes([{ key: PartnerIdsAttribute, value: state.deliveries.filter((d) => d.status === 'accepted').map((d) => d.partnerId) }]);
    return accepted;
  }
}

/** A named partner narrows the plan to that partner; otherwise the snapshot's plan stands. */
function planFor(snapshot: RoutingSnapshot, referral: ReferInput): ReferralPlan {
  if (!referral.partnerId) return snapshot.plan;
  const named = snapshot.plan.candidates.filter((c) => c.partnerId === referral.partnerId);
  return { ...snapshot.plan, target: 1, candidates: named };
}

/**
 * Offers the lead to candidates best first, keeping up to `target` offers open at once and
 * replacing each refusal with the next candidate: a waterfall for first match (target 1), a
 * bounded fan-out for send to all.
 */
async function offerInTurn(plan: ReferralPlan, offer: (c: Candidate) => Promise<boolean>): Promise<number> {
  const queue = [...plan.candidates];
  const open = new Set<Promise<void>>();
  let accepted = 0;
  for (;;) {
    while (accepted + open.size < plan.target && queue.length > 0) {
      const candidate = queue.shift()!;
      const running: Promise<void> = offer(candidate).then((ok) => {
        if (ok) accepted++;
        open.delete(running);
      });
      open.add(running);
    }
    if (open.size === 0) return accepted;
    await Promise.race(open);
  }
}

function noCandidateReason(snapshot: RoutingSnapshot): string {
  const { profiles } = snapshot.eligibility;
  if (profiles.length === 0) return `no enabled distribution profile for lead type ${snapshot.lead.leadType}`;
  if (!profiles.some((p) => p.profileRules.passed)) return 'the lead matches no profile rules';
  return 'no partner passed every criterion; see the eligibility record';
}

const backoff = (attempt: number) => Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
const backoffTotal = (attempts: number) => Array.from({ length: attempts }, (_, i) => backoff(i + 1)).reduce((a, b) => a + b, 0);
