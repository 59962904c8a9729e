import type { Sql } from '../db/client';
import { leadActivities } from './leads';

export interface ActivityDeps { sql: Sql }

export function createActivities(deps: ActivityDeps) {
  return { ...leadActivities(deps.sql) };
}

export type LeadActivities = ReturnType<typeof createActivities>;
