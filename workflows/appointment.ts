import { allHandlersFinished, condition, getExternalWorkflowHandle, ParentClosePolicy, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { ReferralPlan } from '../domain/referral-plan';
import type { AppointmentPlan } from '../domain/appointment-reminders';
import { AppointmentProgress } from './appointment-progress';
import type { LeadProgress } from './lead-progress';
import { remindUntilItStarts } from './appointment-reminders';
import { awaitOutcome } from './appointment-outcome';
import {
  appointmentStateQuery, appointmentWorkflowId, cancelAppointmentUpdate, recordOutcomeUpdate, referralRefusedSignal, rescheduleAppointmentUpdate,
  type AppointmentState, type CancelAppointmentInput, type RescheduleInput,
} from './appointment-messages';

const { appointmentOfReferral, moveAppointmentSlot, cancelAppointmentSlot, tellAppointmentChange, recordAppointmentOutcome } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '60 seconds', retry: { maximumInterval: '30 seconds' },
});

export interface AppointmentWorkflowInput { plan: AppointmentPlan }

/**
 * One booked appointment, from booking to its outcome: reminders to the consumer and the partner at the
 * lead type's offsets, moves and cancels that reach both and move or stop every reminder, then the
 * partner's attended or no-show, or kept when it says nothing within the grace period.
 */
export async function appointmentWorkflow({ plan }: AppointmentWorkflowInput): Promise<AppointmentState> {
  // The plan comes with the start, so every handler is there from the workflow's first task.
  const appointment = new AppointmentProgress(plan, Date.now());
  const appointmentId = plan.id;
  const now = () => Date.now();
  setHandler(appointmentStateQuery, () => appointment.state);
  setHandler(rescheduleAppointmentUpdate, (req) => appointment.change(() => reschedule(appointment, req), now), { validator: (req) => appointment.validateReschedule(req, now()) });
  setHandler(cancelAppointmentUpdate, (req) => appointment.change(() => cancel(appointment, req), now), { validator: (req) => appointment.validateCancel(req, now()) });

  // A signal, from the lead's workflow: nobody waits on it, and one that comes too late changes nothing.
  setHandler(referralRefusedSignal, async (req) => {
    if (appointment.cancelled || appointment.busy || now() >= Date.parse(appointment.plan.start)) return;
    await appointment.change(() => cancel(appointment, req), now);
  });

  setHandler(recordOutcomeUpdate, (req) => appointment.change(() => recordAppointmentOutcome({ appointmentId, ...req, at: new Date().toISOString() }), now), {
    validator: (req) => appointment.validateOutcome(req, now()),
  });

  await remindUntilItStarts(appointment);
  if (!appointment.cancelled) await awaitOutcome(appointment);
  await condition(allHandlersFinished);
  return appointment.state;
}

async function reschedule(appointment: AppointmentProgress, req: RescheduleInput) {
  const { id, start: from, version } = appointment.plan;
  const moved = await moveAppointmentSlot({ appointmentId: id, fromVersion: version, start: req.start, by: req.by });
  await tellAppointmentChange({ appointmentId: id, change: 'rescheduled', from, at: new Date().toISOString() });
  return moved;
}

async function cancel(appointment: AppointmentProgress, req: CancelAppointmentInput) {
  const { id } = appointment.plan;
  const cancelled = await cancelAppointmentSlot({ appointmentId: id, reason: req.reason, by: req.by });
  await tellAppointmentChange({ appointmentId: id, change: 'cancelled', reason: req.reason, at: new Date().toISOString() });
  return cancelled;
}

/**
 * Starts the workflow of each appointment booked for this referral. It outlives the lead's own
 * workflow, which ends once the lead is delivered, while the appointment may be weeks away.
 */
export async function startAppointments(leadId: string, plan: ReferralPlan): Promise<StartedAppointment[]> {
  const started: StartedAppointment[] = [];
  for (const { partnerId } of plan.candidates) {
    const booked = await appointmentOfReferral({ leadId, partnerId });
    if (!booked) continue;
    await startChild(appointmentWorkflow, { workflowId: appointmentWorkflowId(booked.id), args: [{ plan: booked }], parentClosePolicy: ParentClosePolicy.ABANDON });
    started.push({ partnerId, appointmentId: booked.id });
  }
  return started;
}

export interface StartedAppointment { partnerId: string; appointmentId: string }

/** Calls off the appointment of every partner that did not take the lead, with its reason: no reminder then goes out for it. */
export async function callOffRefused(lead: LeadProgress, appointments: StartedAppointment[]): Promise<void> {
  for (const { partnerId, appointmentId } of appointments) {
    const delivery = lead.state.deliveries.find((d) => d.partnerId === partnerId);
    if (delivery?.status === 'accepted') continue;
    const why = delivery ? `${delivery.status}${delivery.reason ? `: ${delivery.reason}` : ''}` : 'not offered';
    await getExternalWorkflowHandle(appointmentWorkflowId(appointmentId)).signal(referralRefusedSignal, { reason: `the partner did not take the lead (${why})`, by: 'leadrelay' });
  }
}
