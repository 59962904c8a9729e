import { MockActivityEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { deferAppointmentCharge } from '../../db/appointments';
import { appointmentWorkflowId, recordOutcomeUpdate } from '../../workflows/appointment-messages';
import { capacityQuery } from '../../workflows/partner-messages';
import { useTimeSkippingWorker } from '../helpers/time-skipping';
import { eventually } from '../helpers/wait';
import { startPartnerWorkflow } from '../capacity/fixtures';
import { bookedAppointment, type BookedFixture } from './fixtures';

describe('an appointment its assignment charges only once kept (time-skipping server, real PostgreSQL)', () => {
  const stack = useTimeSkippingWorker('appointment-charge');
  const { taskQueue, skipTo } = stack;
  const activities = () => stack.activities();

  /**
   * A booked appointment whose partner took the lead at 15.00, the price locked then (as accepting its
   * delivery locks it), with the partner's workflow and the appointment's running.
   */
  const booked = async (start: string) => {
    const a = await bookedAppointment(stack.sql, { start, consumerTimeZone: 'Europe/London', partnerTimeZone: 'Europe/London', settings: { reminderOffsetsMinutes: [] } });
    await deferAppointmentCharge(stack.sql, a.appointmentId, { priceMinor: 15_00, assignmentId: null });
    await startPartnerWorkflow(stack.env.client, taskQueue, a.partnerId);
    const plan = await activities().appointmentOfReferral({ leadId: a.leadId, partnerId: a.partnerId });
    const handle = await stack.env.client.workflow.start('appointmentWorkflow', { workflowId: appointmentWorkflowId(a.appointmentId), taskQueue, args: [{ plan }] });
    return { a, handle };
  };
  const completed = (handle: WorkflowHandle) => eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), { timeoutMs: 60_000 });
  /** The partner's ledger in PostgreSQL: key and amount of each row. */
  const ledger = async (a: BookedFixture) =>
    (await stack.sql`select txn_key, kind, amount_minor from partner_transactions where partner_id = ${a.partnerId} order by seq`).map((r) => `${r.kind} ${r.txn_key} ${r.amount_minor}`);
  const balance = async (a: BookedFixture) => (await stack.env.client.workflow.getHandle(`partner-${a.partnerId}`).query(capacityQuery)).balanceMinor;
  /** The outcome activity once more, as a worker that crashed after recording it but before reporting would run it. */
  const runOutcomeAgain = (a: BookedFixture, outcome: 'attended' | 'kept') =>
    new MockActivityEnvironment({ taskQueue }).run(activities().recordAppointmentOutcome, { appointmentId: a.appointmentId, outcome, by: 'partner:test', at: new Date().toISOString() });

  it('a no-show charges nothing', async () => {
    const { a, handle } = await booked('2027-06-07T09:00:00Z');
    await skipTo('2027-06-07T10:30:00Z');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'no_show', by: 'partner:surveyors' }] });
    await completed(handle);
    expect(await ledger(a)).toEqual([]);
    expect(await balance(a)).toBe(0);
  }, 120_000);

  it('an attended appointment charges the price locked at booking, once, even when its outcome activity runs again', async () => {
    const { a, handle } = await booked('2027-06-14T09:00:00Z');
    await skipTo('2027-06-14T10:30:00Z');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'attended', by: 'partner:surveyors' }] });
    await completed(handle);
    await eventually(async () => ((await ledger(a)).length === 1 ? true : undefined));
    expect(await ledger(a)).toEqual([`charge appointment:${a.appointmentId} -1500`]);

    await runOutcomeAgain(a, 'attended');
    expect(await ledger(a)).toEqual([`charge appointment:${a.appointmentId} -1500`]);
    expect(await balance(a)).toBe(-15_00);
    const [audit] = await stack.sql`select summary from lead_audit where lead_id = ${a.leadId} and type = 'appointment_charged'`;
    expect(audit?.summary).toMatch(/charged 1500 \(minor units\), the price locked at booking, for the appointment at 2027-06-14T09:00:00.000Z \(attended\)$/);
  }, 120_000);

  it('an appointment kept by silence (its grace period passed) charges the locked price once', async () => {
    const { a, handle } = await booked('2027-06-21T09:00:00Z');
    // Ends at 10:00; with no word from the partner within 48 h it counts as kept.
    await skipTo('2027-06-23T10:01:00Z');
    await completed(handle);
    await eventually(async () => ((await ledger(a)).length === 1 ? true : undefined));
    await runOutcomeAgain(a, 'kept');
    expect(await ledger(a)).toEqual([`charge appointment:${a.appointmentId} -1500`]);
    expect(await balance(a)).toBe(-15_00);
  }, 120_000);
});
