import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOMParser, type Element } from '@xmldom/xmldom';
import twilio from 'twilio';

/** https://www.twilio.com/docs/iam/test-credentials: a `To` Twilio answers with error 21211. */
export const INVALID_NUMBER = '+15005550001';

/**
 * A local stand-in for Twilio Programmable Voice: the subset of the REST API leadrelay calls, with
 * Twilio's request and response shapes, and a scripted person (or machine) behind each number. It
 * places calls, posts signed status callbacks, fetches TwiML and follows it (Say, Gather, Dial >
 * Conference, Hangup) as Twilio does. Development and test infrastructure only: production talks to
 * api.twilio.com. What it reproduces, with Twilio's docs:
 * - Calls create / fetch / update / list: https://www.twilio.com/docs/voice/api/call-resource; new TwiML for
 *   an ended call is refused with 21220: https://www.twilio.com/docs/errors/21220
 * - status callbacks (initiated, ringing, answered, completed; busy / no-answer / failed are final):
 *   https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent
 * - answering-machine detection with MachineDetection=Enable: AnsweredBy in the TwiML request:
 *   https://www.twilio.com/docs/voice/answering-machine-detection
 * - the ring timeout (Timeout, default 60 s) ending in no-answer
 * - <Gather numDigits action>: digits posted to the action; no input falls through to the next verb:
 *   https://www.twilio.com/docs/voice/twiml/gather
 * - Conferences (listed, filtered by FriendlyName and Status) and their Participants:
 *   https://www.twilio.com/docs/voice/api/conference-resource
 * - a conference's statusCallback (the first participant's, for the events it names: start, end, join,
 *   leave) with StatusCallbackEvent, ConferenceSid, FriendlyName, CallSid, SequenceNumber; a participant
 *   with endConferenceOnExit ends it for everyone:
 *   https://www.twilio.com/docs/voice/twiml/conference#attributes-statuscallback
 * - an incoming call to a number with a voice URL: the URL is fetched (signed) and its TwiML followed:
 *   https://www.twilio.com/docs/usage/webhooks/voice-webhooks
 * - X-Twilio-Signature on every request to us: https://www.twilio.com/docs/usage/security#validating-requests
 */

/** What the person (or machine) at a number does when it is rung. */
export type PhoneBehaviour =
  | { answer: 'busy' } | { answer: 'failed' } | { answer: 'no-answer' }
  | { answer: 'machine'; afterMs?: number }
  /** Answers after `afterMs`, presses `press` ('' for nothing) at the Gather, and hangs up `hangUpAfterMs` after answering. */
  | { answer: 'human'; afterMs?: number; press?: string; hangUpAfterMs?: number };

export interface SimulatedCall {
  sid: string;
  to: string;
  from: string;
  direction: 'inbound' | 'outbound-api';
  status: 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  answeredBy: string | null;
  timeout: number;
  url?: string;
  statusCallback?: string;
  statusCallbackEvent: string[];
  machineDetection?: string;
  /** What the callee heard: every <Say>, in order. */
  heard: string[];
  /** Digits pressed at a <Gather>. */
  pressed: string[];
  /** The conference the call is in, or was in last. */
  conference?: string;
  endsConference?: boolean;
  createdAt: Date;
  answeredAt?: Date;
  endedAt?: Date;
}

/** A conference as the simulator keeps it: who is in it now, and everyone who came and went. */
export interface SimulatedConference {
  sid: string;
  friendlyName: string;
  createdAt: Date;
  /** Calls in the conference now. */
  callSids: string[];
  statusCallback?: string;
  statusCallbackEvent: string[];
  /** Every join, leave and the end, in order. */
  log: Array<{ at: Date; event: 'participant-join' | 'participant-leave' | 'conference-end'; callSid?: string }>;
  endedAt?: Date;
}

export interface SimulatorRequest { method: string; path: string; form: Record<string, string | string[]> }
export interface SentCallback { url: string; params: Record<string, string>; status: number }

export interface TwilioVoiceSimulator {
  /** Base URL to point the twilio client at (see infra/twilio.ts forwardingHttpClient). */
  url: string;
  /** Every REST request leadrelay made, in order. */
  requests: SimulatorRequest[];
  /** Every callback the simulator posted, with our answer's status. */
  callbacks: SentCallback[];
  calls: Map<string, SimulatedCall>;
  /** Conferences by friendly name (the latest of each name). */
  conferences: Map<string, SimulatedConference>;
  /** Scripts what happens when `number` is rung; unscripted numbers answer, hear the whisper and press nothing. */
  script(number: string, behaviour: PhoneBehaviour): void;
  /**
   * A live call that reached one of our numbers; returns its SID. When `to` has a voice URL, it is
   * fetched and followed, as Twilio does; otherwise the call just stays up (a consumer talking to an agent).
   */
  incomingCall(from: string, to: string): string;
  /** Sets the voice URL Twilio fetches when `number` is called (a phone number's configuration). */
  answerAt(number: string, voiceUrl: string): void;
  /** The person on this call hangs up. */
  hangUp(callSid: string): Promise<void>;
  /** Callbacks this matches are lost on the way (Twilio does not retry them), for tests of what we do without them. */
  loseCallbacks(match: (url: string, params: Record<string, string>) => boolean): void;
  close(): Promise<void>;
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const ENDED = ['completed', 'busy', 'no-answer', 'failed', 'canceled'];

export async function startTwilioVoiceSimulator(options: {
  accountSid: string;
  authToken: string;
  /** Where a callback URL (signed as given) is actually delivered, e.g. PUBLIC_URL mapped to a test API's port. */
  reach?: (url: string) => string;
  /** 0 (the default): any free port. */
  port?: number;
  /** Our numbers' voice URLs: an incoming call to one fetches its TwiML. */
  voiceUrls?: Record<string, string>;
}): Promise<TwilioVoiceSimulator> {
  const { accountSid, authToken } = options;
  const reach = options.reach ?? ((u: string) => u);
  const scripts = new Map<string, PhoneBehaviour>();
  const calls = new Map<string, SimulatedCall>();
  const conferences = new Map<string, SimulatedConference>();
  const voiceUrls = new Map(Object.entries(options.voiceUrls ?? {}));
  const requests: SimulatorRequest[] = [];
  const callbacks: SentCallback[] = [];
  let closed = false;
  let lost = (_url: string, _params: Record<string, string>) => false;
  // Rings, answers and hang-ups still to come; closing the simulator drops them.
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
  };
  const wait = (ms: number) => new Promise<void>((r) => later(ms, r));

  const base = `/2010-04-01/Accounts/${accountSid}`;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const error = (status: number, code: number, message: string) => send(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    try {
      const raw = await readBody(req);
      const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://simulator');
      if (path.startsWith('/simulator/')) return control(req.method ?? 'GET', path, raw, send, error);
      const form = formOf(raw);
      requests.push({ method: req.method ?? 'GET', path, form });
      if (req.headers.authorization !== `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`) return error(401, 20003, 'Authenticate');
      if (!path.startsWith(`${base}/`)) return error(404, 20404, 'The requested resource was not found');
      const rest = path.slice(base.length);
      let m: RegExpMatchArray | null;
      if (rest === '/Calls.json' && req.method === 'POST') return createCall(form, send, error);
      if (rest === '/Calls.json' && req.method === 'GET') return send(200, { calls: [...calls.values()].map(callJson), ...page('Calls') });
      if ((m = rest.match(/^\/Calls\/(CA[0-9a-f]{32})\.json$/))) {
        const call = calls.get(m[1]!);
        if (!call) return error(404, 20404, `The requested resource ${path} was not found`);
        // Twilio's 21220: an ended call can't be given new TwiML (ending it again changes nothing).
        if (req.method === 'POST' && ENDED.includes(call.status) && (form.Twiml !== undefined || form.Url !== undefined)) return error(400, 21220, 'Call is not in-progress. Cannot redirect.');
        if (req.method === 'POST') await updateCall(call, form);
        return send(200, callJson(call));
      }
      if (rest === '/Conferences.json' && req.method === 'GET') {
        const listed = [...conferences.values()].map(conferenceJson)
          .filter((c) => (!searchParams.has('FriendlyName') || c.friendly_name === searchParams.get('FriendlyName')) && (!searchParams.has('Status') || c.status === searchParams.get('Status')));
        return send(200, { conferences: listed, ...page('Conferences') });
      }
      if ((m = rest.match(/^\/Conferences\/([^/]+)\/Participants\.json$/)) && req.method === 'GET') {
        const conference = [...conferences.values()].find((c) => c.sid === m![1] || c.friendlyName === decodeURIComponent(m![1]!));
        if (!conference) return error(404, 20404, `The requested resource ${path} was not found`);
        const live = conference.callSids.map((s) => calls.get(s)!);
        return send(200, { participants: live.map((c) => participantJson(conference.sid, c)), ...page('Participants') });
      }
      return error(404, 20404, `The requested resource ${path} was not found`);
    } catch (err) {
      error(500, 20500, (err as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /**
   * Not Twilio's: how a person trying `npm start` plays the phones. POST /simulator/incoming-calls
   * {from, to} puts a consumer on the line; PUT /simulator/numbers/{number} scripts a partner's phone
   * (a PhoneBehaviour); POST /simulator/calls/{sid}/hangup hangs up; GET /simulator/calls is the call log.
   */
  function control(method: string, path: string, raw: string, send: (s: number, b: unknown) => void, error: (s: number, c: number, m: string) => void) {
    const body = (() => { try { return raw ? JSON.parse(raw) : {}; } catch { return undefined; } })();
    if (body === undefined) return error(400, 0, 'the body must be JSON');
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/simulator/calls') return send(200, { calls: [...calls.values()] });
    if (method === 'POST' && path === '/simulator/incoming-calls') {
      if (typeof body.from !== 'string' || typeof body.to !== 'string') return error(400, 0, 'from and to are required');
      return send(201, { sid: simulator.incomingCall(body.from, body.to) });
    }
    if (method === 'PUT' && (m = path.match(/^\/simulator\/numbers\/([^/]+)$/))) {
      if (!['busy', 'failed', 'no-answer', 'machine', 'human'].includes(body.answer)) return error(400, 0, 'answer must be busy, failed, no-answer, machine or human');
      simulator.script(decodeURIComponent(m[1]!), body as PhoneBehaviour);
      return send(200, body);
    }
    if (method === 'POST' && (m = path.match(/^\/simulator\/calls\/(CA[0-9a-f]{32})\/hangup$/))) {
      if (!calls.has(m[1]!)) return error(404, 20404, `no call ${m[1]}`);
      return void simulator.hangUp(m[1]!).then(() => send(200, calls.get(m![1]!)));
    }
    return error(404, 20404, `The requested resource ${path} was not found`);
  }

  function createCall(form: Record<string, string | string[]>, send: (s: number, b: unknown) => void, error: (s: number, c: number, m: string) => void) {
    const one = (k: string) => (Array.isArray(form[k]) ? (form[k] as string[])[0] : (form[k] as string | undefined));
    if (!one('To')) return error(400, 21201, "No 'To' number is specified");
    // Twilio's test credentials refuse the magic number +15005550001 as invalid: so does the simulator.
    if (!/^\+[1-9]\d{6,14}$/.test(one('To')!) || one('To') === INVALID_NUMBER) return error(400, 21211, `Invalid 'To' Phone Number: ${one('To')}`);
    if (!one('From')) return error(400, 21213, "No 'From' number is specified");
    if (!one('Url') && !one('Twiml')) return error(400, 21205, 'Url parameter is required');
    const call: SimulatedCall = {
      sid: sid('CA'), to: one('To')!, from: one('From')!, direction: 'outbound-api', status: 'queued', answeredBy: null,
      timeout: Number(one('Timeout') ?? 60), url: one('Url'), statusCallback: one('StatusCallback'),
      statusCallbackEvent: ([] as string[]).concat(form.StatusCallbackEvent ?? []), machineDetection: one('MachineDetection'),
      heard: [], pressed: [], createdAt: new Date(),
    };
    calls.set(call.sid, call);
    void ring(call).catch(() => end(call, 'failed'));
    send(201, callJson(call));
  }

  async function ring(call: SimulatedCall) {
    await wait(20);
    await status(call, 'initiated');
    await status(call, 'ringing');
    const behaviour = scripts.get(call.to) ?? { answer: 'human', press: '' };
    if (behaviour.answer === 'busy' || behaviour.answer === 'failed') return end(call, behaviour.answer);
    const afterMs = behaviour.answer === 'no-answer' ? Infinity : (behaviour.afterMs ?? 100);
    if (afterMs > call.timeout * 1000) {
      await wait(call.timeout * 1000);
      return end(call, 'no-answer');
    }
    await wait(afterMs);
    if (ENDED.includes(call.status)) return;
    call.answeredAt = new Date();
    // Detection runs before the call's TwiML is fetched (MachineDetection=Enable).
    if (call.machineDetection) call.answeredBy = behaviour.answer === 'machine' ? 'machine_start' : 'human';
    await status(call, 'in-progress');
    if (behaviour.answer === 'human' && behaviour.hangUpAfterMs !== undefined) {
      later(behaviour.hangUpAfterMs, () => { if (!ENDED.includes(call.status)) void end(call, 'completed'); });
    }
    await follow(call, await fetchTwiml(call, call.url!, {}));
  }

  /** Runs TwiML verbs in order; running out of them hangs up, as Twilio does. A Dial keeps the call up. */
  async function follow(call: SimulatedCall, verbs: Element[]): Promise<void> {
    for (const verb of verbs) {
      if (ENDED.includes(call.status)) return;
      if (verb.tagName === 'Say') call.heard.push(verb.textContent ?? '');
      else if (verb.tagName === 'Hangup' || verb.tagName === 'Reject') return end(call, 'completed');
      else if (verb.tagName === 'Gather') {
        for (const say of children(verb)) if (say.tagName === 'Say') call.heard.push(say.textContent ?? '');
        const behaviour = scripts.get(call.to);
        const press = behaviour?.answer === 'human' ? (behaviour.press ?? '') : '';
        if (press === '') continue;
        call.pressed.push(press);
        return follow(call, await fetchTwiml(call, verb.getAttribute('action')!, { Digits: press }));
      } else if (verb.tagName === 'Dial') {
        const conference = children(verb).find((c) => c.tagName === 'Conference');
        if (conference) return join(call, conference);
      }
    }
    return end(call, 'completed');
  }

  /** The call joins the named conference (leaving any other), which starts with its first participant. */
  async function join(call: SimulatedCall, verb: Element) {
    const friendlyName = (verb.textContent ?? '').trim();
    if (call.conference === friendlyName && conferences.get(friendlyName)?.callSids.includes(call.sid)) return;
    await leave(call);
    call.endsConference = verb.getAttribute('endConferenceOnExit') === 'true';
    const live = conferences.get(friendlyName);
    const conference: SimulatedConference = live && !live.endedAt ? live : { sid: sid('CF'), friendlyName, createdAt: new Date(), callSids: [], statusCallbackEvent: [], log: [] };
    conferences.set(friendlyName, conference);
    // Twilio keeps the first statusCallback a participant brings.
    if (!conference.statusCallback && verb.getAttribute('statusCallback')) {
      conference.statusCallback = verb.getAttribute('statusCallback')!;
      conference.statusCallbackEvent = (verb.getAttribute('statusCallbackEvent') ?? '').split(/\s+/).filter(Boolean);
    }
    conference.callSids.push(call.sid);
    call.conference = friendlyName;
    await conferenceEvent(conference, 'participant-join', call);
  }

  /** The call leaves its conference; one that ends it (endConferenceOnExit), or the last one out, ends it for everyone. */
  async function leave(call: SimulatedCall) {
    const conference = call.conference ? conferences.get(call.conference) : undefined;
    if (!conference?.callSids.includes(call.sid)) return;
    conference.callSids = conference.callSids.filter((s) => s !== call.sid);
    await conferenceEvent(conference, 'participant-leave', call);
    if (!call.endsConference && conference.callSids.length > 0) return;
    conference.endedAt = new Date();
    // Everyone else is taken out; with no TwiML after their <Dial>, their calls end.
    for (const other of conference.callSids) {
      await conferenceEvent(conference, 'participant-leave', calls.get(other)!);
    }
    const others = conference.callSids;
    conference.callSids = [];
    await conferenceEvent(conference, 'conference-end', call);
    for (const other of others) await end(calls.get(other)!, 'completed');
  }

  async function conferenceEvent(conference: SimulatedConference, event: SimulatedConference['log'][number]['event'], call: SimulatedCall) {
    conference.log.push({ at: new Date(), event, ...(event === 'conference-end' ? {} : { callSid: call.sid }) });
    const subscribed = { 'participant-join': 'join', 'participant-leave': 'leave', 'conference-end': 'end' }[event];
    if (!conference.statusCallback || !conference.statusCallbackEvent.includes(subscribed)) return;
    await post(conference.statusCallback, {
      AccountSid: accountSid, ConferenceSid: conference.sid, FriendlyName: conference.friendlyName, StatusCallbackEvent: event,
      SequenceNumber: String(conference.log.length), Timestamp: new Date().toUTCString(),
      ...(event === 'conference-end'
        ? { ReasonConferenceEnded: call.endsConference ? 'participant-with-end-conference-on-exit-left' : 'last-participant-left', CallSidEndingConference: call.sid }
        : { CallSid: call.sid, EndConferenceOnExit: String(Boolean(call.endsConference)), StartConferenceOnEnter: 'true', Muted: 'false', Hold: 'false', Coaching: 'false' }),
    });
  }

  async function updateCall(call: SimulatedCall, form: Record<string, string | string[]>) {
    if (ENDED.includes(call.status)) return;
    if (typeof form.StatusCallback === 'string') call.statusCallback = form.StatusCallback;
    if (form.Status === 'completed' || form.Status === 'canceled') return end(call, call.status === 'in-progress' ? 'completed' : 'canceled');
    if (typeof form.Twiml === 'string') await follow(call, verbsOf(form.Twiml));
    else if (typeof form.Url === 'string') await follow(call, await fetchTwiml(call, form.Url, {}));
  }

  /** The call ends, leaving its conference (see leave). */
  async function end(call: SimulatedCall, final: SimulatedCall['status']) {
    if (ENDED.includes(call.status)) return;
    call.endedAt = new Date();
    await status(call, final);
    await leave(call);
  }

  function callParams(call: SimulatedCall): Record<string, string> {
    return {
      AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: call.sid, CallStatus: call.status, Direction: call.direction, From: call.from, To: call.to,
      ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
    };
  }

  /** Moves the call on and posts its status callback, if it asked for this event (the final one is always sent). */
  async function status(call: SimulatedCall, next: SimulatedCall['status']) {
    call.status = next;
    const event = next === 'in-progress' ? 'answered' : ENDED.includes(next) ? 'completed' : next;
    if (!call.statusCallback || (event !== 'completed' && !call.statusCallbackEvent.includes(event))) return;
    const duration = call.answeredAt && call.endedAt ? Math.round((call.endedAt.getTime() - call.answeredAt.getTime()) / 1000) : 0;
    await post(call.statusCallback, {
      ...callParams(call), CallbackSource: 'call-progress-events', Timestamp: new Date().toUTCString(),
      ...(ENDED.includes(next) ? { CallDuration: String(duration), Duration: String(Math.ceil(duration / 60)) } : {}),
    });
  }

  async function fetchTwiml(call: SimulatedCall, twimlUrl: string, extra: Record<string, string>): Promise<Element[]> {
    const res = await post(twimlUrl, { ...callParams(call), ...extra });
    return res.ok ? verbsOf(res.text) : [];
  }

  async function post(target: string, params: Record<string, string>) {
    if (lost(target, params)) {
      callbacks.push({ url: target, params, status: 0 });
      return { ok: false, text: '' };
    }
    const signature = twilio.getExpectedTwilioSignature(authToken, target, params);
    try {
      const res = await fetch(reach(target), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'i-twilio-idempotency-token': sid('') },
        body: new URLSearchParams(params).toString(),
      });
      const text = await res.text();
      callbacks.push({ url: target, params, status: res.status });
      return { ok: res.ok, text };
    } catch {
      callbacks.push({ url: target, params, status: 0 });
      return { ok: false, text: '' };
    }
  }

  function callJson(c: SimulatedCall) {
    const duration = c.answeredAt && c.endedAt ? String(Math.round((c.endedAt.getTime() - c.answeredAt.getTime()) / 1000)) : null;
    return {
      sid: c.sid, account_sid: accountSid, api_version: '2010-04-01', to: c.to, to_formatted: c.to, from: c.from, from_formatted: c.from,
      status: c.status, direction: c.direction, answered_by: c.answeredBy, duration, parent_call_sid: null, phone_number_sid: null,
      date_created: c.createdAt.toUTCString(), date_updated: new Date().toUTCString(),
      start_time: c.answeredAt?.toUTCString() ?? null, end_time: c.endedAt?.toUTCString() ?? null, price: null, price_unit: 'USD',
      uri: `${base}/Calls/${c.sid}.json`, subresource_uris: { notifications: `${base}/Calls/${c.sid}/Notifications.json`, recordings: `${base}/Calls/${c.sid}/Recordings.json` },
    };
  }
  function conferenceJson(c: SimulatedConference) {
    return {
      sid: c.sid, account_sid: accountSid, friendly_name: c.friendlyName, status: c.endedAt ? 'completed' : 'in-progress', api_version: '2010-04-01',
      date_created: c.createdAt.toUTCString(), date_updated: new Date().toUTCString(), region: 'us1', uri: `${base}/Conferences/${c.sid}.json`,
    };
  }
  function participantJson(conferenceSid: string, c: SimulatedCall) {
    return {
      account_sid: accountSid, call_sid: c.sid, conference_sid: conferenceSid, label: null, coaching: false, end_conference_on_exit: Boolean(c.endsConference),
      muted: false, hold: false, start_conference_on_enter: true, status: 'connected', date_created: c.createdAt.toUTCString(),
      uri: `${base}/Conferences/${conferenceSid}/Participants/${c.sid}.json`,
    };
  }
  const page = (key: string) => ({ first_page_uri: `${base}/${key}.json?PageSize=50&Page=0`, next_page_uri: null, previous_page_uri: null, page: 0, page_size: 50, uri: `${base}/${key}.json` });

  const simulator: TwilioVoiceSimulator = {
    url,
    requests,
    callbacks,
    calls,
    conferences,
    script: (number, behaviour) => { scripts.set(number, behaviour); },
    incomingCall(from, to) {
      const call: SimulatedCall = {
        sid: sid('CA'), to, from, direction: 'inbound', status: 'in-progress', answeredBy: null, timeout: 60,
        statusCallbackEvent: [], heard: [], pressed: [], createdAt: new Date(), answeredAt: new Date(),
      };
      calls.set(call.sid, call);
      const voiceUrl = voiceUrls.get(to);
      if (voiceUrl) void fetchTwiml(call, voiceUrl, { CallStatus: 'ringing' }).then((verbs) => follow(call, verbs)).catch(() => end(call, 'failed'));
      return call.sid;
    },
    answerAt: (number, voiceUrl) => { voiceUrls.set(number, voiceUrl); },
    hangUp: (callSid) => end(calls.get(callSid)!, 'completed'),
    loseCallbacks: (match) => { lost = match; },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return simulator;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function formOf(raw: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const had = form[k];
    form[k] = had === undefined ? v : ([] as string[]).concat(had, v);
  }
  return form;
}

const children = (el: Element): Element[] => Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1);

function verbsOf(xml: string): Element[] {
  try {
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    return doc.documentElement?.tagName === 'Response' ? children(doc.documentElement) : [];
  } catch {
    return [];
  }
}
