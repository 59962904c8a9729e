import { randomUUID } from 'node:crypto';
import { configureDistribution } from '../helpers/distribution';
import { useLeadStack } from '../helpers/lead-stack';

const stack = useLeadStack('large-config');

describe('a lead against 10,000 assignments', () => {
  it('is routed, with the full report in PostgreSQL and only the plan and a reference in its history', async () => {
    const { api } = stack;
    const receiver = await stack.receiver('accept');
    const d = await configureDistribution(api, { partners: [{ name: 'seed', webhookUrl: receiver.url, priority: 0 }] });
    const tag = randomUUID().slice(0, 8);
    // Inserted in bulk: 10,000 partners through the API would take longer than the test is about.
    await api.sql`
      with made as (
        insert into partners (id, name, email, status, timezone, delivery)
        select gen_random_uuid(), ${`bulk-${tag}-`} || n, 'bulk@partners.example', 'active', 'Europe/London',
          ${api.sql.json({ type: 'webhook', method: 'POST', url: receiver.url, headers: {}, timeoutMs: 2000, maxAttempts: 1, signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })}
        from generate_series(1, 9999) as n
        returning id)
      insert into assignments (id, profile_id, partner_id, priority, rules)
      select gen_random_uuid(), ${d.profileId}, id, 1,
        ${api.sql.json([{ conditions: [{ field: 'postcode', operator: 'starts_with', value: 'N' }, { field: 'name', operator: 'is_not_empty' }] }])}
      from made`;

    const lead = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    const handle = api.temporal.workflow.getHandle(`lead-${lead.body.id}`);
    expect((await handle.result()).status).toBe('delivered');

    const history = await handle.fetchHistory();
    const largest = Math.max(...(history.events ?? []).map((e) => JSON.stringify(e).length));
    expect(largest).toBeLessThan(256 * 1024);
    const [report] = (await api.request('GET', `/leads/${lead.body.id}/eligibility`)).body.judgements;
    expect(report.report.profiles[0].assignments).toHaveLength(10_000);
  }, 120_000);
});
