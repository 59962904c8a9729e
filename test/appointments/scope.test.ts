import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { appointmentWorkflowId } from '../../workflows/appointment-messages';

const stack = useLeadStack('appointment-scope');

const allWeek = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, start: '00:00', end: '24:00' }));

describe('an appointment lead with referral scope 3', () => {
  it('books three appointments with three partners, each referring the lead with its own appointment workflow; a fourth, or a second with the same partner, is 409', async () => {
    const { api } = stack;
    // Each partner acknowledges the delivery and answers later, in its portal.
    const ack = await stack.receiver('ack');
    const names = ['alpha', 'bravo', 'charlie', 'delta'];
    const d = await configureDistribution(api, {
      referralMethod: 'appointment', referralScope: 3, acceptanceWindowSeconds: 600,
      partners: names.map((name, i) => ({ name, webhookUrl: ack.url, priority: 10 - i })),
    });
    const partner = (name: string) => d.partners[name]!;
    for (const name of names) await api.request('PUT', `/partners/${partner(name).id}/appointment-availability`, { body: { windows: allWeek, slotMinutes: 60, minNoticeMinutes: 60 } });
    const lead = (await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await api.request('GET', `/leads/${lead}`)).body.status === 'awaiting_referral' ? true : undefined));
    const book = async (name: string, slotIndex = 0) => {
      const slot = (await api.request('GET', `/partners/${partner(name).id}/slots`)).body.slots[slotIndex];
      return api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId: partner(name).id, start: slot.start } });
    };

    const unnamed = await api.request('POST', `/leads/${lead}/refer`, { body: {} });
    expect(unnamed.status).toBe(409);
    expect(unnamed.body.message).toBe('an appointment is booked with one partner; this names 0');
    expect((await book('alpha')).status).toBe(201);
    const again = await book('alpha', 1);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(`the lead already has an appointment with partner ${partner('alpha').id}: each of its appointments is with a different partner`);
    expect((await book('bravo')).status).toBe(201);
    expect((await book('charlie')).status).toBe(201);
    const fourth = await book('delta');
    expect(fourth.status).toBe(409);
    expect(fourth.body.message).toBe("the lead's referral scope is 3: 3 partner(s) already have the lead or are being offered it");

    for (const name of ['alpha', 'bravo', 'charlie']) {
      await eventually(async () => ((await api.request('POST', `/portal/leads/${lead}/accept`, { key: partner(name).key })).status === 200 ? true : undefined), { timeoutMs: 60_000 });
    }
    const done = await eventually(async () => {
      const body = (await api.request('GET', `/leads/${lead}`)).body;
      return body.status === 'delivered' ? body : undefined;
    }, { timeoutMs: 60_000 });
    expect(done.reason).toMatch(/^accepted by alpha-\w+, bravo-\w+, charlie-\w+$/);
    expect(done.deliveries.map((x: { partnerId: string; status: string }) => [x.partnerId, x.status])).toEqual(
      ['alpha', 'bravo', 'charlie'].map((name) => [partner(name).id, 'accepted']),
    );

    const appointments = (await api.request('GET', `/leads/${lead}/appointments`)).body.items.filter((a: { status: string }) => a.status === 'booked');
    expect(appointments.map((a: { partnerId: string }) => a.partnerId).sort()).toEqual(['alpha', 'bravo', 'charlie'].map((name) => partner(name).id).sort());
    for (const a of appointments) {
      expect((await api.temporal.workflow.getHandle(appointmentWorkflowId(a.id)).describe()).status.name).toBe('RUNNING');
    }
    // Its scope full, the lead is closed to bookings.
    const late = await book('delta');
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: 'lead_closed', message: expect.stringContaining('its referral scope is full') });
    const deltas = (await api.request('GET', `/leads/${lead}/appointments`)).body.items.filter((a: { partnerId: string }) => a.partnerId === partner('delta').id);
    expect(deltas.map((a: { status: string }) => a.status)).toEqual(['released', 'released']);
  }, 180_000);

  it('a partner that declines frees its place: its appointment is called off, and another partner may be booked', async () => {
    const { api } = stack;
    const [declining, accepting] = [await stack.receiver('decline'), await stack.receiver('accept')];
    const d = await configureDistribution(api, {
      referralMethod: 'appointment', referralScope: 1,
      partners: [{ name: 'decliner', webhookUrl: declining.url, priority: 2 }, { name: 'taker', webhookUrl: accepting.url, priority: 1 }],
    });
    for (const p of Object.values(d.partners)) await api.request('PUT', `/partners/${p.id}/appointment-availability`, { body: { windows: allWeek, slotMinutes: 60, minNoticeMinutes: 60 } });
    const lead = (await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await api.request('GET', `/leads/${lead}`)).body.status === 'awaiting_referral' ? true : undefined));
    const book = async (name: string) => {
      const { id } = d.partners[name]!;
      const slot = (await api.request('GET', `/partners/${id}/slots`)).body.slots[0];
      return api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId: id, start: slot.start } });
    };

    const first = await book('decliner');
    expect(first.status).toBe(201);
    await eventually(async () => {
      const [a] = (await api.request('GET', `/leads/${lead}/appointments`)).body.items.filter((x: { id: string }) => x.id === first.body.id);
      return a?.status === 'cancelled' ? true : undefined;
    }, { timeoutMs: 60_000 });
    expect((await book('decliner')).status).toBe(409);
    expect((await book('taker')).status).toBe(201);
    const done = await eventually(async () => {
      const body = (await api.request('GET', `/leads/${lead}`)).body;
      return body.status === 'delivered' ? body : undefined;
    }, { timeoutMs: 60_000 });
    expect(done.reason).toMatch(/^accepted by taker-\w+$/);
    expect(done.deliveries.map((x: { status: string }) => x.status)).toEqual(['declined', 'accepted']);
  }, 120_000);
});
