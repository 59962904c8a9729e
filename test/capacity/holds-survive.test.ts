import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { partnerWorkflowId } from '../../domain/ids';

const stack = useLeadStack('holds-survive');

describe('open holds survive a lost partner workflow', () => {
  it('charges a lead accepted after partner-<id> was terminated while it waited, once, and counts it against the cap', async () => {
    const { api } = stack;
    const receiver = await stack.receiver('ack');
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 600, partners: [{ name: 'holder', webhookUrl: receiver.url, priority: 1, caps: { day: 2 } }] });
    const partnerId = d.partners.holder!.id;
    const lead = (await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } })).body.id;
    await eventually(async () => ((await api.request('GET', `/leads/${lead}`)).body.deliveries[0]?.status === 'awaiting_response' ? true : undefined));

    await api.temporal.workflow.getHandle(partnerWorkflowId(partnerId)).terminate('lost run, as after an operator reset');
    const rebuilt = (await api.request('GET', `/partners/${partnerId}/capacity`)).body;
    expect(rebuilt.windows.find((w: { window: string }) => w.window === 'day')).toMatchObject({ counted: 0, held: 1, remaining: 1 });

    expect((await api.request('POST', `/portal/leads/${lead}/accept`, { key: d.partners.holder!.key })).status).toBe(200);
    expect((await api.temporal.workflow.getHandle(`lead-${lead}`).result()).status).toBe('delivered');
    const statement = await eventually(async () => {
      const s = (await api.request('GET', `/partners/${partnerId}/statement`)).body;
      return s.total === 1 ? s : undefined;
    });
    expect(statement.items).toEqual([expect.objectContaining({ kind: 'charge', amountMinor: -1000, leadId: lead })]);
    const after = (await api.request('GET', `/partners/${partnerId}/capacity`)).body;
    expect(after.windows.find((w: { window: string }) => w.window === 'day')).toMatchObject({ counted: 1, held: 0, remaining: 1 });
    expect(await api.sql`select 1 from partner_holds where partner_id = ${partnerId}`).toHaveLength(0);
  });
});
