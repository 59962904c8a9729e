import { capacityBatches, capacityLanes } from '../../infra/capacity-batches';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { partnerWorkflowId, type CapacityOp, type CapacityOpResult } from '../../workflows/partner-messages';
import { addPartner, useCapacityWorker, reserveRequest, settle } from './fixtures';

describe('racing callers share updates to a partner', () => {
  const suite = useCapacityWorker();

  it('100 racing reserves against a cap of 30 take a handful of updates, and each caller still hears its own answer', async () => {
    const partner = await addPartner(suite.sql, { caps: { day: 30, week: null, month: null, lifetime: null } });
    const partners = partnerCapacityClient(suite.client, suite.worker.taskQueue);
    const requests = Array.from({ length: 100 }, () => reserveRequest(partner.id));

    const answers = await Promise.all(requests.map((r) => partners.reserve(r)));
    expect(answers.filter((a) => a.granted)).toHaveLength(30);
    expect(answers.filter((a) => !a.granted)).toEqual(Array(70).fill(expect.objectContaining({ reason: 'cap_full', window: 'day' })));
    answers.forEach((a, i) => a.granted && expect(a.reservationId).toBe(settle(requests[i]!).reservationId));

    const history = await suite.client.workflow.getHandle(partnerWorkflowId(partner.id)).fetchHistory();
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    expect(updates).toBeGreaterThan(0);
    expect(updates).toBeLessThanOrEqual(10);
  });

  it('an operation the workflow refuses fails alone; the commits racing beside it land', async () => {
    const partner = await addPartner(suite.sql, { caps: { day: 10, week: null, month: null, lifetime: null } });
    const partners = partnerCapacityClient(suite.client, suite.worker.taskQueue);
    const held = Array.from({ length: 5 }, () => reserveRequest(partner.id));
    await Promise.all(held.map((r) => partners.reserve(r)));

    const never = reserveRequest(partner.id);
    const outcomes = await Promise.allSettled([
      ...held.map((r) => partners.commit({ ...settle(r), priceMinor: r.priceMinor })),
      partners.commit({ ...settle(never), priceMinor: 10_00 }),
    ]);
    expect(outcomes.slice(0, 5).map((o) => o.status)).toEqual(Array(5).fill('fulfilled'));
    expect(outcomes[5]).toMatchObject({ status: 'rejected', reason: { cause: { message: expect.stringContaining('is not open (never granted)') } } });
    const state = await partners.state(partner.id);
    expect(state!.windows.find((w) => w.window === 'day')).toMatchObject({ counted: 5, held: 0 });
  });
});

describe('how racing operations are grouped', () => {
  const op = (n: number): CapacityOp => ({ release: { partnerId: 'p', leadId: `lead-${n}`, reservationId: `lead-${n}/p`, reason: 'test' } });
  const ok = (ops: CapacityOp[]): CapacityOpResult[] => ops.map(() => ({ ok: null }));

  it('a lone caller goes at once; callers arriving while two batches are out wait and then go together', async () => {
    const sent: number[] = [];
    const replies: Array<() => void> = [];
    const batches = capacityBatches((_, ops) => {
      sent.push(ops.length);
      return new Promise((resolve) => replies.push(() => resolve(ok(ops))));
    });
    const calls = [batches('p', op(1)), batches('p', op(2)), batches('p', op(3)), batches('p', op(4)), batches('p', op(5))];
    expect(sent).toEqual([1, 1]);
    replies[0]!();
    await calls[0];
    await new Promise((settled) => setImmediate(settled));
    expect(sent).toEqual([1, 1, 3]);
    replies[1]!();
    replies[2]!();
    await Promise.all(calls);
  });

  it('a batch that gets no answer fails every caller in it, and a partner with nothing out sends straight away again', async () => {
    let fail = true;
    const batches = capacityBatches(async (_, ops) => {
      if (fail) throw new Error('connection lost');
      return ok(ops);
    }, 1);
    await expect(Promise.all([batches('p', op(1)), batches('p', op(2))])).rejects.toThrow('connection lost');
    fail = false;
    await expect(batches('p', op(3))).resolves.toBeUndefined();
  });

  it('a reserve goes out at once while commits and releases are still out, and those go one batch at a time', async () => {
    const sent: string[] = [];
    const replies: Array<() => void> = [];
    const { reserves, settlements } = capacityLanes((_, ops) => {
      sent.push(ops.map((o) => Object.keys(o)[0]).join('+'));
      return new Promise((resolve) => replies.push(() => resolve(ok(ops))));
    });
    const reserve: CapacityOp = { reserve: reserveRequest('p') };
    const calls = [settlements('p', op(1)), settlements('p', op(2)), settlements('p', op(3))];
    expect(sent).toEqual(['release']);
    calls.push(reserves('p', reserve));
    expect(sent).toEqual(['release', 'reserve']);
    replies[0]!();
    await calls[0];
    await new Promise((settled) => setImmediate(settled));
    expect(sent).toEqual(['release', 'reserve', 'release+release']);
    replies[1]!();
    replies[2]!();
    await Promise.all(calls);
  });
});
