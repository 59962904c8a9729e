import type { TestApi } from '../helpers/api';
import type { Receiver, startReceiver } from '../helpers/webhook-receiver';
import type { configureDistribution } from '../helpers/distribution';

export interface ScenarioContext {
  api: TestApi;
  receiver(b: Parameters<typeof startReceiver>[0]): Promise<Receiver>;
  configure(spec: Parameters<typeof configureDistribution>[1]): ReturnType<typeof configureDistribution>;
}

/** One shape of a lead's life, run end to end; returns the lead and the partners whose capacity workflows it touched. */
export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<{ leadId: string; partnerIds: string[] }>;
}

const submit = async (api: TestApi, leadType: string) => {
  const res = await api.request('POST', '/leads', { body: { leadType, fields: { name: 'Ada', postcode: 'N1' } } });
  if (res.status !== 202) throw new Error(`lead not accepted: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
};

export const SCENARIOS: Scenario[] = [
  {
    name: 'waterfall',
    async run({ api, receiver, configure }) {
      const [failing, declining, accepting] = await Promise.all([receiver('fail'), receiver('decline'), receiver('accept')]);
      const d = await configure({
        partners: [
          { name: 'failing', webhookUrl: failing.url, priority: 30, maxAttempts: 2 },
          { name: 'declining', webhookUrl: declining.url, priority: 20 },
          { name: 'accepting', webhookUrl: accepting.url, priority: 10 },
        ],
      });
      return { leadId: await submit(api, d.leadTypeName), partnerIds: [d.partners.accepting!.id] };
    },
  },
  {
    name: 'acceptance-expiry',
    async run({ api, receiver, configure }) {
      const silent = await receiver('ack');
      const d = await configure({ acceptanceWindowSeconds: 2, partners: [{ name: 'silent', webhookUrl: silent.url, priority: 1 }] });
      return { leadId: await submit(api, d.leadTypeName), partnerIds: [d.partners.silent!.id] };
    },
  },
  {
    name: 'send-to-all',
    async run({ api, receiver, configure }) {
      const [a, b] = await Promise.all([receiver('accept'), receiver('accept')]);
      const d = await configure({ strategy: 'send_to_all', referralScope: 2, partners: [{ name: 'a', webhookUrl: a.url, priority: 2 }, { name: 'b', webhookUrl: b.url, priority: 1 }] });
      return { leadId: await submit(api, d.leadTypeName), partnerIds: [d.partners.a!.id] };
    },
  },
  {
    name: 'manual-referral-accepted-in-portal',
    async run({ api, receiver, configure }) {
      const acking = await receiver('ack');
      const d = await configure({ referralMethod: 'manual', acceptanceWindowSeconds: 60, partners: [{ name: 'buyer', webhookUrl: acking.url, priority: 1 }] });
      const leadId = await submit(api, d.leadTypeName);
      await waitFor(async () => (await api.request('POST', `/leads/${leadId}/refer`, { body: {} })).status === 200);
      const key = d.partners.buyer!.key;
      await waitFor(async () => (await api.request('POST', `/portal/leads/${leadId}/accept`, { key })).status === 200);
      return { leadId, partnerIds: [d.partners.buyer!.id] };
    },
  },
  {
    name: 'cancelled-awaiting-answer',
    async run({ api, receiver, configure }) {
      const acking = await receiver('ack');
      const d = await configure({ acceptanceWindowSeconds: 300, partners: [{ name: 'buyer', webhookUrl: acking.url, priority: 1 }] });
      const leadId = await submit(api, d.leadTypeName);
      await waitFor(async () => (await api.request('GET', `/leads/${leadId}`)).body.status === 'awaiting_response');
      await api.request('POST', `/leads/${leadId}/cancel`, { body: { reason: 'customer withdrew' } });
      return { leadId, partnerIds: [d.partners.buyer!.id] };
    },
  },
  {
    name: 'referral-deadline-expired',
    async run({ api, receiver, configure }) {
      const d = await configure({ referralMethod: 'manual', referralDeadlineSeconds: 1, partners: [{ name: 'buyer', webhookUrl: (await receiver('accept')).url, priority: 1 }] });
      return { leadId: await submit(api, d.leadTypeName), partnerIds: [] };
    },
  },
  {
    name: 'appointment-booked',
    async run({ api, receiver, configure }) {
      const d = await configure({ referralMethod: 'appointment', partners: [{ name: 'surveyor', webhookUrl: (await receiver('accept')).url, priority: 1 }] });
      const partnerId = d.partners.surveyor!.id;
      const leadId = await awaitingReferral(api, d.leadTypeName);
      await bookIn72Hours(api, leadId, partnerId);
      return { leadId, partnerIds: [partnerId] };
    },
  },
  {
    name: 'appointment-called-off',
    async run({ api, receiver, configure }) {
      // A declined appointment lead waits for another booking until its deadline: a short one ends it.
      const d = await configure({ referralMethod: 'appointment', referralDeadlineSeconds: 15, partners: [{ name: 'surveyor', webhookUrl: (await receiver('decline')).url, priority: 1 }] });
      const partnerId = d.partners.surveyor!.id;
      const leadId = await awaitingReferral(api, d.leadTypeName);
      await bookIn72Hours(api, leadId, partnerId);
      await waitFor(async () => (await api.request('GET', `/leads/${leadId}/appointments`)).body.items[0]?.status === 'cancelled');
      return { leadId, partnerIds: [partnerId] };
    },
  },
  {
    name: 'appointment-scope-2',
    async run({ api, receiver, configure }) {
      const accepting = await receiver('accept');
      const d = await configure({ referralMethod: 'appointment', referralScope: 2, partners: [{ name: 'first', webhookUrl: accepting.url, priority: 2 }, { name: 'second', webhookUrl: accepting.url, priority: 1 }] });
      const leadId = await awaitingReferral(api, d.leadTypeName);
      for (const { id: partnerId } of [d.partners.first!, d.partners.second!]) await bookIn72Hours(api, leadId, partnerId);
      return { leadId, partnerIds: [d.partners.first!.id] };
    },
  },
];

/** A new lead, once its workflow waits for a referral (an appointment lead: for a booking). */
async function awaitingReferral(api: TestApi, leadType: string): Promise<string> {
  const leadId = await submit(api, leadType);
  await waitFor(async () => (await api.request('GET', `/leads/${leadId}`)).body.status === 'awaiting_referral');
  return leadId;
}

/** Opens the partner's whole week for appointments and books the lead with it 72 hours from now, on the hour. */
async function bookIn72Hours(api: TestApi, leadId: string, partnerId: string): Promise<void> {
  const windows = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, start: '00:00', end: '24:00' }));
  await api.request('PUT', `/partners/${partnerId}/appointment-availability`, { body: { windows, slotMinutes: 60 } });
  const start = new Date(Date.now() + 72 * 3_600_000);
  start.setUTCMinutes(0, 0, 0);
  await waitFor(async () => (await api.request('POST', `/leads/${leadId}/appointments`, { body: { partnerId, start: start.toISOString() } })).status === 201);
}

async function waitFor(done: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('scenario step did not succeed in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
