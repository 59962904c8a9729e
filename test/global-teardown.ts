import fs from 'node:fs';
import { stopAll } from '../scripts/lib/services';
import type { TestRun } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const run = (globalThis as { __leadrelay?: TestRun }).__leadrelay;
  if (!run) return;
  await Promise.allSettled([run.temporal.teardown(), stopAll(run.services)]);
  fs.rmSync(run.dir, { recursive: true, force: true });
}
