import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from './api';
import { startWorker, type RunningWorker } from './worker';
import { startReceiver, type Behaviour, type Receiver } from './webhook-receiver';

export interface LeadStack {
  api: TestApi;
  taskQueue: string;
  worker: RunningWorker;
  /** A partner endpoint that closes with the suite. */
  receiver(behaviour: Behaviour): Promise<Receiver>;
}

/** The API and a worker on a task queue of the suite's own, started before its tests and stopped after. */
export function useLeadStack(name: string): LeadStack {
  const taskQueue = `${name}-${randomUUID()}`;
  const receivers: Receiver[] = [];
  const stack = {
    taskQueue,
    async receiver(behaviour: Behaviour) {
      const r = await startReceiver(behaviour);
      receivers.push(r);
      return r;
    },
  } as LeadStack;
  beforeAll(async () => {
    stack.api = await startApi({ taskQueue });
    stack.worker = await startWorker(stack.api.sql, { taskQueue });
  });
  afterAll(async () => {
    await stack.worker.stop();
    await Promise.all(receivers.map((r) => r.close()));
    await stack.api.close();
  });
  return stack;
}
