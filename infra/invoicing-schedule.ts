import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { monthlyInvoicingWorkflow } from '../workflows/invoicing';

export const INVOICING_SCHEDULE_ID = 'invoicing-monthly';

/**
 * The Schedule that invoices each month on day 1 at 02:00 in the billing timezone. Every worker calls
 * this at start: the first creates it, the rest find it there ('exists').
 */
export async function ensureInvoicingSchedule(client: Client, options: { taskQueue: string; timezone: string; scheduleId?: string }): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: options.scheduleId ?? INVOICING_SCHEDULE_ID,
      spec: { calendars: [{ dayOfMonth: 1, hour: 2, minute: 0 }], timezone: options.timezone },
      action: {
        type: 'startWorkflow',
        workflowType: 'monthlyInvoicingWorkflow',
        args: [{ timezone: options.timezone }] as Parameters<typeof monthlyInvoicingWorkflow>,
        taskQueue: options.taskQueue,
        workflowId: options.scheduleId ?? INVOICING_SCHEDULE_ID,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
