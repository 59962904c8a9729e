import { randomUUID } from 'node:crypto';
import type { TestApi } from '../helpers/api';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import { testPhone as phone, useVoiceStack } from '../helpers/twilio-voice';
import { startReceiver } from '../helpers/webhook-receiver';
import type { TwilioVoiceSimulator } from '../../infra/twilio-voice-simulator';
import { accessibilityProblems, signIn, useBrowser } from './browser';

jest.setTimeout(180_000);

// The browser first, so it closes (and stops polling) before the API it calls.
const browser = useBrowser();
const voice = useVoiceStack('pages-agent');
let api: TestApi;
let sim: TwilioVoiceSimulator;
let agentKey: string;
beforeAll(() => {
  ({ api, sim, agentKey } = voice);
});

const submit = async (leadTypeName: string, name: string) => {
  const res = await api.request('POST', '/leads', { key: agentKey, body: { leadType: leadTypeName, fields: { name, postcode: 'SW1A 1AA' } } });
  expect(res.status).toBe(202);
  await eventually(async () => ((await api.request('GET', `/leads/${res.body.id}`)).body.status === 'awaiting_referral' ? true : undefined), { timeoutMs: 90_000 });
  return res.body.id as string;
};
const console_ = async () => {
  const page = await browser.page();
  await signIn(page, `${api.url}/app/agent`, agentKey);
  return page;
};

describe('the agent console', () => {
  it('finds leads by text, status and lead type, and opens one', async () => {
    const d = await configureDistribution(api, { referralMethod: 'manual', partners: [{ name: 'desk', priority: 1 }] });
    const name = `Searchable ${randomUUID().slice(0, 6)}`;
    const wanted = await submit(d.leadTypeName, name);
    const other = await submit(d.leadTypeName, 'Someone Else');

    const page = await console_();
    await page.getByLabel(/^Containing text/).fill(name.toLowerCase());
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('#search-h ~ div tr[data-lead-id]');
    await rows.first().waitFor();
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-lead-id')))).toEqual([wanted]);

    await page.getByLabel(/^Containing text/).fill('');
    await page.getByLabel('With status').selectOption('awaiting_referral');
    await page.getByLabel('Of lead type').selectOption(d.leadTypeName);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`tr[data-lead-id="${other}"]`).waitFor();
    expect(await rows.count()).toBe(2);
    await page.locator('#search-status').selectOption('delivered');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No leads match.').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    // Sealed fields hold ciphertext, so their text is never matched; LIKE's wildcards are taken literally.
    const sealed = await api.request('POST', '/leads', { key: agentKey, body: { leadType: d.leadTypeName, fields: { name: 'Sealed Caller', postcode: 'N1', phone: '+447700900456' } } });
    expect(sealed.status).toBe(202);
    expect((await api.request('GET', `/leads?leadType=${d.leadTypeName}&q=Sealed`)).body.items.map((l: { id: string }) => l.id)).toEqual([sealed.body.id]);
    expect((await api.request('GET', `/leads?leadType=${d.leadTypeName}&q=900456`)).body.items).toEqual([]);
    expect((await api.request('GET', `/leads?leadType=${d.leadTypeName}&q=%25`)).body.items).toEqual([]);
    expect((await api.request('GET', `/leads?q=${wanted.slice(0, 8).toUpperCase()}`)).body.items.map((l: { id: string }) => l.id)).toEqual([wanted]);

    await page.locator('#search-status').selectOption('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: `Open lead ${wanted}` }).click();
    await page.locator('#lead-h', { hasText: wanted }).waitFor();
  });

  it('presses Transfer with the call SID and shows each dial, ring and answer as it happens', async () => {
    const [busyPhone, takerPhone] = [phone(), phone()];
    sim.script(busyPhone, { answer: 'busy' });
    sim.script(takerPhone, { answer: 'human', press: '1' });
    const d = await configureDistribution(api, {
      referralMethod: 'transfer', referralScope: 1, referralDeadlineSeconds: 600,
      partners: [{ name: 'engaged', priority: 2, transferPhone: busyPhone }, { name: 'taker', priority: 1, transferPhone: takerPhone }],
    });
    for (const p of Object.values(d.partners)) {
      expect((await api.request('PUT', `/partners/${p.id}/transfer-settings`, { body: { ringTimeoutSeconds: 20, minBillableSeconds: 0 } })).status).toBe(200);
    }
    const leadId = await submit(d.leadTypeName, 'Caller');
    const consumer = sim.incomingCall(phone(), testEnv().TWILIO_FROM_NUMBER);

    const page = await console_();
    await page.getByLabel('Lead ID').fill(leadId);
    await page.getByRole('button', { name: 'Show lead' }).click();
    await page.getByLabel("Consumer's call SID").fill('CA-not-a-sid');
    await page.getByRole('button', { name: 'Transfer' }).click();
    await page.locator('#call-sid-error', { hasText: 'must be a Twilio call SID' }).waitFor();
    await page.getByLabel("Consumer's call SID").fill(consumer);
    await page.getByRole('button', { name: 'Transfer' }).click();

    await page.locator('#transfer-status', { hasText: 'transferred' }).waitFor({ timeout: 90_000 });
    const steps = await page.locator('#transfer-steps li').evaluateAll((lis) => lis.map((li) => `${li.textContent!.includes('engaged-') ? 'engaged' : li.textContent!.includes('taker-') ? 'taker' : ''}:${li.getAttribute('data-step')}`));
    expect(steps).toEqual(expect.arrayContaining([':holding', 'engaged:dialled', 'engaged:busy', 'taker:dialled', 'taker:ringing', 'taker:answered', 'taker:pressed', 'taker:connected']));
    expect(steps.indexOf('engaged:busy')).toBeLessThan(steps.indexOf('taker:dialled'));
    await page.locator('#lead-status', { hasText: 'delivered' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('books an appointment from the free-slot list, which refers the lead to that partner', async () => {
    const hook = await startReceiver('accept');
    try {
      const d = await configureDistribution(api, { referralMethod: 'appointment', partners: [{ name: 'surveyor', webhookUrl: hook.url, priority: 1 }] });
      const surveyor = d.partners.surveyor!;
      const allWeek = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, start: '00:00', end: '24:00' }));
      expect((await api.request('PUT', `/partners/${surveyor.id}/appointment-availability`, { key: surveyor.key, body: { windows: allWeek, slotMinutes: 60, minNoticeMinutes: 60 } })).status).toBe(200);
      const leadId = await submit(d.leadTypeName, 'Booker');

      const page = await console_();
      await page.getByLabel('Lead ID').fill(leadId);
      await page.getByRole('button', { name: 'Show lead' }).click();
      const slot = page.getByLabel('Free slots');
      await slot.waitFor();
      const first = JSON.parse((await slot.inputValue())) as { partnerId: string; start: string };
      expect(first.partnerId).toBe(surveyor.id);
      await page.getByRole('button', { name: 'Book appointment' }).click();
      await page.locator('#lead-status', { hasText: 'delivered' }).waitFor({ timeout: 60_000 });
      await page.locator('#appointments li[data-appointment="booked"]').waitFor();
      const booked = (await api.request('GET', `/leads/${leadId}/appointments`)).body.items;
      expect(booked).toEqual([expect.objectContaining({ partnerId: surveyor.id, start: first.start, status: 'booked' })]);
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await hook.close();
    }
  });
});
