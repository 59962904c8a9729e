import type { z } from 'zod';

export interface FieldProblem { field: string; reason: string }

/** An error the API answers with its own status and a JSON body; anything else is a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: FieldProblem[],
  ) {
    super(message);
  }
}

export function validationError(error: z.ZodError, location: 'body' | 'query' | 'params' | 'headers'): HttpError {
  const problems = error.issues.map((issue) => ({
    field: [location, ...issue.path.map(String)].join('.'),
    reason: issue.message,
  }));
  const summary = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
  return new HttpError(400, 'validation_failed', summary, problems);
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
