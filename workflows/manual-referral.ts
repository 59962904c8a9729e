import { ApplicationFailure } from '@temporalio/workflow';
import type { LeadJudgement } from '../domain/lead-judgement';
import { namedPlan, type ReferralPlan } from '../domain/referral-plan';
import type { LeadProgress } from './lead-progress';
import type { ReferInput, ReferResult } from './messages';

const refused = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * An agent's referral of a lead that waits for one (FLG's manual referral). The lead is judged again
 * when the referral is made, so a partner that became eligible since can be chosen and one that
 * stopped being eligible can't; both judgements stay in the history and the audit trail.
 */
export class ManualReferral {
  /** The referral taken: what to offer, on the judgement it was made on. */
  taken: { plan: ReferralPlan; judgement: LeadJudgement } | undefined;
  private judging = false;

  constructor(
    private readonly lead: LeadProgress,
    private readonly scope: () => number | null,
    private readonly judge: (named: string[]) => Promise<LeadJudgement>,
  ) {}

  validate(input: ReferInput): void {
    if (this.lead.state.status !== 'awaiting_referral') throw refused('NotWaiting', `lead is not waiting for a referral (it is ${this.lead.state.status})`);
    if (this.taken || this.judging) throw refused('AlreadyReferred', 'lead has already been referred');
    const named = namedPartners(input);
    const scope = this.scope();
    if (scope !== null && named.length > scope) throw refused('OverScope', `a referral may name at most ${scope} partner(s), the lead's referral scope; it names ${named.length}`);
  }

  async refer(input: ReferInput): Promise<ReferResult> {
    this.judging = true;
    try {
      this.taken = await judgedReferral(this.judge, namedPartners(input));
      return { partners: this.taken.plan.candidates.map((c) => c.partnerName) };
    } finally {
      this.judging = false;
    }
  }
}

/** The lead judged again for a referral naming these partners (every eligible one when none): what to offer, or why not. */
export async function judgedReferral(judge: (named: string[]) => Promise<LeadJudgement>, named: string[]): Promise<{ plan: ReferralPlan; judgement: LeadJudgement }> {
  const judgement = await judge(named);
  const why = named.flatMap((id) => (judgement.named[id] ? [`partner ${id} is not eligible: ${judgement.named[id]}`] : []));
  if (why.length > 0) throw refused('NotEligible', why.join('; '));
  const candidates = named.length > 0 ? judgement.plan.candidates.filter((c) => named.includes(c.partnerId)) : judgement.plan.candidates;
  if (candidates.length === 0) throw refused('NotEligible', judgement.noCandidateReason ?? 'no partner is eligible for this lead');
  return { plan: named.length > 0 ? namedPlan(judgement.plan, candidates) : judgement.plan, judgement };
}

export const namedPartners = (input: ReferInput) => [...new Set([...(input.partnerId ? [input.partnerId] : []), ...(input.partnerIds ?? [])])];
