import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { reservationIdFor, type ReserveRequest, type ReserveResult, type SettleRequest } from '../domain/reservations';
import { partnerCapacityClient, type PartnerCapacityClient } from '../infra/partner-capacity-client';
import type { Sql } from '../db/client';
import { partnerStartFromDb } from '../db/partner-ledger';
import { appendAudit } from '../db/audit';
import { forgetHold, hasTransaction, isCharged, recordHold } from '../db/partner-holds';
import type { ChargeRequest, CommitRequest, ReleaseRequest } from '../workflows/partner-messages';
import { getPartner } from '../db/partners';
import { windowKeys } from '../domain/cap-windows';
import type { Metrics } from '../infra/metrics';

/**
 * The lead workflow's side of the capacity contract: each call is an update on partner-<id>, which
 * starts on first use in this worker's task queue. A refused update (bad request, reservation no
 * longer open) will be refused again, so it fails without retries.
 */
export function capacityCalls(temporal: Client, sql: Sql, metrics?: Metrics) {
  // One client per task queue, so racing leads share the batches it sends.
  const clients = new Map<string, PartnerCapacityClient>();
  const partners = () => {
    const { taskQueue } = Context.current().info;
    let partnersClient = clients.get(taskQueue);
    if (!partnersClient) clients.set(taskQueue, (partnersClient = partnerCapacityClient(temporal, taskQueue, partnerStartFromDb(sql))));
    return partnersClient;
  };
  const refusedIsFinal = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw ApplicationFailure.nonRetryable((err.cause as Error | undefined)?.message ?? err.message, 'CapacityUpdateRefused');
      }
      throw err;
    }
  };
  /** PostgreSQL keeps each open hold too, so a new run of partner-<id> after a lost one still knows it. */
  const keepHold = async (req: ReserveRequest, result: ReserveResult & { granted: true }) => {
    const partner = await getPartner(sql, req.partnerId);
    if (!partner) return;
    const reservedAt = Date.parse(result.expiresAt) - req.holdSeconds * 1000;
    await recordHold(sql, req.partnerId, {
      reservationId: result.reservationId, leadId: req.leadId, assignmentId: req.assignmentId, priceMinor: req.priceMinor,
      reservedAt, expiresAt: Date.parse(result.expiresAt), keys: windowKeys(reservedAt, partner.timezone),
    });
  };
  return {
    reserve: (req: ReserveRequest) => refusedIsFinal(() => partners().reserve(req)),
    /** The answer's bookkeeping: the hold in PostgreSQL, the metric and the audit entry. Idempotent. */
    async keepAnswer(req: ReserveRequest, result: ReserveResult): Promise<void> {
      metrics?.reservations.inc(result.granted ? { outcome: 'granted', reason: '' } : { outcome: 'denied', reason: result.reason });
      await Promise.all([
        result.granted && keepHold(req, result),
        appendAudit(sql, req.leadId, `reserve:${req.partnerId}`, {
          at: new Date().toISOString(),
          ...(result.granted
            ? { type: 'capacity_reserved', summary: `capacity reserved with partner ${req.partnerId} until ${result.expiresAt}` }
            : { type: 'capacity_denied', summary: `partner ${req.partnerId} refused capacity: ${result.reason}${result.window ? ` (${result.window})` : ''}: ${result.detail}` }),
          detail: { request: req, result },
        }),
      ]);
    },
    commit: (req: CommitRequest) => refusedIsFinal(() => partners().commit(req)),
    release: (req: ReleaseRequest) => refusedIsFinal(() => partners().release(req)),
    addCharge: (partnerId: string, req: ChargeRequest) => refusedIsFinal(() => partners().addCharge(partnerId, req)),
  };
}

export type CapacityCalls = ReturnType<typeof capacityCalls>;

export function capacityActivities(calls: CapacityCalls, sql: Sql) {
  return {
    async reserveCapacity(req: ReserveRequest): Promise<ReserveResult> {
      const result = await calls.reserve(req);
      await calls.keepAnswer(req, result);
      return result;
    },
    async commitReservation(req: SettleRequest & { priceMinor: number }): Promise<void> {
      const reservationId = req.reservationId || reservationIdFor(req.leadId, req.partnerId);
      try {
        await calls.commit({ ...req, reservationId });
      } catch (err) {
        // The workflow remembers recent settlements only: a commit retried later is recognised by its charge in PostgreSQL.
        if ((err as ApplicationFailure).type === 'CapacityUpdateRefused' && (await isCharged(sql, req.partnerId, reservationId))) return;
        throw err;
      }
      await forgetHold(sql, reservationId);
    },
    /**
     * A charge after the lead was taken, once per key: the statement in PostgreSQL is asked first, so a
     * retry long after the partner workflow forgot the key still charges nothing twice. True when charged now.
     */
    async addLaterCharge(partnerId: string, req: ChargeRequest): Promise<boolean> {
      if (await hasTransaction(sql, partnerId, req.key)) return false;
      return !(await calls.addCharge(partnerId, req)).duplicate;
    },
    async releaseReservation(req: SettleRequest & { reason: string }): Promise<void> {
      await calls.release(req);
      await forgetHold(sql, req.reservationId);
    },
  };
}
