import { allHandlersFinished, condition, ParentClosePolicy, patched, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import { reofferWorkflowId, type ReturnDecision, type ReturnStatus } from '../domain/returns';
import { reofferWorkflow } from './reoffer';
import { decideReturnUpdate } from './return-messages';

const { creditReturn, recordReturnDecision, tellPartnerOfReturnDecision, issueReturnCreditNote, storeInvoicePdf, emailInvoice, reofferFor } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '1 minute' },
});

export interface LeadReturnInput {
  returnId: string;
  /** The policy approved it on request: no operator needed. */
  autoApprove: boolean;
  /** ISO time after which an undecided return expires. */
  decideBy: string;
}

/** Returns approved before this marker never offered their lead again. */
export const REOFFER_PATCH = 'return-reoffer-v1';

const AUTO: ReturnDecision = { approve: true, by: 'auto', note: "within the partner's auto-approve rules" };
const DEADLINE: ReturnDecision = { approve: false, by: 'deadline', note: 'no decision was made before the deadline' };

function invalid(message: string): never {
  throw new Error(message);
}

/** return-<id>: approved at once or by an operator before its deadline, then credited (with a credit note if invoiced); otherwise denied. */
export async function leadReturnWorkflow({ returnId, autoApprove, decideBy }: LeadReturnInput): Promise<ReturnStatus> {
  let decision: ReturnDecision | null = autoApprove ? AUTO : null;
  let status: ReturnStatus = 'pending';

  setHandler(decideReturnUpdate, async (d) => {
    decision ??= d;
    await condition(() => status !== 'pending');
    return status;
  }, {
    validator: (d) => {
      if (decision) invalid(`return ${returnId} is already decided`);
      if (typeof d?.approve !== 'boolean') invalid('approve must be true or false');
      if (typeof d.by !== 'string' || typeof d.note !== 'string') invalid('by and note must be strings');
    },
  });

  const decided = await condition(() => decision !== null, Math.max(0, Date.parse(decideBy) - Date.now()));
  const final = decision ?? DEADLINE;
  if (final.approve) {
    await approve(returnId, final);
    status = 'approved';
  } else {
    const outcome = decided ? 'denied' : 'expired';
    await recordReturnDecision(returnId, outcome, final.by, final.note);
    status = outcome;
    await tellPartnerOfReturnDecision(returnId);
  }
  await condition(allHandlersFinished);
  return status;
}

/** The credit lands on the statement first; the decision is recorded once it has, then the lead is offered again. */
async function approve(returnId: string, decision: ReturnDecision): Promise<void> {
  await creditReturn(returnId);
  await recordReturnDecision(returnId, 'approved', decision.by, decision.note);
  if (patched(REOFFER_PATCH)) await reofferReturnedLead(returnId);
  const creditNoteId = await issueReturnCreditNote(returnId);
  if (!creditNoteId) return;
  await storeInvoicePdf(creditNoteId);
  await emailInvoice(creditNoteId);
}

/** Per the lead type: the lead goes to the next partner in a workflow of its own, which outlives this return's. */
async function reofferReturnedLead(returnId: string): Promise<void> {
  const reoffer = await reofferFor(returnId);
  if (!reoffer) return;
  await startChild(reofferWorkflow, { workflowId: reofferWorkflowId(reoffer), args: [reoffer], parentClosePolicy: ParentClosePolicy.ABANDON });
}
