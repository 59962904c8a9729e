import type { Caps, Partner, PartnerStatus } from './config';
import type { Check } from './eligibility';
import type { CapWindow, DenyReason, ReserveRequest } from './reservations';
import { isWithinSchedule, type DeliverySchedule } from './schedule';
import { TIMED_WINDOWS, windowKeys, type WindowKeys } from './cap-windows';

/**
 * A partner's capacity as plain JSON: what the partner workflow holds and carries across
 * continue-as-new. Every function here is pure; callers pass the time.
 */

/** The slice of a partner's configuration that governs its capacity. */
export interface CapacityConfig {
  status: PartnerStatus;
  timezone: string;
  caps: Caps;
  schedule: DeliverySchedule;
  /** Null: no credit limit, so credit never stops deliveries. */
  creditLimitMinor: number | null;
  lowFundsThresholdMinor: number | null;
  currency: string;
  email: string;
  smsNumber: string | null;
  configVersion: number;
}

export const PAUSE_SOURCES = ['operator', 'portal', 'sms'] as const;
export type PauseSource = (typeof PAUSE_SOURCES)[number];

export interface WindowCount { key: string; count: number }
export interface Counters { day: WindowCount; week: WindowCount; month: WindowCount; lifetime: number }

export interface OpenReservation {
  reservationId: string;
  leadId: string;
  assignmentId: string;
  priceMinor: number;
  reservedAt: number;
  expiresAt: number;
  /** The windows it was granted in: a commit counts there, even if a window rolled meanwhile. */
  keys: WindowKeys;
}

export type TransactionKind = 'charge' | 'payment' | 'credit';

export interface Transaction {
  seq: number;
  /** Unique per partner: a retried message can't add the same transaction twice. */
  key: string;
  kind: TransactionKind;
  /** Signed: payments and credits add, charges subtract. */
  amountMinor: number;
  balanceMinor: number;
  currency: string;
  leadId: string | null;
  /** For charges: the assignment whose caps the lead counts against. */
  assignmentId?: string | null;
  description: string;
  occurredAt: string;
}

export interface LowFundsAlert { key: string; fundsMinor: number; thresholdMinor: number; currency: string; email: string; smsNumber: string | null }

export interface CapacityState {
  partnerId: string;
  config: CapacityConfig | null;
  pause: { by: PauseSource; at: string } | null;
  counters: Counters;
  assignmentCounters: Record<string, Counters>;
  reservations: Record<string, OpenReservation>;
  /** Recently settled reservations, oldest first, so retried reserve/commit/release calls answer the same. */
  settled: Array<[reservationId: string, outcome: 'committed' | 'released' | 'expired']>;
  /**
   * Recent payment, credit and later-charge keys, oldest first, so a retried one is added once. Delivery
   * charges are kept idempotent by `settled`, and carrying their keys too would make the state grow with traffic.
   */
  recentKeys: string[];
  /** Payments and credits less charges. */
  balanceMinor: number;
  nextSeq: number;
  lowFundsAlerted: boolean;
  /** Transactions and alerts decided but not yet written out by an activity. */
  outbox: Transaction[];
  alerts: LowFundsAlert[];
}

const RECENT_LIMIT = 2000;
/**
 * Settled reservations remembered in the workflow: enough for a retry seconds later. Past them, a
 * retried commit is recognised from the charge on the statement in PostgreSQL (activities/capacity.ts).
 */
const SETTLED_LIMIT = 1000;

const emptyCounters = (): Counters => ({ day: { key: '', count: 0 }, week: { key: '', count: 0 }, month: { key: '', count: 0 }, lifetime: 0 });

/** Where the ledger in PostgreSQL says a partner stands: what a new run starts from. */
export type LedgerSnapshot = Pick<CapacityState, 'balanceMinor' | 'nextSeq' | 'counters' | 'assignmentCounters' | 'recentKeys'> & {
  /** Open holds; absent from the snapshots of runs started before holds were kept in PostgreSQL. */
  reservations?: CapacityState['reservations'];
};

/** What a partner workflow starts with: its configuration and where its ledger stands. */
export interface PartnerStart { config: CapacityConfig; ledger: LedgerSnapshot }

/** A first run, or a new one after the last was terminated or lost: the ledger's counters, balance and sequence. */
export function stateFromLedger(partnerId: string, config: CapacityConfig | null, ledger: LedgerSnapshot | undefined): CapacityState {
  return { ...initialCapacityState(partnerId), config, ...ledger, reservations: ledger?.reservations ?? {} };
}

export function initialCapacityState(partnerId: string): CapacityState {
  return {
    partnerId, config: null, pause: null, counters: emptyCounters(), assignmentCounters: {}, reservations: {},
    settled: [], recentKeys: [], balanceMinor: 0, nextSeq: 1, lowFundsAlerted: false, outbox: [], alerts: [],
  };
}

export interface Denial { reason: DenyReason; window?: CapWindow; detail: string }

const WINDOW_NAMES: Record<CapWindow, string> = { day: 'daily', week: 'weekly', month: 'monthly', lifetime: 'lifetime' };

/** Leads counted in a window plus those held by open reservations granted in it. */
function used(counters: Counters | undefined, holds: OpenReservation[], window: CapWindow, keys: WindowKeys): number {
  if (window === 'lifetime') return (counters?.lifetime ?? 0) + holds.length;
  const current = counters?.[window];
  const counted = current && current.key === keys[window] ? current.count : 0;
  return counted + holds.filter((r) => r.keys[window] === keys[window]).length;
}

export const heldMinor = (state: CapacityState) => Object.values(state.reservations).reduce((sum, r) => sum + r.priceMinor, 0);

/** What the partner could still spend, open reservations included; null when there is no credit limit. */
export function availableMinor(state: CapacityState): number | null {
  const limit = state.config?.creditLimitMinor;
  return limit === null || limit === undefined ? null : state.balanceMinor + limit - heldMinor(state);
}

export type CapacityQuestion = Pick<ReserveRequest, 'assignmentId' | 'priceMinor' | 'assignmentCaps'>;

/**
 * Every capacity criterion for one lead, with the value seen, and the first that refuses it.
 * Order matters for the reason given: inactive, paused, schedule, caps, then credit.
 */
export function assess(state: CapacityState, q: CapacityQuestion, now: number): { checks: Check[]; denial: Denial | null } {
  const config = state.config;
  if (!config) return { checks: [{ criterion: 'partner_status', passed: false, actual: null, detail: 'partner not found' }], denial: { reason: 'inactive', detail: 'partner not found' } };
  const checks: Check[] = [];
  let denial: Denial | null = null;
  const check = (c: Check, d: Denial) => {
    checks.push(c);
    if (!c.passed && !denial) denial = d;
  };

  check({ criterion: 'partner_status', passed: config.status === 'active', actual: config.status, detail: `partner is ${config.status}` }, { reason: 'inactive', detail: `partner is ${config.status}` });

  const zeroCap = ([...TIMED_WINDOWS, 'lifetime'] as const).find((w) => config.caps[w] === 0 || q.assignmentCaps?.[w] === 0);
  const pauseDetail = state.pause ? `paused by ${state.pause.by} at ${state.pause.at}` : zeroCap ? `${WINDOW_NAMES[zeroCap]} cap is 0` : 'taking leads';
  check({ criterion: 'paused', passed: !state.pause && !zeroCap, actual: state.pause?.by ?? (zeroCap ? `${zeroCap}_cap_0` : null), detail: pauseDetail }, { reason: 'paused', ...(zeroCap && !state.pause ? { window: zeroCap } : {}), detail: pauseDetail });

  const inSchedule = isWithinSchedule(config.schedule, config.timezone, new Date(now));
  const scheduleDetail = `${inSchedule ? 'inside' : 'outside'} the delivery schedule (${config.timezone})`;
  check({ criterion: 'schedule', passed: inSchedule, actual: new Date(now).toISOString(), detail: scheduleDetail }, { reason: 'outside_schedule', detail: scheduleDetail });

  const keys = windowKeys(now, config.timezone);
  const open = Object.values(state.reservations);
  const scopes = [
    { label: 'partner', prefix: 'cap', caps: config.caps, counters: state.counters, holds: open },
    { label: 'assignment', prefix: 'assignment_cap', caps: q.assignmentCaps, counters: state.assignmentCounters[q.assignmentId], holds: open.filter((r) => r.assignmentId === q.assignmentId) },
  ];
  for (const scope of scopes) {
    for (const window of [...TIMED_WINDOWS, 'lifetime'] as const) {
      const cap = scope.caps?.[window];
      if (cap === null || cap === undefined || cap === 0) continue;
      const n = used(scope.counters, scope.holds, window, keys);
      const detail = `${scope.label} ${WINDOW_NAMES[window]} cap ${n}/${cap}${window === 'lifetime' ? '' : ` (${keys[window]}, ${config.timezone})`}`;
      check({ criterion: `${scope.prefix}_${window}`, passed: n < cap, actual: n, detail }, { reason: 'cap_full', window, detail: `${detail} is full` });
    }
  }

  const available = availableMinor(state);
  const creditOk = available === null || q.priceMinor <= available;
  const creditDetail = available === null ? 'no credit limit' : `price ${q.priceMinor} against ${available} available (${config.currency} minor units)`;
  check({ criterion: 'credit', passed: creditOk, actual: available, detail: creditDetail }, { reason: 'credit_exhausted', detail: creditDetail });
  return { checks, denial };
}

function remember<T>(list: T[], item: T, limit = RECENT_LIMIT) {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

export const settledOutcome = (state: CapacityState, reservationId: string) => state.settled.find(([id]) => id === reservationId)?.[1];

export function grant(state: CapacityState, req: ReserveRequest, reservationId: string, now: number): OpenReservation {
  const reservation: OpenReservation = {
    reservationId, leadId: req.leadId, assignmentId: req.assignmentId, priceMinor: req.priceMinor,
    reservedAt: now, expiresAt: now + req.holdSeconds * 1000, keys: windowKeys(now, state.config!.timezone),
  };
  state.reservations[reservationId] = reservation;
  return reservation;
}

function count(counters: Counters, keys: WindowKeys) {
  for (const window of TIMED_WINDOWS) {
    const current = counters[window];
    if (current.key === keys[window]) current.count += 1;
    // A later window starts its count; a commit for a window already past only adds to lifetime.
    else if (current.key < keys[window]) counters[window] = { key: keys[window], count: 1 };
  }
  counters.lifetime += 1;
}

/** Counts the lead in the windows it was granted in and charges its price. */
/**
 * A delivery's charge is keyed by its reservation and counts the lead against the caps; a charge added
 * later under another key (a kept appointment's) only moves money.
 */
export const DELIVERY_CHARGE_PREFIX = 'charge:';

export function commit(state: CapacityState, reservationId: string, priceMinor: number, now: number): Transaction {
  const r = state.reservations[reservationId]!;
  delete state.reservations[reservationId];
  remember(state.settled, [reservationId, 'committed'], SETTLED_LIMIT);
  count(state.counters, r.keys);
  count((state.assignmentCounters[r.assignmentId] ??= emptyCounters()), r.keys);
  return addTransaction(state, { key: `${DELIVERY_CHARGE_PREFIX}${reservationId}`, kind: 'charge', amountMinor: -priceMinor, leadId: r.leadId, assignmentId: r.assignmentId, description: `lead ${r.leadId}` }, now);
}

export function release(state: CapacityState, reservationId: string, outcome: 'released' | 'expired') {
  if (!state.reservations[reservationId]) return;
  delete state.reservations[reservationId];
  remember(state.settled, [reservationId, outcome], SETTLED_LIMIT);
}

/** Releases every reservation whose hold has run out; returns their ids. */
export function expire(state: CapacityState, now: number): string[] {
  const due = Object.values(state.reservations).filter((r) => r.expiresAt <= now).map((r) => r.reservationId);
  for (const id of due) release(state, id, 'expired');
  return due;
}

export const earliestExpiry = (state: CapacityState): number | null =>
  Object.values(state.reservations).reduce<number | null>((min, r) => (min === null || r.expiresAt < min ? r.expiresAt : min), null);

export const findTransactionKey = (state: CapacityState, key: string) => state.recentKeys.includes(key);

export function addTransaction(state: CapacityState, t: Pick<Transaction, 'key' | 'kind' | 'amountMinor' | 'leadId' | 'description' | 'assignmentId'>, now: number): Transaction {
  state.balanceMinor += t.amountMinor;
  const transaction: Transaction = { ...t, seq: state.nextSeq++, balanceMinor: state.balanceMinor, currency: state.config?.currency ?? 'GBP', occurredAt: new Date(now).toISOString() };
  state.outbox.push(transaction);
  if (t.kind !== 'charge' || !t.key.startsWith(DELIVERY_CHARGE_PREFIX)) remember(state.recentKeys, t.key);
  checkLowFunds(state, transaction.key);
  return transaction;
}

/**
 * Funds are the balance plus the credit limit. Checked on every transaction: one alert each time
 * they fall to the threshold or below, re-armed once they are back above it.
 */
function checkLowFunds(state: CapacityState, cause: string) {
  const config = state.config;
  const threshold = config?.lowFundsThresholdMinor;
  if (!config || threshold === null || threshold === undefined) return;
  const funds = state.balanceMinor + (config.creditLimitMinor ?? 0);
  if (funds > threshold) {
    state.lowFundsAlerted = false;
    return;
  }
  if (state.lowFundsAlerted) return;
  state.lowFundsAlerted = true;
  state.alerts.push({ key: `low-funds:${cause}`, fundsMinor: funds, thresholdMinor: threshold, currency: config.currency, email: config.email, smsNumber: config.smsNumber });
}

export interface WindowView { window: CapWindow; key: string | null; cap: number | null; counted: number; held: number; remaining: number | null }

export interface CapacityView {
  partnerId: string;
  configVersion: number | null;
  status: PartnerStatus | null;
  timezone: string | null;
  paused: boolean;
  pause: CapacityState['pause'];
  windows: WindowView[];
  assignments: Record<string, Array<Pick<WindowView, 'window' | 'key' | 'counted'>>>;
  balanceMinor: number;
  creditLimitMinor: number | null;
  heldMinor: number;
  availableMinor: number | null;
  currency: string | null;
  lowFundsAlerted: boolean;
  openReservations: Array<Omit<OpenReservation, 'reservedAt' | 'expiresAt'> & { reservedAt: string; expiresAt: string }>;
}

/** The live state as an operator reads it: counters per window in the partner's timezone, at `now`. */
export function capacityView(state: CapacityState, now: number): CapacityView {
  const config = state.config;
  const keys = config ? windowKeys(now, config.timezone) : null;
  const open = Object.values(state.reservations);
  const windowsOf = (counters: Counters | undefined, holds: OpenReservation[], caps: Caps | null) =>
    ([...TIMED_WINDOWS, 'lifetime'] as const).map((window): WindowView => {
      const key = window === 'lifetime' ? null : (keys?.[window] ?? null);
      const counted = window === 'lifetime' ? (counters?.lifetime ?? 0) : counters?.[window].key === key ? counters![window].count : 0;
      const held = window === 'lifetime' ? holds.length : holds.filter((r) => r.keys[window] === key).length;
      const cap = caps?.[window] ?? null;
      return { window, key, cap, counted, held, remaining: cap === null ? null : Math.max(0, cap - counted - held) };
    });
  return {
    partnerId: state.partnerId,
    configVersion: config?.configVersion ?? null,
    status: config?.status ?? null,
    timezone: config?.timezone ?? null,
    paused: state.pause !== null || (config ? Object.values(config.caps).some((c) => c === 0) : false),
    pause: state.pause,
    windows: windowsOf(state.counters, open, config?.caps ?? null),
    assignments: Object.fromEntries(
      Object.entries(state.assignmentCounters).map(([id, c]) => [id, windowsOf(c, [], null).map(({ window, key, counted }) => ({ window, key, counted }))]),
    ),
    balanceMinor: state.balanceMinor,
    creditLimitMinor: config?.creditLimitMinor ?? null,
    heldMinor: heldMinor(state),
    availableMinor: availableMinor(state),
    currency: config?.currency ?? null,
    lowFundsAlerted: state.lowFundsAlerted,
    openReservations: open.map((r) => ({ ...r, reservedAt: new Date(r.reservedAt).toISOString(), expiresAt: new Date(r.expiresAt).toISOString() })),
  };
}

/** The capacity slice of a partner record, as the workflow receives it. */
export function toCapacityConfig(p: Pick<Partner, 'status' | 'timezone' | 'caps' | 'schedule' | 'creditLimitMinor' | 'lowFundsThresholdMinor' | 'billing' | 'email' | 'smsNumber' | 'configVersion'>): CapacityConfig {
  return {
    status: p.status, timezone: p.timezone, caps: p.caps, schedule: p.schedule, creditLimitMinor: p.creditLimitMinor,
    lowFundsThresholdMinor: p.lowFundsThresholdMinor, currency: p.billing?.currency ?? 'GBP', email: p.email, smsNumber: p.smsNumber,
    configVersion: p.configVersion,
  };
}
