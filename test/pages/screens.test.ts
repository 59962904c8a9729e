import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { chargesIn, GB, leadType } from '../billing/fixtures';
import { validPartner } from '../config/fixtures';
import { bothSizes, signIn, useBrowser } from './browser';

jest.setTimeout(240_000);

const browser = useBrowser();
const stack = useLeadStack('pages-screens');
// A month no other suite invoices.
const MONTH = '2024-08';

/**
 * Every area as a person finds it, with something in each section, on a desktop and a phone:
 * LEADRELAY_SCREENSHOTS=docs/screenshots npm test -- test/pages/screens saves the README's pictures.
 */
describe('every area, on a 1280×800 desktop and a 390×844 phone', () => {
  let d: Awaited<ReturnType<typeof configureDistribution>>;
  let waiting: string;

  beforeAll(async () => {
    const { api } = stack;
    const hook = await stack.receiver('ack');
    d = await configureDistribution(api, { acceptanceWindowSeconds: 900, partners: [{ name: 'sunrise', webhookUrl: hook.url, priority: 1, priceMinor: 2500, caps: { day: 20, month: 400 } }] });
    const partner = d.partners.sunrise!;
    expect((await api.request('PATCH', `/partners/${partner.id}`, { body: { billing: { ...validPartner().billing, legalName: 'Sunrise Solar Ltd', address: GB } } })).status).toBe(200);
    expect((await api.request('PUT', `/partners/${partner.id}/return-policy`, { body: { windowHours: 72, reasons: [{ reason: 'wrong_number', evidenceRequired: true }, { reason: 'duplicate' }, { reason: 'not_interested' }] } })).status).toBe(200);

    // Last month's ledger first: the partner's workflow starts from the ledger when the first lead comes.
    await chargesIn(api, partner.id, MONTH, await leadType(api), [25_00, 25_00, 40_00]);
    const run = await api.request('POST', '/invoices/runs', { body: { month: MONTH } });
    await api.temporal.workflow.getHandle(run.body.workflowId, run.body.runId).result();

    const submit = async (name: string, postcode: string) => (await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name, postcode, roofSize: 42 } } })).body.id as string;
    const accepted = await submit('Ada Lovelace', 'SW1A 1AA');
    await eventually(async () => ((await api.request('GET', `/leads/${accepted}`)).body.deliveries[0]?.status === 'awaiting_response' ? true : undefined), { timeoutMs: 60_000 });
    expect((await api.request('POST', `/portal/leads/${accepted}/accept`, { key: partner.key })).status).toBe(200);
    expect((await api.request('POST', `/portal/leads/${accepted}/return`, { key: partner.key, body: { reason: 'wrong_number', evidence: 'number unobtainable, three tries' } })).status).toBe(201);
    waiting = await submit('Grace Hopper', 'EH1 1AA');
    await eventually(async () => ((await api.request('GET', `/leads/${waiting}`)).body.deliveries[0]?.status === 'awaiting_response' ? true : undefined), { timeoutMs: 60_000 });

  });

  it('the partner portal: sign-in, then leads, returns, caps, statement and invoices', async () => {
    const page = await browser.page();
    await page.goto(`${stack.api.url}/app/portal`);
    await page.getByRole('button', { name: 'Email me a link' }).waitFor();
    expect(await bothSizes(page, 'portal-sign-in')).toEqual([]);

    await signIn(page, `${stack.api.url}/app/portal`, d.partners.sunrise!.key);
    await page.locator(`tr[data-lead-id="${waiting}"] .countdown`).waitFor();
    await page.locator('tr[data-invoice]').first().waitFor();
    await page.locator('tr[data-return-lead]').first().waitFor();
    expect(await bothSizes(page, 'portal')).toEqual([]);
  });

  it('the agent console: the lead form, search results and a lead with its eligibility', async () => {
    const page = await browser.page();
    await signIn(page, `${stack.api.url}/app/agent`, stack.api.operatorKey);
    await page.getByLabel('Lead type', { exact: true }).selectOption(d.leadTypeName);
    await page.getByLabel('Of lead type').selectOption(d.leadTypeName);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`tr[data-lead-id="${waiting}"]`).waitFor();
    await page.getByRole('button', { name: `Open lead ${waiting}` }).click();
    await page.locator('tr[data-partner]').first().waitFor();
    expect(await bothSizes(page, 'agent')).toEqual([]);
  });

  it('the operator dashboard: counts, returns to decide, partners, invoices and leads', async () => {
    const page = await browser.page();
    await signIn(page, `${stack.api.url}/app/ops`, stack.api.operatorKey);
    await page.getByLabel('Month supplied').fill(MONTH);
    await page.locator('tr[data-invoice]').first().waitFor();
    await page.locator('tr[data-return-lead]').first().waitFor();
    await page.locator('tr[data-status]').first().waitFor();
    await page.getByRole('searchbox', { name: 'Find partners by name' }).fill('sunrise');
    await page.getByRole('searchbox', { name: 'Find partners by name' }).press('Enter');
    await page.locator('tr[data-partner^="sunrise-"]').getByText('closed').waitFor();
    expect(await bothSizes(page, 'ops')).toEqual([]);
  });
});
