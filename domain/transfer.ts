/** Hotkey telephone transfer: what Twilio tells us about each partner's call, and what it means. */
import { isFinal, type LeadStatus } from './lead-state';
import { renderTemplate } from './templates';

/** A partner is rung this long before the call counts as unanswered, unless told otherwise. */
export const DEFAULT_RING_TIMEOUT_SECONDS = 20;
/** A taken call is charged once connected this long (Ringba and Retreaver bill the same way), unless told otherwise. */
export const DEFAULT_MIN_BILLABLE_SECONDS = 30;

/** Per partner: set with PUT /partners/{id}/transfer-settings. */
export interface TransferSettings { ringTimeoutSeconds: number; minBillableSeconds: number }

/** What a partner hears before the key prompt, unless the lead type sets its own (the same {{ }} variables as delivery templates). */
export const DEFAULT_WHISPER_TEMPLATE = 'leadrelay transfer: a {{lead.type}} lead is on the line, for {{price}} {{currency}}.';
/** Always follows the whisper, so no template can leave the partner without the choice. */
export const KEY_PROMPT = 'Press 1 to take the call, or 2 to decline.';

/** The whisper for one partner's call, from the lead and the offer it was rung about. */
export function whisperText(
  template: string,
  lead: { id: string; leadType: string; fields: Record<string, unknown>; createdAt: Date; testProfileId: string | null },
  offer: { partnerId: string; partnerName: string; priceMinor: number; currency: string } | undefined,
): string {
  return renderTemplate(template, {
    ...lead.fields, 'lead.id': lead.id, 'lead.type': lead.leadType, 'lead.createdAt': lead.createdAt.toISOString(), 'lead.test': lead.testProfileId !== null,
    'partner.id': offer?.partnerId, 'partner.name': offer?.partnerName, price: offer && (offer.priceMinor / 100).toFixed(2), currency: offer?.currency,
  }, 'none');
}

/** After answering, the partner hears the whisper and has this long to press a key. */
export const WHISPER_SECONDS = 30;

/** The consumer waits in a conference named after the lead; partners who press 1 join it. */
export const conferenceNameFor = (leadId: string) => `lead-${leadId}`;
/** A call to our Twilio number is answered into a conference named after the call, before any lead exists. */
export const incomingConferenceFor = (callSid: string) => `call-${callSid}`;
/** What a caller to our number hears before the hold music. */
export const INCOMING_GREETING = 'Thank you for calling. Please hold while we connect you.';
/** Hold music while the consumer waits (Twilio's own). */
export const HOLD_MUSIC_URL = 'http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical';

/** Our Twilio number's voice URL: set it in Twilio's console (the simulator is given it by npm start). */
export const incomingCallUrl = (publicUrl: string) => new URL('/twilio/voice/incoming', publicUrl).toString();
/** Every transfer conference reports here; the conference's name says which lead it belongs to. */
export const conferenceStatusUrl = (publicUrl: string) => new URL('/twilio/voice/conference', publicUrl).toString();
/** The conference events a transfer follows (TwiML's statusCallbackEvent names for participant-join, participant-leave, conference-end). */
export const CONFERENCE_EVENTS = ['join', 'leave', 'end'] as const;

/** Where Twilio calls us back about a partner's call: the whisper TwiML and the call's status. */
export const voiceUrls = (publicUrl: string, leadId: string, partnerId: string) => {
  const query = `leadId=${encodeURIComponent(leadId)}&partnerId=${encodeURIComponent(partnerId)}`;
  return {
    whisper: new URL(`/twilio/voice/whisper?${query}`, publicUrl).toString(),
    gather: new URL(`/twilio/voice/gather?${query}`, publicUrl).toString(),
    status: new URL(`/twilio/voice/status?${query}`, publicUrl).toString(),
  };
};
/** The consumer's call reports here, so a hang-up stops the transfer. */
export const consumerStatusUrl = (publicUrl: string, leadId: string) => new URL(`/twilio/voice/status?leadId=${encodeURIComponent(leadId)}`, publicUrl).toString();

/** Twilio call statuses (https://www.twilio.com/docs/voice/api/call-resource#call-status-values) that end a call. */
export const ENDED_CALL_STATUSES = ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type CallStatus = 'initiated' | 'ringing' | 'in-progress' | (typeof ENDED_CALL_STATUSES)[number];

/** Twilio's conference statusCallback events (StatusCallbackEvent) a transfer follows. */
export const CONFERENCE_EVENT_NAMES = ['participant-join', 'participant-leave', 'conference-end'] as const;
export type ConferenceEventName = (typeof CONFERENCE_EVENT_NAMES)[number];

/** One thing Twilio told us about a call, or about the transfer's conference (callSid '' for its end), from a signed callback. */
export type TransferCallEvent =
  | { callSid: string; kind: 'status'; status: CallStatus; durationSeconds?: number }
  | { callSid: string; kind: 'answered_by'; answeredBy: string }
  | { callSid: string; kind: 'digits'; digits: string }
  | { callSid: string; kind: 'conference'; event: ConferenceEventName; conference: string };

/** A duplicate callback (Twilio retries, or a replay) carries the same key and changes nothing. */
export const eventKey = (e: TransferCallEvent) =>
  `${e.callSid}:${e.kind}:${e.kind === 'status' ? e.status : e.kind === 'digits' ? e.digits : e.kind === 'conference' ? `${e.event}:${e.conference}` : e.answeredBy}`;

export const hasEnded = (events: TransferCallEvent[]) =>
  events.some((e) => e.kind === 'status' && (ENDED_CALL_STATUSES as readonly string[]).includes(e.status));

/** How long a call was connected, from its final status callback (CallDuration). */
export const connectedSeconds = (events: TransferCallEvent[]) =>
  events.reduce((s, e) => (e.kind === 'status' && e.durationSeconds !== undefined ? e.durationSeconds : s), 0);

export const isMachine = (answeredBy: string) => answeredBy.startsWith('machine') || answeredBy === 'fax';

/** How a partner's call ended for the transfer: taken (pressed 1) or refused, with the outcome for its hold. */
export type CallVerdict = { taken: true } | { taken: false; outcome: 'declined' | 'failed' | 'withdrawn'; reason: string };

/** The verdict the events so far reach, if any: a key press, a machine, or a call that ended without one. */
export function callVerdict(events: TransferCallEvent[]): CallVerdict | undefined {
  for (const e of events) {
    if (e.kind === 'digits') return e.digits === '1' ? { taken: true } : { taken: false, outcome: 'declined', reason: `pressed ${e.digits}` };
    if (e.kind === 'answered_by' && isMachine(e.answeredBy)) return { taken: false, outcome: 'failed', reason: `answering machine (${e.answeredBy})` };
  }
  const ended = events.find((e) => e.kind === 'status' && (ENDED_CALL_STATUSES as readonly string[]).includes(e.status));
  if (!ended || ended.kind !== 'status') return undefined;
  if (ended.status === 'completed') return { taken: false, outcome: 'declined', reason: 'hung up without pressing a key' };
  return { taken: false, outcome: 'failed', reason: ended.status };
}

/** One step of a transfer as the agent sees it live and the audit trail keeps it. */
export interface TransferStep {
  at: string;
  partnerId: string;
  partnerName: string;
  /** See the Transfer step schema in api/routes/transfers.ts for every step. */
  step: string;
  detail: string;
  callSid?: string;
}

/** Cold: leadrelay drops the agent's call once the partner has joined. Warm: the agent stays to introduce them, and hangs up. */
export type TransferMode = 'warm' | 'cold';

export interface TransferState {
  /** exhausted: no partner took the call; abandoned: the consumer hung up first; cancelled: the lead was cancelled. */
  status: 'waiting' | 'transferring' | 'transferred' | 'exhausted' | 'abandoned' | 'cancelled';
  conference: string;
  /** Known at once when the agent names it; found among the conference's participants otherwise. */
  consumerCallSid?: string;
  agentCallSid?: string;
  mode?: TransferMode;
  requestedBy?: string;
  steps: TransferStep[];
}

/**
 * The agent presses Transfer with the consumer's live call (moved into the lead's conference) or the
 * conference the consumer already waits in (an incoming call); and, to join it too, the agent's own call.
 */
export interface TransferRequest { consumerCallSid?: string; conference?: string; agentCallSid?: string; mode?: TransferMode; requestedBy: string }

/** The conference a transfer runs in: the one named, or the lead's own. */
export const transferConference = (leadId: string, req: Pick<TransferRequest, 'conference'>) => req.conference ?? conferenceNameFor(leadId);

/** The audit entry the API writes when an agent presses Transfer and the lead's workflow takes it. */
export const TRANSFER_REQUESTED = 'transfer_requested';

/**
 * The transfer as its audit trail tells it, for when the lead's workflow can't be asked (the worker
 * is down or busy, or the run has closed): the steps as written, the status from how the lead ended.
 */
export function transferFromTrail(leadId: string, leadStatus: LeadStatus, trail: Array<{ type: string; detail?: unknown }>): TransferState | undefined {
  const asked = trail.find((e) => e.type === TRANSFER_REQUESTED)?.detail as TransferRequest | undefined;
  if (!asked) return undefined;
  // Steps only: the dial activity writes its own transfer_dialled entry, with the Twilio call.
  const steps = trail.filter((e) => e.type.startsWith('transfer_') && typeof (e.detail as TransferStep | undefined)?.step === 'string').map((e) => e.detail as TransferStep);
  const consumerLeft = steps.some((s) => s.step === 'consumer_gone' || s.step === 'consumer_hung_up');
  const status: TransferState['status'] = leadStatus === 'delivered' ? 'transferred'
    : consumerLeft ? 'abandoned'
    : leadStatus === 'cancelled' ? 'cancelled'
    : isFinal(leadStatus) ? 'exhausted'
    : 'transferring';
  return {
    status, conference: transferConference(leadId, asked), ...(asked.consumerCallSid ? { consumerCallSid: asked.consumerCallSid } : {}),
    ...(asked.agentCallSid ? { agentCallSid: asked.agentCallSid, mode: asked.mode ?? 'cold' } : {}), requestedBy: asked.requestedBy, steps,
  };
}
