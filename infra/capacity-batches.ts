import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { MAX_CAPACITY_BATCH, type CapacityOp, type CapacityOpResult } from '../workflows/partner-messages';

interface Waiting { op: CapacityOp; resolve: (result: unknown) => void; reject: (err: unknown) => void }
interface Lane { queue: Waiting[]; inFlight: number }

/**
 * Reserves, commits and releases for one partner that race each other in this process share Updates:
 * at most `inFlight` are on their way to partner-<id>, and whatever arrives meanwhile waits for the
 * next, then goes as one batch. A lone caller is sent at once, so batching costs nothing when quiet.
 *
 * Safe because the workflow still decides each operation by itself, in order, in one synchronous pass,
 * and each is idempotent by its reservation id: a batch whose answer is lost fails every caller in it,
 * and their retries find the holds and charges already made.
 */
export function capacityBatches(send: (partnerId: string, ops: CapacityOp[]) => Promise<CapacityOpResult[]>, inFlight = 2) {
  const lanes = new Map<string, Lane>();

  const flush = (partnerId: string, lane: Lane) => {
    while (lane.inFlight < inFlight && lane.queue.length > 0) {
      const batch = lane.queue.splice(0, MAX_CAPACITY_BATCH);
      lane.inFlight++;
      send(partnerId, batch.map((w) => w.op))
        .then(
          (results) => batch.forEach((w, i) => settle(w, results[i])),
          (err) => batch.forEach((w) => w.reject(err)),
        )
        .finally(() => {
          lane.inFlight--;
          if (lane.inFlight === 0 && lane.queue.length === 0) lanes.delete(partnerId);
          else flush(partnerId, lane);
        });
    }
  };

  return <T>(partnerId: string, op: CapacityOp): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let lane = lanes.get(partnerId);
      if (!lane) lanes.set(partnerId, (lane = { queue: [], inFlight: 0 }));
      lane.queue.push({ op, resolve: resolve as (result: unknown) => void, reject });
      flush(partnerId, lane);
    });
}

/**
 * A lead's webhook waits on its reserve, while nothing waits on a commit or release but the end of its lead:
 * settlements travel in a lane of their own, one batch at a time, and never keep a reserve waiting behind them.
 * A settlement always follows the answer to its own reserve, so the lanes need no order between them.
 */
export function capacityLanes(send: (partnerId: string, ops: CapacityOp[]) => Promise<CapacityOpResult[]>) {
  return { reserves: capacityBatches(send), settlements: capacityBatches(send, 1) };
}

/** A refused operation fails as a refused lone update would, so callers handle both alike. */
function settle(w: Waiting, result: CapacityOpResult | undefined) {
  if (result && 'ok' in result) w.resolve(result.ok ?? undefined);
  else w.reject(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message: result?.refused ?? 'no answer for this operation', nonRetryable: true })));
}
