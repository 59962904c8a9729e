import { defineQuery } from '@temporalio/workflow';
import type { LeadState } from '../domain/lead-state';

export const leadStateQuery = defineQuery<LeadState>('leadState');
