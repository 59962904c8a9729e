import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { testEnv } from '../helpers/env';
import { problemFields } from '../config/fixtures';
import { billingSettings } from '../../infra/env';
import { getPartner } from '../../db/partners';
import { issueMonthlyInvoice } from '../../db/invoices';
import { monthAt } from '../../domain/invoice';

describe('revenue reports reconcile with the statement and the invoice', () => {
  const stack = useLeadStack('revenue');
  const settings = billingSettings(testEnv());
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: settings.timezone }).format(new Date());

  it('counts deliveries, acceptances and returns and sums gross, credits and net by partner, profile, lead type and day, as JSON or CSV', async () => {
    const { api } = stack;
    const receiver = await stack.receiver('accept');
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: receiver.url, priority: 1, priceMinor: 12_00 }] });
    const buyer = d.partners.buyer!;
    const leads: string[] = [];
    for (const name of ['Ann', 'Bob', 'Cy']) {
      const res = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name, postcode: 'N1 1AA' } } });
      expect(res.status).toBe(202);
      leads.push(res.body.id);
    }
    const results = await Promise.all(leads.map((id) => api.temporal.workflow.getHandle(`lead-${id}`).result()));
    expect(results.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    await api.request('PUT', `/partners/${buyer.id}/return-policy`, { body: { windowHours: 24, reasons: [{ reason: 'duplicate' }], autoApprove: { withinHours: 24, reasons: ['duplicate'] } } });
    expect((await api.request('POST', `/portal/leads/${leads[0]}/return`, { key: buyer.key, body: { reason: 'duplicate' } })).body).toMatchObject({ status: 'approved' });

    const expected = { currency: 'GBP', deliveries: 3, accepted: 3, returned: 1, won: 0, lost: 0, wonValueMinor: 0, grossMinor: 36_00, creditsMinor: 12_00, netMinor: 24_00 };
    const report = async (groupBy: string) => (await api.request('GET', `/reports/revenue?from=${today}&to=${today}&groupBy=${groupBy}`)).body.rows as any[];
    expect((await report('partner')).find((r) => r.key === buyer.id)).toEqual({ key: buyer.id, label: expect.stringContaining('buyer'), ...expected });
    expect((await report('profile')).find((r) => r.key === d.profileId)).toEqual({ key: d.profileId, label: 'main', ...expected });
    expect((await report('leadType')).find((r) => r.key === d.leadTypeId)).toEqual({ key: d.leadTypeId, label: d.leadTypeName, ...expected });
    const own = await api.request('GET', `/portal/reports?from=${today}&to=${today}&groupBy=day`, { key: buyer.key });
    expect(own.body.rows).toEqual([{ key: today, label: today, ...expected }]);

    const statement = (await api.request('GET', `/partners/${buyer.id}/statement`)).body;
    const invoice = (await issueMonthlyInvoice(api.sql, (await getPartner(api.sql, buyer.id))!, monthAt(new Date(), settings.timezone), settings))!;
    expect(invoice.netMinor).toBe(expected.netMinor);
    expect(-statement.balanceMinor).toBe(expected.netMinor);

    const csv = await fetch(`${api.url}/portal/reports?from=${today}&to=${today}&groupBy=leadType`, { headers: { authorization: `Bearer ${buyer.key}`, accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\r\n')).toEqual([
      'key,label,currency,deliveries,accepted,returned,won,lost,wonValueMinor,grossMinor,creditsMinor,netMinor', `${d.leadTypeId},${d.leadTypeName},GBP,3,3,1,0,0,0,3600,1200,2400`, '',
    ]);
  });

  it('refuses a backwards range or a grouping the caller may not use, naming the field', async () => {
    const backwards = await stack.api.request('GET', '/reports/revenue?from=2025-02-01&to=2025-01-01');
    expect(backwards.status).toBe(400);
    expect(problemFields(backwards.body)).toEqual(['query.to']);
    const d = await configureDistribution(stack.api, { partners: [{ name: 'nosy', priority: 1 }] });
    const nosy = await stack.api.request('GET', `/portal/reports?from=${today}&to=${today}&groupBy=partner`, { key: d.partners.nosy!.key });
    expect(nosy.status).toBe(400);
    expect(problemFields(nosy.body)).toEqual(['query.groupBy']);
  });
});
