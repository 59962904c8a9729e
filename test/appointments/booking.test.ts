import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import type { Receiver } from '../helpers/webhook-receiver';

const stack = useLeadStack('appointments');

const allWeek = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, start: '00:00', end: '24:00' }));
const availability = { windows: allWeek, slotMinutes: 60, intervalMinutes: 60, minimumNoticeMinutes: 60, bufferMinutes: 0, concurrent: 1 };

interface CaughtMail { id: string; subject: string; text: string; to: { address: string }[] }
const mailTo = async (address: string, subject: RegExp) => {
  const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as CaughtMail[];
  return all.find((m) => m.to.some((t) => t.address === address) && subject.test(m.subject));
};

describe('appointment setting', () => {
  let d: Distribution;
  let receiver: Receiver;
  const submit = async (dist = d) => {
    const res = await stack.api.request('POST', '/leads', { body: { leadType: dist.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } });
    await eventually(async () => ((await stack.api.request('GET', `/leads/${res.body.id}`)).body.status === 'awaiting_referral' ? true : undefined));
    return res.body.id as string;
  };

  beforeAll(async () => {
    receiver = await stack.receiver('accept');
    d = await configureDistribution(stack.api, { referralMethod: 'appointment', partners: [{ name: 'surveyor', webhookUrl: receiver.url, priority: 1 }] });
    expect((await stack.api.request('PUT', `/partners/${d.partners.surveyor!.id}/appointment-availability`, { body: availability })).status).toBe(200);
  });

  it("lists the eligible partners' free slots, and books a slot for exactly one of 20 agents racing for it", async () => {
    const leads = await Promise.all(Array.from({ length: 20 }, () => submit()));
    const offered = (await stack.api.request('GET', `/leads/${leads[0]}/slots`)).body.partners;
    expect(offered).toEqual([expect.objectContaining({ partnerId: d.partners.surveyor!.id, timezone: 'Europe/London' })]);
    const slot = offered[0].slots[0];
    expect(Date.parse(slot.startsAt)).toBeGreaterThanOrEqual(Date.now() + 59 * 60_000);

    const answers = await Promise.all(leads.map((id) => stack.api.request('POST', `/leads/${id}/appointments`, { body: { partnerId: d.partners.surveyor!.id, startsAt: slot.startsAt } })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.message)).toEqual(Array(19).fill(expect.stringMatching(/has no free place at .*: another appointment took it$/)));
    const winner = answers.find((a) => a.status === 201)!.body;
    expect(winner).toMatchObject({ partnerId: d.partners.surveyor!.id, startsAt: slot.startsAt, endsAt: slot.endsAt, status: 'booked' });

    // Booking refers the lead to the partner with the appointment in the delivery.
    await eventually(async () => ((await stack.api.request('GET', `/leads/${winner.leadId}`)).body.status === 'delivered' ? true : undefined));
    const hook = receiver.received.map((r) => JSON.parse(r.body)).find((b) => b.id === winner.leadId);
    expect(hook.appointment).toEqual({ id: winner.id, startsAt: slot.startsAt, endsAt: slot.endsAt });
    const free = (await stack.api.request('GET', `/partners/${d.partners.surveyor!.id}/slots?from=${encodeURIComponent(slot.startsAt)}`)).body.slots;
    expect(free[0].startsAt).not.toBe(slot.startsAt);
  });

  it('sends an email partner a calendar invite, and tells it when the appointment is cancelled', async () => {
    const address = `diary-${Date.now()}@partners.example`;
    const mailed = await configureDistribution(stack.api, { referralMethod: 'appointment', partners: [{ name: 'diary', emails: [address], priority: 1 }] });
    const partnerId = mailed.partners.diary!.id;
    await stack.api.request('PATCH', `/partners/${partnerId}`, { body: { email: address } });
    await stack.api.request('PUT', `/partners/${partnerId}/appointment-availability`, { body: availability });
    const lead = await submit(mailed);
    const slot = (await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots[0];
    const booked = await stack.api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId, startsAt: slot.startsAt } });
    expect(booked.status).toBe(201);

    const delivery = await eventually(() => mailTo(address, /^New lead/));
    expect(delivery.text).toContain(`Appointment: ${slot.startsAt} to ${slot.endsAt} (UTC)`);
    const source = await (await fetch(`${process.env.MAIL_WEB_URL}/email/${delivery.id}/source`)).text();
    expect(source).toContain('BEGIN:VCALENDAR');
    expect(source).toContain(`UID:appointment-${booked.body.id}@leadrelay`);

    const cancelled = await stack.api.request('POST', `/appointments/${booked.body.id}/cancel`, { body: { reason: 'the customer moved house' } });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'the customer moved house' });
    const notice = await eventually(() => mailTo(address, /appointment on .* cancelled$/));
    expect(notice.text).toContain('the customer moved house');
    expect((await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots[0].startsAt).toBe(slot.startsAt);
  });

  it('refuses a time that is not a slot, a lead that is not for appointments, and a partner that takes none, saying why', async () => {
    const lead = await submit();
    const offSlot = new Date(Date.now() + 3 * 86_400_000);
    offSlot.setUTCMinutes(17, 0, 0);
    const bad = await stack.api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId: d.partners.surveyor!.id, startsAt: offSlot.toISOString() } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([{ field: 'body.startsAt', reason: expect.stringMatching(/^not one of .*'s slot starts: see GET \/leads\/.*\/slots$/) }]);

    const manual = await configureDistribution(stack.api, { referralMethod: 'manual', partners: [{ name: 'other', webhookUrl: receiver.url, priority: 1 }] });
    const manualLead = await submit(manual);
    const notForAppointments = await stack.api.request('POST', `/leads/${manualLead}/appointments`, { body: { partnerId: manual.partners.other!.id, startsAt: new Date().toISOString() } });
    expect(notForAppointments.status).toBe(409);
    expect(notForAppointments.body.message).toBe(`lead ${manualLead} is a manual lead: only appointment leads are booked`);

    const none = await stack.api.request('GET', `/partners/${manual.partners.other!.id}/slots`);
    expect(none.status).toBe(409);
    expect(none.body.message).toMatch(/takes no appointments: an operator sets its availability with PUT \/partners\/.*\/appointment-availability$/);
  });
});
