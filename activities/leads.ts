import type { Sql } from '../db/client';
import { isFinal, type LeadStatus } from '../domain/lead-state';
import { appendAudit, type AuditEntry } from '../db/audit';
import type { Metrics } from '../infra/metrics';
import { updateLeadStatus } from '../db/leads';

/**
 * The lead's status in the reporting projection and its audit trail, in one round trip; `step` numbers
 * the workflow's status changes, so a retry writes nothing twice. True when the audit entry is new.
 */
export async function writeLeadStatus(sql: Sql, leadId: string, status: LeadStatus, reason: string | undefined, step: number | undefined): Promise<boolean> {
  const [, written] = await Promise.all([
    updateLeadStatus(sql, leadId, status, reason),
    appendAudit(sql, leadId, `status:${step ?? status}`, {
      at: new Date().toISOString(),
      type: isFinal(status) ? 'lead_finished' : 'status_changed',
      summary: `${isFinal(status) ? 'final state' : 'status'}: ${status}${reason ? ` (${reason})` : ''}`,
      detail: { status, reason },
    }),
  ]);
  return written;
}

export function leadActivities(sql: Sql, metrics: Metrics) {
  return {
    /** Keeps the reporting projection and the audit trail in step with the workflow as it happens. */
    async recordLeadStatus(leadId: string, status: LeadStatus, reason?: string, step?: number): Promise<void> {
      const written = await writeLeadStatus(sql, leadId, status, reason, step);
      if (written && isFinal(status)) metrics.leadsFinal.inc({ status });
    },

    /** What the workflow decided by itself (a referral judged, an answer, a cancellation), in the audit trail. */
    async recordLeadEvent(leadId: string, key: string, entry: AuditEntry): Promise<void> {
      await appendAudit(sql, leadId, key, entry);
    },
  };
}
