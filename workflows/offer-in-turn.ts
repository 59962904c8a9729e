import { openOffers, type Candidate, type ReferralPlan } from '../domain/referral-plan';

/**
 * Offers the lead to candidates best first until `scope` partners have it: one offer open at a
 * time for first match (a waterfall), every candidate at once for send to all (up to the scope),
 * each refusal replaced by the next candidate. Resolves with how many partners took the lead.
 */
export async function offerInTurn(plan: ReferralPlan, offer: (c: Candidate) => Promise<boolean>): Promise<number> {
  const queue = [...plan.candidates];
  const open = new Set<Promise<void>>();
  const wanted = plan.scope ?? Infinity;
  const width = openOffers(plan);
  let accepted = 0;
  for (;;) {
    while (open.size < width && accepted + open.size < wanted && queue.length > 0) {
      const candidate = queue.shift()!;
      const running: Promise<void> = offer(candidate).then((ok) => {
        if (ok) accepted++;
        open.delete(running);
      });
      open.add(running);
    }
    if (open.size === 0) return accepted;
    try {
      await Promise.race(open);
    } catch (err) {
      // Cancelled: every open offer releases its hold before the lead moves on.
      await Promise.allSettled(open);
      throw err;
    }
  }
}
