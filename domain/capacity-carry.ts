import type { WindowKeys } from './cap-windows';
import type { CapacityState, OpenReservation } from './capacity';
import { reservationIdFor } from './reservations';

type Outcome = CapacityState['settled'][number][1];
const OUTCOME_CODES: Record<Outcome, string> = { committed: 'c', released: 'r', expired: 'e' };
const OUTCOMES = Object.fromEntries(Object.entries(OUTCOME_CODES).map(([o, c]) => [c, o])) as Record<string, Outcome>;

/**
 * The state one partner run hands the next through continue-as-new, packed: reservation ids are
 * derived from the lead and the partner, assignments and window keys are listed once, and each open
 * hold is a row. About a quarter of the plain form, so thousands of open holds stay far below
 * Temporal's payload limits.
 */
export interface PackedCapacityState {
  packed: 1;
  rest: Omit<CapacityState, 'reservations' | 'settled'>;
  assignments: string[];
  windowKeys: WindowKeys[];
  /** [leadId, assignment index, priceMinor, reservedAt, expiresAt, window keys index] */
  holds: Array<[string, number, number, number, number, number]>;
  /** `<outcome code><leadId>`, oldest first. */
  settled: string[];
}

export function packState(state: CapacityState): PackedCapacityState {
  const { reservations, settled, ...rest } = state;
  const assignments: string[] = [];
  const windowKeys: WindowKeys[] = [];
  const indexOf = <T>(list: T[], item: T, same: (a: T) => boolean) => {
    const at = list.findIndex(same);
    return at >= 0 ? at : list.push(item) - 1;
  };
  const holds = Object.values(reservations).map((r): PackedCapacityState['holds'][number] => [
    r.leadId, indexOf(assignments, r.assignmentId, (a) => a === r.assignmentId), r.priceMinor, r.reservedAt, r.expiresAt,
    indexOf(windowKeys, r.keys, (k) => k.day === r.keys.day && k.week === r.keys.week && k.month === r.keys.month),
  ]);
  return { packed: 1, rest, assignments, windowKeys, holds, settled: settled.map(([id, outcome]) => `${OUTCOME_CODES[outcome]}${id.slice(0, id.length - state.partnerId.length - 1)}`) };
}

/** The state a run starts from: packed by packState, or plain as runs before packing carried it. */
export function unpackState(carried: CapacityState | PackedCapacityState): CapacityState {
  if (!('packed' in carried)) return carried;
  const { partnerId } = carried.rest;
  const reservations: Record<string, OpenReservation> = {};
  for (const [leadId, assignment, priceMinor, reservedAt, expiresAt, keys] of carried.holds) {
    const reservationId = reservationIdFor(leadId, partnerId);
    reservations[reservationId] = { reservationId, leadId, assignmentId: carried.assignments[assignment]!, priceMinor, reservedAt, expiresAt, keys: carried.windowKeys[keys]! };
  }
  const settled = carried.settled.map((s): [string, Outcome] => [reservationIdFor(s.slice(1), partnerId), OUTCOMES[s[0]!]!]);
  return { ...carried.rest, reservations, settled };
}
