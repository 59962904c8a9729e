import { z } from 'zod';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { invalid } from '../validation';
import { idParams, uuid } from '../schemas/common';
import { getInvoice, listInvoices, type Invoice } from '../../db/invoices';
import { invoiceMonthProblem, invoicingRunId } from '../../domain/invoice';
import type { invoicingRunWorkflow } from '../../workflows/invoicing';

const PRESIGNED_SECONDS = 300;
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM').meta({ example: '2026-10' });

const address = z.object({ line1: z.string(), line2: z.string().optional(), city: z.string(), postalCode: z.string(), country: z.string() });
const party = z.object({ legalName: z.string(), address: address.nullable(), vatId: z.string().nullable() });

const invoiceSchema = z
  .object({
    id: z.uuid(),
    series: z.enum(['invoice', 'credit_note']),
    number: z.string().meta({ description: 'Gapless per series: INV-000001, CN-000001', example: 'INV-000042' }),
    partnerId: z.uuid(),
    period: month.meta({ description: 'The billing month supplied, on the billing timezone' }),
    amendsInvoiceId: z.uuid().nullable().meta({ description: 'For a credit note: the invoice it corrects' }),
    currency: z.string(),
    lines: z.array(z.object({ description: z.string(), quantity: z.number().int(), unitPriceMinor: z.number().int(), amountMinor: z.number().int().meta({ description: 'Negative for returned leads' }) })),
    netMinor: z.number().int(),
    vatMinor: z.number().int(),
    grossMinor: z.number().int(),
    vatTreatment: z.enum(['standard', 'reverse_charge', 'outside_scope']).meta({ description: 'standard: home rate; reverse_charge: EU business with a valid VAT number; outside_scope: any other customer abroad' }),
    vatRateBasisPoints: z.number().int().meta({ description: '2000 is 20 %' }),
    vatNote: z.string().nullable().meta({ description: 'The reverse-charge or outside-the-scope wording printed on the PDF' }),
    supplier: party,
    customer: party,
    issuedAt: z.string(),
    dueOn: z.string(),
    pdfKey: z.string().nullable().meta({ description: 'Object key in the bucket; null until the PDF is stored' }),
    emailedAt: z.string().nullable(),
  })
  .meta({ id: 'Invoice' });

const listSchema = z.object({ items: z.array(invoiceSchema), total: z.number().int() }).meta({ id: 'InvoiceList' });
const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};
const runBody = z.strictObject({ month }).meta({ id: 'InvoicingRunRequest' });
const runSchema = z.object({ month, workflowId: z.string(), runId: z.string() }).meta({ id: 'InvoicingRun' });

export function invoiceRoutes({ sql, temporal, taskQueue, objectStore, billingTimezone = 'Europe/London' }: AppDeps) {
  const ownId = (principal: Principal | null) => principal?.partnerId ?? Promise.reject(notFound('partner for this key'));
  const existing = async (id: string, partnerId?: string): Promise<Invoice> => {
    const invoice = await getInvoice(sql, id);
    // Another partner's invoice is answered as missing, so ids can't be probed.
    if (!invoice || (partnerId && invoice.partnerId !== partnerId)) throw notFound(`invoice ${id}`);
    return invoice;
  };
  // The link names the file and asks the browser to save it, so following it downloads INV-000042.pdf.
  const pdfLink = async (invoice: Invoice) => {
    if (!invoice.pdfKey) throw new HttpError(409, 'pdf_not_ready', `the PDF of ${invoice.number} is not stored yet; try again shortly`);
    return objectStore.client.presignedGetObject(objectStore.bucket, invoice.pdfKey, PRESIGNED_SECONDS, {
      'response-content-disposition': `attachment; filename="${invoice.number}.pdf"`,
    });
  };
  const redirectToPdf = async (invoice: Invoice, res: { redirect(status: number, url: string): void }) => res.redirect(302, await pdfLink(invoice));
  const pdfResponses = { 302: { description: `Redirect to a presigned link to the PDF, valid ${PRESIGNED_SECONDS / 60} minutes` }, 404: { description: 'No such invoice' }, 409: { description: 'The PDF is not stored yet' } };

  return [
    defineRoute({
      method: 'post',
      path: '/invoices/runs',
      summary: "Invoice a month now: the same run the invoicing-monthly Schedule starts on day 1",
      description: 'Starts invoicing-<month>, or joins it if it is running. Partners already invoiced for the month are skipped, so a rerun or backfill issues nothing twice.',
      tags: ['invoices'],
      auth: ['operator'],
      body: runBody,
      status: 202,
      responses: { 202: { description: 'The run started (or already running)', schema: runSchema } },
      handler: async ({ body }) => {
        const problem = invoiceMonthProblem(body.month, new Date(), billingTimezone);
        if (problem) throw invalid([{ field: 'body.month', reason: problem }]);
        const workflowId = invoicingRunId(body.month);
        const handle = await temporal.workflow.start<typeof invoicingRunWorkflow>('invoicingRunWorkflow', {
          workflowId, taskQueue, args: [{ month: body.month }], workflowIdReusePolicy: 'ALLOW_DUPLICATE', workflowIdConflictPolicy: 'USE_EXISTING',
        });
        return { month: body.month, workflowId, runId: handle.firstExecutionRunId };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/invoices',
      summary: 'Invoices and credit notes, newest first',
      tags: ['invoices'],
      auth: ['operator'],
      query: z.strictObject({ partnerId: uuid('partner').optional(), period: month.optional(), ...pageQuery }),
      responses: { 200: { description: 'A page of documents', schema: listSchema } },
      handler: ({ query }) => listInvoices(sql, query),
    }),
    defineRoute({
      method: 'get',
      path: '/invoices/:id',
      summary: 'One invoice or credit note',
      tags: ['invoices'],
      auth: ['operator'],
      params: idParams('invoice'),
      responses: { 200: { description: 'As issued; never edited afterwards', schema: invoiceSchema }, 404: { description: 'No such invoice' } },
      handler: ({ params }) => existing(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/invoices/:id/pdf',
      summary: "An invoice's PDF",
      tags: ['invoices'],
      auth: ['operator'],
      params: idParams('invoice'),
      responses: pdfResponses,
      handler: async ({ params, res }) => redirectToPdf(await existing(params.id), res),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/invoices',
      summary: "The calling partner's invoices and credit notes, newest first",
      tags: ['portal'],
      auth: ['partner'],
      query: z.strictObject({ period: month.optional(), ...pageQuery }),
      responses: { 200: { description: 'A page of documents', schema: listSchema } },
      handler: async ({ query, principal }) => listInvoices(sql, { ...query, partnerId: await ownId(principal) }),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/invoices/:id/pdf',
      summary: 'One of your invoices as PDF',
      tags: ['portal'],
      auth: ['partner'],
      params: idParams('invoice'),
      responses: { ...pdfResponses, 404: { description: 'No such invoice of yours' } },
      handler: async ({ params, res, principal }) => redirectToPdf(await existing(params.id, await ownId(principal)), res),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/invoices/:id/pdf-link',
      summary: 'A presigned link to one of your invoices as PDF, for pages that send the key in a header',
      description: `A browser can't follow the redirect of /pdf with an Authorization header and read where it went; this answers the same link as JSON, valid ${PRESIGNED_SECONDS / 60} minutes, saved as <number>.pdf.`,
      tags: ['portal'],
      auth: ['partner'],
      params: idParams('invoice'),
      responses: {
        200: { description: 'The link', schema: z.object({ url: z.string(), expiresInSeconds: z.number().int() }).meta({ id: 'PdfLink' }) },
        404: { description: 'No such invoice of yours' }, 409: { description: 'The PDF is not stored yet' },
      },
      handler: async ({ params, principal }) => ({ url: await pdfLink(await existing(params.id, await ownId(principal))), expiresInSeconds: PRESIGNED_SECONDS }),
    }),
  ];
}
