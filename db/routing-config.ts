import type { Sql } from './client';
import type { RoutingConfig } from '../domain/config';
import { inTransaction } from './transaction';
import { getLeadTypeByName } from './lead-types';
import { listProfiles } from './profiles';
import { listAssignments } from './assignments';
import { partnerColumns, toPartner, type PartnerRow } from './partners';
import { getCircuits } from './circuits';

/**
 * The lead type, its enabled profiles, their assignments (best priority first) and partners, as
 * plain JSON: what a lead workflow snapshots and decides on. Undefined for an unknown lead type.
 * Read in one repeatable-read transaction so the snapshot is consistent.
 */
export async function loadRoutingConfig(sql: Sql, leadTypeName: string): Promise<RoutingConfig | undefined> {
  return inTransaction(
    sql,
    async (tx) => {
    const found = await getLeadTypeByName(tx, leadTypeName);
    if (!found) return undefined;
    const { createdAt: _c, updatedAt: _u, ...leadType } = found;
    const profiles = (await listProfiles(tx, { leadTypeId: leadType.id })).filter((p) => p.enabled);
    const assignments = await listAssignments(tx, { profileIds: profiles.map((p) => p.id) });
    const partnerIds = [...new Set(assignments.map((a) => a.partnerId))];
    // Pipelined on the transaction's connection: one round trip for both.
    const [partnerRows, circuits] = await Promise.all([
      tx<PartnerRow[]>`select ${partnerColumns(tx)} from partners where id = any(${partnerIds}::uuid[])`,
      getCircuits(tx, partnerIds),
    ]);
    const partners = new Map(partnerRows.map((r) => [r.id, toPartner(r)]));
    return {
      leadType,
      circuits: Object.fromEntries(circuits),
      profiles: profiles.map(({ createdAt: _pc, updatedAt: _pu, ...profile }) => ({
        ...profile,
        assignments: assignments
          .filter((a) => a.profileId === profile.id)
          .map(({ createdAt: _ac, updatedAt: _au, ...a }) => ({ ...a, partner: partners.get(a.partnerId) as RoutingConfig['profiles'][number]['assignments'][number]['partner'] })),
      })),
    };
    },
    'isolation level repeatable read read only',
  );
}
