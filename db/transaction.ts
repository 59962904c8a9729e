import type { Fragment, Sql } from './client';

/**
 * Runs `fn` in one transaction. Query helpers take `Sql`; a transaction handle runs the same
 * queries but lacks the pool-level methods, hence the single cast here rather than at every call.
 */
export async function inTransaction<T>(sql: Sql, fn: (tx: Sql) => Promise<T>, options?: string): Promise<T> {
  const run = (tx: unknown) => fn(tx as Sql);
  return (options ? sql.begin(options, run) : sql.begin(run)) as Promise<T>;
}

/**
 * Reads in one repeatable-read snapshot, sent at once: `begin`, the reads and `commit` leave in one write and come
 * back in one round trip, where a transaction awaits each statement in turn. So no read may need another's result:
 * a read that depends on another takes it as a subquery (see idIn). The reads are given unsent, and sent here in
 * order between `begin` and `commit`.
 */
export async function readSnapshot<Q extends readonly Fragment[]>(
  sql: Sql, reads: (tx: Sql) => readonly [...Q],
): Promise<{ -readonly [K in keyof Q]: Awaited<Q[K]> }> {
  const tx = await sql.reserve();
  try {
    const sent = [tx`begin isolation level repeatable read read only`, ...reads(tx as unknown as Sql), tx`commit`].map((q) => q.execute());
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    // A failed read aborts the transaction and the commit then rolls it back: the connection goes back clean.
    if (failed) throw failed.reason;
    return settled.slice(1, -1).map((s) => (s as PromiseFulfilledResult<unknown>).value) as never;
  } finally {
    tx.release();
  }
}
