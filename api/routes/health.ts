import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';

const componentSchema = z.object({ ok: z.boolean(), error: z.string().optional(), latencyMs: z.number() });
const healthSchema = z
  .object({ ok: z.boolean(), temporal: componentSchema, postgres: componentSchema, objectStore: componentSchema })
  .meta({ id: 'Health' });

async function probe(check: () => Promise<unknown>): Promise<z.infer<typeof componentSchema>> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3000).unref())]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, error: (err as Error).message, latencyMs: Math.round(performance.now() - started) };
  }
}

export function healthRoutes({ sql, temporal, objectStore }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Reachability of Temporal, PostgreSQL and the object store',
      tags: ['health'],
      auth: 'public',
      responses: { 200: { description: 'All reachable', schema: healthSchema }, 503: { description: 'Something is unreachable', schema: healthSchema } },
      handler: async ({ res }) => {
        const [t, p, o] = await Promise.all([
          probe(() => temporal.workflowService.getSystemInfo({})),
          probe(() => sql`select 1`),
          probe(async () => {
            if (!(await objectStore.client.bucketExists(objectStore.bucket))) throw new Error(`bucket ${objectStore.bucket} is missing`);
          }),
        ]);
        const body = { ok: t.ok && p.ok && o.ok, temporal: t, postgres: p, objectStore: o };
        res.status(body.ok ? 200 : 503);
        return body;
      },
    }),
  ];
}
