import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import { outcomeLink } from '../../infra/appointment-links';

const stack = useLeadStack('appointments');
let setup: Distribution;
let agentKey: string;

// Every weekday and weekend day, all day, on the partner's London wall clock: any future hour is a slot.
const allWeek = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, start: '00:00', end: '24:00' }));
const nextHour = (hoursAhead: number) => {
  const at = new Date(Date.now() + hoursAhead * 3_600_000);
  at.setUTCMinutes(0, 0, 0);
  return at.toISOString();
};

beforeAll(async () => {
  const { api } = stack;
  const receiver = await stack.receiver('accept');
  setup = await configureDistribution(api, {
    referralMethod: 'appointment',
    partners: [
      { name: 'surveyors', webhookUrl: receiver.url, priority: 2 },
      { name: 'no-diary', webhookUrl: receiver.url, priority: 1 },
    ],
  });
  agentKey = (await api.request('POST', '/api-keys', { body: { name: 'booking desk', role: 'agent' } })).body.key;
  const set = await api.request('PUT', `/partners/${setup.partners.surveyors!.id}/appointment-availability`, {
    key: setup.partners.surveyors!.key,
    body: { windows: allWeek, slotMinutes: 60, minNoticeMinutes: 60, bufferMinutes: 0, concurrency: 1 },
  });
  expect(set.status).toBe(200);
}, 60_000);

const newLead = async (name: string) => {
  const res = await stack.api.request('POST', '/leads', { key: agentKey, body: { leadType: setup.leadTypeName, fields: { name, postcode: 'SW1' } } });
  expect(res.status).toBe(202);
  await eventually(async () => ((await stack.api.request('GET', `/leads/${res.body.id}`, { key: agentKey })).body.status === 'awaiting_referral' ? true : undefined), { timeoutMs: 60_000 });
  return res.body.id as string;
};

describe('partner appointment availability', () => {
  it('is set by the partner, names each bad field, and is private to it', async () => {
    const { api } = stack;
    const surveyors = setup.partners.surveyors!;
    const bad = await api.request('PUT', `/partners/${surveyors.id}/appointment-availability`, {
      key: surveyors.key,
      body: { windows: [{ day: 'mon', start: '17:00', end: '09:00' }], slotMinutes: 45, concurrency: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['body.concurrency', 'body.slotMinutes', 'body.windows.0.end']);
    expect((await api.request('GET', `/partners/${surveyors.id}/appointment-availability`, { key: surveyors.key })).body.slotMinutes).toBe(60);
    const other = await api.request('PUT', `/partners/${surveyors.id}/appointment-availability`, { key: setup.partners['no-diary']!.key, body: { windows: allWeek, slotMinutes: 30 } });
    expect(other.status).toBe(404);
  });

  it("lists a partner's free slots after its minimum notice, and refuses a backwards range", async () => {
    const { api } = stack;
    const id = setup.partners.surveyors!.id;
    const from = new Date();
    const res = await api.request('GET', `/partners/${id}/slots?from=${from.toISOString()}&to=${new Date(from.getTime() + 6 * 3_600_000).toISOString()}`, { key: agentKey });
    expect(res.status).toBe(200);
    expect(res.body.slots.length).toBeGreaterThanOrEqual(4);
    expect(new Date(res.body.slots[0].start).getTime()).toBeGreaterThanOrEqual(from.getTime() + 3_600_000);
    const backwards = await api.request('GET', `/partners/${id}/slots?from=2026-06-02&to=2026-06-01`, { key: agentKey });
    expect(backwards.status).toBe(400);
    expect(backwards.body.problems).toEqual([{ field: 'query.to', reason: 'must be after from' }]);
  });
});

describe("a lead type's appointment settings", () => {
  it('are the defaults until an operator sets them, name each bad field, and are refused to agents', async () => {
    const { api } = stack;
    const path = `/lead-types/${setup.leadTypeId}/appointment-settings`;
    expect((await api.request('GET', path, { key: agentKey })).body).toEqual({
      reminderOffsetsMinutes: [1440, 60], outcomeGraceMinutes: 2880, consumerPhoneField: 'phone', consumerEmailField: 'email', consumerTimezoneField: 'timezone',
    });
    const bad = await api.request('PUT', path, { body: { reminderOffsetsMinutes: [60, 60], outcomeGraceMinutes: 0, consumerPhoneField: ' ' } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['body.consumerPhoneField', 'body.outcomeGraceMinutes', 'body.reminderOffsetsMinutes']);
    expect((await api.request('PUT', path, { key: agentKey, body: {} })).status).toBe(403);
    const set = await api.request('PUT', path, { body: { reminderOffsetsMinutes: [2880, 120], consumerPhoneField: 'mobile' } });
    expect(set.status).toBe(200);
    expect((await api.request('GET', path, { key: agentKey })).body).toMatchObject({ reminderOffsetsMinutes: [2880, 120], consumerPhoneField: 'mobile', consumerEmailField: 'email' });
    await api.request('PUT', path, { body: {} });
    expect((await api.request('GET', `/lead-types/${setup.partners.surveyors!.id}/appointment-settings`)).status).toBe(404);
  });
});

describe('booking an appointment', () => {
  it('is documented in the OpenAPI document, with its request schemas', async () => {
    const doc = (await stack.api.request('GET', '/openapi.json', { key: null })).body;
    expect(doc.paths['/leads/{id}/appointments'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BookAppointment' });
    expect(Object.keys(doc.components.schemas.AppointmentAvailability.properties)).toEqual(['windows', 'slotMinutes', 'minNoticeMinutes', 'bufferMinutes', 'concurrency']);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/partners/{id}/slots', '/leads/{id}/slots', '/leads/{id}/appointments/{appointmentId}/reschedule', '/leads/{id}/appointments/{appointmentId}/cancel']));
  });

  it("shows the agent each eligible partner's slots, books one, refers the lead to that partner, and takes the slot off the list", async () => {
    const { api } = stack;
    const leadId = await newLead('Ada');
    const screen = await api.request('GET', `/leads/${leadId}/slots`, { key: agentKey });
    expect(screen.status).toBe(200);
    // The partner without a diary takes no appointments, so it is not offered.
    expect(screen.body.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual([setup.partners.surveyors!.id]);
    const slot = screen.body.partners[0].slots[2];

    const booked = await api.request('POST', `/leads/${leadId}/appointments`, { key: agentKey, body: { partnerId: setup.partners.surveyors!.id, start: slot.start } });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ leadId, partnerId: setup.partners.surveyors!.id, start: slot.start, end: slot.end, status: 'booked' });
    await eventually(async () => ((await api.request('GET', `/leads/${leadId}`, { key: agentKey })).body.status === 'delivered' ? true : undefined), { timeoutMs: 60_000 });

    const after = await api.request('GET', `/partners/${setup.partners.surveyors!.id}/slots?from=${slot.start}&to=${slot.end}`, { key: agentKey });
    expect(after.body.slots).toEqual([]);
    const history = await api.request('GET', `/leads/${leadId}/history`, { key: agentKey });
    expect(JSON.stringify(history.body)).toContain('appointment_booked');
  });

  it('refuses a slot the partner does not offer, and a partner that takes no appointments, changing nothing', async () => {
    const { api } = stack;
    const leadId = await newLead('Bo');
    const offGrid = await api.request('POST', `/leads/${leadId}/appointments`, { key: agentKey, body: { partnerId: setup.partners.surveyors!.id, start: nextHour(30).replace(':00:00', ':20:00') } });
    expect(offGrid.status).toBe(409);
    expect(offGrid.body.message).toMatch(/not free/);
    const noDiary = await api.request('POST', `/leads/${leadId}/appointments`, { key: agentKey, body: { partnerId: setup.partners['no-diary']!.id, start: nextHour(30) } });
    expect(noDiary.status).toBe(409);
    expect(noDiary.body.message).toMatch(/takes no appointments/);
    expect((await api.request('GET', `/leads/${leadId}/appointments`, { key: agentKey })).body.items).toEqual([]);
    expect((await api.request('GET', `/leads/${leadId}`, { key: agentKey })).body.status).toBe('awaiting_referral');
  });

  it('books one slot once when 20 agents book it at the same moment: one 201, nineteen 409', async () => {
    const { api } = stack;
    const leads = await Promise.all(Array.from({ length: 20 }, (_, i) => newLead(`Racer ${i}`)));
    const start = nextHour(50);
    const answers = await Promise.all(leads.map((leadId) =>
      api.request('POST', `/leads/${leadId}/appointments`, { key: agentKey, body: { partnerId: setup.partners.surveyors!.id, start } })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    const [row] = await api.sql`select count(*)::int as count from appointments where partner_id = ${setup.partners.surveyors!.id} and starts_at = ${new Date(start)} and status <> 'released'`;
    expect(row?.count).toBe(1);
  }, 180_000);

  it('moves a booked appointment only to a free future slot, and a cancel frees its slot, each in the audit trail', async () => {
    const { api } = stack;
    const surveyors = setup.partners.surveyors!.id;
    const [first, second] = [await newLead('Cy'), await newLead('Di')];
    const [a, b] = [nextHour(70), nextHour(72)];
    const mine = (await api.request('POST', `/leads/${first}/appointments`, { key: agentKey, body: { partnerId: surveyors, start: a } })).body;
    expect((await api.request('POST', `/leads/${second}/appointments`, { key: agentKey, body: { partnerId: surveyors, start: b } })).status).toBe(201);
    const path = `/leads/${first}/appointments/${mine.id}`;

    const onto = await api.request('POST', `${path}/reschedule`, { key: agentKey, body: { start: b } });
    expect(onto.status).toBe(409);
    const past = await api.request('POST', `${path}/reschedule`, { key: agentKey, body: { start: nextHour(-3) } });
    expect(past.status).toBe(409);
    expect(past.body.message).toMatch(/not in the future/);

    const stranger = await api.request('POST', `${path}/reschedule`, { key: setup.partners['no-diary']!.key, body: { start: nextHour(74) } });
    expect(stranger.status).toBe(404);
    // The partner itself may move it.
    const moved = await api.request('POST', `${path}/reschedule`, { key: setup.partners.surveyors!.key, body: { start: nextHour(74) } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ start: nextHour(74), status: 'booked' });
    const freed = await api.request('GET', `/partners/${surveyors}/slots?from=${a}&to=${nextHour(71)}`, { key: agentKey });
    expect(freed.body.slots.map((s: { start: string }) => s.start)).toEqual([a]);

    expect((await api.request('POST', `${path}/cancel`, { key: agentKey, body: { reason: ' ' } })).body.problems[0].field).toBe('body.reason');
    const cancelled = await api.request('POST', `${path}/cancel`, { key: agentKey, body: { reason: 'consumer moved house' } });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await api.request('GET', `/partners/${surveyors}/slots?from=${nextHour(74)}&to=${nextHour(75)}`, { key: agentKey })).body.slots).toHaveLength(1);
    expect((await api.request('POST', `${path}/reschedule`, { key: agentKey, body: { start: a } })).status).toBe(409);

    const partnerEmail = (await api.request('GET', `/partners/${surveyors}`)).body.email;
    const told = await eventually(async () => {
      const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as { subject: string; text: string; to: { address: string }[] }[];
      const mine = all.filter((m) => m.to.some((t) => t.address === partnerEmail) && m.subject.includes(first));
      return mine.length === 2 ? mine : undefined;
    });
    expect(told.map((m) => m.subject).sort()).toEqual([`Appointment cancelled: lead ${first}`, `Appointment moved: lead ${first}`]);
    expect(told.find((m) => m.subject.startsWith('Appointment moved'))!.text).toContain(nextHour(74));
    const types = (await api.request('GET', `/leads/${first}/history`, { key: agentKey })).body;
    expect(JSON.stringify(types)).toContain('appointment_rescheduled');
    expect(JSON.stringify(types)).toContain('consumer moved house');
  }, 120_000);

  it("takes the partner's outcome only from its own partner, and only after the appointment's time", async () => {
    const { api } = stack;
    const leadId = await newLead('Ed');
    const booked = (await api.request('POST', `/leads/${leadId}/appointments`, { key: agentKey, body: { partnerId: setup.partners.surveyors!.id, start: nextHour(80) } })).body;
    const path = `/portal/appointments/${booked.id}/outcome`;
    expect((await api.request('POST', path, { key: setup.partners['no-diary']!.key, body: { outcome: 'no_show' } })).status).toBe(404);
    expect((await api.request('POST', path, { key: setup.partners.surveyors!.key, body: { outcome: 'maybe' } })).body.problems).toEqual([{ field: 'body.outcome', reason: 'must be attended or no_show' }]);
    const early = await api.request('POST', path, { key: setup.partners.surveyors!.key, body: { outcome: 'no_show' } });
    expect(early.status).toBe(409);
    expect(early.body.message).toBe(`the appointment is at ${booked.start}: record its outcome after that`);
    expect((await api.request('GET', `/leads/${leadId}/appointments`, { key: agentKey })).body.items[0]).toMatchObject({ outcome: null, version: 1 });

    // The signed links of the partner's reminder email: a page first, the outcome on its button.
    const { PUBLIC_URL, LINK_SIGNING_SECRET } = testEnv();
    const link = (outcome: 'attended' | 'no_show', expiresAt: Date) => {
      const url = new URL(outcomeLink(PUBLIC_URL, LINK_SIGNING_SECRET, { appointmentId: booked.id, outcome, expiresAt }));
      return `${url.pathname}${url.search}`;
    };
    const good = link('attended', new Date(Date.now() + 100 * 3_600_000));
    const shown = await api.request('GET', good, { key: null });
    expect(shown.status).toBe(200);
    expect(shown.body).toContain(`Record the appointment at ${booked.start} as attended?`);
    const pressedEarly = await api.request('POST', good, { key: null });
    expect(pressedEarly.status).toBe(409);
    expect(pressedEarly.body.message).toBe(`the appointment is at ${booked.start}: record its outcome after that`);
    expect((await api.request('POST', good.replace('outcome=attended', 'outcome=no_show'), { key: null })).status).toBe(403);
    expect((await api.request('GET', link('no_show', new Date(Date.now() - 60_000)), { key: null })).status).toBe(410);
  }, 60_000);

  it('a booked lead the consumer did not show up for may be returned for credit with the reason no_show, at the price it was charged', async () => {
    const { api } = stack;
    const surveyors = setup.partners.surveyors!;
    const policy = await api.request('PUT', `/partners/${surveyors.id}/return-policy`, { body: { windowHours: 48, reasons: [{ reason: 'no_show' }], autoApprove: { withinHours: 24, reasons: ['no_show'] } } });
    expect(policy.status).toBe(200);
    const leadId = await newLead('Flo');
    expect((await api.request('POST', `/leads/${leadId}/appointments`, { key: agentKey, body: { partnerId: surveyors.id, start: nextHour(90) } })).status).toBe(201);
    await eventually(async () => ((await api.request('GET', `/leads/${leadId}`, { key: agentKey })).body.status === 'delivered' ? true : undefined), { timeoutMs: 60_000 });
    const charged = (await api.request('GET', `/leads/${leadId}`, { key: agentKey })).body.deliveries[0].priceMinor;
    expect(charged).toBeGreaterThan(0);
    const returned = await api.request('POST', `/portal/leads/${leadId}/return`, { key: surveyors.key, body: { reason: 'no_show' } });
    expect(returned.status).toBe(201);
    expect(returned.body).toMatchObject({ status: 'approved', reason: 'no_show', amountMinor: charged });
  }, 90_000);
});
