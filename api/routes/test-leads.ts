import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { requestFingerprint, startLeadWorkflow } from '../lead-intake';
import { parseLeadFields } from '../schemas/lead-fields';
import { idParams } from '../schemas/common';
import { appendAudit } from '../../db/audit';
import { getLeadType } from '../../db/lead-types';
import { insertLead } from '../../db/leads';
import { getProfile } from '../../db/profiles';
import { leadWorkflowId } from '../../domain/ids';
import type { FieldDef } from '../../domain/lead-type-fields';

const testLeadBody = z
  .strictObject({ fields: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Values to send; every field left out gets a sample value' }) })
  .meta({ id: 'TestLead' });

/** A plausible value for each field, so an operator can send a test lead without typing one. */
const sample = (f: FieldDef): unknown => {
  switch (f.type) {
    case 'string': return `Test ${f.name}`;
    case 'number': return 1;
    case 'boolean': return true;
    case 'date': return new Date().toISOString().slice(0, 10);
    case 'enum': return f.values?.[0];
  }
};

/**
 * Leadflip's "send a test lead through a profile": an operator checks a partner's integration with
 * a lead delivered for real, marked `test` in the payload and the history, never charged and never
 * counted against caps or credit.
 */
export function testLeadRoutes({ sql, temporal, taskQueue, sealer }: AppDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/profiles/:id/test-lead',
      summary: "Send a test lead through a profile: real delivery to its partners, no charge, no cap use",
      tags: ['profiles'],
      auth: ['operator'],
      params: idParams('profile'),
      body: testLeadBody,
      status: 202,
      responses: { 202: { description: 'Sent; follow it at GET /leads/{id}', schema: z.object({ id: z.uuid(), workflowId: z.string() }) }, 404: { description: 'No such profile' } },
      handler: async ({ params, body, principal }) => {
        const profile = await getProfile(sql, params.id);
        const leadType = profile && (await getLeadType(sql, profile.leadTypeId));
        if (!profile || !leadType) throw notFound(`profile ${params.id}`);
        const samples = Object.fromEntries(leadType.fields.map((f) => [f.name, sample(f)]).filter(([, v]) => v !== undefined));
        const fields = parseLeadFields(leadType.fields, { ...samples, ...body.fields });
        const submittedBy = `${principal!.role}:${principal!.keyId}`;
        const inserted = await insertLead(sql, {
          id: randomUUID(), leadType: leadType.name, leadTypeId: leadType.id, fields: sealer.sealFields(leadType.fields, fields), source: 'test', submittedBy,
          fingerprint: requestFingerprint(leadType.name, fields), testProfileId: profile.id,
        });
        if (!('lead' in inserted)) throw new Error('a test lead has no idempotency key to clash on');
        const { lead } = inserted;
        await appendAudit(sql, lead.id, 'received', { at: lead.createdAt.toISOString(), type: 'lead_received', summary: `test lead sent through profile ${profile.name} by ${submittedBy}`, detail: { test: true, profileId: profile.id } });
        await startLeadWorkflow(temporal, taskQueue, lead);
        return { id: lead.id, workflowId: leadWorkflowId(lead.id) };
      },
    }),
  ];
}
