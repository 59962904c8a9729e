import { configureDistribution } from '../helpers/distribution';
import type { TransferSettings } from '../../domain/transfer';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import type { PhoneBehaviour } from '../../infra/twilio-voice-simulator';
import { testPhone, useVoiceStack } from '../helpers/twilio-voice';

/**
 * A real API and worker with the Twilio Voice simulator behind them, for transfer tests, and the
 * helpers they share: transfer leads with scripted partners, and what the simulator and ledger saw.
 */
export function useTransferStack() {
  const env = testEnv();
  const stack = useVoiceStack('transfer');
  const phone = testPhone;

  const leadIn = (id: string, status: string) =>
    eventually(async () => {
      const r = await stack.api.request('GET', `/leads/${id}`, { key: stack.agentKey });
      return r.body.status === status ? r.body : undefined;
    }, { timeoutMs: 90_000 });

  /** A transfer lead type with one partner per behaviour, best first, each with its own transfer phone scripted in the simulator. */
  async function transferLead(behaviours: Array<[name: string, behaviour: PhoneBehaviour]>, settings: Record<string, TransferSettings> = {}) {
    const { api, sim, agentKey } = stack;
    const phones: Record<string, string> = {};
    const partners = behaviours.map(([name, behaviour], i) => {
      phones[name] = phone();
      sim.script(phones[name]!, behaviour);
      return { name, priority: behaviours.length - i, priceMinor: 25_00 + i, transferPhone: phones[name] };
    });
    const distribution = await configureDistribution(api, { referralMethod: 'transfer', referralScope: 1, referralDeadlineSeconds: 600, partners });
    for (const [name] of behaviours) {
      const put = await api.request('PUT', `/partners/${distribution.partners[name]!.id}/transfer-settings`, { body: settings[name] ?? { ringTimeoutSeconds: 20, minBillableSeconds: 0 } });
      expect(put.status).toBe(200);
    }
    const created = await api.request('POST', '/leads', { key: agentKey, body: { leadType: distribution.leadTypeName, fields: { name: 'Ada', postcode: 'SW1A 1AA' } } });
    expect(created.status).toBe(202);
    const leadId: string = created.body.id;
    await leadIn(leadId, 'awaiting_referral');
    return { leadId, phones, distribution };
  }

  return {
    stack,
    env,
    phone,
    leadIn,
    transferLead,
    transfer: (leadId: string) => stack.api.request('GET', `/leads/${leadId}/transfer`, { key: stack.agentKey }),
    dialled: (to: string) => stack.sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Calls.json') && r.form.To === to),
    callTo: (to: string) => [...stack.sim.calls.values()].find((c) => c.to === to)!,
    /** Charges on partners' statements for the lead, in minor units (a charge lowers the balance, so it is stored negative). */
    charges: async (leadId: string) =>
      (await stack.api.sql<{ partner_id: string; amount_minor: string }[]>`select partner_id, amount_minor from partner_transactions where lead_id = ${leadId} and kind = 'charge'`)
        .map((r) => ({ partnerId: r.partner_id, amountMinor: -Number(r.amount_minor) })),
  };
}
