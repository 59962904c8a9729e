import { randomUUID } from 'node:crypto';
import { useLeadStack } from '../helpers/lead-stack';
import { insertLead } from '../../db/leads';
import { configureDistribution } from '../helpers/distribution';

// Temporal's server is what a lead costs most on: each history event is a write, each activity a
// round trip. The lead path must cost it no more than a bare workflow of five activities, the shape
// the benchmark compares it with (35 events: start, five activities with their tasks, completion).
const BASELINE_EVENTS = 35;

describe('what one lead costs Temporal', () => {
  const stack = useLeadStack('history-size');

  it('delivers an immediate lead to one partner in one workflow task: no activity task, three local activities, no change markers', async () => {
    const { api } = stack;
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: (await stack.receiver('accept')).url, priority: 1 }] });
    const created = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'N1' } } });
    const handle = api.temporal.workflow.getHandle(`lead-${created.body.id}`);
    expect((await handle.result()).status).toBe('delivered');

    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.length).toBeLessThanOrEqual(BASELINE_EVENTS);
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    // Judging (which also records `delivering`), the offer (hold, webhook, charge) and the final status; a lead
    // started today has every change in place from its start, so it records no patch marker, nor the
    // search-attribute upsert each one brings.
    const markers = events.flatMap((e) => (e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes.markerName] : []));
    expect(markers).toEqual(['core_local_activity', 'core_local_activity', 'core_local_activity']);
    // Its partner's workflow runs on the partners' own queue, whose slots no lead waiting on it can hold.
    expect((await api.temporal.workflow.getHandle(`partner-${d.partners.buyer!.id}`).describe()).taskQueue).toBe(`${stack.taskQueue}-partners`);
    const [row] = await api.sql`select status from deliveries where lead_id = ${created.body.id}`;
    expect(row).toEqual({ status: 'accepted' });
    // The audit trail still tells every step: judged, then delivering, then the delivery and the end.
    const trail = (await api.request('GET', `/leads/${created.body.id}/history`)).body.entries.map((e: { type: string; summary: string }) => (e.type === 'status_changed' ? e.summary : e.type));
    expect(trail.slice(trail.indexOf('eligibility_evaluated'), trail.indexOf('eligibility_evaluated') + 2)).toEqual(['eligibility_evaluated', 'status: delivering']);
    expect(trail).toEqual(expect.arrayContaining(['capacity_reserved', 'delivery_attempt', 'lead_finished']));
  });

  it('still runs leads started as leadWorkflow and leadWorkflowV3 (by APIs from before) beside V4 leads, each marking the changes it was not started with', async () => {
    const { api } = stack;
    const d = await configureDistribution(api, { partners: [{ name: 'buyer', webhookUrl: (await stack.receiver('accept')).url, priority: 1 }] });
    const startAsBefore = async (type: string) => {
      const id = randomUUID();
      await insertLead(api.sql, { id, leadType: d.leadTypeName, leadTypeId: d.leadTypeId, fields: { name: 'Ada', postcode: 'N1' }, source: 'api', submittedBy: type, fingerprint: id });
      return api.temporal.workflow.start(type, { taskQueue: stack.taskQueue, workflowId: `lead-${id}`, args: [{ leadId: id }] });
    };
    const [v1, v3] = [await startAsBefore('leadWorkflow'), await startAsBefore('leadWorkflowV3')];
    const now = await api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Bo', postcode: 'N2' } } });
    const current = api.temporal.workflow.getHandle(`lead-${now.body.id}`);
    expect([(await v1.result()).status, (await v3.result()).status, (await current.result()).status]).toEqual(['delivered', 'delivered', 'delivered']);

    const patches = async (handle: typeof current) => ((await handle.fetchHistory()).events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length;
    expect(await patches(v1)).toBeGreaterThanOrEqual(3);
    // A V3 lead started now takes its offer in the workflow task too, and says so in its history.
    expect(await patches(v3)).toBe(1);
    expect(((await v3.fetchHistory()).events ?? []).filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
    expect(await patches(current)).toBe(0);
  });
});
