import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import { responseLink } from '../../infra/response-links';

interface CaughtMail { subject: string; text: string; to: { address: string }[]; messageId: string }

const mailbox = async (address: string): Promise<CaughtMail[]> => {
  const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as CaughtMail[];
  return all.filter((m) => m.to.some((t) => t.address === address));
};

describe('email delivery', () => {
  const taskQueue = `email-${randomUUID()}`;
  let api: TestApi;
  let worker: RunningWorker;
  beforeAll(async () => {
    api = await startApi({ taskQueue });
    worker = await startWorker(api.sql, { taskQueue });
  });
  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  it('mails the lead over real SMTP with signed accept and decline links, and the accept link accepts it', async () => {
    const address = `buyer-${randomUUID().slice(0, 8)}@partners.example`;
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 60, partners: [{ name: 'mailer', emails: [address], priority: 1 }] });
    const created = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada Lovelace', postcode: 'W1' } } });
    const [mail] = await eventually(async () => {
      const got = await mailbox(address);
      return got.length > 0 ? got : undefined;
    });
    expect(mail!.text).toContain('name: Ada Lovelace');
    expect(mail!.messageId).toContain(`lead_${created.body.id}_${d.partners.mailer!.id}`);
    const accept = mail!.text.match(/Accept: (\S+)/)![1]!;
    const decline = mail!.text.match(/Decline: (\S+)/)![1]!;
    const path = (link: string) => { const u = new URL(link); return `${u.pathname}${u.search}`; };

    const forged = path(accept).replace(/token=[^&]+/, 'token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await api.request('POST', forged, { key: null })).status).toBe(403);
    const page = await api.request('GET', path(decline), { key: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post"');

    const confirmed = await eventually(async () => {
      const r = await api.request('POST', path(accept), { key: null });
      return r.status === 200 ? r : undefined;
    });
    expect(confirmed.body).toContain('Lead accepted');
    const result = await api.temporal.workflow.getHandle(`lead-${created.body.id}`).result();
    expect(result.status).toBe('delivered');
    expect((await api.request('POST', path(decline), { key: null })).status).toBe(409);
    const again = await api.request('POST', path(accept), { key: null });
    expect(again.status).toBe(410);
    expect(again.body.message).toMatch(/^this link was already used, at /);
  });

  it('signs each link with the end of the acceptance window, and refuses it after', async () => {
    const sent = Date.now();
    const address = `late-${randomUUID().slice(0, 8)}@partners.example`;
    const d = await configureDistribution(api, { acceptanceWindowSeconds: 600, partners: [{ name: 'mailer', emails: [address], priority: 1 }] });
    const created = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'W1' } } });
    const [mail] = await eventually(async () => {
      const got = await mailbox(address);
      return got.length > 0 ? got : undefined;
    });
    const expires = Number(new URL(mail!.text.match(/Accept: (\S+)/)![1]!).searchParams.get('expires')) * 1000;
    expect(expires - sent).toBeGreaterThanOrEqual(600_000);
    expect(expires - sent).toBeLessThan(630_000);

    const stale = new URL(responseLink(testEnv().PUBLIC_URL, testEnv().LINK_SIGNING_SECRET, { leadId: created.body.id, partnerId: d.partners.mailer!.id, decision: 'accept', expiresAt: new Date(Date.now() - 1000) }));
    const refused = await api.request('GET', `${stale.pathname}${stale.search}`, { key: null });
    expect(refused.status).toBe(410);
    expect(refused.body.message).toMatch(/^this link expired at .*, when the lead's acceptance window closed$/);
  });
});
