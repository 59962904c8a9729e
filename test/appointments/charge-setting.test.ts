import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

const stack = useLeadStack('appointment-charge-setting');

const allWeek = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, start: '00:00', end: '24:00' }));

describe("an appointment assignment's appointmentCharge: charged when the partner takes the lead, or once the appointment is kept", () => {
  /** A lead booked with a partner that accepts it at once, priced 15.00 by its assignment. */
  const bookAndDeliver = async (appointmentCharge?: 'booked' | 'kept') => {
    const receiver = await stack.receiver('accept');
    const d = await configureDistribution(stack.api, { referralMethod: 'appointment', partners: [{ name: 'surveyor', webhookUrl: receiver.url, priority: 1, priceMinor: 15_00 }] });
    const { id: partnerId, assignmentId } = d.partners.surveyor!;
    if (appointmentCharge) {
      const patched = await stack.api.request('PATCH', `/assignments/${assignmentId}`, { body: { appointmentCharge } });
      expect(patched.body.appointmentCharge).toBe(appointmentCharge);
    }
    await stack.api.request('PUT', `/partners/${partnerId}/appointment-availability`, { body: { windows: allWeek, slotMinutes: 60, minNoticeMinutes: 60 } });
    const lead = (await stack.api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await stack.api.request('GET', `/leads/${lead}`)).body.status === 'awaiting_referral' ? true : undefined));
    const slot = (await stack.api.request('GET', `/partners/${partnerId}/slots`)).body.slots[0];
    const booked = await stack.api.request('POST', `/leads/${lead}/appointments`, { body: { partnerId, start: slot.start } });
    expect(booked.status).toBe(201);
    await eventually(async () => ((await stack.api.request('GET', `/leads/${lead}`)).body.status === 'delivered' ? true : undefined), { timeoutMs: 60_000 });
    const ledger = async () => (await stack.api.sql`select kind, amount_minor from partner_transactions where partner_id = ${partnerId} order by seq`).map((r) => `${r.kind} ${r.amount_minor}`);
    const [locked] = await stack.api.sql`select deferred_price_minor from appointments where id = ${booked.body.id}`;
    return { lead, partnerId, assignmentId, ledger, locked: locked?.deferred_price_minor === null ? null : Number(locked?.deferred_price_minor) };
  };

  it('by default the price is charged at delivery, as for any referral', async () => {
    const { ledger, locked } = await bookAndDeliver();
    await eventually(async () => ((await ledger()).length === 1 ? true : undefined));
    expect(await ledger()).toEqual(['charge -1500']);
    expect(locked).toBeNull();
  });

  it('with "kept" the delivery counts against the caps at no charge, and the price is locked at booking whatever the assignment says later', async () => {
    const { lead, partnerId, assignmentId, ledger, locked } = await bookAndDeliver('kept');
    await eventually(async () => ((await ledger()).length === 1 ? true : undefined));
    expect(await ledger()).toEqual(['charge 0']);
    expect(locked).toBe(15_00);
    const capacity = (await stack.api.request('GET', `/partners/${partnerId}/capacity`)).body;
    expect(capacity.windows.find((w: { window: string }) => w.window === 'lifetime')).toMatchObject({ counted: 1 });

    expect((await stack.api.request('PATCH', `/assignments/${assignmentId}`, { body: { priceMinor: 99_00 } })).status).toBe(200);
    const [after] = await stack.api.sql`select deferred_price_minor from appointments where lead_id = ${lead}`;
    expect(Number(after?.deferred_price_minor)).toBe(15_00);
    const history = JSON.stringify((await stack.api.request('GET', `/leads/${lead}/history`)).body);
    expect(history).toContain('price 1500 (minor units) locked, charged once the appointment is kept');
  });
});
