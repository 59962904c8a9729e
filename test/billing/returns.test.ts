import { randomUUID } from 'node:crypto';
import { useLeadStack } from '../helpers/lead-stack';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import { problemFields } from '../config/fixtures';
import { billingSettings } from '../../infra/env';
import { getPartner } from '../../db/partners';
import { issueMonthlyInvoice } from '../../db/invoices';
import { insertTransactions } from '../../db/partner-statements';
import { monthAt } from '../../domain/invoice';
import { a4Pixels, billedPartner, chargeNow, creditOf, downloadPdf, GB, mailsTo, pdfLooks, pdfText, pdfWords } from './fixtures';

const POLICY = {
  windowHours: 48,
  reasons: [{ reason: 'not_interested' }, { reason: 'wrong_number', evidenceRequired: true }],
  autoApprove: { withinHours: 24, reasons: ['wrong_number'] },
};

describe('lead returns: policy, auto-approval or an operator decision, credit at the locked price, credit notes', () => {
  const stack = useLeadStack('returns');
  const settings = billingSettings(testEnv());

  const partnerWithPolicy = async (policy: Record<string, unknown> = POLICY) => {
    const p = await billedPartner(stack.api, { legalName: 'Returns Ltd', address: GB });
    const res = await stack.api.request('PUT', `/partners/${p.id}/return-policy`, { body: policy });
    expect(res.status).toBe(200);
    return p;
  };
  const ret = (leadId: string, key: string, body: Record<string, unknown>) => stack.api.request('POST', `/portal/leads/${leadId}/return`, { key, body });
  const balance = async (partnerId: string) => (await stack.api.request('GET', `/partners/${partnerId}/statement`)).body.balanceMinor as number;

  it('auto-approves a return within the rules and credits the locked price on the statement and the live balance', async () => {
    const p = await partnerWithPolicy();
    const leadId = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 25_00);
    expect(await balance(p.id)).toBe(-25_00);

    const missingEvidence = await ret(leadId, p.key, { reason: 'wrong_number' });
    expect(missingEvidence.status).toBe(400);
    expect(problemFields(missingEvidence.body)).toEqual(['body.evidence']);
    const notAllowed = await ret(leadId, p.key, { reason: 'duplicate' });
    expect(notAllowed.status).toBe(400);
    expect(problemFields(notAllowed.body)).toEqual(['body.reason']);

    const res = await ret(leadId, p.key, { reason: 'wrong_number', evidence: 'number unobtainable, three tries' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'approved', autoApproved: true, decidedBy: 'auto', amountMinor: 25_00, creditNoteId: null });
    expect(await creditOf(stack.api, p.id, leadId)).toMatchObject({ kind: 'credit', amountMinor: 25_00, balanceMinor: 0 });
    expect((await stack.api.request('GET', `/partners/${p.id}/capacity`)).body.balanceMinor).toBe(0);

    const again = await ret(leadId, p.key, { reason: 'not_interested' });
    expect(again.status).toBe(409);
    expect(await balance(p.id)).toBe(0);
  });

  it('a lead not charged to the partner is 404, and a partner without a policy is refused with 422', async () => {
    const p = await partnerWithPolicy();
    const other = await partnerWithPolicy();
    const theirs = await chargeNow(stack.api, stack.worker.taskQueue, other.id, 10_00);
    expect((await ret(theirs, p.key, { reason: 'not_interested' })).status).toBe(404);

    const noPolicy = await billedPartner(stack.api, { legalName: 'No Policy Ltd', address: GB });
    const lead = await chargeNow(stack.api, stack.worker.taskQueue, noPolicy.id, 10_00);
    const refused = await ret(lead, noPolicy.key, { reason: 'not_interested' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('returns_not_allowed');
  });

  it('refuses a return out of the window with 422 and the window in the reason', async () => {
    const p = await partnerWithPolicy();
    const leadId = randomUUID();
    const deliveredAt = new Date(Date.now() - 72 * 3_600_000).toISOString();
    await insertTransactions(stack.api.sql, p.id, [{ seq: 1, key: `charge:${leadId}`, kind: 'charge', amountMinor: -10_00, balanceMinor: -10_00, currency: 'GBP', leadId, description: 'old lead', occurredAt: deliveredAt }]);
    const res = await ret(leadId, p.key, { reason: 'not_interested' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'out_of_window', message: expect.stringContaining('48 hours') });
  });

  it("refuses returns over the month's cap with 422", async () => {
    const p = await partnerWithPolicy({ ...POLICY, maxReturnRatePercent: 50 });
    const first = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 10_00);
    const second = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 10_00);
    expect((await ret(first, p.key, { reason: 'not_interested' })).body).toMatchObject({ status: 'pending' });
    const over = await ret(second, p.key, { reason: 'not_interested' });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ error: 'over_cap', message: expect.stringContaining('50%') });
  });

  it('an operator approves a queued return of an invoiced lead: credit on the statement and a credit note amending the invoice', async () => {
    const p = await partnerWithPolicy();
    const leadId = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 40_00);
    const invoice = (await issueMonthlyInvoice(stack.api.sql, (await getPartner(stack.api.sql, p.id))!, monthAt(new Date(), settings.timezone), settings))!;
    expect(invoice).toMatchObject({ netMinor: 40_00, vatMinor: 8_00 });

    const queued = await ret(leadId, p.key, { reason: 'not_interested' });
    expect(queued.body).toMatchObject({ status: 'pending', autoApproved: false });
    expect((await stack.api.request('GET', '/returns?status=pending')).body.items.map((r: any) => r.id)).toContain(queued.body.id);
    expect(await creditOf(stack.api, p.id, leadId)).toBeUndefined();

    const decided = await stack.api.request('POST', `/returns/${queued.body.id}/decision`, { body: { decision: 'approve', note: 'customer confirmed' } });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decisionNote: 'customer confirmed', creditNoteId: expect.any(String) });
    expect(await creditOf(stack.api, p.id, leadId)).toMatchObject({ amountMinor: 40_00 });

    const note = (await stack.api.request('GET', `/invoices/${decided.body.creditNoteId}`)).body;
    expect(note).toMatchObject({ series: 'credit_note', number: expect.stringMatching(/^CN-\d{6}$/), amendsInvoiceId: invoice.id, netMinor: -40_00, vatMinor: -8_00, grossMinor: -48_00 });
    const stored = await eventually(async () => (await stack.api.request('GET', `/invoices/${note.id}`)).body.pdfKey ?? undefined);
    expect(stored).toContain(`invoices/${p.id}/`);
    const { pdf } = await downloadPdf(stack.api, `/portal/invoices/${note.id}/pdf`, p.key);
    const text = await pdfText(pdf);
    expect(text).toContain(`Credit note ${note.number}`);
    expect(text).toContain(`Amends invoice ${invoice.number}`);
    expect(text).toContain('Total: -£48.00');
    // Seen as a page: A4, the amended invoice named under the title, the negative total right-aligned with the amounts.
    const looks = await pdfLooks(pdf, 100);
    expect([looks.width, looks.height]).toEqual(a4Pixels(100));
    expect(looks.ink.slice(5).flat().reduce((a, b) => a + b, 0)).toBe(0);
    const words = await pdfWords(pdf);
    const at = (word: string) => words.find((w) => w.word === word)!;
    expect(at(invoice.number).y).toBeGreaterThan(at(note.number).y);
    expect(Math.abs(at('-£48.00').xMax - at('Amount').xMax)).toBeLessThan(1);

    const twice = await stack.api.request('POST', `/returns/${queued.body.id}/decision`, { body: { decision: 'deny' } });
    expect(twice.status).toBe(409);
  });

  it('a returned lead not yet invoiced nets on the month’s invoice as a negative line', async () => {
    const p = await partnerWithPolicy();
    const kept = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 30_00);
    const returned = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 20_00);
    expect(kept).not.toBe(returned);
    expect((await ret(returned, p.key, { reason: 'wrong_number', evidence: 'disconnected' })).body).toMatchObject({ status: 'approved', creditNoteId: null });
    const invoice = (await issueMonthlyInvoice(stack.api.sql, (await getPartner(stack.api.sql, p.id))!, monthAt(new Date(), settings.timezone), settings))!;
    expect(invoice.lines).toEqual([
      { description: 'Lead leads', quantity: 1, unitPriceMinor: 30_00, amountMinor: 30_00 },
      { description: 'Lead leads', quantity: 1, unitPriceMinor: 20_00, amountMinor: 20_00 },
      { description: 'Lead leads returned', quantity: 1, unitPriceMinor: 20_00, amountMinor: -20_00 },
    ]);
    expect(invoice.netMinor).toBe(30_00);
    expect(invoice.netMinor).toBe(-(await balance(p.id)));
  });

  it('a denied return changes nothing and the partner is told why; an undecided one expires at its deadline', async () => {
    const p = await partnerWithPolicy({ ...POLICY, decisionHours: 0.002 });
    const denied = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 15_00);
    const expiring = await chargeNow(stack.api, stack.worker.taskQueue, p.id, 15_00);
    const first = await ret(denied, p.key, { reason: 'not_interested' });
    const second = await ret(expiring, p.key, { reason: 'not_interested' });
    const decided = await stack.api.request('POST', `/returns/${first.body.id}/decision`, { body: { decision: 'deny', note: 'the lead was contacted and qualified' } });
    expect(decided.body).toMatchObject({ status: 'denied' });
    expect(await creditOf(stack.api, p.id, denied)).toBeUndefined();
    expect(await balance(p.id)).toBe(-30_00);

    const expired = await eventually(async () => {
      const r = (await stack.api.request('GET', `/returns/${second.body.id}`)).body;
      return r.status === 'expired' ? r : undefined;
    }, { timeoutMs: 60_000 });
    expect(expired).toMatchObject({ decidedBy: 'deadline' });
    const mails = await eventually(async () => {
      const m = await mailsTo(p.email);
      return m.length === 2 ? m : undefined;
    });
    expect(mails.find((m) => m.subject.includes(denied))?.text).toContain('it was denied: the lead was contacted and qualified');
    expect(mails.find((m) => m.subject.includes(expiring))?.text).toContain('no decision was made before its deadline');
    expect(mails.map((m) => m.subject).sort()).toEqual([`leadrelay: your return of lead ${denied} was not credited`, `leadrelay: your return of lead ${expiring} was not credited`].sort());
    expect((await stack.api.request('GET', '/portal/returns', { key: p.key })).body.items.map((r: any) => r.status).sort()).toEqual(['denied', 'expired']);
  });
});
