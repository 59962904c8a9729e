import type { temporal } from '@temporalio/proto';
import { arrayFromPayloads, defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToDate } from '@temporalio/common/lib/time';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

export interface AuditEntry {
  eventId: number;
  at: string;
  type: string;
  summary: string;
  detail?: unknown;
}

const decode = (payloads: Payloads): unknown[] => arrayFromPayloads(defaultPayloadConverter, payloads?.payloads ?? []);
const first = (payloads: Payloads): unknown => decode(payloads)[0];

/**
 * Reads a lead workflow's history as the audit trail an operator asks about: the eligibility of
 * every partner with every criterion, reservations, each delivery attempt with its request and
 * response, the partner's answer, the price, and how the lead ended.
 */
export function narrateHistory(events: HistoryEvent[]): AuditEntry[] {
  const scheduled = new Map<string, { activity: string; args: any[] }>();
  const names = new Map<string, string>();
  const entries: AuditEntry[] = [];
  for (const event of events) {
    const eventId = Number(event.eventId);
    const at = optionalTsToDate(event.eventTime)?.toISOString() ?? '';
    const add = (type: string, summary: string, detail?: unknown) => entries.push({ eventId, at, type, summary, ...(detail === undefined ? {} : { detail }) });

    if (event.workflowExecutionStartedEventAttributes) {
      add('lead_received', 'lead workflow started', first(event.workflowExecutionStartedEventAttributes.input));
    } else if (event.activityTaskScheduledEventAttributes) {
      const a = event.activityTaskScheduledEventAttributes;
      scheduled.set(String(eventId), { activity: a.activityType?.name ?? '?', args: decode(a.input) });
    } else if (event.activityTaskCompletedEventAttributes) {
      const a = event.activityTaskCompletedEventAttributes;
      const task = scheduled.get(String(a.scheduledEventId));
      if (task) narrateActivity(task.activity, task.args, first(a.result), names, add);
    } else if (event.activityTaskFailedEventAttributes || event.activityTaskTimedOutEventAttributes) {
      const a = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes!;
      const task = scheduled.get(String(a.scheduledEventId));
      add('step_failed', `${task?.activity ?? 'activity'} failed: ${a.failure?.message ?? 'timed out'}`, { input: task?.args });
    } else if (event.timerStartedEventAttributes) {
      const seconds = Number(event.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0);
      add('waiting', `waiting up to ${seconds} s`);
    } else if (event.timerFiredEventAttributes) {
      add('wait_over', 'timer fired');
    } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
      const request = event.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input;
      const input = first(request?.args) as Record<string, unknown> | undefined;
      const name = request?.name ?? 'update';
      const summary = name === 'respond' ? `partner ${input?.partnerId} answered: ${input?.decision}${input?.reason ? ` (${input.reason})` : ''}` : name === 'refer' ? `referred by ${input?.referredBy}${input?.partnerId ? ` to partner ${input.partnerId}` : ''}` : name;
      add(name === 'respond' ? 'partner_answered' : name === 'refer' ? 'referred' : name, summary, input);
    } else if (event.workflowExecutionCompletedEventAttributes) {
      const result = first(event.workflowExecutionCompletedEventAttributes.result) as { status?: string; reason?: string } | undefined;
      add('lead_finished', `final state: ${result?.status}${result?.reason ? ` (${result.reason})` : ''}`, result);
    } else if (event.workflowExecutionFailedEventAttributes) {
      add('lead_failed', `workflow failed: ${event.workflowExecutionFailedEventAttributes.failure?.message}`);
    } else if (event.workflowExecutionTerminatedEventAttributes) {
      add('lead_terminated', `workflow terminated: ${event.workflowExecutionTerminatedEventAttributes.reason ?? ''}`);
    }
  }
  return entries;
}

function narrateActivity(activity: string, args: any[], result: any, names: Map<string, string>, add: (type: string, summary: string, detail?: unknown) => void): void {
  const input = args[0];
  const partner = (id: string) => names.get(id) ?? `partner ${id}`;
  switch (activity) {
    case 'snapshotRouting': {
      for (const profile of result.eligibility.profiles) for (const a of profile.assignments) names.set(a.partnerId, a.partnerName);
      const plan = result.plan as { strategy: string; target: number; candidates: { partnerName: string }[] };
      add('eligibility_evaluated', `${plan.candidates.length} eligible partner(s) (${plan.candidates.map((c) => c.partnerName).join(', ') || 'none'}); strategy ${plan.strategy}, up to ${plan.target}; referral method ${result.referralMethod}`, {
        evaluatedAt: result.evaluatedAt,
        eligibility: result.eligibility,
        plan: result.plan,
      });
      break;
    }
    case 'reserveCapacity':
      if (result.granted) add('capacity_reserved', `capacity reserved with ${partner(input.partnerId)} until ${result.expiresAt}`, { request: input, result });
      else add('capacity_denied', `${partner(input.partnerId)} refused capacity: ${result.reason}${result.window ? ` (${result.window})` : ''}: ${result.detail}`, { request: input, result });
      break;
    case 'deliverLead':
      add('delivery_attempt', `attempt ${input.attempt} to ${partner(input.partnerId)} by ${result.channel}: ${result.ok ? `delivered${result.response?.status ? ` (HTTP ${result.response.status})` : ''}` : `failed (${result.error})`}`, result);
      break;
    case 'settleDelivery': {
      const { outcome, reason } = result as { outcome: string; reason?: string };
      add(`delivery_${outcome}`, `${partner(input.partnerId)}: ${outcome}${reason ? ` (${reason})` : ''}; price ${input.priceMinor} (minor units)${outcome === 'accepted' ? ' charged' : ' not charged'}`, { ...input, outcome, reason });
      break;
    }
    case 'recordLeadStatus':
      add('status_recorded', `status ${args[1]}${args[2] ? ` (${args[2]})` : ''} recorded for reporting`);
      break;
    default:
      add(activity, `${activity} completed`, { input, result });
  }
}
