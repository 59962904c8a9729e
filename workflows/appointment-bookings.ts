import { ApplicationFailure, condition, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { LeadJudgement } from '../domain/lead-judgement';
import type { DeliveryStatus } from '../domain/lead-state';
import type { ReferralPlan } from '../domain/referral-plan';
import type { LeadProgress } from './lead-progress';
import { judgedReferral, namedPartners } from './manual-referral';
import { referUpdate, type ReferInput, type ReferResult } from './messages';
import { offer } from './offer';
import { callOffRefused, startAppointments, type StartedAppointment } from './appointment';

const { recordLeadEvent } = proxyLocalActivities<LeadActivities>({ startToCloseTimeout: '10 seconds' });

const refused = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/** A partner in these has the lead, or may still take it: its place within the referral scope is used. */
const TAKING: readonly DeliveryStatus[] = ['reserving', 'delivering', 'awaiting_response', 'accepted'];

interface Booking { plan: ReferralPlan; judgement: LeadJudgement }

/**
 * The bookings of one appointment lead (FLG's appointment setting with a referral scope of N): up to N
 * appointments, each with a different partner, each referring the lead to its partner. A partner that
 * refuses the lead frees its place, as a refusal does in an immediate referral.
 */
export class AppointmentBookings {
  /** Appointments whose partner has not refused the lead: what a cancel of the lead calls off. */
  readonly started: StartedAppointment[] = [];
  /** Past the referral deadline, or every place taken: no more bookings. */
  closed = false;
  private readonly waiting: Booking[] = [];
  /** Every partner booked, whether or not it took the lead: one appointment per partner. */
  private readonly partners = new Set<string>();
  private judging = 0;

  constructor(
    private readonly lead: LeadProgress,
    readonly scope: number | null,
    private readonly judge: (named: string[]) => Promise<LeadJudgement>,
  ) {}

  /** Scope partners have taken the lead: nothing is left to book. */
  get full() { return this.scope !== null && this.lead.accepted.length >= this.scope; }
  get hasWaiting() { return this.waiting.length > 0; }
  get idle() { return this.judging === 0; }
  /** Booked partners but those that refused the lead: a booking still being judged or started holds its place too. */
  private get placesUsed() {
    const refusedIt = (partnerId: string) => this.lead.state.deliveries.some((d) => d.partnerId === partnerId && !TAKING.includes(d.status));
    return [...this.partners].filter((p) => !refusedIt(p)).length;
  }

  validate(input: ReferInput): void {
    if (this.closed) throw refused('NotWaiting', `lead is not taking appointments any more (it is ${this.lead.state.status})`);
    const named = namedPartners(input);
    if (named.length !== 1) throw refused('OnePartner', `an appointment is booked with one partner; this names ${named.length}`);
    if (this.partners.has(named[0]!)) throw refused('SamePartner', `the lead already has an appointment with partner ${named[0]}: each of its appointments is with a different partner`);
    if (this.scope !== null && this.placesUsed >= this.scope) {
      throw refused('OverScope', `the lead's referral scope is ${this.scope}: ${this.scope} partner(s) already have the lead or are being offered it`);
    }
  }

  /** Judges the lead again for the booking's partner; the booking waits to be offered once it is eligible. */
  async book(input: ReferInput): Promise<ReferResult> {
    const [partnerId] = namedPartners(input) as [string];
    this.partners.add(partnerId);
    this.judging += 1;
    try {
      const booking = await judgedReferral(this.judge, [partnerId]);
      this.waiting.push(booking);
      return { partners: booking.plan.candidates.map((c) => c.partnerName) };
    } catch (err) {
      this.partners.delete(partnerId);
      throw err;
    } finally {
      this.judging -= 1;
    }
  }

  next(): Booking | undefined {
    return this.waiting.shift();
  }

  forget(refusedBy: StartedAppointment[]): void {
    for (const a of refusedBy) this.started.splice(this.started.indexOf(a), 1);
  }
}

/**
 * Takes bookings until the referral deadline or until scope partners have the lead, offering each as
 * it comes, then waits for every offer to settle. False when nothing was booked in time.
 */
export async function takeBookings(lead: LeadProgress, deadlineSeconds: number, bookings: AppointmentBookings): Promise<boolean> {
  // An agent books through the lead's referral update: while this phase runs, each one is a booking.
  setHandler(referUpdate, (req) => bookings.book(req), { validator: (req) => bookings.validate(req) });
  await lead.setStatus('awaiting_referral');
  const closesAt = Date.now() + deadlineSeconds * 1000;
  const offers: Promise<void>[] = [];
  try {
    for (;;) {
      const left = closesAt - Date.now();
      if (left <= 0 || !(await condition(() => bookings.hasWaiting || bookings.full, left)) || bookings.full) break;
      offers.push(offerBooking(lead, bookings, bookings.next()!));
    }
    bookings.closed = true;
    // A booking being judged as the deadline passed was answered "booked": it is offered too.
    await condition(() => bookings.idle);
    for (let booking = bookings.next(); booking; booking = bookings.next()) offers.push(offerBooking(lead, bookings, booking));
    await Promise.all(offers);
  } catch (err) {
    // Cancelled: every open offer releases its hold before the lead moves on.
    bookings.closed = true;
    await Promise.allSettled(offers);
    throw err;
  }
  return lead.state.deliveries.length > 0;
}

/** One booking: its appointment's workflow starts, the lead is offered to its partner, and a refusal calls the appointment off at once. */
async function offerBooking(lead: LeadProgress, bookings: AppointmentBookings, { plan, judgement }: Booking): Promise<void> {
  const candidate = plan.candidates[0]!;
  await recordLeadEvent(lead.leadId, `referred:${candidate.partnerId}`, {
    at: new Date().toISOString(), type: 'referred', summary: `referred to ${candidate.partnerName} by booking an appointment`, detail: { reportId: judgement.reportId, plan },
  });
  const appointments = await startAppointments(lead.leadId, plan);
  bookings.started.push(...appointments);
  if (!(await offer(lead, judgement, candidate))) {
    bookings.forget(appointments);
    await callOffRefused(lead, appointments);
  }
  // Between offers the lead waits for the next booking, saying who has it so far.
  if (!bookings.closed && !bookings.full && !lead.state.deliveries.some((d) => TAKING.includes(d.status) && d.status !== 'accepted')) {
    const taken = lead.accepted.map((d) => d.partnerName);
    await lead.setStatus('awaiting_referral', `${taken.length > 0 ? `accepted by ${taken.join(', ')}` : 'no partner has taken the lead yet'}; another appointment may be booked`);
  }
}
