import { useLeadStack } from '../helpers/lead-stack';
import { eventually } from '../helpers/wait';
import { billedPartner, GB, mailsTo } from '../billing/fixtures';
import { accessibilityProblems, useBrowser } from './browser';

jest.setTimeout(180_000);

const browser = useBrowser();
const stack = useLeadStack('pages-magic-link');

describe('signing in to the partner portal with a link sent by email', () => {
  it('emails a link to the contact address; following it signs the tab in once, and a used or expired link is refused', async () => {
    const partner = await billedPartner(stack.api, { legalName: 'Link Ltd', address: GB });
    const page = await browser.page();
    await page.goto(`${stack.api.url}/app/portal`);
    expect(await accessibilityProblems(page)).toEqual([]);
    const ask = async () => {
      await page.getByLabel('Your contact email').fill(partner.email.toUpperCase());
      await page.getByRole('button', { name: 'Email me a link' }).click();
      await page.getByRole('status').filter({ hasText: 'a sign-in link is on its way' }).waitFor();
    };
    const linkIn = async (count: number) => {
      const mails = await eventually(async () => {
        const found = await mailsTo(partner.email);
        return found.length === count ? found : undefined;
      }, { timeoutMs: 30_000 });
      const token = /\/app\/portal#sign-in=([A-Za-z0-9_-]+)/.exec(mails.at(-1)!.text)![1]!;
      return `${stack.api.url}/app/portal#sign-in=${token}`;
    };

    await ask();
    const link = await linkIn(1);
    const signedIn = await browser.page();
    await signedIn.goto(link);
    await signedIn.getByRole('button', { name: 'Sign out' }).waitFor();
    await signedIn.getByRole('heading', { name: partner.name }).waitFor();
    expect(new URL(signedIn.url()).hash).toBe('');
    // The tab's key is a partner key that ends: once past its hours, the page asks to sign in again.
    await stack.api.sql`update api_keys set expires_at = now() - interval '1 second' where partner_id = ${partner.id} and expires_at is not null`;
    await signedIn.reload();
    await signedIn.getByRole('alert').filter({ hasText: 'unknown, revoked or expired: sign in again' }).waitFor();

    // Used once: another tab following it is refused.
    const again = await browser.page();
    await again.goto(link);
    await again.getByRole('alert').filter({ hasText: 'used already or has expired' }).waitFor();

    // A second link, asked after the one-a-minute quiet time, refused once its 15 minutes are over.
    await stack.api.sql`update portal_sign_in_links set created_at = created_at - interval '2 minutes' where partner_id = ${partner.id}`;
    await ask();
    const second = await linkIn(2);
    await stack.api.sql`update portal_sign_in_links set expires_at = now() - interval '1 second' where partner_id = ${partner.id}`;
    const late = await browser.page();
    await late.goto(second);
    await late.getByRole('alert').filter({ hasText: 'used already or has expired' }).waitFor();

    // Only hashes are kept: neither token is in the table.
    const stored = await stack.api.sql<{ tokenHash: string }[]>`select token_hash as "tokenHash" from portal_sign_in_links where partner_id = ${partner.id}`;
    expect(stored).toHaveLength(2);
    for (const url of [link, second]) expect(stored.map((s) => s.tokenHash)).not.toContain(url.split('=')[1]);
  });

  it("answers 202 for an address that is nobody's, and sends nothing", async () => {
    const nobody = `nobody-${Date.now()}@nowhere.example`;
    const res = await stack.api.request('POST', '/portal/magic-link', { key: null, body: { email: nobody } });
    expect(res.status).toBe(202);
    const bad = await stack.api.request('POST', '/portal/magic-link', { key: null, body: { email: 'not an address' } });
    expect(bad.status).toBe(400);
    // A link asked for a partner's address after these arrives, so by then one for `nobody` would have too.
    const partner = await billedPartner(stack.api, { legalName: 'Control Ltd', address: GB });
    await stack.api.request('POST', '/portal/magic-link', { key: null, body: { email: partner.email } });
    await eventually(async () => ((await mailsTo(partner.email)).length === 1 ? true : undefined), { timeoutMs: 30_000 });
    expect(await mailsTo(nobody)).toEqual([]);
  });

  it('sends a partner at most one link a minute, however often it is asked', async () => {
    const partner = await billedPartner(stack.api, { legalName: 'Busy Inbox Ltd', address: GB });
    for (let i = 0; i < 3; i++) expect((await stack.api.request('POST', '/portal/magic-link', { key: null, body: { email: partner.email } })).status).toBe(202);
    const control = await billedPartner(stack.api, { legalName: 'Later Ltd', address: GB });
    await stack.api.request('POST', '/portal/magic-link', { key: null, body: { email: control.email } });
    await eventually(async () => ((await mailsTo(control.email)).length === 1 ? true : undefined), { timeoutMs: 30_000 });
    expect(await mailsTo(partner.email)).toHaveLength(1);
  });
});
