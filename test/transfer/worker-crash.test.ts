import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import type { TwilioVoiceSimulator } from '../../infra/twilio-voice-simulator';
import { startVoiceSimulatorFor } from '../helpers/twilio-voice';

describe('a worker SIGKILLed mid-transfer', () => {
  const env = testEnv();
  const taskQueue = `crash-transfer-${randomUUID()}`;
  let api: TestApi;
  let sim: TwilioVoiceSimulator;
  beforeAll(async () => {
    api = await startApi({ taskQueue });
    sim = await startVoiceSimulatorFor(() => api);
  });
  afterAll(async () => {
    await sim.close();
    await api.close();
  });

  it('resumes the transfer on another worker without ringing anyone twice, and charges once', async () => {
    const busy = '+447700901001';
    const taker = '+447700901002';
    sim.script(busy, { answer: 'busy' });
    // Rings for 4 s: the first worker dies while the taker's phone rings.
    sim.script(taker, { answer: 'human', afterMs: 4_000, press: '1' });
    const d = await configureDistribution(api, {
      referralMethod: 'transfer', referralDeadlineSeconds: 600,
      partners: [{ name: 'busy', priority: 2, transferPhone: busy, priceMinor: 40_00 }, { name: 'taker', priority: 1, transferPhone: taker, priceMinor: 30_00 }],
    });
    for (const p of Object.values(d.partners)) await api.request('PUT', `/partners/${p.id}/transfer-settings`, { body: { ringTimeoutSeconds: 20, minBillableSeconds: 1 } });
    const workerEnv = { TWILIO_API_BASE_URL: sim.url };
    const first = await spawnWorkerProcess(taskQueue, workerEnv);
    let second: WorkerProcess | undefined;
    try {
      const created = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
      const leadId: string = created.body.id;
      await eventually(async () => ((await api.request('GET', `/leads/${leadId}`)).body.status === 'awaiting_referral' || undefined), { timeoutMs: 60_000 });
      const consumer = sim.incomingCall('+447700901999', env.TWILIO_FROM_NUMBER);
      expect((await api.request('POST', `/leads/${leadId}/transfer`, { body: { consumerCallSid: consumer } })).status).toBe(202);
      await eventually(async () => ([...sim.calls.values()].some((c) => c.to === taker && c.status === 'ringing') || undefined), { timeoutMs: 60_000 });
      expect(await first.kill('SIGKILL')).toBeNull();
      // With no worker to ask, the agent still reads the transfer so far, from the audit trail.
      const meanwhile = await api.request('GET', `/leads/${leadId}/transfer`);
      expect(meanwhile.status).toBe(200);
      expect(meanwhile.body).toMatchObject({ status: 'transferring', consumerCallSid: consumer, conference: `lead-${leadId}` });
      expect(meanwhile.body.steps.map((s: { step: string }) => s.step)).toEqual(expect.arrayContaining(['holding', 'dialled', 'busy', 'refused']));
      expect((await api.request('GET', `/leads/${leadId}`)).body.status).toBe('delivering');

      second = await spawnWorkerProcess(taskQueue, workerEnv);
      const result = await api.temporal.workflow.getHandle(`lead-${leadId}`).result();
      expect(result.status).toBe('delivered');
      const dialled = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Calls.json')).map((r) => r.form.To);
      expect(dialled.filter((to) => to === busy || to === taker)).toEqual([busy, taker]);
      const charges = await api.sql`select partner_id from partner_transactions where lead_id = ${leadId} and kind = 'charge'`;
      expect(charges).toEqual([{ partner_id: d.partners.taker!.id }]);
    } finally {
      await second?.kill('SIGTERM');
      if (first.proc.exitCode === null && first.proc.signalCode === null) await first.kill('SIGTERM');
    }
  }, 150_000);
});
