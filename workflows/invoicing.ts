import { ApplicationFailure, executeChild, proxyActivities } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { LeadActivities } from '../activities';
import { invoicingRunId, monthAt, partnerInvoiceId, previousMonth } from '../domain/invoice';

const { partnersToInvoice, issueMonthlyInvoice, storeInvoicePdf, emailInvoice } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '1 minute' },
});

/** Partners invoiced at once by one run: enough to keep the PDF threads busy, few enough to spare the rest of the worker. */
const PARALLEL_PARTNERS = 8;

/** Started by the invoicing-monthly Schedule on day 1: invoices the month that has just ended. */
export async function monthlyInvoicingWorkflow({ timezone }: { timezone: string }): Promise<void> {
  const month = previousMonth(monthAt(new Date(), timezone));
  try {
    await executeChild(invoicingRunWorkflow, { workflowId: invoicingRunId(month), args: [{ month }] });
  } catch (err) {
    // An operator already started this month's run: that run does the work.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** invoicing-<YYYY-MM>: one child per partner with charges in the month and no invoice for it yet. */
export async function invoicingRunWorkflow({ month }: { month: string }): Promise<{ month: string; invoiced: number }> {
  const queue = await partnersToInvoice(month);
  let invoiced = 0;
  const next = async (): Promise<void> => {
    for (let partnerId = queue.shift(); partnerId; partnerId = queue.shift()) {
      if (await invoicePartner(partnerId, month)) invoiced += 1;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_PARTNERS }, next));
  return { month, invoiced };
}

async function invoicePartner(partnerId: string, month: string): Promise<boolean> {
  try {
    return (await executeChild(partnerInvoiceWorkflow, { workflowId: partnerInvoiceId(partnerId, month), args: [{ partnerId, month }] })) !== null;
  } catch (err) {
    // Another run is invoicing this partner right now.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** invoice-<partnerId>-<YYYY-MM>: issue (once), store the PDF, email it. Null when the month had nothing to bill. */
export async function partnerInvoiceWorkflow({ partnerId, month }: { partnerId: string; month: string }): Promise<string | null> {
  if (!/^\d{4}-\d{2}$/.test(month)) throw ApplicationFailure.nonRetryable(`month ${month} must be YYYY-MM`);
  const invoiceId = await issueMonthlyInvoice(partnerId, month);
  if (!invoiceId) return null;
  await storeInvoicePdf(invoiceId);
  await emailInvoice(invoiceId);
  return invoiceId;
}
