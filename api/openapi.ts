import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { AnyRoute, ResponseSpec } from './route';

export const errorSchema = z
  .object({
    error: z.string().meta({ description: 'Machine-readable error code' }),
    message: z.string(),
    problems: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

export function buildOpenApiDocument(routes: AnyRoute[], serverUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer <key>`. Roles: operator (configuration), agent (leads, referrals, appointments, transfers), partner (its own data only).',
  });
  for (const route of routes) {
    const isPublic = route.auth === 'public';
    registry.registerPath({
      method: route.method,
      path: toOpenApiPath(route.path),
      summary: route.summary,
      description: [route.description, route.auth === 'public' ? 'Public: no API key needed.' : `Roles: ${route.auth.join(', ')}.`].filter(Boolean).join('\n\n'),
      tags: route.tags,
      security: isPublic ? [] : [{ apiKey: [] }],
      // Machine-readable roles, which the authorisation suite checks the API against.
      'x-roles': isPublic ? ['public'] : route.auth,
      request: {
        ...(route.params ? { params: route.params as z.ZodObject } : {}),
        ...(route.query ? { query: route.query as z.ZodObject } : {}),
        ...(route.headers ? { headers: route.headers } : {}),
        // A body whose every field is optional may be left out: the API reads a missing body as {}.
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } }, required: !route.body.safeParse({}).success } } : {}),
      },
      responses: Object.fromEntries(
        Object.entries<ResponseSpec>({
          ...route.responses,
          ...(route.body || route.query || route.params ? { 400: { description: 'Invalid request', schema: errorSchema } } : {}),
          ...(isPublic ? {} : { 401: { description: 'Missing, unknown, revoked or expired API key', schema: errorSchema }, 403: { description: "The key's role may not do this", schema: errorSchema } }),
        }).map(
          ([status, spec]) => [status, { description: spec.description, ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } } : {}) }],
        ),
      ),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'leadrelay API',
      version: '0.1.0',
      description: 'Lead intake, routing, delivery, acceptance and partner capacity, on Temporal.',
    },
    servers: [{ url: serverUrl }],
  });
}
