import { readFileSync } from 'node:fs';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { billedPartner, chargesIn, GB, leadType } from '../billing/fixtures';
import { accessibilityProblems, signIn, useBrowser } from './browser';

jest.setTimeout(180_000);

// The browser first, so it closes (and stops polling) before the API and worker it calls do.
const browser = useBrowser();
const stack = useLeadStack('pages-billing');
// A month no other suite invoices, so this run issues exactly our partner's invoice.
const MONTH = '2024-09';

describe('a partner downloads an invoice PDF in the portal', () => {
  it('lists the invoice with its totals, and the Download button saves the PDF from the object store', async () => {
    const partner = await billedPartner(stack.api, { legalName: 'Portal Invoices Ltd', address: GB });
    await chargesIn(stack.api, partner.id, MONTH, await leadType(stack.api), [20_00, 30_00]);
    const run = await stack.api.request('POST', '/invoices/runs', { body: { month: MONTH } });
    expect(run.status).toBe(202);
    await stack.api.temporal.workflow.getHandle(run.body.workflowId, run.body.runId).result();
    const invoice = (await stack.api.request('GET', `/invoices?partnerId=${partner.id}`)).body.items[0];
    await eventually(async () => ((await stack.api.request('GET', `/invoices/${invoice.id}`)).body.pdfKey ? true : undefined));

    const portal = await browser.page();
    await signIn(portal, `${stack.api.url}/app/portal`, partner.key);
    const row = portal.locator(`tr[data-invoice="${invoice.number}"]`);
    await row.getByText('£60.00').waitFor(); // £50.00 net and 20 % VAT
    const [download] = await Promise.all([portal.waitForEvent('download'), row.getByRole('button', { name: `Download PDF ${invoice.number}` }).click()]);
    expect(download.suggestedFilename()).toBe(`${invoice.number}.pdf`);
    expect(readFileSync((await download.path())!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await accessibilityProblems(portal)).toEqual([]);

    // The operator sees the month's invoices, and the leads per status counted over every lead.
    const ops = await browser.page();
    await signIn(ops, `${stack.api.url}/app/ops`, stack.api.operatorKey);
    await ops.getByLabel('Month supplied').fill(MONTH);
    await ops.locator(`tr[data-invoice="${invoice.number}"]`).getByText('£60.00').waitFor();
    // The two charged leads above were written as received: that status is counted now and today.
    for (const column of [1, 2]) expect(await ops.locator('tr[data-status="received"] td').nth(column).textContent()).toMatch(/^[1-9]\d*$/);
  });
});

describe('returns in the portal and the operator dashboard', () => {
  it('a partner returns a lead with a reason from its policy; an operator approves it, and the statement shows the credit', async () => {
    const hook = await stack.receiver('ack');
    const d = await configureDistribution(stack.api, { partners: [{ name: 'returner', webhookUrl: hook.url, priority: 1, priceMinor: 2500 }] });
    const policy = await stack.api.request('PUT', `/partners/${d.partners.returner!.id}/return-policy`, {
      body: { windowHours: 48, reasons: [{ reason: 'not_interested' }, { reason: 'wrong_number', evidenceRequired: true }] },
    });
    expect(policy.status).toBe(200);
    const lead = await stack.api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Brian', postcode: 'CB1 1AA' } } });
    await eventually(async () => ((await stack.api.request('GET', `/leads/${lead.body.id}`)).body.status === 'delivered' ? true : undefined), { timeoutMs: 60_000 });

    const portal = await browser.page();
    await signIn(portal, `${stack.api.url}/app/portal`, d.partners.returner!.key);
    await portal.locator('#balance', { hasText: '-£25.00' }).waitFor();
    const row = portal.locator(`tr[data-lead-id="${lead.body.id}"]`);
    await row.getByText('Return', { exact: true }).click();
    // Only the policy's reasons are offered; the one needing evidence is refused without it, with the API's words.
    expect(await row.getByLabel('Reason').locator('option').allTextContents()).toEqual(['not interested', 'wrong number (evidence needed)']);
    await row.getByLabel('Reason').selectOption('wrong_number');
    await row.getByRole('button', { name: 'Return lead' }).click();
    await row.getByRole('alert').filter({ hasText: /evidence/ }).waitFor();
    expect(await accessibilityProblems(portal)).toEqual([]);
    await row.getByLabel('Evidence').fill('number unobtainable, three tries');
    await row.getByRole('button', { name: 'Return lead' }).click();
    await portal.locator(`tr[data-return-lead="${lead.body.id}"]`).getByText('pending').waitFor();
    await row.getByText('return pending').waitFor();

    const ops = await browser.page();
    await signIn(ops, `${stack.api.url}/app/ops`, stack.api.operatorKey);
    const pending = ops.locator(`tr[data-return-lead="${lead.body.id}"]`);
    await pending.getByText('number unobtainable, three tries').waitFor();
    expect(await accessibilityProblems(ops)).toEqual([]);
    await pending.getByLabel('Decision note').fill('confirmed: the number is dead');
    await pending.getByRole('button', { name: 'Approve' }).click();
    await pending.waitFor({ state: 'detached' });

    await portal.reload();
    await portal.locator(`tr[data-return-lead="${lead.body.id}"]`).getByText('approved').waitFor();
    await portal.locator('#balance', { hasText: '£0.00' }).waitFor();
    await portal.getByRole('row', { name: /credit|return/i }).filter({ hasText: '£25.00' }).first().waitFor();
  });
});
