import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { reservationIdFor, type ReserveRequest, type ReserveResult, type SettleRequest } from '../domain/reservations';
import { partnerCapacityClient } from '../infra/partner-capacity-client';
import type { Sql } from '../db/client';
import { partnerStartFromDb } from '../db/partner-ledger';
import { appendAudit } from '../db/audit';
import type { Metrics } from '../infra/metrics';

/**
 * The lead workflow's side of the capacity contract: each call is an update on partner-<id>, which
 * starts on first use in this worker's task queue. A refused update (bad request, reservation no
 * longer open) will be refused again, so it fails without retries.
 */
export function capacityActivities(temporal: Client, sql: Sql, metrics?: Metrics) {
  const partners = () => partnerCapacityClient(temporal, Context.current().info.taskQueue, partnerStartFromDb(sql));
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
  return {
    async reserveCapacity(req: ReserveRequest): Promise<ReserveResult> {
      const result = await refusedIsFinal(() => partners().reserve(req));
      metrics?.reservations.inc(result.granted ? { outcome: 'granted', reason: '' } : { outcome: 'denied', reason: result.reason });
      await appendAudit(sql, req.leadId, `reserve:${req.partnerId}`, {
        at: new Date().toISOString(),
        ...(result.granted
          ? { type: 'capacity_reserved', summary: `capacity reserved with partner ${req.partnerId} until ${result.expiresAt}` }
          : { type: 'capacity_denied', summary: `partner ${req.partnerId} refused capacity: ${result.reason}${result.window ? ` (${result.window})` : ''}: ${result.detail}` }),
        detail: { request: req, result },
      });
      return result;
    },
    async commitReservation(req: SettleRequest & { priceMinor: number }): Promise<void> {
      await refusedIsFinal(() => partners().commit({ ...req, reservationId: req.reservationId || reservationIdFor(req.leadId, req.partnerId) }));
    },
    async releaseReservation(req: SettleRequest & { reason: string }): Promise<void> {
      await refusedIsFinal(() => partners().release(req));
    },
  };
}
