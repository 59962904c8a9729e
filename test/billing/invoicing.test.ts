import { randomUUID } from 'node:crypto';
import { useLeadStack } from '../helpers/lead-stack';
import { eventually } from '../helpers/wait';
import { testEnv } from '../helpers/env';
import { problemFields } from '../config/fixtures';
import { createObjectStore } from '../../infra/object-store';
import { billingSettings } from '../../infra/env';
import { getPartner } from '../../db/partners';
import { issueMonthlyInvoice } from '../../db/invoices';
import { ensureInvoicingSchedule } from '../../infra/invoicing-schedule';
import { monthAt, previousMonth } from '../../domain/invoice';
import { a4Pixels, billedPartner, chargesIn, downloadPdf, GB, leadType, mailsTo, pdfLooks, pdfText, pdfWords, PL, US } from './fixtures';

describe('monthly invoices: from the ledger to a numbered VAT invoice, as PDF in the object store, emailed', () => {
  const stack = useLeadStack('invoicing');
  const store = createObjectStore(testEnv());

  const run = async (month: string) => {
    const res = await stack.api.request('POST', '/invoices/runs', { body: { month } });
    expect(res.status).toBe(202);
    return stack.api.temporal.workflow.getHandle(res.body.workflowId, res.body.runId).result() as Promise<{ month: string; invoiced: number }>;
  };
  /** Other suites issue invoices meanwhile, so gaplessness is checked over the whole series: 1..n, each once. */
  const expectGapless = async () => {
    const rows = await stack.api.sql<{ series: string; count: string; min: string; max: string }[]>`
      select series, count(*) as count, min(number) as min, max(number) as max from invoices group by series`;
    for (const r of rows) expect([r.series, Number(r.min), Number(r.max)]).toEqual([r.series, 1, Number(r.count)]);
  };
  const invoicesOf = async (month: string) => (await stack.api.request('GET', `/invoices?period=${month}`)).body.items as any[];

  it('invoices each charged partner once, with VAT by its country, a PDF that reads right, and an email; a rerun issues nothing', async () => {
    const month = '2025-03';
    const type = await leadType(stack.api);
    const home = await billedPartner(stack.api, { legalName: 'Home Counties Solar Ltd', address: GB, vatId: 'GB987654321' });
    const eu = await billedPartner(stack.api, { legalName: 'Łódź Słoneczna Sp. z o.o.', address: PL, vatId: 'PL5260250274' });
    const abroad = await billedPartner(stack.api, { legalName: 'Texas Solar Inc', address: US });
    await chargesIn(stack.api, home.id, month, type, [25_00, 25_00, 25_00, 40_00]);
    await chargesIn(stack.api, eu.id, month, type, [10_00, 10_00]);
    await chargesIn(stack.api, abroad.id, month, type, [50_00]);

    expect(await run(month)).toEqual({ month, invoiced: 3 });

    const issued = await invoicesOf(month);
    const byPartner = (id: string) => issued.find((i) => i.partnerId === id);
    expect(byPartner(home.id)).toMatchObject({
      series: 'invoice', currency: 'GBP', vatTreatment: 'standard', vatRateBasisPoints: 2000, netMinor: 115_00, vatMinor: 23_00, grossMinor: 138_00, vatNote: null,
      lines: [
        { description: `${type.name} leads`, quantity: 1, unitPriceMinor: 40_00, amountMinor: 40_00 },
        { description: `${type.name} leads`, quantity: 3, unitPriceMinor: 25_00, amountMinor: 75_00 },
      ],
      customer: { legalName: 'Home Counties Solar Ltd', vatId: 'GB987654321' },
    });
    expect(byPartner(eu.id)).toMatchObject({ vatTreatment: 'reverse_charge', netMinor: 20_00, vatMinor: 0, grossMinor: 20_00, vatNote: expect.stringContaining('Reverse charge') });
    expect(byPartner(abroad.id)).toMatchObject({ vatTreatment: 'outside_scope', netMinor: 50_00, vatMinor: 0, vatNote: expect.stringContaining('Outside the scope') });
    expect(new Set(issued.map((i) => i.number)).size).toBe(3);
    await expectGapless();

    const invoice = byPartner(home.id);
    expect(invoice.pdfKey).toBe(`invoices/${home.id}/${month}/${invoice.number}.pdf`);
    expect((await store.client.statObject(store.bucket, invoice.pdfKey)).size).toBeGreaterThan(1000);
    const { pdf } = await downloadPdf(stack.api, `/invoices/${invoice.id}/pdf`);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const words of [`VAT invoice ${invoice.number}`, 'Home Counties Solar Ltd', 'VAT number: GB987654321', 'leadrelay Ltd', 'VAT number: GB123456789',
      `Supply period: ${month}`, `${type.name} leads`, '£25.00', '£75.00', 'Net: £115.00', 'VAT at 20%: £23.00', 'Total: £138.00']) {
      expect(text).toContain(words);
    }
    // As a person sees it, rendered to PNG by pdftoppm: one A4 page, title and both parties at the top, the table's
    // amounts in the right-hand quarter, the rest blank.
    const looks = await pdfLooks(pdf, 100);
    expect([looks.width, looks.height]).toEqual(a4Pixels(100));
    const [title, parties, , totals] = looks.ink;
    expect(title![0]).toBeGreaterThan(300);
    expect(parties![0]).toBeGreaterThan(200);
    expect(parties![2]).toBeGreaterThan(200);
    expect(title![3]).toBe(0);
    expect(totals![3]).toBeGreaterThan(100);
    expect(looks.ink.slice(5).flat().reduce((a, b) => a + b, 0)).toBe(0);
    // Where the words sit, in points from the top: the title first, supplier left of customer, each amount
    // right-aligned under "Amount", the total under the table, aligned with it.
    const words = await pdfWords(pdf);
    const at = (word: string) => words.find((w) => w.word === word) ?? Promise.reject(new Error(`"${word}" is not on the page`));
    const [titleWord, supplier, customer, amount, line, total] = await Promise.all([at(invoice.number), at('leadrelay'), at('Home'), at('Amount'), at('£75.00'), at('£138.00')]);
    expect(titleWord.y).toBeLessThan(Math.min(supplier.y, customer.y));
    expect(supplier.x).toBeLessThan(customer.x);
    expect(line.y).toBeGreaterThan(amount.y);
    expect(Math.abs(line.xMax - amount.xMax)).toBeLessThan(1);
    expect(total.y).toBeGreaterThan(line.y);
    expect(Math.abs(total.xMax - amount.xMax)).toBeLessThan(1);
    const euText = await pdfText((await downloadPdf(stack.api, `/invoices/${byPartner(eu.id).id}/pdf`)).pdf);
    expect(euText).toContain('Reverse charge: VAT to be accounted for by the recipient');
    expect(euText).toContain('Łódź Słoneczna Sp. z o.o.');

    const mail = await eventually(async () => (await mailsTo(home.email)).find((m) => m.subject.includes(invoice.number)));
    expect(mail.attachments).toEqual([expect.objectContaining({ fileName: `${invoice.number}.pdf`, contentType: 'application/pdf' })]);

    expect(await run(month)).toEqual({ month, invoiced: 0 });
    expect(await invoicesOf(month)).toHaveLength(3);
    expect(await mailsTo(home.email)).toHaveLength(1);
  });

  it('a partner sees its own invoices and PDFs in the portal, and not another partner’s', async () => {
    const month = '2025-04';
    const type = await leadType(stack.api);
    const mine = await billedPartner(stack.api, { legalName: 'Mine Ltd', address: GB });
    const theirs = await billedPartner(stack.api, { legalName: 'Theirs Ltd', address: GB });
    await chargesIn(stack.api, mine.id, month, type, [12_34]);
    await chargesIn(stack.api, theirs.id, month, type, [99_00]);
    await run(month);

    const list = await stack.api.request('GET', '/portal/invoices', { key: mine.key });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.partnerId)).toEqual([mine.id]);
    expect(list.body.items[0]).toMatchObject({ netMinor: 12_34, vatMinor: 2_47, grossMinor: 14_81 });
    const { location, pdf } = await downloadPdf(stack.api, `/portal/invoices/${list.body.items[0].id}/pdf`, mine.key);
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300');
    expect(await pdfText(pdf)).toContain('Mine Ltd');

    const other = (await invoicesOf(month)).find((i) => i.partnerId === theirs.id);
    const refused = await stack.api.request('GET', `/portal/invoices/${other.id}/pdf`, { key: mine.key });
    expect(refused.status).toBe(404);
    expect((await stack.api.request('GET', '/invoices', { key: mine.key })).status).toBe(403);
  });

  it('concurrent issuers number invoices without gaps and never twice for one partner and month', async () => {
    const month = '2025-05';
    const type = await leadType(stack.api);
    const partners = await Promise.all(Array.from({ length: 5 }, (_, i) => billedPartner(stack.api, { legalName: `Concurrent ${i} Ltd`, address: GB })));
    for (const p of partners) await chargesIn(stack.api, p.id, month, type, [10_00]);
    const settings = billingSettings(testEnv());
    const full = await Promise.all(partners.map(async (p) => (await getPartner(stack.api.sql, p.id))!));
    const issued = await Promise.all([...full, ...full, ...full].map((p) => issueMonthlyInvoice(stack.api.sql, p, month, settings)));

    const ids = new Set(issued.map((i) => i!.id));
    expect(ids.size).toBe(5);
    await expectGapless();
    const [row] = await stack.api.sql<{ n: string }[]>`select count(*) as n from invoiced_transactions t join invoices i on i.id = t.invoice_id where i.period = ${month}`;
    expect(Number(row!.n)).toBe(5);
  });

  it('charges written after a month was invoiced go on the next month’s invoice, and a backfill of the earlier month adds nothing', async () => {
    const type = await leadType(stack.api);
    const p = await billedPartner(stack.api, { legalName: 'Late Ltd', address: GB });
    await chargesIn(stack.api, p.id, '2025-06', type, [10_00]);
    await run('2025-06');
    await chargesIn(stack.api, p.id, '2025-06', type, [7_00], 2);
    await chargesIn(stack.api, p.id, '2025-07', type, [5_00], 3);
    await run('2025-07');
    expect(await run('2025-06')).toEqual({ month: '2025-06', invoiced: 0 });

    const mine = (await stack.api.request('GET', `/invoices?partnerId=${p.id}`)).body.items;
    expect(mine.map((i: any) => [i.period, i.netMinor])).toEqual([['2025-07', 12_00], ['2025-06', 10_00]]);
  });

  it('documents billing in the OpenAPI document', async () => {
    const doc = (await stack.api.request('GET', '/openapi.json', { key: null })).body;
    for (const [path, method] of [['/invoices/runs', 'post'], ['/invoices', 'get'], ['/invoices/{id}/pdf', 'get'], ['/portal/invoices/{id}/pdf', 'get'],
      ['/portal/leads/{id}/return', 'post'], ['/returns/{id}/decision', 'post'], ['/partners/{id}/return-policy', 'put'], ['/reports/revenue', 'get'], ['/portal/reports', 'get']] as const) {
      expect(doc.paths[path]?.[method]).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas.Invoice.properties)).toEqual(expect.arrayContaining(['number', 'vatTreatment', 'pdfKey', 'amendsInvoiceId']));
  });

  it('refuses a malformed or future month with 400, naming the field', async () => {
    for (const month of ['2025-13', 'March', previousMonth('2999-02')]) {
      const res = await stack.api.request('POST', '/invoices/runs', { body: { month } });
      expect(res.status).toBe(400);
      expect(problemFields(res.body)).toEqual(['body.month']);
    }
  });

  it('the invoicing-monthly Schedule is created once, runs on day 1 in the billing timezone, and invoices the month just ended', async () => {
    const scheduleId = `invoicing-monthly-${randomUUID()}`;
    const options = { taskQueue: stack.worker.taskQueue, timezone: 'Europe/London', scheduleId };
    expect(await ensureInvoicingSchedule(stack.api.temporal, options)).toBe('created');
    expect(await ensureInvoicingSchedule(stack.api.temporal, options)).toBe('exists');
    const schedule = stack.api.temporal.schedule.getHandle(scheduleId);
    try {
      const description = await schedule.describe();
      expect(description.spec.timezone).toBe('Europe/London');
      expect(description.spec.calendars).toEqual([expect.objectContaining({ dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 2, end: 2, step: 1 }] })]);

      const lastMonth = previousMonth(monthAt(new Date(), 'Europe/London'));
      const type = await leadType(stack.api);
      const p = await billedPartner(stack.api, { legalName: 'Scheduled Ltd', address: GB });
      await chargesIn(stack.api, p.id, lastMonth, type, [30_00]);
      await schedule.trigger();
      const invoice = await eventually(async () => (await stack.api.request('GET', `/invoices?partnerId=${p.id}`)).body.items.find((i: any) => i.pdfKey), { timeoutMs: 60_000 });
      expect(invoice).toMatchObject({ period: lastMonth, grossMinor: 36_00 });
    } finally {
      await schedule.delete();
    }
  });
});
