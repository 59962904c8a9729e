import type { ReserveRequest, ReserveResult } from '../domain/reservations';
import type { AttemptRecord } from './delivery/attempt';
import type { CapacityCalls } from './capacity';
import type { DeliverInput, deliveryActivities } from './deliveries';

type AcceptInput = Parameters<ReturnType<typeof deliveryActivities>['acceptDelivery']>[0];

export interface OfferLeadInput {
  reserve: ReserveRequest;
  deliver: DeliverInput;
  /** The partner takes the lead by receiving it (no acceptance window, or charged on delivery). */
  takenOnDelivery: boolean;
  /** What charging the lead takes, should the partner take it on that first attempt. */
  accept: AcceptInput;
}

export interface OfferLeadResult {
  reservation: ReserveResult;
  /** The first delivery attempt, when the hold was granted. */
  attempt?: AttemptRecord;
  /** Charged at the locked price: the partner took the lead on that first attempt. */
  accepted: boolean;
}

/**
 * The common offer in one activity: hold the partner's capacity, make the first delivery attempt
 * and, when the partner takes the lead by receiving it, charge it. Each step is idempotent on its
 * own (the hold and the charge by reservation id, the attempt by its webhook id), so a retried
 * activity finds what it already did. Every later step (retries, waiting for an answer, release)
 * stays in the workflow, where it was.
 */
export function offerActivities(calls: CapacityCalls, deliveries: ReturnType<typeof deliveryActivities>) {
  return {
    async offerLead(input: OfferLeadInput): Promise<OfferLeadResult> {
      const reservation = await calls.reserve(input.reserve);
      if (!reservation.granted) {
        await calls.keepAnswer(input.reserve, reservation);
        return { reservation, accepted: false };
      }
      // The hold's bookkeeping needn't keep the partner waiting for the lead, but it is done before the activity
      // ends either way, so a release that follows a failed delivery always finds the hold row to remove.
      const [delivered, kept] = await Promise.allSettled([deliveries.deliverLead(input.deliver), calls.keepAnswer(input.reserve, reservation)]);
      if (kept.status === 'rejected') throw kept.reason;
      if (delivered.status === 'rejected') throw delivered.reason;
      const attempt = delivered.value;
      const answer = attempt.decision?.decision;
      const accepted = attempt.ok && answer !== 'decline' && (answer === 'accept' || input.takenOnDelivery);
      if (accepted) await deliveries.acceptDelivery(input.accept);
      return { reservation, attempt, accepted };
    },
  };
}
