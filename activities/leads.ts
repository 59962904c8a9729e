import type { Sql } from '../db/client';
import type { LeadStatus } from '../domain/lead-state';
import { updateLeadStatus } from '../db/leads';

export function leadActivities(sql: Sql) {
  return {
    /** Keeps the reporting projection in step with the workflow; idempotent, so retries are harmless. */
    async recordLeadStatus(leadId: string, status: LeadStatus, reason?: string): Promise<void> {
      await updateLeadStatus(sql, leadId, status, reason);
    },
  };
}
