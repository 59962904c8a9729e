import postgres from 'postgres';
import type { PostgresService } from '../../scripts/lib/services';

/** With an existing server named by DATABASE_URL, each test run gets a database of its own, dropped afterwards. */
export async function freshDatabase(serverUrl: string): Promise<PostgresService> {
  const name = `leadrelay_test_${Date.now()}_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    url: url.toString(),
    async stop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
