/**
 * Records a hotkey transfer's lead history into test/replay/histories/ (which replay.test.ts replays
 * on every run), so a later change to the transfer phase must still replay transfers already running:
 * node scripts/test.js --testMatch '**\/test/transfer/record-history.ts'. An existing file is kept;
 * HISTORY_SUFFIX=-<change> records new shapes beside the old ones, as npm run record-histories does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import { forwardingHttpClient } from '../../infra/twilio';
import { incomingCallUrl } from '../../domain/transfer';
import type { TwilioVoiceSimulator } from '../../infra/twilio-voice-simulator';
import { startVoiceSimulatorFor } from '../helpers/twilio-voice';

const historyFile = (name: string) => path.join(__dirname, '..', 'replay', 'histories', `${name}${process.env.HISTORY_SUFFIX ?? ''}.lead.json`);
const env = testEnv();
const taskQueue = `record-transfer-${randomUUID()}`;
let api: TestApi;
let worker: RunningWorker;
let sim: TwilioVoiceSimulator;

beforeAll(async () => {
  api = await startApi({ taskQueue });
  sim = await startVoiceSimulatorFor(() => api);
  worker = await startWorker(api.sql, { taskQueue, twilioHttpClient: forwardingHttpClient(sim.url) });
});
afterAll(async () => {
  await worker.stop();
  await sim.close();
  await api.close();
});

/** A transfer lead whose partners answer as scripted, waiting for the agent's Transfer. */
async function transferLead(scripts: Array<[phone: string, behaviour: Parameters<TwilioVoiceSimulator['script']>[1]]>) {
  for (const [phone, behaviour] of scripts) sim.script(phone, behaviour);
  const d = await configureDistribution(api, {
    referralMethod: 'transfer', referralDeadlineSeconds: 600,
    partners: scripts.map(([transferPhone], i) => ({ name: `p${i}`, priority: scripts.length - i, transferPhone })),
  });
  for (const p of Object.values(d.partners)) await api.request('PUT', `/partners/${p.id}/transfer-settings`, { body: { ringTimeoutSeconds: 20, minBillableSeconds: 1 } });
  const leadId: string = (await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } })).body.id;
  await eventually(async () => ((await api.request('GET', `/leads/${leadId}`)).body.status === 'awaiting_referral' || undefined), { timeoutMs: 60_000 });
  return leadId;
}

/** Waits for the lead to be delivered, then writes its history, unless one is recorded already. */
async function record(name: string, leadId: string) {
  expect((await api.temporal.workflow.getHandle(`lead-${leadId}`).result()).status).toBe('delivered');
  if (fs.existsSync(historyFile(name))) return;
  fs.writeFileSync(historyFile(name), execFileSync(process.env.LEADRELAY_TEMPORAL_CLI!, [
    'workflow', 'show', '--workflow-id', `lead-${leadId}`, '--address', process.env.TEMPORAL_ADDRESS!, '--namespace', process.env.TEMPORAL_NAMESPACE!, '--output', 'json',
  ], { encoding: 'utf8' }));
}

it('records a transfer: a machine, a decline, then a partner that takes the call and is charged', async () => {
  const phones = ['+447700902001', '+447700902002', '+447700902003'];
  const leadId = await transferLead([[phones[0]!, { answer: 'machine' }], [phones[1]!, { answer: 'human', press: '2' }], [phones[2]!, { answer: 'human', press: '1' }]]);
  await api.request('POST', `/leads/${leadId}/transfer`, { body: { consumerCallSid: sim.incomingCall('+447700902999', env.TWILIO_FROM_NUMBER) } });
  await record('hotkey-transfer-every-step', leadId);
}, 120_000);

it("records a cold transfer from an incoming call's conference, with the agent's call: a decline, then a partner whose join is reported", async () => {
  const leadId = await transferLead([['+447700902011', { answer: 'human', press: '2' }], ['+447700902012', { answer: 'human', press: '1' }]]);
  sim.answerAt(env.TWILIO_FROM_NUMBER, incomingCallUrl(env.PUBLIC_URL));
  const consumer = sim.incomingCall('+447700902998', env.TWILIO_FROM_NUMBER);
  await eventually(async () => sim.conferences.get(`call-${consumer}`)?.callSids.includes(consumer) || undefined);
  const agentCallSid = sim.incomingCall('+447700902997', '+447700900111');
  await api.request('POST', `/leads/${leadId}/transfer`, { body: { conference: `call-${consumer}`, agentCallSid } });
  await record('hotkey-transfer-conference-every-step', leadId);
}, 120_000);
