import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../db/client';
import { auditAppointment, bookedAppointment, cancelAppointment, deferredCharge, findAppointment, moveAppointment, sendOnce, setAppointmentOutcome, type Appointment, type AppointmentOutcome } from '../db/appointments';
import { loadAppointment, planOf } from '../db/appointment-plans';
import { localTime, type AppointmentPlan, type Channel } from '../domain/appointment-reminders';
import type { Partner } from '../domain/config';
import type { FieldSealer } from '../infra/field-sealing';
import type { CalendarInvite, Notifier } from '../infra/notifier';
import { appointmentInvite } from './delivery/appointment-invite';
import type { AttemptRecord } from './delivery/attempt';
import { appendAudit } from '../db/audit';
import { outcomeLink } from '../infra/appointment-links';
import type { ChargeRequest } from '../workflows/partner-messages';

interface Recipient { recipient: 'consumer' | 'partner'; channel: Channel; address: string }
interface Message { kind: string; key: string; subject: string; consumer: string; partner: string; sentAt: string; partnerEmail?: string; partnerInvite?: CalendarInvite }

const stringField = (fields: Record<string, unknown>, name: string) => {
  const value = fields[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/** An appointment's own side effects: its plan, its reminders and notices (each sent once), its moves and cancel. */
export function appointmentActivities(deps: {
  sql: Sql; notifier: Notifier; sealer: FieldSealer; links: { publicUrl: string; secret: string };
  /** Adds a charge to the partner's ledger once per key (capacity activities' addLaterCharge); true when charged now. */
  charge: (partnerId: string, req: ChargeRequest) => Promise<boolean>;
  /** A signed webhook event to the partner (delivery activities' sendPartnerEvent); null when it takes no webhooks. */
  partnerEvent: (input: { leadId: string; partnerId: string; key: string; event: Record<string, unknown> }) => Promise<AttemptRecord | null>;
}) {
  const { sql, notifier } = deps;

  /** The appointment with everything its messages need: the partner, the consumer's contacts and timezone. */
  const load = async (appointmentId: string) => {
    const loaded = await loadAppointment(sql, (fields) => deps.sealer.openAll(fields), appointmentId);
    if (!loaded) throw ApplicationFailure.nonRetryable(`no appointment ${appointmentId}, or it has no lead or partner`, 'NoSuchAppointment');
    const { fields, settings, partner } = loaded;
    const recipients: Recipient[] = [
      { recipient: 'consumer' as const, channel: 'email' as const, address: stringField(fields, settings.consumerEmailField) },
      { recipient: 'consumer' as const, channel: 'sms' as const, address: stringField(fields, settings.consumerPhoneField) },
      { recipient: 'partner' as const, channel: 'email' as const, address: partner.email },
      { recipient: 'partner' as const, channel: 'sms' as const, address: partner.smsNumber ?? undefined },
    ].filter((r): r is Recipient => r.address !== undefined);
    return { ...loaded, recipients };
  };
  type Loaded = Awaited<ReturnType<typeof load>>;

  /** Sends `message` on `channels` to the consumer and the partner, each once per key. */
  const tell = async (loaded: Loaded, channels: Channel[], message: Message) => {
    let sent = 0;
    for (const to of loaded.recipients.filter((r) => channels.includes(r.channel))) {
      const body = to.recipient === 'consumer' ? message.consumer : (to.channel === 'email' && message.partnerEmail) || message.partner;
      const row = {
        key: `${loaded.appointment.id}:${message.key}:${to.channel}:${to.recipient}`, appointmentId: loaded.appointment.id, version: loaded.appointment.version,
        kind: message.kind, channel: to.channel, recipient: to.recipient, body, sentAt: new Date(message.sentAt),
        // The consumer's number or address is personal data: kept sealed, as the lead's fields are.
        address: to.recipient === 'consumer' ? JSON.stringify(deps.sealer.seal(to.address)) : to.address,
      };
      const invite = to.recipient === 'partner' ? message.partnerInvite : undefined;
      const once = await sendOnce(sql, row, () => (to.channel === 'email'
        ? notifier.email({ to: to.address, subject: message.subject, text: body, ...(invite ? { invite } : {}) })
        : notifier.sms({ to: to.address, body })));
      if (once) sent += 1;
    }
    return sent;
  };

  /** The price locked when the partner took the lead, for an appointment its assignment charges only once kept. */
  const chargeKept = async ({ partner }: Loaded, a: Appointment) => {
    const due = await deferredCharge(sql, a.id);
    if (!due || due.priceMinor === 0) return;
    await deps.charge(partner.id, {
      key: `appointment:${a.id}`, leadId: a.leadId, assignmentId: due.assignmentId, amountMinor: due.priceMinor, description: `lead ${a.leadId}: appointment at ${a.start} ${a.outcome}`,
    });
    await auditAppointment(sql, a, 'charged', `${partner.name} charged ${due.priceMinor} (minor units), the price locked at booking, for the appointment at ${a.start} (${a.outcome})`, { priceMinor: due.priceMinor });
  };

  /**
   * A webhook partner also hears of a move or cancel as a signed event, once per version and change. A
   * partner endpoint that fails is noted in the lead's history; the move or cancel stands.
   */
  const tellByWebhook = async ({ appointment, partner }: Loaded, change: 'rescheduled' | 'cancelled', key: string, input: { from?: string; reason?: string; at: string }) => {
    if (partner.delivery?.type !== 'webhook') return 0;
    const event = {
      type: `appointment.${change}`,
      appointment: { id: appointment.id, startsAt: appointment.start, endsAt: appointment.end, version: appointment.version },
      ...(input.from ? { previousStartsAt: input.from } : {}), ...(input.reason ? { reason: input.reason } : {}),
    };
    const row = {
      key: `${appointment.id}:${key}:webhook:partner`, appointmentId: appointment.id, version: appointment.version, kind: change, channel: 'webhook' as const,
      recipient: 'partner' as const, address: partner.delivery.url, body: JSON.stringify(event), sentAt: new Date(input.at),
    };
    try {
      return (await sendOnce(sql, row, async () => {
        const record = await deps.partnerEvent({ leadId: appointment.leadId, partnerId: partner.id, key: `appointment_${appointment.id}_${key.replace(':', '_')}`, event });
        if (record && !record.ok) throw new Error(record.error ?? 'webhook failed');
      })) ? 1 : 0;
    } catch (err) {
      await appendAudit(sql, appointment.leadId, `appointment:${appointment.id}:${key}:webhook-failed`, {
        at: new Date().toISOString(), type: 'appointment_webhook_failed', summary: `${partner.name} not told by webhook that the appointment was ${change}: ${(err as Error).message}`,
      });
      return 0;
    }
  };

  const when = (loaded: Loaded, a: Appointment = loaded.appointment) => localTime(a.start, loaded.timeZone);
  const withPartner = (p: Partner) => `with ${p.name}`;

  return {
    /** The appointment booked for this referral, if the lead was referred by booking one: what its workflow starts from. */
    async appointmentOfReferral(input: { leadId: string; partnerId: string }): Promise<AppointmentPlan | null> {
      const booked = await bookedAppointment(sql, input.leadId, input.partnerId);
      return booked ? planOf(await load(booked.id)) : null;
    },

    /**
     * One reminder on one channel to the consumer and the partner. A reminder of an earlier version
     * (the appointment moved since) or of a cancelled appointment is not sent.
     */
    async sendAppointmentReminder(input: { appointmentId: string; version: number; offsetMinutes: number; channel: Channel; at: string }): Promise<{ sent: number }> {
      const loaded = await load(input.appointmentId);
      const { appointment, partner } = loaded;
      if (appointment.version !== input.version || !['held', 'booked'].includes(appointment.status)) return { sent: 0 };
      const partnerText = `Reminder: your appointment for lead ${appointment.leadId} is on ${when(loaded)}, the consumer's local time.`;
      // Good until the appointment counts as kept.
      const expiresAt = new Date(Date.parse(appointment.end) + loaded.settings.outcomeGraceMinutes * 60_000);
      const link = (outcome: 'attended' | 'no_show') => outcomeLink(deps.links.publicUrl, deps.links.secret, { appointmentId: appointment.id, outcome, expiresAt });
      const sent = await tell(loaded, [input.channel], {
        kind: 'reminder', key: `v${input.version}:reminder:${input.offsetMinutes}`, sentAt: input.at,
        subject: `Appointment reminder: ${when(loaded)}`,
        consumer: `Reminder: your appointment ${withPartner(partner)} is on ${when(loaded)}.${input.channel === 'sms' ? ' Reply C to confirm or R for a call back.' : ''}`,
        partner: partnerText,
        partnerEmail: `${partnerText}\n\nAfter the appointment, tell us how it went (with no answer by ${expiresAt.toISOString()} it counts as kept):\nAttended: ${link('attended')}\nNo-show: ${link('no_show')}`,
      });
      return { sent };
    },

    /** Moves the appointment to another free slot of its partner; a retry finds it already moved. */
    async moveAppointmentSlot(input: { appointmentId: string; fromVersion: number; start: string; by: string }): Promise<AppointmentPlan> {
      const loaded = await load(input.appointmentId);
      if (loaded.appointment.version > input.fromVersion) return planOf(loaded);
      const outcome = await moveAppointment(sql, loaded.appointment, loaded.partner, new Date(input.start));
      if ('refused' in outcome) throw ApplicationFailure.nonRetryable(outcome.refused, 'SlotTaken');
      await auditAppointment(sql, outcome.moved, 'rescheduled', `appointment with ${loaded.partner.name} moved from ${loaded.appointment.start} to ${outcome.moved.start} by ${input.by}`, { from: loaded.appointment.start });
      return planOf({ ...loaded, appointment: outcome.moved });
    },

    /** Cancels the appointment, freeing its slot; a retry finds it already cancelled. */
    async cancelAppointmentSlot(input: { appointmentId: string; reason: string; by: string }): Promise<AppointmentPlan> {
      const loaded = await load(input.appointmentId);
      if (loaded.appointment.status === 'cancelled') return planOf(loaded);
      const cancelled = await cancelAppointment(sql, input.appointmentId);
      if (!cancelled) throw ApplicationFailure.nonRetryable(`appointment ${input.appointmentId} is ${loaded.appointment.status}, not booked`, 'NotBooked');
      await auditAppointment(sql, cancelled, 'cancelled', `appointment at ${cancelled.start} cancelled by ${input.by}: ${input.reason}`, { reason: input.reason });
      return planOf({ ...loaded, appointment: cancelled });
    },

    /**
     * Records the partner's word on the appointment, or kept after the grace period, in its lead's audit
     * trail; an appointment charged once kept is charged its locked price when attended or kept, once
     * however often this runs.
     */
    async recordAppointmentOutcome(input: { appointmentId: string; outcome: AppointmentOutcome; by: string; at: string }): Promise<AppointmentPlan> {
      const loaded = await load(input.appointmentId);
      const recorded = (await setAppointmentOutcome(sql, input.appointmentId, input.outcome, input.by, new Date(input.at)))!;
      const summary = input.outcome === 'kept'
        ? `appointment at ${recorded.start} counts as kept: ${input.by}`
        : `${input.by} recorded the appointment at ${recorded.start} as ${input.outcome === 'attended' ? 'attended' : 'a no-show'}`;
      await auditAppointment(sql, recorded, recorded.outcome ?? input.outcome, summary, { by: input.by });
      if (recorded.outcome === 'attended' || recorded.outcome === 'kept') await chargeKept(loaded, recorded);
      return planOf({ ...loaded, appointment: recorded });
    },

    /** Tells the consumer and the partner, by email and SMS, that the appointment moved or was cancelled. */
    async tellAppointmentChange(input: { appointmentId: string; change: 'rescheduled' | 'cancelled'; from?: string; reason?: string; at: string }): Promise<{ sent: number }> {
      const loaded = await load(input.appointmentId);
      const { appointment, partner } = loaded;
      const was = input.from ? localTime(input.from, loaded.timeZone) : when(loaded);
      const message = input.change === 'rescheduled'
        ? {
          subject: `Appointment moved: lead ${appointment.leadId}`,
          consumer: `Your appointment ${withPartner(partner)} on ${was} is moved to ${when(loaded)}.`,
          partner: `The appointment for lead ${appointment.leadId} on ${was} is moved to ${when(loaded)} (${appointment.start} to ${appointment.end}).`,
        }
        : {
          subject: `Appointment cancelled: lead ${appointment.leadId}`,
          consumer: `Your appointment ${withPartner(partner)} on ${was} is cancelled.`,
          partner: `The appointment for lead ${appointment.leadId} on ${was} is cancelled: ${input.reason ?? 'no reason given'}`,
        };
      // The partner's calendar takes the move or cancel as an update of the event the delivery's invite put there.
      const method = input.change === 'rescheduled' ? 'REQUEST' : 'CANCEL';
      const partnerInvite = { method, content: appointmentInvite(appointment, `${loaded.lead.leadType} appointment (lead ${appointment.leadId})`, method) } as const;
      const key = `v${appointment.version}:${input.change}`;
      const sent = await tell(loaded, ['email', 'sms'], { kind: input.change, key, sentAt: input.at, ...message, partnerInvite });
      return { sent: sent + (await tellByWebhook(loaded, input.change, key, input)) };
    },
  };
}
