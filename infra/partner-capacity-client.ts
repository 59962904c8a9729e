import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { CapacityConfig, CapacityQuestion, PartnerStart } from '../domain/capacity';
import type { partnerWorkflow } from '../workflows/partner';
import {
  addChargeUpdate, addCreditUpdate, addPaymentUpdate, assessQuery, capacityBatchUpdate, capacityQuery, configChangedSignal, partnerTaskQueue, partnerWorkflowId,
  setPausedUpdate, type ChargeRequest, type CommitRequest, type CommitResult, type CreditRequest, type PaymentRequest, type ReleaseRequest, type SetPausedRequest,
} from '../workflows/partner-messages';
import type { ReserveRequest, ReserveResult } from '../domain/reservations';
import { capacityLanes } from './capacity-batches';
import { askWorkflow } from './workflow-reads';

const grpcCode = (e: unknown) => (e as { code?: number } | undefined)?.code;

export type PartnerCapacityClient = ReturnType<typeof partnerCapacityClient>;

/**
 * Talks to partner-<id> from outside: every update starts the workflow on first use
 * (update-with-start), so no partner needs its workflow created in advance. Reserves that race each
 * other travel in shared batches, and so do commits and releases (capacity-batches.ts); make one client
 * per process and task queue so they can.
 */
export function partnerCapacityClient(client: Client, taskQueue: string, startWith?: (partnerId: string) => Promise<PartnerStart | null>) {
  // A workflow started with its configuration and ledger answers at once, and a new run after a lost
  // one carries on where PostgreSQL's ledger stands. One started without loads its configuration by
  // an activity, which can't find a slot while every slot holds a reserve waiting on this very workflow.
  const withStart = async <Ret, Arg>(partnerId: string, def: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> => {
    const start = startWith ? await startWith(partnerId) : null;
    return client.workflow.executeUpdateWithStart(def, {
      args: [arg],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof partnerWorkflow>('partnerWorkflow', {
        workflowId: partnerWorkflowId(partnerId),
        taskQueue: partnerTaskQueue(taskQueue),
        args: [{ partnerId, ownQueue: true, ...(start ?? {}) }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  };
  /** A running workflow takes the update straight away; only one that isn't running costs reading its start from PostgreSQL. */
  const update = async <Ret, Arg>(partnerId: string, def: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> => {
    if (!startWith) return withStart(partnerId, def, arg);
    try {
      return await handle(partnerId).executeUpdate(def, { args: [arg] });
    } catch (err) {
      const notRunning = err instanceof WorkflowNotFoundError || grpcCode(err) === 5 || grpcCode((err as Error).cause) === 5;
      if (!notRunning) throw err;
      return withStart(partnerId, def, arg);
    }
  };
  const { reserves, settlements } = capacityLanes((partnerId, ops) => update(partnerId, capacityBatchUpdate, ops));
  const handle = (partnerId: string) => client.workflow.getHandle(partnerWorkflowId(partnerId));
  /** Null when the partner's workflow has never run, or can't answer soon: callers then judge from the ledger. */
  const ifRunning = async <T>(work: () => Promise<T>): Promise<T | null> => (await askWorkflow(client, work)) ?? null;
  /** A running workflow takes the new config now; one not yet started loads it when it starts. */
  const signalIfRunning = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  };

  return {
    reserve: (req: ReserveRequest) => reserves<ReserveResult>(req.partnerId, { reserve: req }),
    commit: (req: CommitRequest) => settlements<CommitResult>(req.partnerId, { commit: req }),
    release: (req: ReleaseRequest) => settlements<void>(req.partnerId, { release: req }),
    setPaused: (partnerId: string, req: SetPausedRequest) => update(partnerId, setPausedUpdate, req),
    addPayment: (partnerId: string, req: PaymentRequest) => update(partnerId, addPaymentUpdate, req),
    addCredit: (partnerId: string, req: CreditRequest) => update(partnerId, addCreditUpdate, req),
    addCharge: (partnerId: string, req: ChargeRequest) => update(partnerId, addChargeUpdate, req),
    state: (partnerId: string, at?: Date) => ifRunning(() => handle(partnerId).query(capacityQuery, at?.toISOString())),
    assess: (partnerId: string, question: CapacityQuestion, at?: Date) => ifRunning(() => handle(partnerId).query(assessQuery, question, at?.toISOString())),
    configChanged: (partnerId: string, config: CapacityConfig) => signalIfRunning(() => handle(partnerId).signal(configChangedSignal, config)),
  };
}
