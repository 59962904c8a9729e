import { allHandlersFinished, condition, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';
import type { LeadState } from '../domain/lead-state';
import type { Reoffer } from '../domain/returns';
import { finalState } from './lead';
import { LeadProgress } from './lead-progress';
import { leadStateQuery, respondUpdate } from './messages';
import { offer } from './offer';
import { offerInTurn } from './offer-in-turn';

const { judgeReoffer } = proxyActivities<LeadActivities>({ startToCloseTimeout: '60 seconds', retry: { maximumInterval: '30 seconds' } });
const { recordLeadEvent } = proxyLocalActivities<LeadActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * reoffer-<leadId>-<n>: a returned lead, judged afresh, offered in turn (reserved, delivered, charged
 * or released, as any offer) to the eligible partners that have not had it, until one takes it. Each
 * step goes to the lead's history; the lead's own status stays as its workflow left it.
 */
export async function reofferWorkflow(reoffer: Reoffer): Promise<LeadState> {
  const { leadId, n } = reoffer;
  const lead = new LeadProgress(leadId, {
    status: (status, reason, step) => recordLeadEvent(leadId, `reoffer:${n}:status:${step}`, {
      at: new Date().toISOString(), type: 'reoffer_status', summary: `re-offer ${n}: ${status}${reason ? ` (${reason})` : ''}`, detail: { status, reason },
    }),
  });
  setHandler(leadStateQuery, () => lead.state);
  // A partner answering within the acceptance window hears "accepted" once the charge has landed, as on a first offer.
  setHandler(respondUpdate, (answer) => lead.respond(answer), { validator: (answer) => lead.validateAnswer(answer) });

  const judgement = await judgeReoffer(reoffer);
  if (judgement.plan.candidates.length === 0) {
    await lead.setStatus('no_eligible_partner', 'no eligible partner that has not had the lead');
  } else {
    await offerInTurn(judgement.plan, (candidate) => offer(lead, judgement, candidate));
    await lead.setStatus(...finalState(lead.state));
  }
  await condition(allHandlersFinished);
  return lead.state;
}
