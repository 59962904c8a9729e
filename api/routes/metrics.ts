import { z } from 'zod';
import type { AppDeps } from '../app';
import type { Metrics } from '../../infra/metrics';
import { defineRoute } from '../route';

/** The API's Prometheus metrics, for operators' scrapers (bearer operator key). */
export function metricsRoutes(_deps: AppDeps, metrics: Metrics) {
  return [
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: "The API's Prometheus metrics: request durations by route and status, and the Node process",
      tags: ['health'],
      auth: ['operator'],
      responses: { 200: { description: 'Prometheus text exposition format', schema: z.string(), contentType: 'text/plain; version=0.0.4' } },
      handler: async ({ res }) => {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    }),
  ];
}
