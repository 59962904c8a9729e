import { HttpError, type FieldProblem } from './http-error';

/** A 400 for problems only the server can see (lead-type fields, other rows), shaped like a zod failure. */
export function invalid(problems: FieldProblem[]): HttpError {
  return new HttpError(400, 'validation_failed', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

export const conflict = (message: string) => new HttpError(409, 'conflict', message);

const UNIQUE_VIOLATION = '23505';

/** Turns a unique-constraint failure into a 409, leaving every other error alone. */
export async function unique<T>(work: Promise<T>, message: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw conflict(message);
    throw err;
  }
}
