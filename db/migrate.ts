import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Sql } from './client';

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK = 7_201_511;

export interface AppliedMigration { name: string; checksum: string }

/**
 * Applies forward-only SQL migrations (db/migrations/NNNN_name.sql) in name order, all in one
 * transaction under an advisory lock, so the API and the worker can start side by side and a
 * failed migration leaves nothing half-applied. A migration edited after it was applied is refused.
 */
export async function migrate(sql: Sql): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`create table if not exists schema_migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`;
    const done = new Map<string, string>();
    for (const row of await tx<AppliedMigration[]>`select name, checksum from schema_migrations`) done.set(row.name, row.checksum);
    const applied: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      const checksum = createHash('sha256').update(text).digest('hex');
      const seen = done.get(file);
      if (seen === checksum) continue;
      if (seen) throw new Error(`Migration ${file} changed after it was applied; add a new migration instead`);
      await tx.unsafe(text);
      await tx`insert into schema_migrations (name, checksum) values (${file}, ${checksum})`;
      applied.push(file);
    }
    return applied;
  });
}
