import { condition, proxyActivities } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { AppointmentProgress } from './appointment-progress';

const { recordAppointmentOutcome } = proxyActivities<LeadActivities>({ startToCloseTimeout: '60 seconds', retry: { maximumInterval: '30 seconds' } });

/** After the appointment's time: the partner's word (an update), or kept once the grace period after its end has passed. */
export async function awaitOutcome(appointment: AppointmentProgress): Promise<void> {
  const answered = () => appointment.plan.outcome !== null;
  for (;;) {
    const waitMs = appointment.outcomeDueMs - Date.now();
    if (waitMs > 0 && (await condition(() => answered() || appointment.busy, waitMs))) {
      // An answer is being recorded: it ends the wait unless it failed.
      await condition(() => !appointment.busy);
      if (answered()) return;
      continue;
    }
    if (answered()) return;
    await appointment.change(() => recordAppointmentOutcome({
      appointmentId: appointment.plan.id, outcome: 'kept', by: `no answer from the partner within ${appointment.plan.outcomeGraceMinutes} min of its end`, at: new Date().toISOString(),
    }), () => Date.now());
    return;
  }
}
