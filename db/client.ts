import postgres from 'postgres';

export type Sql = postgres.Sql;
export type Fragment = postgres.Fragment;

/**
 * `column = any(ids)` for a list of ids, `column in (subquery)` for a subquery: a read whose ids come from another
 * read can then be sent beside it rather than after it.
 */
export const idIn = (sql: Sql, column: string, ids: string[] | Fragment) =>
  Array.isArray(ids) ? sql`${sql(column)} = any(${ids}::uuid[])` : sql`${sql(column)} in ${ids}`;

export class DatabaseUnreachableError extends Error {}

export function createSql(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: 10,
    transform: { undefined: null },
  });
}

/** Fails fast with a readable message instead of a driver stack trace when PostgreSQL can't be reached. */
export async function assertReachable(sql: Sql, url: string): Promise<void> {
  try {
    await sql`select 1`;
  } catch (err) {
    const where = redact(url);
    throw new DatabaseUnreachableError(`PostgreSQL at ${where} is unreachable: ${(err as Error).message}`);
  }
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
