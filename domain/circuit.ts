/** When a partner's endpoint is skipped: after this many consecutive failed deliveries, for this long, before one lead probes it. */
export interface CircuitBreakerSettings { failureThreshold: number; cooldownSeconds: number }

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerSettings = { failureThreshold: 5, cooldownSeconds: 300 };

/** A partner's circuit as PostgreSQL keeps it. */
export interface CircuitRecord {
  consecutiveFailures: number;
  openedAt: string | null;
  openedReason: string | null;
  probeLeadId: string | null;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

/** Closed, open (skipped), or half-open: the cool-down is over and one lead may probe the endpoint. */
export function circuitState(record: CircuitRecord | null | undefined, settings: CircuitBreakerSettings, at: Date): CircuitState {
  if (!record?.openedAt) return 'closed';
  return at.getTime() - Date.parse(record.openedAt) >= settings.cooldownSeconds * 1000 ? 'half_open' : 'open';
}
