import { NativeConnection, Worker, bundleWorkflowCode, type State, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { failureConverterPath, workerDataConverter } from '../infra/payload-codec';
import { partnerTaskQueue } from '../workflows/partner-messages';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt workflow bundle; without one the workflows are bundled from source (a few seconds). */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The two workers of one task queue, run and stopped together. */
export interface LeadrelayWorker {
  taskQueue: string;
  run(): Promise<void>;
  shutdown(): void;
  getState(): State;
}

/**
 * A worker for the task queue, and one for its partners' queue (partnerTaskQueue): partner workflows
 * have workflow task slots of their own, which no number of leads waiting on their Updates can fill.
 * Both run every workflow and activity, one bundle between them.
 */
export async function createWorker({ connection, namespace, taskQueue, deps, workflowBundle }: CreateWorkerOptions): Promise<LeadrelayWorker> {
  const bundle = workflowBundle ?? { code: (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), failureConverterPath })).code };
  const activities = createActivities(deps);
  const dataConverter = workerDataConverter();
  const workers = await Promise.all([taskQueue, partnerTaskQueue(taskQueue)].map((queue) => Worker.create({
    connection, namespace, taskQueue: queue, activities, dataConverter, workflowBundle: bundle,
    // A lead's workflow task holds its slot while its first webhook is in flight: as many slots as the
    // activity slots those webhooks took before, so a slow partner leaves room for everything else as it did.
    ...(queue === taskQueue ? { maxConcurrentWorkflowTaskExecutions: 100 } : {}),
  })));
  const shutdown = () => { for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown(); };
  return {
    taskQueue,
    async run() {
      const runs = workers.map((w) => w.run());
      // One failing stops the other: half a worker would take leads it can't reserve for.
      await Promise.all(runs).catch(async (err) => { shutdown(); await Promise.allSettled(runs); throw err; });
    },
    shutdown,
    getState: () => workers[0]!.getState(),
  };
}
