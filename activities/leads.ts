import type { Sql } from '../db/client';
import type { LeadStatus } from '../domain/lead-state';
import { getLead, updateLeadStatus } from '../db/leads';
import { ApplicationFailure } from '@temporalio/common';

export interface LeadSnapshot { id: string; leadType: string; fields: Record<string, unknown> }

export function leadActivities(sql: Sql) {
  return {
    async loadLead(leadId: string): Promise<LeadSnapshot> {
      const lead = await getLead(sql, leadId);
      if (!lead) throw ApplicationFailure.nonRetryable(`lead ${leadId} does not exist`, 'LeadNotFound');
      return { id: lead.id, leadType: lead.leadType, fields: lead.fields };
    },
    async recordLeadStatus(leadId: string, status: LeadStatus, reason?: string): Promise<void> {
      await updateLeadStatus(sql, leadId, status, reason);
    },
  };
}
