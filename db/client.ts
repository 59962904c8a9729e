import postgres from 'postgres';

export type Sql = postgres.Sql;

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
