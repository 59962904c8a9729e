import { TRANSFER_REQUESTED, transferFromTrail, type TransferStep } from '../../domain/transfer';

const leadId = '6f1c1f55-2d2a-4a8e-9a43-5a8f1c2b7d10';
const asked = { type: TRANSFER_REQUESTED, detail: { consumerCallSid: `CA${'1'.repeat(32)}`, requestedBy: 'agent:desk 4' } };
const step = (name: string): { type: string; detail: TransferStep } =>
  ({ type: `transfer_${name}`, detail: { at: '2026-11-23T10:00:00.000Z', partnerId: 'p', partnerName: 'Acme', step: name, detail: '' } });

describe('a transfer read back from the audit trail', () => {
  it('is absent until an agent pressed Transfer', () => {
    expect(transferFromTrail(leadId, 'awaiting_referral', [])).toBeUndefined();
  });

  it('lists the steps in order, leaving out the dial activity\'s own record of the Twilio call', () => {
    const state = transferFromTrail(leadId, 'delivering', [asked, step('holding'), { type: 'transfer_dialled', detail: { dialled: true, callSid: 'CA0' } }, step('dialled')]);
    expect(state).toMatchObject({ status: 'transferring', conference: `lead-${leadId}`, consumerCallSid: asked.detail.consumerCallSid, requestedBy: 'agent:desk 4' });
    expect(state!.steps.map((s) => s.step)).toEqual(['holding', 'dialled']);
  });

  it('names the conference an incoming call waits in, and the agent\'s call with its mode, when the agent gave them', () => {
    const conference = `call-CA${'2'.repeat(32)}`;
    const agentCallSid = `CA${'3'.repeat(32)}`;
    const fromConference = { type: TRANSFER_REQUESTED, detail: { conference, agentCallSid, requestedBy: 'agent:desk 4' } };
    expect(transferFromTrail(leadId, 'delivered', [fromConference, step('holding')])).toEqual({
      status: 'transferred', conference, agentCallSid, mode: 'cold', requestedBy: 'agent:desk 4', steps: [expect.objectContaining({ step: 'holding' })],
    });
  });

  it.each([
    ['delivered', [], 'transferred'],
    ['declined_everywhere', [], 'exhausted'],
    ['no_eligible_partner', [], 'exhausted'],
    ['cancelled', ['consumer_hung_up'], 'abandoned'],
    ['cancelled', ['consumer_gone'], 'abandoned'],
    ['cancelled', ['refused'], 'cancelled'],
  ] as const)('a lead that ended %s after %j reads as %s', (leadStatus, steps, status) => {
    expect(transferFromTrail(leadId, leadStatus, [asked, step('holding'), ...steps.map(step)])!.status).toBe(status);
  });
});
