import type { Sql } from './client';

/**
 * Runs `fn` in one transaction. Query helpers take `Sql`; a transaction handle runs the same
 * queries but lacks the pool-level methods, hence the single cast here rather than at every call.
 */
export async function inTransaction<T>(sql: Sql, fn: (tx: Sql) => Promise<T>, options?: string): Promise<T> {
  const run = (tx: unknown) => fn(tx as Sql);
  return (options ? sql.begin(options, run) : sql.begin(run)) as Promise<T>;
}
