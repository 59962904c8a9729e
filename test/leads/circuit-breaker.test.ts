import { OPERATOR_EMAIL } from '../helpers/api';
import { configureDistribution } from '../helpers/distribution';
import { useLeadStack } from '../helpers/lead-stack';
import { eventually } from '../helpers/wait';

const stack = useLeadStack('circuit');

describe("a failing partner endpoint is skipped, not hammered", () => {
  it('opens the circuit after N failed deliveries, tells the operators once, lets one lead probe after the cool-down, and closes on success', async () => {
    const { api } = stack;
    const [flaky, backup] = await Promise.all([stack.receiver('fail'), stack.receiver('accept')]);
    const d = await configureDistribution(api, {
      partners: [{ name: 'flaky', webhookUrl: flaky.url, priority: 10, maxAttempts: 1 }, { name: 'backup', webhookUrl: backup.url, priority: 1 }],
    });
    const flakyId = d.partners.flaky!.id;
    // A cool-down longer than a loaded machine takes to route the next lead; shortened later for the probe.
    await api.request('PATCH', `/partners/${flakyId}`, { body: { circuitBreaker: { failureThreshold: 2, cooldownSeconds: 600 } } });
    const route = async () => {
      const lead = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
      return api.temporal.workflow.getHandle(`lead-${lead.body.id}`).result();
    };

    for (let i = 0; i < 2; i++) expect((await route()).status).toBe('delivered');
    const open = await api.request('GET', `/partners/${flakyId}/capacity`);
    expect(open.body.circuit).toMatchObject({ state: 'open', consecutiveFailures: 2, reason: 'partner answered HTTP 500', failureThreshold: 2, cooldownSeconds: 600 });

    const skipped = await route();
    expect(skipped.deliveries.map((x: { partnerId: string }) => x.partnerId)).toEqual([d.partners.backup!.id]);
    expect(flaky.received).toHaveLength(2);
    const dry = await api.request('POST', '/dry-run', { body: { leadType: d.leadTypeName, fields: { name: 'A', postcode: 'N1' } } });
    const circuit = dry.body.profiles[0].assignments[0].checks.find((c: { criterion: string }) => c.criterion === 'circuit');
    expect(circuit).toMatchObject({ passed: false, actual: 'open', detail: expect.stringMatching(/^endpoint failing since .+ \(partner answered HTTP 500\); skipped until /) });

    const notices = await eventually(async () => {
      const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as { subject: string; to: { address: string }[] }[];
      const mine = all.filter((m) => m.to.some((t) => t.address === OPERATOR_EMAIL) && m.subject.includes("flaky-") && m.subject.endsWith("its circuit is open"));
      return mine.length > 0 ? mine : undefined;
    });
    expect(notices).toHaveLength(1);

    expect((await api.request('PATCH', `/partners/${flakyId}`, { body: { circuitBreaker: { failureThreshold: 2, cooldownSeconds: 1 } } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_200));
    flaky.behaviour = 'accept';
    const probed = await route();
    expect(probed.deliveries).toEqual([expect.objectContaining({ partnerId: flakyId, status: 'accepted' })]);
    expect((await api.request('GET', `/partners/${flakyId}/capacity`)).body.circuit).toMatchObject({ state: 'closed', consecutiveFailures: 0, openedAt: null });

    const stats = await api.request('GET', `/partners/${flakyId}/delivery-stats`);
    expect(stats.body.lastHour).toMatchObject({ attempts: 3, succeeded: 1, successRate: 1 / 3 });
    expect(stats.body.lastHour.p99Ms).toBeGreaterThanOrEqual(stats.body.lastHour.p50Ms);
    expect(stats.body.lastDay.attempts).toBe(3);
  }, 60_000);
});
