import { getStatement } from '../../db/partner-statements';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { addPartner, useCapacityWorker, reserveRequest, settle } from './fixtures';
import { eventually } from '../helpers/wait';

describe('racing leads never overrun a partner', () => {
  const suite = useCapacityWorker();

  it('300 concurrent reservations against a daily cap of 50 and credit for 40: exactly 40 granted and committed, the rest denied with reasons', async () => {
    const partner = await addPartner(suite.sql, { caps: { day: 50, week: null, month: null, lifetime: null }, creditLimitMinor: 400_00 });
    const partners = partnerCapacityClient(suite.client, suite.worker.taskQueue);
    const requests = Array.from({ length: 300 }, () => reserveRequest(partner.id, { priceMinor: 10_00 }));

    const answers = await Promise.all(requests.map((r) => partners.reserve(r)));
    const granted = requests.filter((_, i) => answers[i]!.granted);
    expect(granted).toHaveLength(40);
    const denials = answers.filter((a) => !a.granted);
    expect(denials).toHaveLength(260);
    for (const d of denials) expect(d).toMatchObject({ granted: false, reason: 'credit_exhausted', detail: expect.stringContaining('available') });

    // A retried reserve finds the hold it already made.
    const again = await partners.reserve(granted[0]!);
    expect(again).toEqual(answers[requests.indexOf(granted[0]!)]);

    await Promise.all(granted.map((r) => partners.commit({ ...settle(r), priceMinor: r.priceMinor })));
    const state = await partners.state(partner.id);
    expect(state!.windows.find((w) => w.window === 'day')).toMatchObject({ cap: 50, counted: 40, held: 0, remaining: 10 });
    expect(state).toMatchObject({ balanceMinor: -400_00, availableMinor: 0, openReservations: [] });

    const statement = await eventually(async () => {
      const s = await getStatement(suite.sql, partner.id, { limit: 1000, offset: 0 });
      return s.total === 40 ? s : undefined;
    });
    expect(statement.items.every((t) => t.kind === 'charge' && t.amountMinor === -10_00)).toBe(true);
    expect(statement.items.map((t) => t.balanceMinor)).toEqual(Array.from({ length: 40 }, (_, i) => -(i + 1) * 10_00));
  });

  it('a payment lifts a credit stop, and a daily cap is then the limit', async () => {
    const partner = await addPartner(suite.sql, { caps: { day: 3, week: null, month: null, lifetime: null }, creditLimitMinor: 10_00 });
    const partners = partnerCapacityClient(suite.client, suite.worker.taskQueue);
    const first = reserveRequest(partner.id);
    expect(await partners.reserve(first)).toMatchObject({ granted: true });
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: false, reason: 'credit_exhausted' });

    await partners.addPayment(partner.id, { paymentId: 'p-1', amountMinor: 100_00 });
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: true });
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: true });
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: false, reason: 'cap_full', window: 'day', detail: expect.stringContaining('3/3') });

    // Releasing a hold gives its place back.
    await partners.release({ ...settle(first), reason: 'declined' });
    expect(await partners.reserve(reserveRequest(partner.id))).toMatchObject({ granted: true });
  });

  it('assignment caps apply alongside the partner caps, and a cap of 0 pauses', async () => {
    const partner = await addPartner(suite.sql, { caps: { day: 10, week: null, month: null, lifetime: null } });
    const partners = partnerCapacityClient(suite.client, suite.worker.taskQueue);
    const capped = { day: null, week: 1, month: null, lifetime: null };
    expect(await partners.reserve(reserveRequest(partner.id, { assignmentId: 'a', assignmentCaps: capped }))).toMatchObject({ granted: true });
    expect(await partners.reserve(reserveRequest(partner.id, { assignmentId: 'a', assignmentCaps: capped }))).toMatchObject({ granted: false, reason: 'cap_full', window: 'week', detail: expect.stringContaining('assignment weekly cap') });
    expect(await partners.reserve(reserveRequest(partner.id, { assignmentId: 'b', assignmentCaps: capped }))).toMatchObject({ granted: true });
    expect(await partners.reserve(reserveRequest(partner.id, { assignmentId: 'c', assignmentCaps: { ...capped, week: 0 } }))).toMatchObject({ granted: false, reason: 'paused', window: 'week' });
  });

  it('refuses a malformed reserve in the validator, naming the field', async () => {
    const partner = await addPartner(suite.sql);
    const partners = partnerCapacityClient(suite.client, suite.worker.taskQueue);
    await expect(partners.reserve(reserveRequest(partner.id, { priceMinor: 1.5 }))).rejects.toMatchObject({ cause: { message: expect.stringContaining('priceMinor must be a whole number') } });
    await expect(partners.commit({ ...settle(reserveRequest(partner.id)), priceMinor: 10_00 })).rejects.toMatchObject({ cause: { message: expect.stringContaining('is not open (never granted)') } });
    const state = await partners.state(partner.id);
    expect(state!.openReservations).toEqual([]);
  });
});
