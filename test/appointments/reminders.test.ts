import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { createSql, type Sql } from '../../db/client';
import { listAppointmentMessages } from '../../db/appointments';
import { createActivities } from '../../activities';
import { workerDataConverter } from '../../infra/payload-codec';
import { outcomeLink } from '../../infra/appointment-links';
import { appointmentWorkflowId, cancelAppointmentUpdate, recordOutcomeUpdate, rescheduleAppointmentUpdate } from '../../workflows/appointment-messages';
import { createTimeSkippingEnv } from '../helpers/time-skipping';
import { testEnv } from '../helpers/env';
import { eventually } from '../helpers/wait';
import { fakeTwilio, testNotifier } from '../capacity/fixtures';
import { bookedAppointment, type BookedFixture } from './fixtures';

const HOUR = 3_600_000;

describe('appointment reminders (time-skipping server, real PostgreSQL and MailDev, Twilio faked behind its client)', () => {
  let env: TestWorkflowEnvironment;
  let sql: Sql;
  const twilio = fakeTwilio();
  const taskQueue = `appointment-reminders-${randomUUID()}`;
  const activities = () => createActivities({ sql, env: testEnv(), temporal: env.client, notifier: testNotifier(twilio) });
  const startWorker = async () => {
    const worker = await Worker.create({
      // No sticky cache: the test server would hand the next task to a stopped worker's sticky queue for ever.
      maxCachedWorkflows: 0,
      connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: process.env.LEADRELAY_WORKFLOW_BUNDLE! }, dataConverter: workerDataConverter(), activities: activities(),
    });
    return { worker, running: worker.run() };
  };
  let current: Awaited<ReturnType<typeof startWorker>>;

  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await createTimeSkippingEnv();
    sql = createSql(testEnv().DATABASE_URL);
    current = await startWorker();
  }, 120_000);
  afterAll(async () => {
    // Whatever setup got to start (a loaded machine may fail to start the test server in time).
    current?.worker.shutdown();
    await current?.running;
    await env?.teardown();
    await sql?.end();
  });

  const skipTo = async (instant: string) => {
    const now = await env.currentTimeMs();
    if (Date.parse(instant) > now) await env.sleep(Date.parse(instant) - now);
  };
  /** Starts the appointment's workflow as the lead's workflow does, from the plan of the booked appointment. */
  const start = async (a: BookedFixture) => {
    const plan = await activities().appointmentOfReferral({ leadId: a.leadId, partnerId: a.partnerId });
    return env.client.workflow.start('appointmentWorkflow', { workflowId: appointmentWorkflowId(a.appointmentId), taskQueue, args: [{ plan }] });
  };
  /** What was sent, as "<kind> <channel> to <recipient> at <workflow time>", in order. */
  const sent = async (a: BookedFixture) =>
    (await listAppointmentMessages(sql, a.appointmentId)).map((m) => `v${m.version} ${m.kind} ${m.channel} to ${m.recipient} at ${m.sentAt.toISOString().slice(0, 16)}`);
  /**
   * Skips to a minute past `until` (when the appointment counts as kept), then waits for the workflow to end. Waiting
   * on its result would let the server skip on to timers far beyond, leaving the next test's dates in the past.
   */
  const finish = async (handle: WorkflowHandle, until: string) => {
    await skipTo(new Date(Date.parse(until) + 60_000).toISOString());
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), { timeoutMs: 60_000 });
  };
  const outcomeOf = async (a: BookedFixture) => {
    const [row] = await sql`select outcome, date_trunc('minute', outcome_at) as outcome_at from appointments where id = ${a.appointmentId}`;
    const [audit] = await sql`select type from lead_audit where lead_id = ${a.leadId} and type in ('appointment_kept', 'appointment_attended', 'appointment_no_show')`;
    return { ...row, audit: audit?.type };
  };
  const smsTo = (number: string) => twilio.requests.filter((r) => r.data.To === number).map((r) => r.data.Body);

  it('New York: the day-before reminder goes at the same wall-clock time across the spring-forward night (23 h before), and an SMS waits out quiet hours', async () => {
    // Clocks go forward at 02:00 EST on Sunday 14 March 2027. The appointment is at 08:30 EDT (12:30 UTC) that day.
    const a = await bookedAppointment(sql, { start: '2027-03-14T12:30:00Z', consumerTimeZone: 'America/New_York', partnerTimeZone: 'America/New_York' });
    await finish(await start(a), '2027-03-16T13:30:00Z');
    expect(await sent(a)).toEqual([
      // Saturday 08:30 EST = 13:30 UTC: 23 hours before, at the same time on the consumer's clock.
      'v1 reminder email to consumer at 2027-03-13T13:30',
      'v1 reminder email to partner at 2027-03-13T13:30',
      'v1 reminder sms to consumer at 2027-03-13T13:30',
      'v1 reminder sms to partner at 2027-03-13T13:30',
      // One hour before is 07:30 EDT: the email goes then, the SMS at 08:00 when quiet hours end.
      'v1 reminder email to consumer at 2027-03-14T11:30',
      'v1 reminder email to partner at 2027-03-14T11:30',
      'v1 reminder sms to consumer at 2027-03-14T12:00',
      'v1 reminder sms to partner at 2027-03-14T12:00',
    ]);
    const wording = expect.stringMatching(/^Reminder: your appointment with Surveyors \w+ is on Sunday 14 March 2027 at 08:30 \(America\/New_York\)\. Reply C to confirm or R for a call back\.$/);
    expect(smsTo(a.consumer.phone)).toEqual([wording, wording]);
    const mail = await eventually(async () => {
      const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as { subject: string; text: string; to: { address: string }[] }[];
      const mine = all.filter((m) => m.to.some((t) => t.address === a.consumer.email));
      return mine.length === 2 ? mine : undefined;
    });
    expect(mail.map((m) => m.subject)).toEqual(['Appointment reminder: Sunday 14 March 2027 at 08:30 (America/New_York)', 'Appointment reminder: Sunday 14 March 2027 at 08:30 (America/New_York)']);
    // The partner said nothing within 48 h of its end: the appointment counts as kept.
    expect(await outcomeOf(a)).toEqual({ outcome: 'kept', outcome_at: new Date('2027-03-16T13:30:00Z'), audit: 'appointment_kept' });
  }, 120_000);

  it("London: reminders follow the consumer's clock across the change to BST, and an SMS that quiet hours would push past the appointment is skipped", async () => {
    // Clocks go forward at 01:00 GMT on Sunday 28 March 2027. The appointment is at 07:00 BST (06:00 UTC) that day.
    const a = await bookedAppointment(sql, { start: '2027-03-28T06:00:00Z', consumerTimeZone: 'Europe/London', partnerTimeZone: 'Europe/London' });
    await finish(await start(a), '2027-03-30T07:00:00Z');
    expect(await sent(a)).toEqual([
      // Saturday 07:00 GMT: quiet hours, so both SMS wait until 08:00 GMT.
      'v1 reminder email to consumer at 2027-03-27T07:00',
      'v1 reminder email to partner at 2027-03-27T07:00',
      'v1 reminder sms to consumer at 2027-03-27T08:00',
      'v1 reminder sms to partner at 2027-03-27T08:00',
      // 06:00 BST on the day: the email goes; the SMS would wait until 08:00, after the appointment, so it is not sent.
      'v1 reminder email to consumer at 2027-03-28T05:00',
      'v1 reminder email to partner at 2027-03-28T05:00',
    ]);
    expect(smsTo(a.consumer.phone)).toEqual([expect.stringContaining('on Sunday 28 March 2027 at 07:00 (Europe/London)')]);
  }, 120_000);

  it('a reschedule moves every reminder to the new time and tells both sides; the old time sends nothing more', async () => {
    // Sunday 4 April 2027, 10:00 BST; moved to Tuesday 6 April, 15:00 BST.
    const a = await bookedAppointment(sql, { start: '2027-04-04T09:00:00Z', consumerTimeZone: 'Europe/London', partnerTimeZone: 'Europe/London' });
    const handle = await start(a);
    await skipTo('2027-04-03T12:00:00Z');
    await eventually(async () => ((await sent(a)).length === 4 ? true : undefined));
    const tooLate = handle.executeUpdate(rescheduleAppointmentUpdate, { args: [{ start: '2027-04-03T11:00:00Z', by: 'agent:test' }] });
    await expect(tooLate).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^the new slot 2027-04-03T11:00:00Z is not in the future$/) } });
    const moved = await handle.executeUpdate(rescheduleAppointmentUpdate, { args: [{ start: '2027-04-06T14:00:00Z', by: 'agent:test' }] });
    expect(moved).toMatchObject({ start: '2027-04-06T14:00:00.000Z', version: 2 });
    await finish(handle, '2027-04-08T15:00:00Z');
    const log = await sent(a);
    expect(log.filter((l) => l.includes('rescheduled'))).toHaveLength(4);
    expect(log.filter((l) => l.includes('reminder'))).toEqual([
      'v1 reminder email to consumer at 2027-04-03T09:00',
      'v1 reminder email to partner at 2027-04-03T09:00',
      'v1 reminder sms to consumer at 2027-04-03T09:00',
      'v1 reminder sms to partner at 2027-04-03T09:00',
      'v2 reminder email to consumer at 2027-04-05T14:00',
      'v2 reminder email to partner at 2027-04-05T14:00',
      'v2 reminder sms to consumer at 2027-04-05T14:00',
      'v2 reminder sms to partner at 2027-04-05T14:00',
      'v2 reminder email to consumer at 2027-04-06T13:00',
      'v2 reminder email to partner at 2027-04-06T13:00',
      'v2 reminder sms to consumer at 2027-04-06T13:00',
      'v2 reminder sms to partner at 2027-04-06T13:00',
    ]);
    expect(smsTo(a.consumer.phone)[1]).toContain('is moved to Tuesday 6 April 2027 at 15:00 (Europe/London)');
    const [row] = await sql`select starts_at, version from appointments where id = ${a.appointmentId}`;
    expect(row).toEqual({ starts_at: new Date('2027-04-06T14:00:00Z'), version: 2 });
  }, 120_000);

  it('a cancel stops every reminder still to come and tells both sides', async () => {
    const a = await bookedAppointment(sql, { start: '2027-04-11T09:00:00Z', consumerTimeZone: 'Europe/London', partnerTimeZone: 'Europe/London' });
    const handle = await start(a);
    await skipTo('2027-04-10T12:00:00Z');
    await eventually(async () => ((await sent(a)).length === 4 ? true : undefined));
    await handle.executeUpdate(cancelAppointmentUpdate, { args: [{ reason: 'consumer sold the house', by: 'agent:test' }] });
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined));
    const log = await sent(a);
    expect(log.filter((l) => l.includes('reminder'))).toHaveLength(4);
    expect(log.filter((l) => l.includes('cancelled'))).toHaveLength(4);
    expect(smsTo(a.partner.sms).at(-1)).toContain('is cancelled: consumer sold the house');
    const [row] = await sql`select status from appointments where id = ${a.appointmentId}`;
    expect(row?.status).toBe('cancelled');
  }, 120_000);

  it('a worker killed between two reminders sends neither twice, and a reminder activity run again sends nothing', async () => {
    const a = await bookedAppointment(sql, { start: '2027-04-18T09:00:00Z', consumerTimeZone: 'Europe/London', partnerTimeZone: 'Europe/London' });
    const handle = await start(a);
    await skipTo('2027-04-17T12:00:00Z');
    await eventually(async () => ((await sent(a)).length === 4 ? true : undefined));
    current.worker.shutdown();
    await current.running;
    current = await startWorker();
    await finish(handle, '2027-04-20T10:00:00Z');
    expect((await sent(a)).filter((l) => l.includes('reminder'))).toHaveLength(8);
    // The first reminder's activity again, as a worker that crashed after sending but before reporting would run it.
    const again = await activities().sendAppointmentReminder({ appointmentId: a.appointmentId, version: 1, offsetMinutes: 1440, channel: 'sms', at: '2027-04-17T09:00:00Z' });
    expect(again).toEqual({ sent: 0 });
    expect(smsTo(a.consumer.phone)).toHaveLength(2);
    expect(smsTo(a.partner.sms)).toHaveLength(2);
  }, 180_000);

  it('after its time the partner records a no-show, which ends the wait for the grace period; before its time it is refused', async () => {
    const a = await bookedAppointment(sql, { start: '2027-05-02T09:00:00Z', consumerTimeZone: 'Europe/London', partnerTimeZone: 'Europe/London' });
    const handle = await start(a);
    const early = handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'no_show', by: 'partner:surveyors' }] });
    await expect(early).rejects.toMatchObject({ cause: { message: 'the appointment is at 2027-05-02T09:00:00.000Z: record its outcome after that' } });
    await skipTo('2027-05-02T10:30:00Z');
    const recorded = await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: 'no_show', by: 'partner:surveyors' }] });
    expect(recorded.outcome).toBe('no_show');
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined));
    expect(await outcomeOf(a)).toEqual({ outcome: 'no_show', outcome_at: new Date('2027-05-02T10:30:00Z'), audit: 'appointment_no_show' });
    // Each reminder email to the partner carries signed links to record the outcome, good until it would count as kept.
    const reminder = await eventually(async () => {
      const all = (await (await fetch(`${process.env.MAIL_WEB_URL}/email`)).json()) as { text: string; to: { address: string }[] }[];
      return all.find((m) => m.to.some((t) => t.address === a.partner.email));
    });
    const { PUBLIC_URL, LINK_SIGNING_SECRET } = testEnv();
    const expiresAt = new Date('2027-05-04T10:00:00Z');
    expect(reminder.text).toContain(`No-show: ${outcomeLink(PUBLIC_URL, LINK_SIGNING_SECRET, { appointmentId: a.appointmentId, outcome: 'no_show', expiresAt })}`);
    expect(reminder.text).toContain(`Attended: ${outcomeLink(PUBLIC_URL, LINK_SIGNING_SECRET, { appointmentId: a.appointmentId, outcome: 'attended', expiresAt })}`);
  }, 120_000);
});
