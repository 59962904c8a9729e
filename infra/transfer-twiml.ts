import twilio from 'twilio';
import { CONFERENCE_EVENTS, conferenceStatusUrl, HOLD_MUSIC_URL } from '../domain/transfer';

/**
 * TwiML that puts a call into a transfer's conference, with hold music while it waits alone, and the
 * conference's joins, leaves and end reported to us (Twilio keeps the first participant's statusCallback).
 */
export function conferenceTwiml(publicUrl: string, conference: string, options: { endConferenceOnExit: boolean; greeting?: string }) {
  const twiml = new twilio.twiml.VoiceResponse();
  if (options.greeting) twiml.say(options.greeting);
  twiml.dial().conference({
    startConferenceOnEnter: true, endConferenceOnExit: options.endConferenceOnExit, waitUrl: HOLD_MUSIC_URL,
    statusCallback: conferenceStatusUrl(publicUrl), statusCallbackMethod: 'POST', statusCallbackEvent: [...CONFERENCE_EVENTS],
  }, conference);
  return twiml;
}
