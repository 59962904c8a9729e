import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Sql } from './client';

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK = 7_201_511;

export interface AppliedMigration { name: string; checksum: string }

/**
 * Applies forward-only SQL migrations (db/migrations/NNNN_name.sql) in name order, each in its
 * own transaction, under an advisory lock so the API and the worker can start side by side.
 * A migration that was edited after being applied is refused rather than silently skipped.
 */
export async function migrate(sql: Sql): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      await conn`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await conn`create table if not exists schema_migrations (
        name text primary key, checksum text not null, applied_at timestamptz not null default now())`;
      const done = new Map<string, string>();
      for (const row of await conn<AppliedMigration[]>`select name, checksum from schema_migrations`) {
        done.set(row.name, row.checksum);
      }
      for (const file of files) {
        const text = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
        const checksum = createHash('sha256').update(text).digest('hex');
        const seen = done.get(file);
        if (seen === checksum) continue;
        if (seen) throw new Error(`Migration ${file} changed after it was applied; add a new migration instead`);
        await conn.begin(async (tx) => {
          await tx.unsafe(text);
          await tx`insert into schema_migrations (name, checksum) values (${file}, ${checksum})`;
        });
        applied.push(file);
      }
    } finally {
      await conn`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
      conn.release();
    }
  });
  return applied;
}
