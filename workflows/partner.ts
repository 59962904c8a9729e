import { allHandlersFinished, condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import {
  addTransaction, assess, capacityView, commit, earliestExpiry, expire, grant, stateFromLedger, type LedgerSnapshot,
  PAUSE_SOURCES, release, settledOutcome, type CapacityConfig, type CapacityState,
} from '../domain/capacity';
import { reservationIdFor, type ReserveRequest, type ReserveResult } from '../domain/reservations';
import { packState, unpackState, type PackedCapacityState } from '../domain/capacity-carry';
import {
  addCreditUpdate, addPaymentUpdate, assessQuery, capacityQuery, commitUpdate, configChangedSignal, releaseUpdate, reserveUpdate,
  setPausedUpdate, type CommitRequest, type TransactionReceipt,
} from './partner-messages';

const { loadPartnerCapacityConfig, recordPartnerTransactions } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});
// An alert that can't go out after a few tries is logged, not retried forever.
const { sendLowFundsAlert } = proxyActivities<LeadActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } });

export interface PartnerWorkflowInput {
  partnerId: string;
  /** Carried across continue-as-new: packed, or plain from runs before packing. */
  state?: CapacityState | PackedCapacityState;
  /** The configuration, when whoever starts the workflow already has it. */
  config?: CapacityConfig;
  /** Where the ledger in PostgreSQL stands, for a run that carries no state: the first, or one after a lost run. */
  ledger?: LedgerSnapshot;
  /** Continue-as-new once history has this many events, besides when the server suggests it (tests set it low). */
  historyLimit?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const MAX_HOLD_SECONDS = 30 * 86_400;

function invalid(message: string): never {
  throw new Error(message);
}

const isInt = (n: unknown, min: number) => typeof n === 'number' && Number.isInteger(n) && n >= min;
const isId = (s: unknown) => typeof s === 'string' && s.length > 0 && s.length <= 200;

/**
 * partner-<id>: the only place a lead is granted to this partner. Handlers change state
 * synchronously once the configuration is loaded, so no two reserves interleave; the main loop does
 * the slow work (statement rows, alerts, expiry timers) and continues-as-new with plain JSON.
 */
export async function partnerWorkflow(input: PartnerWorkflowInput): Promise<never> {
  const { partnerId } = input;
  const state = input.state ? unpackState(input.state) : stateFromLedger(partnerId, input.config ?? null, input.ledger);
  let configReady = state.config !== null;
  let alerting = false;

  const reservationOf = (req: { leadId: string; partnerId: string; reservationId: string }) => {
    if (req.partnerId !== partnerId) invalid(`partnerId ${req.partnerId} is not this workflow's partner (${partnerId})`);
    if (!isId(req.leadId)) invalid('leadId must be a non-empty string');
    if (req.reservationId !== reservationIdFor(req.leadId, partnerId)) invalid(`reservationId ${req.reservationId} does not belong to lead ${req.leadId}`);
    return req.reservationId;
  };

  /** Resolves once the transaction is on the statement in PostgreSQL. */
  const persisted = async (key: string, duplicate: boolean): Promise<TransactionReceipt> => {
    await condition(() => !state.outbox.some((t) => t.key === key));
    return { key, duplicate };
  };

  setHandler(
    reserveUpdate,
    async (req: ReserveRequest): Promise<ReserveResult> => {
      await condition(() => configReady);
      const now = Date.now();
      expire(state, now);
      const id = reservationIdFor(req.leadId, partnerId);
      const open = state.reservations[id];
      if (open) return { granted: true, reservationId: id, expiresAt: iso(open.expiresAt) };
      if (settledOutcome(state, id) === 'committed') return { granted: true, reservationId: id, expiresAt: iso(now) };
      const { denial } = assess(state, req, now);
      if (denial) return { granted: false, ...denial };
      return { granted: true, reservationId: id, expiresAt: iso(grant(state, req, id, now).expiresAt) };
    },
    {
      validator: (req) => {
        if (req.partnerId !== partnerId) invalid(`partnerId ${req.partnerId} is not this workflow's partner (${partnerId})`);
        if (!isId(req.leadId)) invalid('leadId must be a non-empty string');
        if (!isId(req.assignmentId)) invalid('assignmentId must be a non-empty string');
        if (!isInt(req.priceMinor, 0)) invalid('priceMinor must be a whole number of minor units, 0 or more');
        if (!isInt(req.holdSeconds, 1) || req.holdSeconds > MAX_HOLD_SECONDS) invalid(`holdSeconds must be a whole number from 1 to ${MAX_HOLD_SECONDS}`);
      },
    },
  );

  setHandler(
    commitUpdate,
    (req: CommitRequest) => {
      const id = req.reservationId;
      if (!state.reservations[id]) return { reservationId: id, balanceMinor: state.balanceMinor, alreadyCommitted: true };
      const t = commit(state, id, req.priceMinor, Date.now());
      return { reservationId: id, balanceMinor: t.balanceMinor, alreadyCommitted: false };
    },
    {
      validator: (req) => {
        const id = reservationOf(req);
        if (!isInt(req.priceMinor, 0)) invalid('priceMinor must be a whole number of minor units, 0 or more');
        if (!state.reservations[id] && settledOutcome(state, id) !== 'committed') {
          invalid(`reservation ${id} is not open (${settledOutcome(state, id) ?? 'never granted'})`);
        }
      },
    },
  );

  setHandler(releaseUpdate, (req) => release(state, req.reservationId, 'released'), { validator: (req) => void reservationOf(req) });

  setHandler(
    setPausedUpdate,
    async ({ paused, by }) => {
      await condition(() => configReady);
      state.pause = paused ? { by, at: iso(Date.now()) } : null;
      return capacityView(state, Date.now());
    },
    {
      validator: ({ paused, by }) => {
        if (typeof paused !== 'boolean') invalid('paused must be true or false');
        if (!PAUSE_SOURCES.includes(by)) invalid(`by must be one of ${PAUSE_SOURCES.join(', ')}`);
      },
    },
  );

  setHandler(
    addPaymentUpdate,
    async ({ paymentId, amountMinor, description }) => {
      await condition(() => configReady);
      const key = `payment:${paymentId}`;
      if (state.recentKeys.includes(key)) return persisted(key, true);
      addTransaction(state, { key, kind: 'payment', amountMinor, leadId: null, description: description ?? 'payment' }, Date.now());
      return persisted(key, false);
    },
    {
      validator: ({ paymentId, amountMinor }) => {
        if (!isId(paymentId)) invalid('paymentId must be a non-empty string');
        if (!isInt(amountMinor, 1)) invalid('amountMinor must be a whole number of minor units above 0');
      },
    },
  );

  setHandler(
    addCreditUpdate,
    async ({ leadId, amountMinor, reason }) => {
      await condition(() => configReady);
      const key = `credit:${leadId}`;
      if (state.recentKeys.includes(key)) return persisted(key, true);
      addTransaction(state, { key, kind: 'credit', amountMinor, leadId, description: `returned lead ${leadId}: ${reason}` }, Date.now());
      return persisted(key, false);
    },
    {
      validator: ({ leadId, amountMinor }) => {
        if (!isId(leadId)) invalid('leadId must be a non-empty string');
        if (!isInt(amountMinor, 1)) invalid('amountMinor must be a whole number of minor units above 0');
      },
    },
  );

  setHandler(configChangedSignal, (config) => {
    // Signals can overtake a config load already in flight; the newer version wins.
    if (state.config && config.configVersion < state.config.configVersion) return;
    state.config = config;
    configReady = true;
  });

  setHandler(capacityQuery, (at) => capacityView(state, at ? Date.parse(at) : Date.now()));
  setHandler(assessQuery, (question, at) => assess(state, question, at ? Date.parse(at) : Date.now()));

  if (!configReady) {
    const loaded = await loadPartnerCapacityConfig(partnerId);
    if (loaded && (!state.config || loaded.configVersion > state.config.configVersion)) state.config = loaded;
    configReady = true;
  }

  const historyTooLong = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength >= input.historyLimit);
  };

  const sendAlerts = async () => {
    alerting = true;
    while (state.alerts.length > 0) {
      try {
        await sendLowFundsAlert(partnerId, state.alerts[0]!);
      } catch (err) {
        log.warn('low-funds alert not sent', { partnerId, error: (err as Error).message });
      }
      state.alerts.shift();
    }
    alerting = false;
  };

  for (;;) {
    expire(state, Date.now());
    if (state.alerts.length > 0 && !alerting) void sendAlerts();
    if (state.outbox.length > 0) {
      const batch = state.outbox.slice();
      await recordPartnerTransactions(partnerId, batch);
      state.outbox.splice(0, batch.length);
      continue;
    }
    if (historyTooLong()) {
      await condition(() => (allHandlersFinished() && !alerting) || state.outbox.length > 0);
      if (state.outbox.length === 0) await continueAsNew<typeof partnerWorkflow>({ ...input, ledger: undefined, state: packState(state) });
      continue;
    }
    const expiry = earliestExpiry(state);
    const wake = () => state.outbox.length > 0 || (state.alerts.length > 0 && !alerting) || earliestExpiry(state) !== expiry || historyTooLong();
    if (expiry === null) await condition(wake);
    else if (expiry > Date.now()) await condition(wake, expiry - Date.now());
  }
}
