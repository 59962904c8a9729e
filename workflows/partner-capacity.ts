import { condition } from '@temporalio/workflow';
import {
  addTransaction, assess, DELIVERY_CHARGE_PREFIX, capacityView, commit, expire, grant, PAUSE_SOURCES, release, settledOutcome,
  type CapacityConfig, type CapacityQuestion, type CapacityState, type CapacityView,
} from '../domain/capacity';
import { reservationIdFor, type ReserveRequest, type ReserveResult } from '../domain/reservations';
import {
  MAX_CAPACITY_BATCH,
  type CapacityOp, type CapacityOpResult, type ChargeRequest, type CommitRequest, type CommitResult, type CreditRequest, type PaymentRequest, type ReleaseRequest,
  type SetPausedRequest, type TransactionReceipt,
} from './partner-messages';

const iso = (ms: number) => new Date(ms).toISOString();
const MAX_HOLD_SECONDS = 30 * 86_400;

const isInt = (n: unknown, min: number) => typeof n === 'number' && Number.isInteger(n) && n >= min;
const isId = (s: unknown) => typeof s === 'string' && s.length > 0 && s.length <= 200;

function invalid(message: string): never {
  throw new Error(message);
}

/**
 * One partner's capacity and credit, as partner-<id> keeps it: each message's validation and effect.
 * Handlers change state synchronously once the configuration is known, so no two reserves interleave.
 */
export class PartnerCapacity {
  constructor(readonly partnerId: string, readonly state: CapacityState, private configReady = state.config !== null) {}

  get ready(): boolean {
    return this.configReady;
  }

  /** A configuration from a signal or a load; a newer version always wins, whichever arrives first. */
  configure(config: CapacityConfig | null): void {
    if (config && (!this.state.config || config.configVersion >= this.state.config.configVersion)) this.state.config = config;
    this.configReady = true;
  }

  validateReserve(req: ReserveRequest): void {
    this.assertOwn(req.partnerId);
    if (!isId(req.leadId)) invalid('leadId must be a non-empty string');
    if (!isId(req.assignmentId)) invalid('assignmentId must be a non-empty string');
    if (!isInt(req.priceMinor, 0)) invalid('priceMinor must be a whole number of minor units, 0 or more');
    if (!isInt(req.holdSeconds, 1) || req.holdSeconds > MAX_HOLD_SECONDS) invalid(`holdSeconds must be a whole number from 1 to ${MAX_HOLD_SECONDS}`);
  }

  /** Grants a hold, or says why not; a retried reserve finds the hold (or the charge) it already made. */
  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    await condition(() => this.configReady);
    return this.reserveNow(req);
  }

  validateBatch(ops: CapacityOp[]): void {
    if (!Array.isArray(ops) || ops.length === 0 || ops.length > MAX_CAPACITY_BATCH) invalid(`a batch holds 1 to ${MAX_CAPACITY_BATCH} operations`);
  }

  /**
   * Each operation is validated and applied in turn, in one synchronous pass: the same checks and effects
   * as its own update, so a commit may settle a hold granted earlier in the same batch.
   */
  async batch(ops: CapacityOp[]): Promise<CapacityOpResult[]> {
    await condition(() => this.configReady);
    return ops.map((op) => {
      try {
        if ('reserve' in op) {
          this.validateReserve(op.reserve);
          return { ok: this.reserveNow(op.reserve) };
        }
        if ('commit' in op) {
          this.validateCommit(op.commit);
          return { ok: this.commit(op.commit) };
        }
        if ('release' in op) {
          this.validateRelease(op.release);
          this.release(op.release);
          return { ok: null };
        }
        return { refused: 'an operation is one of reserve, commit or release' };
      } catch (err) {
        return { refused: (err as Error).message };
      }
    });
  }

  private reserveNow(req: ReserveRequest): ReserveResult {
    const { state } = this;
    const now = Date.now();
    expire(state, now);
    const id = reservationIdFor(req.leadId, this.partnerId);
    const open = state.reservations[id];
    if (open) return { granted: true, reservationId: id, expiresAt: iso(open.expiresAt) };
    if (settledOutcome(state, id) === 'committed') return { granted: true, reservationId: id, expiresAt: iso(now) };
    const { denial } = assess(state, req, now);
    if (denial) return { granted: false, ...denial };
    return { granted: true, reservationId: id, expiresAt: iso(grant(state, req, id, now).expiresAt) };
  }

  validateCommit(req: CommitRequest): void {
    const id = this.ownReservation(req);
    if (!isInt(req.priceMinor, 0)) invalid('priceMinor must be a whole number of minor units, 0 or more');
    if (!this.state.reservations[id] && settledOutcome(this.state, id) !== 'committed') {
      invalid(`reservation ${id} is not open (${settledOutcome(this.state, id) ?? 'never granted'})`);
    }
  }

  /** Counts the lead against the caps and charges its locked price. */
  commit(req: CommitRequest): CommitResult {
    const id = req.reservationId;
    if (!this.state.reservations[id]) return { reservationId: id, balanceMinor: this.state.balanceMinor, alreadyCommitted: true };
    const t = commit(this.state, id, req.priceMinor, Date.now());
    return { reservationId: id, balanceMinor: t.balanceMinor, alreadyCommitted: false };
  }

  validateRelease(req: ReleaseRequest): void {
    this.ownReservation(req);
  }

  release(req: ReleaseRequest): void {
    release(this.state, req.reservationId, 'released');
  }

  validatePause({ paused, by }: SetPausedRequest): void {
    if (typeof paused !== 'boolean') invalid('paused must be true or false');
    if (!PAUSE_SOURCES.includes(by)) invalid(`by must be one of ${PAUSE_SOURCES.join(', ')}`);
  }

  async setPaused({ paused, by }: SetPausedRequest): Promise<CapacityView> {
    await condition(() => this.configReady);
    this.state.pause = paused ? { by, at: iso(Date.now()) } : null;
    return capacityView(this.state, Date.now());
  }

  validatePayment({ paymentId, amountMinor }: PaymentRequest): void {
    if (!isId(paymentId)) invalid('paymentId must be a non-empty string');
    if (!isInt(amountMinor, 1)) invalid('amountMinor must be a whole number of minor units above 0');
  }

  addPayment({ paymentId, amountMinor, description }: PaymentRequest): Promise<TransactionReceipt> {
    return this.addOnce(`payment:${paymentId}`, { kind: 'payment', amountMinor, leadId: null, description: description ?? 'payment' });
  }

  validateCredit({ leadId, amountMinor }: CreditRequest): void {
    if (!isId(leadId)) invalid('leadId must be a non-empty string');
    if (!isInt(amountMinor, 1)) invalid('amountMinor must be a whole number of minor units above 0');
  }

  addCredit({ leadId, amountMinor, reason }: CreditRequest): Promise<TransactionReceipt> {
    return this.addOnce(`credit:${leadId}`, { kind: 'credit', amountMinor, leadId, description: `returned lead ${leadId}: ${reason}` });
  }

  validateCharge({ key, leadId, amountMinor }: ChargeRequest): void {
    if (!isId(key) || key.startsWith(DELIVERY_CHARGE_PREFIX)) invalid(`key must be a non-empty string not starting with ${DELIVERY_CHARGE_PREFIX}`);
    if (!isId(leadId)) invalid('leadId must be a non-empty string');
    if (!isInt(amountMinor, 1)) invalid('amountMinor must be a whole number of minor units above 0');
  }

  /** Charged whatever the credit left: the partner already has the lead. */
  addCharge({ key, leadId, assignmentId, amountMinor, description }: ChargeRequest): Promise<TransactionReceipt> {
    return this.addOnce(key, { kind: 'charge', amountMinor: -amountMinor, leadId, assignmentId, description });
  }

  view(at?: string): CapacityView {
    return capacityView(this.state, at ? Date.parse(at) : Date.now());
  }

  assess(question: CapacityQuestion, at?: string) {
    return assess(this.state, question, at ? Date.parse(at) : Date.now());
  }

  /** A payment, credit or later charge, added once however often it is retried; answers once it is on the statement in PostgreSQL. */
  private async addOnce(key: string, t: { kind: 'payment' | 'credit' | 'charge'; amountMinor: number; leadId: string | null; assignmentId?: string | null; description: string }): Promise<TransactionReceipt> {
    await condition(() => this.configReady);
    const duplicate = this.state.recentKeys.includes(key);
    if (!duplicate) addTransaction(this.state, { key, ...t }, Date.now());
    await condition(() => !this.state.outbox.some((o) => o.key === key));
    return { key, duplicate };
  }

  private assertOwn(partnerId: string) {
    if (partnerId !== this.partnerId) invalid(`partnerId ${partnerId} is not this workflow's partner (${this.partnerId})`);
  }

  private ownReservation(req: { leadId: string; partnerId: string; reservationId: string }): string {
    this.assertOwn(req.partnerId);
    if (!isId(req.leadId)) invalid('leadId must be a non-empty string');
    if (req.reservationId !== reservationIdFor(req.leadId, this.partnerId)) invalid(`reservationId ${req.reservationId} does not belong to lead ${req.leadId}`);
    return req.reservationId;
  }
}
