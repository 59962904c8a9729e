import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { testEnv } from '../helpers/env';
import { billingSettings } from '../../infra/env';
import { monthAt, partnerInvoiceId, previousMonth } from '../../domain/invoice';
import type { partnerInvoiceWorkflow } from '../../workflows/invoicing';

/**
 * A month built through the API (leads delivered and charged to two partners, returns before and after
 * invoicing, a payment), invoiced by the run's per-partner workflows, then rerun and backfilled: every
 * figure agrees to the penny.
 */
describe('invoices, credit notes, statements and the revenue report reconcile over a month', () => {
  const stack = useLeadStack('reconciliation');
  const settings = billingSettings(testEnv());
  const month = monthAt(new Date(), settings.timezone);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: settings.timezone }).format(new Date());
  const POLICY = { windowHours: 48, reasons: [{ reason: 'duplicate' }, { reason: 'not_interested' }], autoApprove: { withinHours: 24, reasons: ['duplicate'] } };

  // The run's child for one partner, as `invoicing-<month>` starts it: our own partners only, since a whole run would
  // invoice other suites' partners under their feet.
  const invoiceMonth = (partnerId: string, m: string) => stack.api.temporal.workflow.execute<typeof partnerInvoiceWorkflow>('partnerInvoiceWorkflow', {
    workflowId: partnerInvoiceId(partnerId, m), taskQueue: stack.worker.taskQueue, args: [{ partnerId, month: m }],
  });
  const documents = async (partnerId: string) => (await stack.api.request('GET', `/invoices?partnerId=${partnerId}`)).body.items as any[];
  const statement = async (partnerId: string) => (await stack.api.request('GET', `/partners/${partnerId}/statement`)).body as { items: { kind: string; amountMinor: number }[]; balanceMinor: number };
  const revenue = async (partnerId: string) =>
    ((await stack.api.request('GET', `/reports/revenue?from=${today}&to=${today}&groupBy=partner`)).body.rows as any[]).find((r) => r.key === partnerId);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const vatOf = (netMinor: number) => Math.sign(netMinor) * Math.round(Math.abs(netMinor) * 0.2);

  /** Every figure for one partner, from each source; they must agree. */
  const books = async (partnerId: string) => {
    const s = await statement(partnerId);
    const of = (kind: string) => sum(s.items.filter((t) => t.kind === kind).map((t) => t.amountMinor));
    const docs = await documents(partnerId);
    const unbilled = await stack.api.sql`
      select t.txn_key from partner_transactions t where t.partner_id = ${partnerId} and t.kind in ('charge', 'credit')
        and not exists (select 1 from invoiced_transactions i where i.partner_id = t.partner_id and i.txn_key = t.txn_key)`;
    return {
      statement: { charges: -of('charge'), credits: of('credit'), payments: of('payment'), balance: s.balanceMinor },
      report: await revenue(partnerId),
      documents: docs.map((d) => ({ number: d.number, series: d.series, netMinor: d.netMinor, vatMinor: d.vatMinor, grossMinor: d.grossMinor, amendsInvoiceId: d.amendsInvoiceId })),
      documentsNet: sum(docs.map((d) => d.netMinor)),
      unbilled: unbilled.length,
    };
  };

  it('agree to the penny, and a rerun or backfill of the month changes nothing', async () => {
    const { api } = stack;
    const [ra, rb] = await Promise.all([stack.receiver('accept'), stack.receiver('accept')]);
    const d = await configureDistribution(api, {
      strategy: 'send_to_all', referralScope: 2,
      partners: [{ name: 'alpha', webhookUrl: ra.url, priority: 2, priceMinor: 12_00 }, { name: 'beta', webhookUrl: rb.url, priority: 1, priceMinor: 7_45 }],
    });
    const [alpha, beta] = [d.partners.alpha!, d.partners.beta!];
    for (const p of [alpha, beta]) expect((await api.request('PUT', `/partners/${p.id}/return-policy`, { body: POLICY })).status).toBe(200);
    const leads: string[] = [];
    for (const name of ['Ann', 'Bob', 'Cy', 'Di']) leads.push((await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name, postcode: 'N1 1AA' } } })).body.id);
    const outcomes = await Promise.all(leads.map((id) => api.temporal.workflow.getHandle(`lead-${id}`).result()));
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);

    // Before invoicing: alpha returns a lead (netted on its invoice) and pays part of its balance.
    expect((await api.request('POST', `/portal/leads/${leads[0]}/return`, { key: alpha.key, body: { reason: 'duplicate' } })).body).toMatchObject({ status: 'approved' });
    expect((await api.request('POST', `/partners/${alpha.id}/payments`, { body: { amountMinor: 20_00, paymentId: `pay-${alpha.id}` } })).status).toBe(201);

    const [alphaInvoice, betaInvoice] = await Promise.all([invoiceMonth(alpha.id, month), invoiceMonth(beta.id, month)]);
    expect(alphaInvoice).toEqual(expect.any(String));

    // After invoicing: beta returns a lead, approved by an operator: a credit note amends its invoice.
    const queued = await api.request('POST', `/portal/leads/${leads[1]}/return`, { key: beta.key, body: { reason: 'not_interested' } });
    expect(queued.body).toMatchObject({ status: 'pending' });
    const approved = await api.request('POST', `/returns/${queued.body.id}/decision`, { body: { decision: 'approve', note: 'duplicate of an earlier enquiry' } });
    expect(approved.body).toMatchObject({ status: 'approved', creditNoteId: expect.any(String) });

    const before = { alpha: await books(alpha.id), beta: await books(beta.id) };
    expect(before.alpha).toEqual({
      statement: { charges: 48_00, credits: 12_00, payments: 20_00, balance: -16_00 },
      report: expect.objectContaining({ deliveries: 4, accepted: 4, returned: 1, grossMinor: 48_00, creditsMinor: 12_00, netMinor: 36_00 }),
      documents: [{ number: expect.stringMatching(/^INV-/), series: 'invoice', netMinor: 36_00, vatMinor: 7_20, grossMinor: 43_20, amendsInvoiceId: null }],
      documentsNet: 36_00,
      unbilled: 0,
    });
    expect(before.beta).toEqual({
      statement: { charges: 29_80, credits: 7_45, payments: 0, balance: -22_35 },
      report: expect.objectContaining({ deliveries: 4, accepted: 4, returned: 1, grossMinor: 29_80, creditsMinor: 7_45, netMinor: 22_35 }),
      documents: expect.arrayContaining([
        { number: expect.stringMatching(/^INV-/), series: 'invoice', netMinor: 29_80, vatMinor: 5_96, grossMinor: 35_76, amendsInvoiceId: null },
        { number: expect.stringMatching(/^CN-/), series: 'credit_note', netMinor: -7_45, vatMinor: -1_49, grossMinor: -8_94, amendsInvoiceId: betaInvoice },
      ]),
      documentsNet: 22_35,
      unbilled: 0,
    });
    for (const b of Object.values(before)) {
      // The ledger, the report and the documents say the same: what is owed before payments is what was invoiced, net.
      expect(b.statement.charges - b.statement.credits).toBe(b.report.netMinor);
      expect(b.documentsNet).toBe(b.report.netMinor);
      expect(-(b.statement.balance - b.statement.payments)).toBe(b.documentsNet);
      for (const doc of b.documents) expect([doc.vatMinor, doc.grossMinor]).toEqual([vatOf(doc.netMinor), doc.netMinor + vatOf(doc.netMinor)]);
    }

    // Rerun the month, and backfill it and the month before: the same invoices come back, nothing new is issued.
    expect(await Promise.all([invoiceMonth(alpha.id, month), invoiceMonth(beta.id, month)])).toEqual([alphaInvoice, betaInvoice]);
    expect(await Promise.all([invoiceMonth(alpha.id, previousMonth(month)), invoiceMonth(beta.id, previousMonth(month))])).toEqual([null, null]);
    expect({ alpha: await books(alpha.id), beta: await books(beta.id) }).toEqual(before);
  });
});
