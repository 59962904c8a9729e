import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * leadrelay's own Prometheus metrics, one registry per process. The worker serves them beside the
 * Temporal SDK's metrics; the API serves its own at /metrics to operators.
 */
export function createMetrics(processName: 'api' | 'worker') {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  collectDefaultMetrics({ register: registry, prefix: 'leadrelay_' });
  const registers = [registry];
  return {
    registry,
    leadsFinal: new Counter({ name: 'leadrelay_leads_final_total', help: 'Leads that reached a final state, by state', labelNames: ['status'], registers }),
    intakeToDelivery: new Histogram({
      name: 'leadrelay_intake_to_delivery_seconds', help: 'From a lead being received to its first successful delivery to a partner', registers,
      buckets: [0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
    deliveries: new Counter({ name: 'leadrelay_deliveries_total', help: 'Settled deliveries by partner and outcome', labelNames: ['partner_id', 'outcome'], registers }),
    reservations: new Counter({ name: 'leadrelay_reservations_total', help: 'Capacity reservations granted or denied, with the reason', labelNames: ['outcome', 'reason'], registers }),
    webhookResponse: new Histogram({
      name: 'leadrelay_webhook_response_seconds', help: 'Partner webhook response time, by whether the attempt succeeded', labelNames: ['ok'], registers,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    httpRequests: new Histogram({
      name: 'leadrelay_http_request_duration_seconds', help: 'API requests by method, route and status', labelNames: ['method', 'route', 'status'], registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
