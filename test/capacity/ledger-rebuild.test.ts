import { partnerStartFromDb } from '../../db/partner-ledger';
import { getStatement, insertTransactions } from '../../db/partner-statements';
import { partnerWorkflowId } from '../../domain/ids';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { eventually } from '../helpers/wait';
import { addPartner, useCapacityWorker, reserveRequest, settle } from './fixtures';

describe('the ledger survives its workflow', () => {
  const suite = useCapacityWorker();

  it('a new run after partner-<id> is terminated carries on with the caps, balance and statement PostgreSQL holds', async () => {
    const partner = await addPartner(suite.sql, { caps: { day: 4, week: null, month: null, lifetime: null }, creditLimitMinor: 100_00 });
    const partners = partnerCapacityClient(suite.client, suite.worker.taskQueue, partnerStartFromDb(suite.sql));
    const charge = async (assignmentId: string) => {
      const r = reserveRequest(partner.id, { assignmentId, assignmentCaps: { day: 2, week: null, month: null, lifetime: null } });
      const answer = await partners.reserve(r);
      if (answer.granted) await partners.commit({ ...settle(r), priceMinor: r.priceMinor });
      return answer;
    };

    await partners.addPayment(partner.id, { paymentId: 'cheque-1', amountMinor: 20_00 });
    await Promise.all([charge('a1'), charge('a1'), charge('a2')]);
    await eventually(async () => ((await getStatement(suite.sql, partner.id, { limit: 10, offset: 0 })).total === 4 ? true : undefined));

    await suite.client.workflow.getHandle(partnerWorkflowId(partner.id)).terminate('lost run, as after an operator reset');

    // The assignment's own cap (2 a day) and the partner's (4) both remember what was counted.
    expect(await charge('a1')).toMatchObject({ granted: false, reason: 'cap_full' });
    expect(await charge('a2')).toMatchObject({ granted: true });
    expect(await charge('a2')).toMatchObject({ granted: false, reason: 'cap_full', window: 'day' });
    // A payment retried after the restart is still recognised.
    expect(await partners.addPayment(partner.id, { paymentId: 'cheque-1', amountMinor: 20_00 })).toMatchObject({ duplicate: true });

    const statement = await eventually(async () => {
      const s = await getStatement(suite.sql, partner.id, { limit: 10, offset: 0 });
      return s.total === 5 ? s : undefined;
    });
    expect(statement.items.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(statement.items.map((t) => t.balanceMinor)).toEqual([20_00, 10_00, 0, -10_00, -20_00]);
    expect(statement.balanceMinor).toBe(-20_00);
    const view = await partners.state(partner.id);
    expect(view).toMatchObject({ balanceMinor: -20_00, windows: expect.arrayContaining([expect.objectContaining({ window: 'day', counted: 4 })]) });
  });

  it('refuses to drop a statement line silently: a clash on a sequence number is an error', async () => {
    const partner = await addPartner(suite.sql, {});
    const line = { seq: 1, key: 'payment:a', kind: 'payment' as const, amountMinor: 100, balanceMinor: 100, currency: 'GBP', leadId: null, description: 'a', occurredAt: new Date().toISOString() };
    await insertTransactions(suite.sql, partner.id, [line]);
    await insertTransactions(suite.sql, partner.id, [line]);
    await expect(insertTransactions(suite.sql, partner.id, [{ ...line, key: 'payment:b' }])).rejects.toThrow(/duplicate key/);
  });
});
