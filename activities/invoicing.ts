import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import type { Sql } from '../db/client';
import { getPartner } from '../db/partners';
import { getInvoice, issueMonthlyInvoice, markEmailed, partnersToInvoice, setPdfKey, type BillingSettings, type Invoice } from '../db/invoices';
import type { ObjectStore } from '../infra/object-store';
import type { PdfRenderer } from '../infra/pdf-renderer';
import { invoiceDocument, money } from './invoice-document';

export interface InvoicingDeps {
  sql: Sql;
  store: ObjectStore;
  renderer: PdfRenderer;
  mailer: Transporter;
  mailFrom: string;
  settings: BillingSettings;
}

/** Where a document's PDF lives in the bucket: by partner and period, so the key says whose and when. */
export const invoicePdfKey = (invoice: Pick<Invoice, 'partnerId' | 'period' | 'number'>) => `invoices/${invoice.partnerId}/${invoice.period}/${invoice.number}.pdf`;

const objectExists = async (store: ObjectStore, key: string) => {
  try {
    await store.client.statObject(store.bucket, key);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'NotFound') return false;
    throw err;
  }
};

/** Invoicing's side effects; each is idempotent, so a retried or rerun activity repeats nothing. */
export function invoicingActivities({ sql, store, renderer, mailer, mailFrom, settings }: InvoicingDeps) {
  const existing = async (invoiceId: string) => (await getInvoice(sql, invoiceId)) ?? Promise.reject(ApplicationFailure.nonRetryable(`invoice ${invoiceId} not found`));
  return {
    async partnersToInvoice(period: string): Promise<string[]> {
      return partnersToInvoice(sql, period, settings.timezone);
    },
    /** The month's invoice for one partner, issued once; null when it has nothing to bill. */
    async issueMonthlyInvoice(partnerId: string, period: string): Promise<string | null> {
      const partner = await getPartner(sql, partnerId);
      if (!partner) throw ApplicationFailure.nonRetryable(`partner ${partnerId} not found`);
      return (await issueMonthlyInvoice(sql, partner, period, settings))?.id ?? null;
    },
    /** Renders and stores the PDF unless it is already in the bucket; returns its key. */
    async storeInvoicePdf(invoiceId: string): Promise<string> {
      const invoice = await existing(invoiceId);
      const key = invoicePdfKey(invoice);
      if (invoice.pdfKey && (await objectExists(store, invoice.pdfKey))) return invoice.pdfKey;
      const amends = invoice.amendsInvoiceId ? await getInvoice(sql, invoice.amendsInvoiceId) : undefined;
      const pdf = await renderer.render(invoiceDocument(invoice, amends));
      await store.client.putObject(store.bucket, key, pdf, pdf.length, { 'Content-Type': 'application/pdf' });
      await setPdfKey(sql, invoiceId, key);
      return key;
    },
    /** Sends the PDF to the partner once; marked after sending, so a crash in between may send it twice, never not at all. */
    async emailInvoice(invoiceId: string): Promise<void> {
      const invoice = await existing(invoiceId);
      if (invoice.emailedAt) return;
      if (!invoice.pdfKey) throw new Error(`invoice ${invoice.number} has no PDF yet`);
      const partner = await getPartner(sql, invoice.partnerId);
      if (!partner) throw ApplicationFailure.nonRetryable(`partner ${invoice.partnerId} not found`);
      const pdf = await store.client.getObject(store.bucket, invoice.pdfKey);
      const what = invoice.series === 'invoice' ? `Invoice ${invoice.number} for ${invoice.period}` : `Credit note ${invoice.number}`;
      await mailer.sendMail({
        from: mailFrom,
        to: partner.email,
        subject: `leadrelay: ${what}`,
        text: `${what}: ${money(invoice.grossMinor, invoice.currency)} including VAT, due ${invoice.dueOn}. The PDF is attached.`,
        attachments: [{ filename: `${invoice.number}.pdf`, content: pdf, contentType: 'application/pdf' }],
      });
      await markEmailed(sql, invoiceId);
    },
  };
}
