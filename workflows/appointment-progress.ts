import { ApplicationFailure } from '@temporalio/workflow';
import { reminderKey, reminderSchedule, type AppointmentPlan, type DueReminder } from '../domain/appointment-reminders';
import type { AppointmentState, CancelAppointmentInput, OutcomeInput, RescheduleInput } from './appointment-messages';

const refused = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * One appointment as its workflow keeps it: its current time and version, the reminders sent for
 * them, and one change (a move or a cancel) at a time. Validation of each change lives here.
 */
export class AppointmentProgress {
  /** Counts moves and cancels, so a wait for the next reminder wakes when the plan changed. */
  changes = 0;
  private since: number;
  private changing = false;
  private readonly sent = new Set<string>();

  constructor(public plan: AppointmentPlan, now: number) {
    this.since = now;
  }

  get state(): AppointmentState { return { plan: this.plan, remindersSent: [...this.sent] }; }
  get startMs() { return Date.parse(this.plan.start); }
  /** Until then the partner may record attended or no-show; after it the appointment counts as kept. */
  get outcomeDueMs() { return Date.parse(this.plan.end) + this.plan.outcomeGraceMinutes * 60_000; }
  get cancelled() { return this.plan.status === 'cancelled'; }
  get busy() { return this.changing; }

  /** The next reminder due for the appointment's current time, if any is left. */
  nextReminder(): DueReminder | undefined {
    if (this.cancelled) return undefined;
    const schedule = reminderSchedule({ start: this.startMs, timeZone: this.plan.timeZone, offsetsMinutes: this.plan.reminderOffsetsMinutes, since: this.since });
    return schedule.find((r) => !this.sent.has(reminderKey(r, this.plan.version)));
  }

  reminded(r: DueReminder, version: number) { this.sent.add(reminderKey(r, version)); }

  validateReschedule(req: RescheduleInput, now: number) {
    this.validateChange(now);
    const at = Date.parse(req.start);
    if (Number.isNaN(at)) throw refused('BadReschedule', 'start must be an ISO 8601 date-time');
    if (at <= now) throw refused('InThePast', `the new slot ${req.start} is not in the future`);
    if (at === this.startMs) throw refused('SameSlot', `the appointment is already at ${this.plan.start}`);
  }

  validateCancel(_req: CancelAppointmentInput, now: number) {
    this.validateChange(now);
  }

  /** Runs one change; reminders are then computed afresh from the new plan, from now on. */
  async change(apply: () => Promise<AppointmentPlan>, now: () => number): Promise<AppointmentPlan> {
    this.changing = true;
    try {
      this.plan = await apply();
      this.since = now();
      this.changes += 1;
      return this.plan;
    } finally {
      this.changing = false;
    }
  }

  validateOutcome(req: OutcomeInput, now: number) {
    if (this.changing) throw refused('Busy', 'the appointment is being changed; try again');
    if (this.cancelled) throw refused('NotBooked', 'the appointment is cancelled');
    if (!['attended', 'no_show'].includes(req.outcome)) throw refused('BadOutcome', 'outcome must be attended or no_show');
    if (now < this.startMs) throw refused('TooEarly', `the appointment is at ${this.plan.start}: record its outcome after that`);
    if (this.plan.outcome) throw refused('AlreadyRecorded', `the appointment's outcome is already ${this.plan.outcome}`);
  }

  private validateChange(now: number) {
    if (this.changing) throw refused('Busy', 'the appointment is being changed; try again');
    if (this.cancelled) throw refused('NotBooked', 'the appointment is cancelled');
    if (now >= this.startMs) throw refused('AlreadyStarted', `the appointment started at ${this.plan.start}`);
  }
}
