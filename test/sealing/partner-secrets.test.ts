import { Webhook } from 'standardwebhooks';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution, type Distribution } from '../helpers/distribution';
import type { Receiver, ReceivedWebhook } from '../helpers/webhook-receiver';
import { eventually } from '../helpers/wait';
import { keyFor } from '../config/fixtures';

const stack = useLeadStack('partner-secrets');

const verifies = (secret: string, hook: ReceivedWebhook) => {
  try {
    new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe("partners' secrets are write-only", () => {
  let d: Distribution;
  let receiver: Receiver;
  let partnerId: string;
  const token = 'Bearer partner-api-token-5f1c';

  const sendLead = async () => {
    const before = receiver.received.length;
    const res = await stack.api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } });
    await eventually(async () => ((await stack.api.request('GET', `/leads/${res.body.id}`)).body.status === 'delivered' ? true : undefined));
    return { leadId: res.body.id as string, hook: receiver.received[before]! };
  };

  beforeAll(async () => {
    receiver = await stack.receiver('accept');
    d = await configureDistribution(stack.api, { partners: [{ name: 'buyer', webhookUrl: receiver.url, priority: 1 }] });
    partnerId = d.partners.buyer!.id;
    const shown = (await stack.api.request('GET', `/partners/${partnerId}`)).body;
    const changed = await stack.api.request('PATCH', `/partners/${partnerId}`, { body: { delivery: { ...shown.delivery, headers: { Authorization: token } } } });
    expect(changed.status).toBe(200);
  });

  it('never shows the signing secret or a custom header value again, to operators, agents or the partner', async () => {
    const agentKey = await keyFor(stack.api, 'agent');
    const views = [
      (await stack.api.request('GET', `/partners/${partnerId}`)).body,
      (await stack.api.request('GET', `/partners/${partnerId}`, { key: agentKey })).body,
      (await stack.api.request('GET', `/partners?name=${encodeURIComponent((await stack.api.request('GET', `/partners/${partnerId}`)).body.name)}`, { key: agentKey })).body.items[0],
      (await stack.api.request('GET', '/portal/me', { key: d.partners.buyer!.key })).body,
    ];
    for (const view of views) {
      expect(view.delivery.signingSecret).toBeUndefined();
      expect(view.delivery.headers).toEqual({ Authorization: '[redacted]' });
    }
  });

  it('keeps the stored secret and header when a change sends back what it was shown, and keeps the token out of the audit trail', async () => {
    const shown = (await stack.api.request('GET', `/partners/${partnerId}`)).body;
    expect((await stack.api.request('PATCH', `/partners/${partnerId}`, { body: { delivery: { ...shown.delivery, timeoutMs: 3000 } } })).status).toBe(200);
    const { leadId, hook } = await sendLead();
    expect(hook.headers.authorization).toBe(token);
    expect(verifies(d.partners.buyer!.secret, hook)).toBe(true);
    const history = JSON.stringify((await stack.api.request('GET', `/leads/${leadId}/history`)).body);
    expect(history).not.toContain('partner-api-token');
    expect(history).toContain('"Authorization":"[redacted]"');
  });

  it('rotates the signing secret, signing with both for a day so the partner can switch over', async () => {
    const rotated = await stack.api.request('POST', `/partners/${partnerId}/signing-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.signingSecret).toMatch(/^whsec_/);
    expect(Date.parse(rotated.body.previousValidUntil) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const { hook } = await sendLead();
    expect(String(hook.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(rotated.body.signingSecret, hook)).toBe(true);
    expect(verifies(d.partners.buyer!.secret, hook)).toBe(true);

    const own = await stack.api.request('POST', '/portal/signing-secret', { key: d.partners.buyer!.key });
    const { hook: next } = await sendLead();
    expect(verifies(own.body.signingSecret, next)).toBe(true);
    expect(verifies(rotated.body.signingSecret, next)).toBe(true);
    expect(verifies(d.partners.buyer!.secret, next)).toBe(false);
  });

  it('says there is nothing to rotate for a partner without a webhook', async () => {
    const emailed = await configureDistribution(stack.api, { partners: [{ name: 'mailbox', priority: 1 }] });
    const res = await stack.api.request('POST', `/partners/${emailed.partners.mailbox!.id}/signing-secret`);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/receives leads by email: only a webhook has a signing secret/);
  });
});
