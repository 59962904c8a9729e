import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { accessibilityProblems, signIn, useBrowser } from './browser';

jest.setTimeout(180_000);

// The browser first, so it closes (and stops polling) before the API and worker it calls do.
const browser = useBrowser();
const stack = useLeadStack('pages');
let agentKey: string;

beforeAll(async () => {
  const created = await stack.api.request('POST', '/api-keys', { body: { name: 'pages agent', role: 'agent' } });
  expect(created.status).toBe(201);
  agentKey = created.body.key;
});

afterAll(() => {
  // Keys travel only in the Authorization header: never in an address the browser asked for.
  const keys = [agentKey, stack.api.operatorKey];
  expect(browser.urls.filter((u) => keys.some((k) => u.includes(k)))).toEqual([]);
});

describe('an agent submits a lead and its partner accepts it in the portal', () => {
  it("shows the API's message beside the field, then the lead, its eligibility, and the partner's Accept with its charge", async () => {
    const buyerHook = await stack.receiver('ack');
    const d = await configureDistribution(stack.api, { acceptanceWindowSeconds: 600, partners: [{ name: 'buyer', webhookUrl: buyerHook.url, priority: 1, priceMinor: 1500 }] });

    const agent = await browser.page();
    await signIn(agent, `${stack.api.url}/app/agent`, agentKey);
    await agent.getByLabel('Lead type', { exact: true }).selectOption(d.leadTypeName);
    await agent.getByLabel('postcode').fill('SW1A 1AA');
    await agent.getByRole('button', { name: 'Submit lead' }).click();
    await agent.locator('#field-name-error').filter({ hasText: /./ }).waitFor();
    expect(await agent.getByLabel('name (required)').getAttribute('aria-invalid')).toBe('true');

    await agent.getByLabel('name (required)').fill('Ada Lovelace');
    await agent.getByLabel('postcode').fill('SW1A 1AA');
    await agent.getByRole('button', { name: 'Submit lead' }).click();
    await agent.locator('#lead-status', { hasText: 'awaiting response' }).waitFor();
    const eligible = agent.locator(`tr[data-partner^="buyer-"]`);
    await expect(eligible.locator('td').nth(1).textContent()).resolves.toBe('yes');
    const leadId = (await agent.locator('#lead-h').textContent())!.replace('Lead ', '');

    const portal = await browser.page();
    await signIn(portal, `${stack.api.url}/app/portal`, d.partners.buyer!.key);
    const row = portal.locator(`tr[data-lead-id="${leadId}"]`);
    await row.getByText('Ada Lovelace').waitFor();
    // A live countdown to respondBy, under the 10 minutes of the acceptance window.
    const first = await row.locator('.countdown').textContent();
    expect(first).toMatch(/^[0-9]m \d\ds$/);
    await eventually(async () => ((await row.locator('.countdown').textContent()) !== first ? true : undefined), { timeoutMs: 5000 });

    expect(await accessibilityProblems(portal)).toEqual([]);
    await row.getByRole('button', { name: 'Accept' }).click();
    await row.locator('.status', { hasText: 'accepted' }).waitFor();
    await portal.locator('#balance', { hasText: '-£15.00' }).waitFor();
    await agent.locator('#lead-status', { hasText: 'delivered' }).waitFor();
    expect(await accessibilityProblems(agent)).toEqual([]);
  });
});

describe('an agent refers a lead by hand', () => {
  it('sees why a partner is not eligible, and refers the lead to the named partner', async () => {
    const hook = await stack.receiver('ack');
    const d = await configureDistribution(stack.api, {
      referralMethod: 'manual',
      partners: [
        { name: 'north', webhookUrl: hook.url, priority: 2, rules: [{ conditions: [{ field: 'postcode', operator: 'starts_with', value: 'N' }] }] },
        { name: 'anywhere', webhookUrl: hook.url, priority: 1 },
      ],
    });
    const lead = await stack.api.request('POST', '/leads', { key: agentKey, body: { leadType: d.leadTypeName, fields: { name: 'Edsger', postcode: 'SE1 1AA' } } });
    expect(lead.status).toBe(202);

    const agent = await browser.page();
    await signIn(agent, `${stack.api.url}/app/agent`, agentKey);
    await agent.getByLabel('Lead ID').fill(lead.body.id);
    await agent.getByRole('button', { name: 'Show lead' }).click();
    await agent.locator('#lead-status', { hasText: 'awaiting referral' }).waitFor();
    const north = agent.locator('tr[data-partner^="north-"]');
    expect(await north.locator('td').nth(1).textContent()).toBe('no');
    await north.locator('li.fail').first().waitFor();

    await agent.getByLabel('Refer to').selectOption({ label: (await agent.locator('tr[data-partner^="anywhere-"] td').first().textContent())! });
    await agent.getByRole('button', { name: 'Refer' }).click();
    await agent.locator('#lead-status', { hasText: 'delivered' }).waitFor();
    const result = await stack.api.request('GET', `/leads/${lead.body.id}`);
    expect(result.body.deliveries.map((x: { partnerId: string }) => x.partnerId)).toEqual([d.partners.anywhere!.id]);
  });
});

describe('a partner declines in the portal', () => {
  it('asks the API for a reason, then declines and the lead falls through to the next partner', async () => {
    const hook = await stack.receiver('ack');
    const d = await configureDistribution(stack.api, { acceptanceWindowSeconds: 600, partners: [{ name: 'first', webhookUrl: hook.url, priority: 2 }, { name: 'second', webhookUrl: hook.url, priority: 1 }] });
    const lead = await stack.api.request('POST', '/leads', { key: agentKey, body: { leadType: d.leadTypeName, fields: { name: 'Grace', postcode: 'EH1 1AA' } } });

    const portal = await browser.page();
    await signIn(portal, `${stack.api.url}/app/portal`, d.partners.first!.key);
    const row = portal.locator(`tr[data-lead-id="${lead.body.id}"]`);
    await row.getByRole('button', { name: 'Decline' }).click();
    await row.getByRole('alert').filter({ hasText: /reason/ }).waitFor();
    await row.getByLabel('Reason to decline').fill('outside our area');
    await row.getByRole('button', { name: 'Decline' }).click();
    await row.locator('.status', { hasText: 'declined' }).waitFor();

    await eventually(async () => {
      const l = await stack.api.request('GET', `/leads/${lead.body.id}`);
      return l.body.deliveries.some((x: { partnerId: string; status: string }) => x.partnerId === d.partners.second!.id && x.status === 'awaiting_response') ? true : undefined;
    }, { timeoutMs: 60_000 });
  });
});

describe('a partner goes offline in the portal', () => {
  it('pauses its deliveries, and the next lead skips it', async () => {
    const hook = await stack.receiver('ack');
    const d = await configureDistribution(stack.api, { partners: [{ name: 'away', webhookUrl: hook.url, priority: 2, caps: { day: 5 } }, { name: 'here', webhookUrl: hook.url, priority: 1 }] });
    const portal = await browser.page();
    await signIn(portal, `${stack.api.url}/app/portal`, d.partners.away!.key);
    await portal.getByRole('row', { name: /day .* 5 0 0 5/ }).waitFor();
    await portal.getByRole('button', { name: 'Go offline' }).click();
    await portal.locator('#online-status', { hasText: 'offline' }).waitFor();

    const lead = await stack.api.request('POST', '/leads', { key: agentKey, body: { leadType: d.leadTypeName, fields: { name: 'Alan', postcode: 'M1 1AA' } } });
    const done = await eventually(async () => {
      const l = await stack.api.request('GET', `/leads/${lead.body.id}`);
      return l.body.status === 'delivered' ? l.body : undefined;
    }, { timeoutMs: 60_000 });
    expect(done.deliveries.map((x: { partnerId: string }) => x.partnerId)).toEqual([d.partners.here!.id]);
  });
});

describe('the operator dashboard', () => {
  it('shows partners with pause and circuit, and links each lead to its workflow in the Temporal Web UI', async () => {
    const hook = await stack.receiver('ack');
    const d = await configureDistribution(stack.api, { partners: [{ name: 'watched', webhookUrl: hook.url, priority: 1 }] });
    const lead = await stack.api.request('POST', '/leads', { key: agentKey, body: { leadType: d.leadTypeName, fields: { name: 'Mary', postcode: 'B1 1AA' } } });

    const ops = await browser.page();
    await signIn(ops, `${stack.api.url}/app/ops`, stack.api.operatorKey);
    const link = ops.locator(`tr[data-lead-id="${lead.body.id}"]`).getByRole('link', { name: 'Open in Temporal' });
    expect(await link.getAttribute('href')).toBe(`http://localhost:8233/namespaces/default/workflows/${lead.body.workflowId}`);
    await ops.getByRole('searchbox', { name: 'Find partners by name' }).fill('watched-');
    await ops.getByRole('searchbox', { name: 'Find partners by name' }).press('Enter');
    const partner = ops.locator('tr[data-partner^="watched-"]');
    await partner.getByText('closed').waitFor();
    await partner.getByRole('button', { name: /^Pause watched-/ }).click();
    await ops.locator('tr[data-partner^="watched-"]').getByText('paused by operator').waitFor();
    expect(await accessibilityProblems(ops)).toEqual([]);
  });

  it('refuses a partner or agent key, as the API does', async () => {
    const d = await configureDistribution(stack.api, { partners: [{ name: 'nosy', priority: 1 }] });
    const page = await browser.page();
    for (const key of [d.partners.nosy!.key, agentKey]) {
      await page.goto(`${stack.api.url}/app/ops`);
      await page.getByLabel(/API key/).fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'This page needs a key with the role operator.' }).waitFor();
    }
  });
});
