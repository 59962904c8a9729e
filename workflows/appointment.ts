import { allHandlersFinished, condition, ParentClosePolicy, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { ReferralPlan } from '../domain/referral-plan';
import { AppointmentProgress } from './appointment-progress';
import { remindUntilItStarts } from './appointment-reminders';
import {
  appointmentStateQuery, appointmentWorkflowId, cancelAppointmentUpdate, rescheduleAppointmentUpdate,
  type AppointmentState, type CancelAppointmentInput, type RescheduleInput,
} from './appointment-messages';

const { appointmentOfReferral, loadAppointmentPlan, moveAppointmentSlot, cancelAppointmentSlot, tellAppointmentChange } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '60 seconds', retry: { maximumInterval: '30 seconds' },
});

export interface AppointmentWorkflowInput { appointmentId: string }

/**
 * One booked appointment, from booking to its time: reminders to the consumer and the partner at the
 * lead type's offsets, and moves and cancels that reach both and move or stop every reminder.
 */
export async function appointmentWorkflow({ appointmentId }: AppointmentWorkflowInput): Promise<AppointmentState> {
  const appointment = new AppointmentProgress(await loadAppointmentPlan({ appointmentId }), Date.now());
  const now = () => Date.now();
  setHandler(appointmentStateQuery, () => appointment.state);
  setHandler(rescheduleAppointmentUpdate, (req) => appointment.change(() => reschedule(appointment, req), now), { validator: (req) => appointment.validateReschedule(req, now()) });
  setHandler(cancelAppointmentUpdate, (req) => appointment.change(() => cancel(appointment, req), now), { validator: (req) => appointment.validateCancel(req, now()) });

  await remindUntilItStarts(appointment);
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
export async function startAppointments(leadId: string, plan: ReferralPlan): Promise<void> {
  for (const { partnerId } of plan.candidates) {
    const appointmentId = await appointmentOfReferral({ leadId, partnerId });
    if (appointmentId) {
      await startChild(appointmentWorkflow, { workflowId: appointmentWorkflowId(appointmentId), args: [{ appointmentId }], parentClosePolicy: ParentClosePolicy.ABANDON });
    }
  }
}
