import type { Client } from '@temporalio/client';
import { connectTestClient, type TestClient } from '../helpers/temporal-client';
import { createSql, type Sql } from '../../db/client';
import { commitUpdate, reserveUpdate, capacityQuery, addPaymentUpdate, partnerTaskQueue } from '../../workflows/partner-messages';
import { testEnv } from '../helpers/env';
import { eventually } from '../helpers/wait';
import { startWorker } from '../helpers/worker';
import { addPartner, reserveRequest, settle, startPartnerWorkflow } from './fixtures';

describe('the partner workflow keeps its state across continue-as-new and worker restarts', () => {
  let sql: Sql;
  let connection: TestClient;
  let client: Client;
  beforeAll(async () => {
    sql = createSql(testEnv().DATABASE_URL);
    connection = await connectTestClient();
    client = connection.temporal;
  });
  afterAll(async () => {
    await connection.close();
    await sql.end();
  });

  it('moves a partner workflow started on the leads\' task queue to the partners\' own at once, with what it holds', async () => {
    const worker = await startWorker(sql);
    try {
      const partner = await addPartner(sql, { caps: { day: 10, week: null, month: null, lifetime: null } });
      // As partner workflows were started before they had a queue of their own.
      const handle = await client.workflow.start('partnerWorkflow', { workflowId: `partner-${partner.id}`, taskQueue: worker.taskQueue, args: [{ partnerId: partner.id }] });
      const held = reserveRequest(partner.id);
      expect(await handle.executeUpdate(reserveUpdate, { args: [held] })).toMatchObject({ granted: true });
      await eventually(async () => ((await handle.describe()).taskQueue === partnerTaskQueue(worker.taskQueue) ? true : undefined));
      const moved = client.workflow.getHandle(handle.workflowId);
      expect((await moved.query(capacityQuery)).openReservations.map((r) => r.leadId)).toEqual([held.leadId]);
      expect(await moved.executeUpdate(commitUpdate, { args: [{ ...settle(held), priceMinor: held.priceMinor }] })).toMatchObject({ alreadyCommitted: false });
    } finally {
      await worker.stop();
    }
  });

  it('carries every counter and every open reservation into the next run', async () => {
    let worker = await startWorker(sql);
    const partner = await addPartner(sql, { caps: { day: 100, week: null, month: null, lifetime: null }, creditLimitMinor: 1000_00 });
    // A low history limit stands in for the server's continueAsNewSuggested, which needs thousands of events.
    const handle = await startPartnerWorkflow(client, worker.taskQueue, partner.id, 80);
    const firstRunId = handle.firstExecutionRunId;

    const requests = Array.from({ length: 30 }, (_, i) => reserveRequest(partner.id, { assignmentId: i % 2 ? 'odd' : 'even' }));
    for (const r of requests) expect(await handle.executeUpdate(reserveUpdate, { args: [r] })).toMatchObject({ granted: true });
    for (const r of requests.slice(0, 20)) await handle.executeUpdate(commitUpdate, { args: [{ ...settle(r), priceMinor: r.priceMinor }] });
    await handle.executeUpdate(addPaymentUpdate, { args: [{ paymentId: 'cash-1', amountMinor: 50_00 }] });

    await eventually(async () => ((await client.workflow.getHandle(handle.workflowId).describe()).runId !== firstRunId ? true : undefined));
    const after = await client.workflow.getHandle(handle.workflowId).query(capacityQuery);
    expect(after.windows[0]).toMatchObject({ window: 'day', counted: 20, held: 10, remaining: 70 });
    expect(after.windows[3]).toMatchObject({ window: 'lifetime', counted: 20, held: 10 });
    expect(after.assignments).toEqual({
      even: expect.arrayContaining([expect.objectContaining({ window: 'day', counted: 10 })]),
      odd: expect.arrayContaining([expect.objectContaining({ window: 'day', counted: 10 })]),
    });
    expect(after).toMatchObject({ balanceMinor: -150_00, heldMinor: 100_00 });
    expect(after.openReservations.map((r) => r.leadId).sort()).toEqual(requests.slice(20).map((r) => r.leadId).sort());

    // Restart the worker: nothing is lost, and a carried reservation can still be committed.
    await worker.stop();
    worker = await startWorker(sql, { taskQueue: worker.taskQueue });
    try {
      const current = client.workflow.getHandle(handle.workflowId);
      const carried = requests[25]!;
      expect(await current.executeUpdate(commitUpdate, { args: [{ ...settle(carried), priceMinor: carried.priceMinor }] })).toMatchObject({ alreadyCommitted: false, balanceMinor: -160_00 });
      // A retried reserve of a carried hold finds it rather than taking a second place.
      expect(await current.executeUpdate(reserveUpdate, { args: [requests[26]!] })).toMatchObject({ granted: true });
      expect((await current.query(capacityQuery)).windows[0]).toMatchObject({ counted: 21, held: 9 });
    } finally {
      await worker.stop();
    }
  });
});
