import {
  allHandlersFinished, CancellationScope, condition, isCancellation, proxyActivities, proxyLocalActivities, setHandler,
} from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { LeadJudgement } from '../domain/lead-judgement';
import type { ReferralPlan } from '../domain/referral-plan';
import type { LeadState } from '../domain/lead-state';
import { leadWorkflowV1 } from './legacy/lead-v1';
import { LeadProgress } from './lead-progress';
import { ManualReferral } from './manual-referral';
import { cancelUpdate, leadStateQuery, referUpdate, respondUpdate } from './messages';
import { LEAD_FAST_PATH_PATCH, OFFER_IN_TASK_PATCH, offer } from './offer';
import { offerInTurn } from './offer-in-turn';
import { EVERY_STEP_PATCH, HotkeyTransfer, REPLAYABLE_STEPS_PATCH, transferInTurn } from './hotkey-transfer';
import { hasChange, startWith } from './lead-changes';
import { transferCallSignal, transferStateQuery, transferUpdate } from './transfer-messages';
import { callOffRefused, startAppointments, type StartedAppointment } from './appointment';
import { AppointmentBookings, takeBookings } from './appointment-bookings';

const judging = { startToCloseTimeout: '60 seconds', retry: { maximumInterval: '30 seconds' } } as const;
const { judgeLead } = proxyActivities<LeadActivities>(judging);
// Judging reads the configuration and writes only our own tables (the report, the audit entry).
const { judgeLead: judgeLeadLocally } = proxyLocalActivities<LeadActivities>(judging);
// Writes to our own tables only: local, so they cost the server no task round trip.
const { recordLeadStatus, recordLeadEvent } = proxyLocalActivities<LeadActivities>({ startToCloseTimeout: '10 seconds' });

export interface LeadWorkflowInput { leadId: string }

/** Leads started before this marker run workflows/legacy/lead-v1.ts to the end. */
export const LIFECYCLE_PATCH = 'lead-lifecycle-v2';
/** Transfer leads started before this marker wait for a manual referral, as they always did. */
export const TRANSFER_PATCH = 'transfer-v1';
/** Transfer leads started before this marker take only the consumer's call, with no agent leg or conference events. */
export const TRANSFER_CONFERENCE_PATCH = 'transfer-v2';
/** Appointment leads started before this marker get no appointment workflow (no reminders). */
export const APPOINTMENT_PATCH = 'appointment-v1';
/** Appointment leads started before this marker keep the appointment of a partner that did not take the lead. */
export const APPOINTMENT_CALL_OFF_PATCH = 'appointment-call-off';
/** Appointment leads started before this marker book one appointment, as a manual referral, whatever their referral scope. */
export const APPOINTMENT_SCOPE_PATCH = 'appointment-scope-n';
/** Leads started before this marker record the status their arrival judgement moves them to in a local activity of its own. */
export const ARRIVAL_STATUS_PATCH = 'arrival-status';

/** Every change a lead started as leadWorkflowV3 has from its first event, with no marker (see lead-changes.ts). */
export const V3_CHANGES: ReadonlySet<string> = new Set([
  LIFECYCLE_PATCH, LEAD_FAST_PATH_PATCH, TRANSFER_PATCH, TRANSFER_CONFERENCE_PATCH, APPOINTMENT_PATCH, APPOINTMENT_CALL_OFF_PATCH,
  APPOINTMENT_SCOPE_PATCH, ARRIVAL_STATUS_PATCH, REPLAYABLE_STEPS_PATCH, EVERY_STEP_PATCH,
]);

/** How leads started until the first offer moved into the workflow task: leadWorkflow, with every change above in place from the start. */
export async function leadWorkflowV3(input: LeadWorkflowInput): Promise<LeadState> {
  startWith(V3_CHANGES);
  return leadWorkflow(input);
}

/** Every change a lead started as leadWorkflowV4 has from its first event: V3's, and the offer made in the workflow task. */
export const V4_CHANGES: ReadonlySet<string> = new Set([...V3_CHANGES, OFFER_IN_TASK_PATCH]);

/** How every lead starts now. */
export async function leadWorkflowV4(input: LeadWorkflowInput): Promise<LeadState> {
  startWith(V4_CHANGES);
  return leadWorkflow(input);
}

/**
 * One lead, from arrival to a final state: judge every partner, take the lead type's referral
 * method, offer the lead in turn (reserve, deliver, await the answer, charge or release), and end
 * delivered, declined everywhere, with no eligible partner, expired or cancelled, saying why.
 */
export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadState> {
  if (!hasChange(LIFECYCLE_PATCH)) return leadWorkflowV1(input);
  const { leadId } = input;
  const lead = new LeadProgress(leadId, { status: (status, reason, step) => recordLeadStatus(leadId, status, reason, step) });
  let judgements = 0;
  const judgeHere = hasChange(LEAD_FAST_PATH_PATCH);
  const judge = (named: string[] = [], arrivalStep?: number) => (judgeHere ? judgeLeadLocally : judgeLead)({ leadId, named, judgement: ++judgements, arrivalStep });
  const arrivalMovesOn = hasChange(ARRIVAL_STATUS_PATCH);
  let arrival: LeadJudgement | undefined;
  const referral = new ManualReferral(lead, () => arrival?.plan.scope ?? null, judge);
  const routing = new CancellationScope();
  let appointments: StartedAppointment[] = [];

  setHandler(leadStateQuery, () => lead.state);
  // An update: the agent waits to hear whether the referral took, and why not.
  setHandler(referUpdate, (req) => referral.refer(req), { validator: (req) => referral.validate(req) });
  // An update: the partner hears "accepted" only once the charge has landed.
  setHandler(respondUpdate, (answer) => lead.respond(answer), { validator: (answer) => lead.validateAnswer(answer) });
  // An update: the caller hears back once the lead is cancelled, holds released and partners told.
  setHandler(cancelUpdate, (req) => lead.cancel(req, () => routing.cancel()), { validator: (req) => lead.validateCancel(req) });
  const transfer = new HotkeyTransfer(lead);
  // An update: the agent hears at once whether the transfer started; its steps follow in transferState.
  setHandler(transferUpdate, (req) => transfer.request(req), { validator: (req) => transfer.validate(req) });
  setHandler(transferCallSignal, (event) => transfer.hear(event));
  setHandler(transferStateQuery, () => (transfer.requested ? transfer.state : null));

  try {
    await routing.run(async () => {
      arrival = await judge([], arrivalMovesOn ? lead.nextStep : undefined);
      if (arrivalMovesOn) lead.arrivedBy(arrival);
      else lead.routedBy(arrival);
      let taken: { plan: ReferralPlan; judgement: LeadJudgement };
      switch (arrival.referralMethod) {
        case 'immediate':
          taken = { plan: arrival.plan, judgement: arrival };
          break;
        case 'transfer':
          if (hasChange(TRANSFER_PATCH)) {
            transfer.conferences = hasChange(TRANSFER_CONFERENCE_PATCH);
            transfer.accepting = true;
            await lead.setStatus('awaiting_referral');
            if (!(await condition(() => transfer.requested || referral.taken !== undefined, arrival.referralDeadlineSeconds * 1000))) {
              return lead.setStatus('expired', `not transferred within ${arrival.referralDeadlineSeconds} s`);
            }
            if (transfer.requested) return transferInTurn(lead, transfer, await judge());
          }
        // falls through: an agent may still refer a transfer lead by hand, as a manual one.
        case 'manual':
        // Each booking refers an appointment lead (up to its referral scope); one started before that
        // is referred once, by its one booking, as a manual one.
        case 'appointment': {
          if (arrival.referralMethod === 'appointment' && hasChange(APPOINTMENT_SCOPE_PATCH)) {
            const bookings = new AppointmentBookings(lead, arrival.plan.scope, judge);
            appointments = bookings.started;
            if (!(await takeBookings(lead, arrival.referralDeadlineSeconds, bookings))) return lead.setStatus('expired', `no appointment booked within ${arrival.referralDeadlineSeconds} s`);
            return lead.setStatus(...finalState(lead.state));
          }
          await lead.setStatus('awaiting_referral');
          if (!(await condition(() => referral.taken !== undefined, arrival.referralDeadlineSeconds * 1000))) {
            return lead.setStatus('expired', `not referred within ${arrival.referralDeadlineSeconds} s`);
          }
          taken = referral.taken!;
          await recordLeadEvent(leadId, 'referred', {
            at: new Date().toISOString(), type: 'referred', summary: `referred to ${taken.plan.candidates.map((c) => c.partnerName).join(', ')}`,
            detail: { reportId: taken.judgement.reportId, plan: taken.plan },
          });
          if (arrival.referralMethod === 'appointment' && hasChange(APPOINTMENT_PATCH)) appointments = await startAppointments(leadId, taken.plan);
          break;
        }
      }
      if (taken.plan.candidates.length === 0) return lead.setStatus('no_eligible_partner', taken.judgement.noCandidateReason ?? 'no eligible partner');
      await lead.setStatus('delivering');
      await offerInTurn(taken.plan, (candidate) => offer(lead, taken.judgement, candidate));
      await lead.setStatus(...finalState(lead.state));
    });
  } catch (err) {
    if (!isCancellation(err) || !lead.cancellation) throw err;
    const kept = lead.accepted.map((d) => d.partnerName);
    await lead.setStatus('cancelled', `by ${lead.cancellation.cancelledBy}: ${lead.cancellation.reason}${kept.length ? `; already accepted by ${kept.join(', ')}` : ''}`);
  }
  if (appointments.length > 0 && hasChange(APPOINTMENT_CALL_OFF_PATCH)) await callOffRefused(lead, appointments);
  await condition(allHandlersFinished);
  return lead.state;
}

/** How a lead's offers ended, in words. */
export function finalState(state: LeadState): ['delivered' | 'no_eligible_partner' | 'declined_everywhere', string] {
  const accepted = state.deliveries.filter((d) => d.status === 'accepted');
  if (accepted.length > 0) return ['delivered', `accepted by ${accepted.map((d) => d.partnerName).join(', ')}`];
  const describe = (d: LeadState['deliveries'][number]) => `${d.partnerName}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`;
  if (state.deliveries.every((d) => d.status === 'denied')) return ['no_eligible_partner', `every eligible partner refused capacity: ${state.deliveries.map(describe).join('; ')}`];
  return ['declined_everywhere', state.deliveries.map(describe).join('; ')];
}
