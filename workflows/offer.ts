import { CancellationScope, condition, isCancellation, log, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { OfferLeadInput } from '../activities/offer-lead';
import type { AttemptRecord } from '../activities/delivery/attempt';
import type { LeadJudgement, PartnerRoute } from '../domain/lead-judgement';
import type { Candidate } from '../domain/referral-plan';
import type { Decision, DeliveryState } from '../domain/lead-state';
import { reservationIdFor } from '../domain/reservations';
import type { LeadProgress } from './lead-progress';
import { hasChange } from './lead-changes';

const { reserveCapacity, acceptDelivery, releaseDelivery, settleTestDelivery } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});
// A partner's endpoint may be down: telling it the lead was withdrawn is tried a few times, not forever.
const { notifyWithdrawn } = proxyActivities<LeadActivities>({ startToCloseTimeout: '60 seconds', retry: { maximumAttempts: 5 } });
const { recordRespondBy } = proxyLocalActivities<LeadActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * Leads started before this marker judge in an ordinary activity, and reserve, deliver and charge
 * in three (see activities/offer-lead.ts): a dozen more events and three more server round trips.
 */
export const LEAD_FAST_PATH_PATCH = 'lead-fast-path';
/**
 * Leads started before this marker make that offer in an activity of its own; after it, in a local
 * activity, so the common lead is judged, offered and finished in one workflow task: no activity task
 * and no second workflow task on the server. Run again after a worker died, that task judges again
 * and gets back the judgement already made (activities/routing.ts), so the offer goes where it went.
 */
export const OFFER_IN_TASK_PATCH = 'offer-in-task';

/** The first retry waits this long; each later one twice as long, up to a minute. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
const backoff = (attempt: number) => Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);

/**
 * The hold covers every delivery attempt and the acceptance window, with a margin: the lead
 * workflow settles it (commit or release) before it can lapse. The partner workflow refuses a hold
 * longer than it allows, which fails this offer only.
 */
const holdSeconds = (route: PartnerRoute, windowSeconds: number | null) => {
  const deliveryMs = Array.from({ length: route.maxAttempts }, (_, i) => route.attemptTimeoutMs + backoff(i + 1)).reduce((a, b) => a + b, 0);
  return Math.ceil(deliveryMs / 1000) + (windowSeconds ?? 0) + 60;
};

/**
 * Offers the lead to one partner: reserve its capacity, deliver (retrying with backoff), wait for its
 * answer within the acceptance window, then charge the locked price or release the hold. Whatever
 * the partner, its endpoint or one activity does, it fails this offer only: true when the partner
 * ends up with the lead. A cancellation releases the hold and tells a partner already holding the lead.
 */
export async function offer(lead: LeadProgress, judgement: LeadJudgement, candidate: Candidate): Promise<boolean> {
  const route = judgement.routes[candidate.assignmentId]!;
  const window = judgement.acceptanceWindowSeconds;
  const delivery = lead.addDelivery(candidate, route.currency);
  const ids = { leadId: lead.leadId, partnerId: candidate.partnerId, reservationId: reservationIdFor(lead.leadId, candidate.partnerId), priceMinor: candidate.priceMinor };
  const accept = { ...ids, appointmentCharge: route.appointmentCharge, assignmentId: candidate.assignmentId };
  let holding = false;
  // A test lead reserves nothing and is charged nothing: its outcome is only recorded.
  const settle = (outcome: 'accepted' | 'declined' | 'expired' | 'failed' | 'withdrawn', reason?: string) =>
    judgement.test ? settleTestDelivery({ leadId: lead.leadId, partnerId: candidate.partnerId, outcome, reason })
      : outcome === 'accepted' ? acceptDelivery(accept) : releaseDelivery({ ...ids, outcome, reason: reason ?? outcome });
  const release = async (outcome: 'declined' | 'expired' | 'failed' | 'withdrawn', reason: string) => {
    await CancellationScope.nonCancellable(() => settle(outcome, reason));
    holding = false;
    await lead.moveDelivery(delivery, outcome, reason);
  };

  const reserve = {
    leadId: lead.leadId, partnerId: candidate.partnerId, assignmentId: candidate.assignmentId, priceMinor: candidate.priceMinor,
    currency: route.currency, assignmentCaps: route.assignmentCaps, holdSeconds: holdSeconds(route, window),
  };
  const takenOnDelivery = window === null || route.chargeOn === 'delivery';
  let first: Awaited<ReturnType<typeof offerLead>> | undefined;

  try {
    await lead.refreshLiveStatus();
    let reservation: { granted: true } | Awaited<ReturnType<typeof reserveCapacity>>;
    if (judgement.test) reservation = { granted: true };
    else if (hasChange(LEAD_FAST_PATH_PATCH)) {
      // Whether the hold was granted is unknown until the activity answers: a failure releases it.
      holding = true;
      const inTask = hasChange(OFFER_IN_TASK_PATCH);
      first = await CancellationScope.nonCancellable(() => offerLead(route, inTask, {
        reserve, accept, takenOnDelivery, deliver: deliverInput(lead, delivery, 1, window !== null),
      }));
      ({ reservation } = first);
    } else {
      // Not cancellable: a reserve cut short could still land, leaving a hold nobody releases.
      reservation = await CancellationScope.nonCancellable(() => reserveCapacity(reserve));
    }
    if (!reservation.granted) {
      holding = false;
      await lead.moveDelivery(delivery, 'denied', `${reservation.reason}${reservation.window ? ` (${reservation.window} cap)` : ''}: ${reservation.detail}`);
      return false;
    }
    holding = true;
    await lead.moveDelivery(delivery, 'delivering');

    const delivered = await deliver(lead, delivery, route, window !== null, first?.attempt);
    if (!delivered.ok) {
      await release('failed', delivered.reason);
      return false;
    }
    let answer = delivered.answer;
    // Charged on delivery (FLG's "when to add the charge"): the partner has taken the lead by having it.
    if (!answer && !takenOnDelivery) {
      delivery.respondBy = new Date(Date.now() + window * 1000).toISOString();
      await recordRespondBy({ leadId: lead.leadId, partnerId: candidate.partnerId, respondBy: delivery.respondBy });
      await lead.moveDelivery(delivery, 'awaiting_response');
      if (!(await condition(() => lead.answerOf(candidate.partnerId) !== undefined, window * 1000))) {
        await release('expired', `no answer within ${window} s`);
        return false;
      }
      answer = lead.answerOf(candidate.partnerId);
    }
    if (answer?.decision === 'decline') {
      await release('declined', answer.reason ?? 'declined');
      return false;
    }
    if (!first?.accepted) await CancellationScope.nonCancellable(() => settle('accepted'));
    holding = false;
    await lead.moveDelivery(delivery, 'accepted');
    return true;
  } catch (err) {
    if (isCancellation(err)) {
      if (holding) {
        // A partner may hold the lead from the first attempt on; it is told the lead is gone.
        const told = delivery.attempts > 0;
        await release('withdrawn', `lead cancelled: ${lead.cancellation?.reason ?? 'cancelled'}`);
        if (told) await tellWithdrawn(lead, candidate.partnerId);
      }
      throw err;
    }
    const reason = rootCause(err);
    if (holding) await release('failed', reason);
    else await lead.moveDelivery(delivery, 'failed', reason);
    return false;
  }
}

const deliverInput = (lead: LeadProgress, delivery: DeliveryState, attempt: number, awaitsResponse: boolean) => ({
  leadId: lead.leadId, partnerId: delivery.partnerId, assignmentId: delivery.assignmentId, attempt, priceMinor: delivery.priceMinor, currency: delivery.currency, awaitsResponse,
});

/**
 * Reserve, first attempt and, when the partner takes the lead by receiving it, the charge; retried as
 * a delivery attempt is. The hold and the charge take well under a second, so a margin of 10 s over
 * the attempt keeps a crashed worker's offer from waiting long to be retried.
 */
const offerLead = (route: PartnerRoute, inTask: boolean, input: OfferLeadInput) => {
  const options = { startToCloseTimeout: route.attemptTimeoutMs + 10_000, retry: { maximumAttempts: 3, initialInterval: '1 second' } };
  return (inTask ? proxyLocalActivities<LeadActivities>(options) : proxyActivities<LeadActivities>(options)).offerLead(input);
};

/**
 * Delivery attempts with backoff; a partner's refusal or silence is a result, and the history keeps
 * each one. `first` is the attempt the offer already made with its reservation.
 */
async function deliver(lead: LeadProgress, delivery: DeliveryState, route: PartnerRoute, awaitsResponse: boolean, first?: AttemptRecord): Promise<{ ok: true; answer?: { decision: Decision; reason?: string } } | { ok: false; reason: string }> {
  const { deliverLead } = proxyActivities<LeadActivities>({ startToCloseTimeout: route.attemptTimeoutMs, retry: { maximumAttempts: 3, initialInterval: '1 second' } });
  for (let attempt = 1; ; attempt++) {
    delivery.attempts = attempt;
    const result = attempt === 1 && first ? first : await deliverLead(deliverInput(lead, delivery, attempt, awaitsResponse));
    if (result.ok) return { ok: true, answer: result.decision };
    if (attempt >= route.maxAttempts) return { ok: false, reason: `${attempt} attempts failed; last: ${result.error}` };
    await sleep(backoff(attempt));
  }
}

async function tellWithdrawn(lead: LeadProgress, partnerId: string): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() => notifyWithdrawn({ leadId: lead.leadId, partnerId, reason: lead.cancellation?.reason ?? 'cancelled' }));
  } catch (err) {
    log.warn('partner not told of the withdrawal', { partnerId, error: (err as Error).message });
  }
}

/** An activity failure's own words, not the wrapper's "Activity task failed". */
function rootCause(err: unknown): string {
  let e = err as Error & { cause?: unknown };
  while (e.cause instanceof Error) e = e.cause as Error & { cause?: unknown };
  return e.message;
}
