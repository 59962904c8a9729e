import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { startApi, type TestApi } from '../helpers/api';
import { testEnv } from '../helpers/env';
import { createActivities } from '../../activities';
import { fakeTwilio, testNotifier } from '../capacity/fixtures';
import { bookedAppointment } from './fixtures';

const SMS_URL = new URL('/twilio/sms', testEnv().PUBLIC_URL).toString();

describe("a consumer's SMS reply to an appointment reminder", () => {
  let api: TestApi;
  const twilioFake = fakeTwilio();
  beforeAll(async () => {
    api = await startApi({ taskQueue: `appointment-sms-${randomUUID()}` });
  });
  afterAll(() => api.close());

  const sms = (from: string, body: string) => {
    const params = { From: from, To: testEnv().TWILIO_FROM_NUMBER, Body: body, MessageSid: `SM${randomUUID().replace(/-/g, '')}` };
    return api.request('POST', '/twilio/sms', {
      key: null,
      rawBody: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(testEnv().TWILIO_AUTH_TOKEN, SMS_URL, params) },
    });
  };

  it('C confirms and R asks for a call back, shown on the appointment and in the history; a stranger is not matched', async () => {
    const start = new Date(Date.now() + 48 * 3_600_000);
    start.setUTCMinutes(0, 0, 0);
    const a = await bookedAppointment(api.sql, { start: start.toISOString(), consumerTimeZone: 'Europe/London', partnerTimeZone: 'Europe/London' });
    // The day-before reminder goes out by SMS, as the appointment's workflow sends it.
    const activities = createActivities({ sql: api.sql, env: testEnv(), temporal: api.temporal, notifier: testNotifier(twilioFake) });
    await activities.sendAppointmentReminder({ appointmentId: a.appointmentId, version: 1, offsetMinutes: 1440, channel: 'sms', at: new Date().toISOString() });
    expect(twilioFake.requests.find((r) => r.data.To === a.consumer.phone)?.data.Body).toMatch(/Reply C to confirm or R for a call back\.$/);
    // The consumer's number is kept sealed beside the message sent to it.
    const stored = await api.sql`select address from appointment_messages where appointment_id = ${a.appointmentId} and recipient = 'consumer'`;
    expect(stored.map((r) => r.address)).toEqual([expect.stringContaining('"$sealed":"v1"')]);

    const listed = async () => (await api.request('GET', `/leads/${a.leadId}/appointments`)).body.items[0];
    const other = await sms(a.consumer.phone, 'maybe');
    expect(other.body).toContain('Reply C to confirm your appointment or R for a call back.');
    expect(await listed()).toMatchObject({ consumerReply: null });

    const confirmed = await sms(a.consumer.phone, ' c ');
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain('your appointment is confirmed');
    expect(await listed()).toMatchObject({ consumerReply: 'confirmed', consumerRepliedAt: expect.any(String) });

    expect((await sms(a.consumer.phone, 'R')).body).toContain('we will call you back');
    expect(await listed()).toMatchObject({ consumerReply: 'call_back' });
    const history = (await api.request('GET', `/leads/${a.leadId}/history`)).body;
    expect(JSON.stringify(history).match(/appointment_consumer_reply/g)).toHaveLength(2);

    expect((await sms('+15005550006', 'C')).body).toContain('not registered to a partner account');
  });
});
