import { randomUUID } from 'node:crypto';
import { commit, grant, initialCapacityState, release, type CapacityConfig } from '../../domain/capacity';
import { packState, unpackState } from '../../domain/capacity-carry';
import { reservationIdFor } from '../../domain/reservations';

const config: CapacityConfig = {
  status: 'active', timezone: 'Europe/London', caps: { day: null, week: null, month: null, lifetime: null }, schedule: { type: 'always' },
  creditLimitMinor: null, lowFundsThresholdMinor: null, currency: 'GBP', email: 'p@partner.example', smsNumber: null, configVersion: 1,
};

/** A hot partner's state: 2,000 leads on hold and the last 2,000 settled, over ten assignments and a day boundary. */
function busyState() {
  const state = { ...initialCapacityState(randomUUID()), config };
  const start = Date.parse('2026-11-23T23:00:00Z');
  for (let i = 0; i < 4000; i++) {
    const leadId = randomUUID();
    const id = reservationIdFor(leadId, state.partnerId);
    grant(state, { leadId, partnerId: state.partnerId, assignmentId: `assignment-${i % 10}`, priceMinor: 1000 + i, holdSeconds: 3600, assignmentCaps: null } as never, id, start + i * 1000);
    if (i % 2 === 0) {
      if (i % 4 === 0) commit(state, id, 1000 + i, start + i * 1000);
      else release(state, id, 'released');
    }
  }
  state.outbox = [];
  return state;
}

describe('the state a partner run carries into the next', () => {
  it('comes back exactly as it went, every open hold and settled outcome included', () => {
    const state = busyState();
    expect(unpackState(JSON.parse(JSON.stringify(packState(state))))).toEqual(state);
  });

  it('stays under 256 KB with 2,000 open holds, where the plain form is well past it', () => {
    const state = busyState();
    expect(Object.keys(state.reservations)).toHaveLength(2000);
    expect(JSON.stringify(state).length).toBeGreaterThan(600 * 1024);
    expect(JSON.stringify(packState(state)).length).toBeLessThan(256 * 1024);
  });

  it('still starts from a plain state, as runs before packing carried it', () => {
    const state = busyState();
    expect(unpackState(state)).toBe(state);
  });
});
