import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AppointmentPlan } from '../domain/appointment-reminders';

export const appointmentWorkflowId = (appointmentId: string) => `appointment-${appointmentId}`;

export interface AppointmentState { plan: AppointmentPlan; remindersSent: string[] }
export const appointmentStateQuery = defineQuery<AppointmentState>('appointmentState');

export interface RescheduleInput { start: string; by: string }
/** Moves the appointment and every reminder; an update, so the caller hears whether the new slot was free. */
export const rescheduleAppointmentUpdate = defineUpdate<AppointmentPlan, [RescheduleInput]>('rescheduleAppointment');

export interface CancelAppointmentInput { reason: string; by: string }
/** Cancels the appointment and stops its reminders. */
export const cancelAppointmentUpdate = defineUpdate<AppointmentPlan, [CancelAppointmentInput]>('cancelAppointment');

/** The partner did not take the lead its booking referred (declined, let it expire, or could not be reached): the appointment is off. */
export const referralRefusedSignal = defineSignal<[CancelAppointmentInput]>('referralRefused');

export interface OutcomeInput { outcome: 'attended' | 'no_show'; by: string }
/** The partner's word after the appointment's time; an update, so it hears whether it was too early or too late. */
export const recordOutcomeUpdate = defineUpdate<AppointmentPlan, [OutcomeInput]>('recordAppointmentOutcome');
