import {
  allHandlersFinished, CancellationScope, condition, continueAsNew, log, makeContinueAsNewFunc, patched, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo,
} from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import { earliestExpiry, expire, stateFromLedger, type CapacityConfig, type CapacityState, type LedgerSnapshot } from '../domain/capacity';
import { packState, unpackState, type PackedCapacityState } from '../domain/capacity-carry';
import { PartnerCapacity } from './partner-capacity';
import {
  addChargeUpdate, addCreditUpdate, addPaymentUpdate, assessQuery, capacityBatchUpdate, capacityQuery, commitUpdate, configChangedSignal, partnerTaskQueue, releaseUpdate, reserveUpdate,
  setPausedUpdate,
} from './partner-messages';

const { loadPartnerCapacityConfig, recordPartnerTransactions } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});
// The statement rows are written inside the workflow task that made them: no activity task, no extra workflow task.
const { recordPartnerTransactions: recordPartnerTransactionsHere } = proxyLocalActivities<LeadActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '30 seconds' },
});
/** Statement rows by local activity, and one expiry timer kept across wakes: a lead costs the partner's history 11 events, not 18. */
export const PARTNER_LEDGER_IN_TASK_PATCH = 'partner-ledger-in-task';
// An alert that can't go out after a few tries is logged, not retried forever.
const { sendLowFundsAlert } = proxyActivities<LeadActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } });

/** Partner workflows started on the leads' task queue move to the partners' own at their next workflow task. */
export const PARTNER_OWN_QUEUE_PATCH = 'partner-own-queue';

/** The next run, carrying the state: one still on the leads' task queue goes to the partners' own. */
async function carryOn(next: PartnerWorkflowInput): Promise<never> {
  if (next.ownQueue || !patched(PARTNER_OWN_QUEUE_PATCH)) return continueAsNew<typeof partnerWorkflow>(next);
  // The queue this worker polls, which is the one the run is on: a workflow is only ever given to workers of its queue.
  return makeContinueAsNewFunc<typeof partnerWorkflow>({ taskQueue: partnerTaskQueue(workflowInfo().taskQueue) })({ ...next, ownQueue: true });
}

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
  /** Started on the partners' own task queue (partnerTaskQueue); runs from before it had one are on the leads'. */
  ownQueue?: boolean;
}

/**
 * partner-<id>: the only place a lead is granted to this partner. The handlers hand each message to
 * PartnerCapacity; the main loop does the slow work (statement rows, alerts, expiry timers) and
 * continues-as-new with the state packed.
 */
export async function partnerWorkflow(input: PartnerWorkflowInput): Promise<never> {
  const { partnerId } = input;
  const capacity = new PartnerCapacity(partnerId, input.state ? unpackState(input.state) : stateFromLedger(partnerId, input.config ?? null, input.ledger));
  const { state } = capacity;
  let alerting = false;

  // Updates, not signals: a lead's offer waits to hear whether it got the place, and the charge lands before "accepted".
  setHandler(reserveUpdate, (req) => capacity.reserve(req), { validator: (req) => capacity.validateReserve(req) });
  setHandler(commitUpdate, (req) => capacity.commit(req), { validator: (req) => capacity.validateCommit(req) });
  setHandler(releaseUpdate, (req) => capacity.release(req), { validator: (req) => capacity.validateRelease(req) });
  // What one client's racing callers sent together: one update, one workflow task, for many leads.
  setHandler(capacityBatchUpdate, (ops) => capacity.batch(ops), { validator: (ops) => capacity.validateBatch(ops) });
  // The partner or operator sees the paused state it asked for.
  setHandler(setPausedUpdate, (req) => capacity.setPaused(req), { validator: (req) => capacity.validatePause(req) });
  // Answer once the transaction is on the statement in PostgreSQL.
  setHandler(addPaymentUpdate, (req) => capacity.addPayment(req), { validator: (req) => capacity.validatePayment(req) });
  setHandler(addCreditUpdate, (req) => capacity.addCredit(req), { validator: (req) => capacity.validateCredit(req) });
  setHandler(addChargeUpdate, (req) => capacity.addCharge(req), { validator: (req) => capacity.validateCharge(req) });
  // A signal: the API saves the partner first, and nobody waits on the workflow taking it in.
  setHandler(configChangedSignal, (config) => capacity.configure(config));
  setHandler(capacityQuery, (at) => capacity.view(at));
  setHandler(assessQuery, (question, at) => capacity.assess(question, at));

  if (!capacity.ready) capacity.configure(await loadPartnerCapacityConfig(partnerId));

  // A run on the leads' task queue (started before partners had one of their own) moves to theirs.
  const onLeadsQueue = () => !input.ownQueue && patched(PARTNER_OWN_QUEUE_PATCH);
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

  const alarm = new ExpiryAlarm();
  for (;;) {
    const inTask = patched(PARTNER_LEDGER_IN_TASK_PATCH);
    const moving = onLeadsQueue();
    expire(state, Date.now());
    if (state.alerts.length > 0 && !alerting) void sendAlerts();
    if (state.outbox.length > 0) {
      const batch = state.outbox.slice();
      await (inTask ? recordPartnerTransactionsHere : recordPartnerTransactions)(partnerId, batch);
      state.outbox.splice(0, batch.length);
      continue;
    }
    if (moving || historyTooLong()) {
      await condition(() => (allHandlersFinished() && !alerting) || state.outbox.length > 0);
      if (state.outbox.length === 0) await carryOn({ ...input, ledger: undefined, state: packState(state) });
      continue;
    }
    const expiry = earliestExpiry(state);
    const busy = () => state.outbox.length > 0 || (state.alerts.length > 0 && !alerting) || historyTooLong();
    if (inTask) {
      alarm.setFor(expiry);
      await condition(() => busy() || alarm.rang || alarm.wouldMiss(earliestExpiry(state)));
      continue;
    }
    const wake = () => busy() || earliestExpiry(state) !== expiry;
    if (expiry === null) await condition(wake);
    else if (expiry > Date.now()) await condition(wake, expiry - Date.now());
  }
}

/**
 * One timer for the earliest hold's expiry. It stays set while that expiry moves later (the oldest hold
 * committed, as most are): ringing early only wakes the loop to set it again. Only a hold that expires
 * sooner moves it.
 */
class ExpiryAlarm {
  private at: number | null = null;
  private scope: CancellationScope | null = null;
  rang = false;

  setFor(expiry: number | null): void {
    if (this.rang) {
      this.at = null;
      this.scope = null;
      this.rang = false;
    }
    if (expiry === null || (this.at !== null && this.at <= expiry)) return;
    this.scope?.cancel();
    const scope = new CancellationScope();
    this.scope = scope;
    this.at = expiry;
    scope.run(() => sleep(Math.max(1, expiry - Date.now()))).then(
      () => { if (this.scope === scope) this.rang = true; },
      () => undefined,
    );
  }

  /** True when a hold expires before the alarm would ring. */
  wouldMiss(expiry: number | null): boolean {
    return expiry !== null && (this.at === null || expiry < this.at);
  }
}
