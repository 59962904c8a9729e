import type { Sql } from './client';
import { DEFAULT_APPOINTMENT_SETTINGS, type AppointmentSettings } from '../domain/appointment-reminders';

/** A lead type's appointment settings; the defaults until an operator sets them. */
export async function getAppointmentSettings(sql: Sql, leadTypeId: string | null): Promise<AppointmentSettings> {
  if (!leadTypeId) return DEFAULT_APPOINTMENT_SETTINGS;
  const [row] = await sql<AppointmentSettings[]>`
    select reminder_offsets_minutes as "reminderOffsetsMinutes", outcome_grace_minutes as "outcomeGraceMinutes",
      consumer_phone_field as "consumerPhoneField", consumer_email_field as "consumerEmailField", consumer_timezone_field as "consumerTimezoneField"
    from appointment_settings where lead_type_id = ${leadTypeId}`;
  return row ?? DEFAULT_APPOINTMENT_SETTINGS;
}

export async function setAppointmentSettings(sql: Sql, leadTypeId: string, s: AppointmentSettings): Promise<void> {
  await sql`
    insert into appointment_settings (lead_type_id, reminder_offsets_minutes, outcome_grace_minutes, consumer_phone_field, consumer_email_field, consumer_timezone_field)
    values (${leadTypeId}, ${s.reminderOffsetsMinutes}, ${s.outcomeGraceMinutes}, ${s.consumerPhoneField}, ${s.consumerEmailField}, ${s.consumerTimezoneField})
    on conflict (lead_type_id) do update set reminder_offsets_minutes = excluded.reminder_offsets_minutes, outcome_grace_minutes = excluded.outcome_grace_minutes,
      consumer_phone_field = excluded.consumer_phone_field, consumer_email_field = excluded.consumer_email_field,
      consumer_timezone_field = excluded.consumer_timezone_field, updated_at = now()`;
}
