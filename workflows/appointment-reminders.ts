import { condition, proxyActivities } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { AppointmentProgress } from './appointment-progress';

const { sendAppointmentReminder } = proxyActivities<LeadActivities>({ startToCloseTimeout: '60 seconds', retry: { maximumInterval: '30 seconds' } });

/**
 * Sends each reminder at its time until the appointment starts. A move or a cancel wakes the wait:
 * the reminders are then those of the new time (or none), and those of the old time are never sent.
 */
export async function remindUntilItStarts(appointment: AppointmentProgress): Promise<void> {
  for (;;) {
    if (appointment.cancelled) return;
    const next = appointment.nextReminder();
    const wakeAt = next?.at ?? appointment.startMs;
    const seen = appointment.changes;
    if (wakeAt > Date.now() && (await condition(() => appointment.changes !== seen, wakeAt - Date.now()))) continue;
    if (!next) {
      // A move in flight may set a later time: wait for it before calling the appointment started.
      await condition(() => !appointment.busy);
      if (appointment.changes === seen) return;
      continue;
    }
    const { version, id } = appointment.plan;
    await sendAppointmentReminder({ appointmentId: id, version, offsetMinutes: next.offsetMinutes, channel: next.channel, at: new Date().toISOString() });
    appointment.reminded(next, version);
  }
}
