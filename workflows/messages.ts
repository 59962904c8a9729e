import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Decision, LeadState } from '../domain/lead-state';

export const leadStateQuery = defineQuery<LeadState>('leadState');

export interface ReferInput { partnerId?: string; referredBy: string }
export interface ReferResult { partners: string[] }
/** An agent's manual referral; refused, with the reason, when the lead isn't waiting for one or the named partner isn't eligible. */
export const referUpdate = defineUpdate<ReferResult, [ReferInput]>('refer');

export interface RespondInput { partnerId: string; decision: Decision; reason?: string }
/** A partner's answer within the acceptance window; refused once the window has closed. */
export const respondUpdate = defineUpdate<{ status: string }, [RespondInput]>('respond');
