import { Webhook } from 'standardwebhooks';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

const stack = useLeadStack('appointment-delivery');

const allWeek = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, start: '00:00', end: '24:00' }));
const availability = { windows: allWeek, slotMinutes: 60, minNoticeMinutes: 60 };

interface CaughtMail { id: string; subject: string; text: string; to: { address: string }[] }
const mailTo = async (address: string, subject: RegExp) => {
  const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as CaughtMail[];
  return all.find((m) => m.to.some((t) => t.address === address) && subject.test(m.subject));
};
/** The calendar part of a caught email, its quoted-printable soft line breaks undone. */
const calendarOf = async (mail: CaughtMail) => {
  const source = (await (await fetch(`${process.env.MAIL_WEB_URL}/email/${mail.id}/source`)).text()).replace(/=\r?\n/g, '');
  return source.slice(source.indexOf('BEGIN:VCALENDAR'), source.indexOf('END:VCALENDAR'));
};

describe('a booked appointment travels with the lead to its partner', () => {
  const book = async (referralPartner: 'surveyor' | 'diary', dist: Awaited<ReturnType<typeof configureDistribution>>) => {
    const partnerId = dist.partners[referralPartner]!.id;
    await stack.api.request('PUT', `/partners/${partnerId}/appointment-availability`, { body: availability });
    const lead = (await stack.api.request('POST', '/leads', { body: { leadType: dist.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await stack.api.request('GET', `/leads/${lead}`)).body.status === 'awaiting_referral' ? true : undefined));
    const slot = (await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots[0];
    const booked = await stack.api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId, start: slot.start } });
    expect(booked.status).toBe(201);
    await eventually(async () => ((await stack.api.request('GET', `/leads/${lead}`)).body.status === 'delivered' ? true : undefined));
    return { lead, slot, appointment: booked.body };
  };

  it('in the webhook body', async () => {
    const receiver = await stack.receiver('accept');
    const d = await configureDistribution(stack.api, { referralMethod: 'appointment', partners: [{ name: 'surveyor', webhookUrl: receiver.url, priority: 1 }] });
    const { lead, slot, appointment } = await book('surveyor', d);
    const hook = receiver.received.map((r) => JSON.parse(r.body)).find((b) => b.id === lead);
    expect(hook.appointment).toEqual({ id: appointment.id, startsAt: slot.start, endsAt: slot.end });
  });

  it('as a calendar invite in the email', async () => {
    const address = `diary-${Date.now()}@partners.example`;
    const d = await configureDistribution(stack.api, { referralMethod: 'appointment', acceptanceWindowSeconds: 600, partners: [{ name: 'diary', emails: [address], priority: 1 }] });
    const partnerId = d.partners.diary!.id;
    await stack.api.request('PUT', `/partners/${partnerId}/appointment-availability`, { body: availability });
    const lead = (await stack.api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await stack.api.request('GET', `/leads/${lead}`)).body.status === 'awaiting_referral' ? true : undefined));
    const slot = (await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots[0];
    const booked = await stack.api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId, start: slot.start } });
    expect(booked.status).toBe(201);

    const delivery = await eventually(() => mailTo(address, /^New lead/));
    expect(delivery.text).toContain(`Appointment: ${slot.start} to ${slot.end} (UTC)`);
    const source = await (await fetch(`${process.env.MAIL_WEB_URL}/email/${delivery.id}/source`)).text();
    expect(source).toContain('BEGIN:VCALENDAR');
    expect(source).toContain(`UID:appointment-${booked.body.id}@leadrelay`);
  });

  it('is called off when the partner declines the lead: the slot is free again, the history says why, and the lead waits for another booking', async () => {
    const receiver = await stack.receiver('decline');
    const d = await configureDistribution(stack.api, { referralMethod: 'appointment', partners: [{ name: 'surveyor', webhookUrl: receiver.url, priority: 1 }] });
    const partnerId = d.partners.surveyor!.id;
    await stack.api.request('PUT', `/partners/${partnerId}/appointment-availability`, { body: availability });
    const lead = (await stack.api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await stack.api.request('GET', `/leads/${lead}`)).body.status === 'awaiting_referral' ? true : undefined));
    const slot = (await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots[0];
    expect((await stack.api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId, start: slot.start } })).status).toBe(201);

    const appointment = await eventually(async () => {
      const [first] = (await stack.api.request('GET', `/leads/${lead}/appointments`)).body.items;
      return first?.status === 'cancelled' ? first : undefined;
    }, { timeoutMs: 60_000 });
    expect(appointment).toMatchObject({ partnerId, start: slot.start });
    expect((await stack.api.request('GET', `/leads/${lead}`)).body).toMatchObject({ status: 'awaiting_referral', reason: 'no partner has taken the lead yet; another appointment may be booked' });
    const history = JSON.stringify((await stack.api.request('GET', `/leads/${lead}/history`)).body);
    expect(history).toContain('the partner did not take the lead (declined: outside our area)');
    const free = (await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots.map((s: { start: string }) => s.start);
    expect(free).toContain(slot.start);
  });

  it('a move after delivery sends the partner an updated invite (same UID, higher SEQUENCE), and a cancel a METHOD:CANCEL of it', async () => {
    const tag = Date.now();
    const [address, contact] = [`diary-${tag}@partners.example`, `diary-contact-${tag}@partners.example`];
    const d = await configureDistribution(stack.api, { referralMethod: 'appointment', partners: [{ name: 'diary', emails: [address], priority: 1 }] });
    const partnerId = d.partners.diary!.id;
    expect((await stack.api.request('PATCH', `/partners/${partnerId}`, { body: { email: contact } })).status).toBe(200);
    const { lead, appointment } = await book('diary', d);
    const uid = `UID:appointment-${appointment.id}@leadrelay`;
    const invite = await calendarOf(await eventually(() => mailTo(address, /^New lead/)));
    expect(invite).toContain(uid);
    expect(invite).toContain('SEQUENCE:0');

    const later = (await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots[3];
    const moved = await stack.api.request('POST', `/leads/${lead}/appointments/${appointment.id}/reschedule`, { body: { start: later.start } });
    expect(moved.status).toBe(200);
    const update = await calendarOf(await eventually(() => mailTo(contact, new RegExp(`^Appointment moved: lead ${lead}`))));
    expect(update).toContain('METHOD:REQUEST');
    expect(update).toContain(uid);
    expect(update).toContain('SEQUENCE:1');
    expect(update).toContain(`DTSTART:${later.start.replace(/[-:]/g, '').replace('.000', '')}`);

    expect((await stack.api.request('POST', `/leads/${lead}/appointments/${appointment.id}/cancel`, { body: { reason: 'consumer sold the house' } })).status).toBe(200);
    const cancel = await calendarOf(await eventually(() => mailTo(contact, new RegExp(`^Appointment cancelled: lead ${lead}`))));
    expect(cancel).toContain('METHOD:CANCEL');
    expect(cancel).toContain(uid);
    expect(cancel).toContain('SEQUENCE:2');
    expect(cancel).toContain('STATUS:CANCELLED');
  });

  it('a webhook partner hears of a move and a cancel as signed webhook events', async () => {
    const receiver = await stack.receiver('accept');
    const d = await configureDistribution(stack.api, { referralMethod: 'appointment', partners: [{ name: 'surveyor', webhookUrl: receiver.url, priority: 1 }] });
    const { lead, appointment } = await book('surveyor', d);
    const later = (await stack.api.request('GET', `/partners/${d.partners.surveyor!.id}/slots`)).body.slots[2];
    expect((await stack.api.request('POST', `/leads/${lead}/appointments/${appointment.id}/reschedule`, { body: { start: later.start } })).status).toBe(200);
    expect((await stack.api.request('POST', `/leads/${lead}/appointments/${appointment.id}/cancel`, { body: { reason: 'consumer sold the house' } })).status).toBe(200);

    const events = await eventually(async () => {
      const mine = receiver.received.filter((r) => JSON.parse(r.body).leadId === lead);
      return mine.length === 2 ? mine : undefined;
    });
    for (const hook of events) new Webhook(d.partners.surveyor!.secret).verify(hook.body, hook.headers as Record<string, string>);
    expect(events.map((e) => JSON.parse(e.body))).toEqual([
      { type: 'appointment.rescheduled', leadId: lead, appointment: { id: appointment.id, startsAt: later.start, endsAt: later.end, version: 2 }, previousStartsAt: appointment.start },
      { type: 'appointment.cancelled', leadId: lead, appointment: { id: appointment.id, startsAt: later.start, endsAt: later.end, version: 2 }, reason: 'consumer sold the house' },
    ]);
  });
});
