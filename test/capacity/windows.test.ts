import { commitUpdate, reserveUpdate, capacityQuery } from '../../workflows/partner-messages';
import { useTimeSkippingWorker } from '../helpers/time-skipping';
import { addPartner, reserveRequest, settle, startPartnerWorkflow } from './fixtures';

/** Midnight on 29 March 2027 in London is 23:00 UTC on the 28th: clocks went forward an hour that morning. */
const BST_STARTS = Date.parse('2027-03-28T01:00:00Z');
const LONDON_MIDNIGHT_AFTER_DST = Date.parse('2027-03-28T23:00:00Z');

describe('cap windows follow the partner’s wall clock (time-skipping server)', () => {
  const stack = useTimeSkippingWorker('windows');
  const { taskQueue, skipTo } = stack;

  it('resets daily and weekly caps at midnight in Europe/London on the night after the clocks go forward', async () => {
    expect(await stack.env.currentTimeMs()).toBeLessThan(BST_STARTS);
    const partner = await addPartner(stack.sql, { timezone: 'Europe/London', caps: { day: 2, week: 2, month: null, lifetime: null } });
    const handle = await startPartnerWorkflow(stack.env.client, taskQueue, partner.id);
    const take = async () => {
      const r = reserveRequest(partner.id);
      const answer = await handle.executeUpdate(reserveUpdate, { args: [r] });
      if (answer.granted) await handle.executeUpdate(commitUpdate, { args: [{ ...settle(r), priceMinor: r.priceMinor }] });
      return answer;
    };

    // Sunday 28 March, 23:58 BST: the day and the week fill up.
    await skipTo(LONDON_MIDNIGHT_AFTER_DST - 2 * 60_000);
    expect(await take()).toMatchObject({ granted: true });
    expect(await take()).toMatchObject({ granted: true });
    expect(await take()).toMatchObject({ granted: false, reason: 'cap_full', window: 'day', detail: expect.stringContaining('2027-03-28') });

    // 00:01 BST on Monday 29 March, still the 28th in UTC: a new day and a new week.
    await skipTo(LONDON_MIDNIGHT_AFTER_DST + 60_000);
    expect(await take()).toMatchObject({ granted: true });
    const state = await handle.query(capacityQuery);
    expect(state.windows.slice(0, 2)).toEqual([
      expect.objectContaining({ window: 'day', key: '2027-03-29', counted: 1, remaining: 1 }),
      expect.objectContaining({ window: 'week', key: '2027-03-29', counted: 1, remaining: 1 }),
    ]);
    expect(state.windows[3]).toMatchObject({ window: 'lifetime', counted: 3 });
  });

  it('an expired reservation returns its capacity by itself', async () => {
    const partner = await addPartner(stack.sql, { caps: { day: null, week: null, month: null, lifetime: 1 }, creditLimitMinor: 10_00 });
    const handle = await startPartnerWorkflow(stack.env.client, taskQueue, partner.id);
    const held = reserveRequest(partner.id, { holdSeconds: 300 });
    expect(await handle.executeUpdate(reserveUpdate, { args: [held] })).toMatchObject({ granted: true });
    expect(await handle.executeUpdate(reserveUpdate, { args: [reserveRequest(partner.id)] })).toMatchObject({ granted: false, reason: 'cap_full', window: 'lifetime' });
    expect((await handle.query(capacityQuery)).heldMinor).toBe(10_00);

    await stack.env.sleep('301 seconds');
    const state = await handle.query(capacityQuery);
    expect(state).toMatchObject({ openReservations: [], heldMinor: 0, availableMinor: 10_00 });
    expect(await handle.executeUpdate(reserveUpdate, { args: [reserveRequest(partner.id)] })).toMatchObject({ granted: true });
    // Committing the expired hold is refused: its place went to another lead.
    await expect(handle.executeUpdate(commitUpdate, { args: [{ ...settle(held), priceMinor: 10_00 }] })).rejects.toMatchObject({ cause: { message: expect.stringContaining('is not open (expired)') } });
  });

  it('a hold that expires sooner brings the expiry timer forward; committing the oldest hold leaves it set', async () => {
    const partner = await addPartner(stack.sql, { caps: { day: null, week: null, month: null, lifetime: 5 } });
    const handle = await startPartnerWorkflow(stack.env.client, taskQueue, partner.id);
    const long = reserveRequest(partner.id, { holdSeconds: 600 });
    const short = reserveRequest(partner.id, { holdSeconds: 60 });
    for (const r of [long, short]) expect(await handle.executeUpdate(reserveUpdate, { args: [r] })).toMatchObject({ granted: true });
    await stack.env.sleep('61 seconds');
    expect((await handle.query(capacityQuery)).openReservations.map((r) => r.leadId)).toEqual([long.leadId]);

    const soon = reserveRequest(partner.id, { holdSeconds: 120 });
    expect(await handle.executeUpdate(reserveUpdate, { args: [soon] })).toMatchObject({ granted: true });
    const cancelledBefore = (await handle.fetchHistory()).events!.filter((e) => e.timerCanceledEventAttributes).length;
    await handle.executeUpdate(commitUpdate, { args: [{ ...settle(soon), priceMinor: 10_00 }] });
    await stack.env.sleep('600 seconds');
    expect(await handle.query(capacityQuery)).toMatchObject({ openReservations: [] });
    expect((await handle.fetchHistory()).events!.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(cancelledBefore);
  });
});
