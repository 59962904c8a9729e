import { reservationIdFor, type ReserveRequest, type ReserveResult, type SettleRequest } from '../domain/reservations';

/**
 * Stand-in until the partner capacity workflow exists (issue 5): every reservation is granted.
 * The lead workflow already calls reserve, commit and release at the right moments.
 */
export function capacityActivities() {
  return {
    async reserveCapacity(req: ReserveRequest): Promise<ReserveResult> {
      return { granted: true, reservationId: reservationIdFor(req.leadId, req.partnerId), expiresAt: new Date(Date.now() + req.holdSeconds * 1000).toISOString() };
    },
    async commitReservation(_req: SettleRequest & { priceMinor: number }): Promise<void> {},
    async releaseReservation(_req: SettleRequest & { reason: string }): Promise<void> {},
  };
}
