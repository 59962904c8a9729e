import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { LeadState } from '../domain/lead-state';
import { leadStateQuery } from './messages';

const { loadLead, recordLeadStatus } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});

export interface LeadWorkflowInput { leadId: string }

export async function leadWorkflow({ leadId }: LeadWorkflowInput): Promise<LeadState> {
  const state: LeadState = { leadId, status: 'received' };
  setHandler(leadStateQuery, () => state);

  const lead = await loadLead(leadId);
  state.status = 'routing';
  await recordLeadStatus(leadId, state.status);

  // Routing to partners grows here; with no partners configured nothing is eligible.
  state.status = 'no_eligible_partner';
  state.reason = `no distribution profile routes lead type ${lead.leadType}`;
  await recordLeadStatus(leadId, state.status, state.reason);
  return state;
}
