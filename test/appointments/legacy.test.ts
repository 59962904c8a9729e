import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { startWorker, type RunningWorker } from '../helpers/worker';
import { eventually } from '../helpers/wait';
import { fakeTwilio, testNotifier } from '../capacity/fixtures';
import { bookedAppointment } from './fixtures';
import { appointmentWorkflowId } from '../../workflows/appointment-messages';
import { listAppointmentMessages } from '../../db/appointments';

// Appointments booked before appointments had workflows (a row in PostgreSQL, nothing in Temporal)
// must still be moved, cancelled and given an outcome: the first such change starts their workflow.
const twilio = fakeTwilio();
const stack = {} as { api: TestApi; worker: RunningWorker };
beforeAll(async () => {
  const taskQueue = `legacy-appointments-${randomUUID()}`;
  stack.api = await startApi({ taskQueue });
  stack.worker = await startWorker(stack.api.sql, { taskQueue, notifier: testNotifier(twilio) });
});
afterAll(async () => {
  await stack.worker.stop();
  await stack.api.close();
});

const hoursAhead = (h: number) => {
  const at = new Date(Date.now() + h * 3_600_000);
  at.setUTCMinutes(0, 0, 0);
  return at.toISOString();
};

describe('an appointment booked before appointments had workflows', () => {
  it('is moved by starting its workflow, which then tells both sides, takes a cancel, and stays closed after it', async () => {
    const { api } = stack;
    const old = await bookedAppointment(api.sql, { start: hoursAhead(48), partnerTimeZone: 'Europe/London', consumerTimeZone: 'Europe/London' });
    const path = `/leads/${old.leadId}/appointments/${old.appointmentId}`;

    const moved = await api.request('POST', `${path}/reschedule`, { body: { start: hoursAhead(72) } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ start: hoursAhead(72), version: 2, status: 'booked' });
    const handle = api.temporal.workflow.getHandle(appointmentWorkflowId(old.appointmentId));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await eventually(async () => {
      const notices = (await listAppointmentMessages(api.sql, old.appointmentId)).filter((m) => m.kind === 'rescheduled');
      return notices.some((m) => m.recipient === 'consumer') && notices.some((m) => m.recipient === 'partner') ? true : undefined;
    });
    expect(twilio.requests.find((r) => r.data.To === old.consumer.phone)?.data.Body).toMatch(/is moved to/);

    const cancelled = await api.request('POST', `${path}/cancel`, { body: { reason: 'consumer sold the house' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined));
    const again = await api.request('POST', `${path}/reschedule`, { body: { start: hoursAhead(96) } });
    expect(again.status).toBe(409);
  }, 90_000);

  it('takes its outcome from the partner once it has happened', async () => {
    const { api } = stack;
    const old = await bookedAppointment(api.sql, { start: hoursAhead(-3), partnerTimeZone: 'Europe/London' });
    const { key } = (await api.request('POST', '/api-keys', { body: { name: 'surveyor', role: 'partner', partnerId: old.partnerId } })).body;
    const recorded = await api.request('POST', `/portal/appointments/${old.appointmentId}/outcome`, { key, body: { outcome: 'attended' } });
    expect(recorded.status).toBe(200);
    expect(recorded.body.outcome).toBe('attended');
    const twice = await api.request('POST', `/portal/appointments/${old.appointmentId}/outcome`, { key, body: { outcome: 'no_show' } });
    expect(twice.status).toBe(409);
  }, 90_000);
});
