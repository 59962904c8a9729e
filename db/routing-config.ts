import type { Sql } from './client';
import type { RoutingConfig } from '../domain/config';
import { readSnapshot } from './transaction';
import { selectLeadTypeByName, toLeadType } from './lead-types';
import { selectProfiles, toProfile } from './profiles';
import { selectAssignments, toAssignment } from './assignments';
import { partnerColumns, toPartner, type PartnerRow } from './partners';
import { selectCircuits, toCircuits } from './circuits';

/**
 * The lead type, its enabled profiles, their assignments (best priority first) and partners, as
 * plain JSON: what a lead workflow snapshots and decides on. Undefined for an unknown lead type.
 * Read in one repeatable-read snapshot, so it is consistent, and in one round trip: each read names
 * the rows it needs by subquery on the lead type's name.
 */
export async function loadRoutingConfig(sql: Sql, leadTypeName: string): Promise<RoutingConfig | undefined> {
  const [[leadTypeRow], profileRows, assignmentRows, partnerRows, circuitRows] = await readSnapshot(sql, (tx) => {
    const leadTypeId = tx`(select id from lead_types where lower(name) = lower(${leadTypeName}))`;
    const profileIds = tx`(select id from distribution_profiles where lead_type_id = ${leadTypeId} and enabled)`;
    const partnerIds = tx`(select partner_id from assignments where profile_id in ${profileIds})`;
    return [
      selectLeadTypeByName(tx, leadTypeName),
      selectProfiles(tx, { leadTypeId }),
      selectAssignments(tx, { profileIds }),
      tx<PartnerRow[]>`select ${partnerColumns(tx)} from partners where id in ${partnerIds}`,
      selectCircuits(tx, partnerIds),
    ] as const;
  });
  if (!leadTypeRow) return undefined;
  const { createdAt: _c, updatedAt: _u, ...leadType } = toLeadType(leadTypeRow);
  const profiles = profileRows.map(toProfile).filter((p) => p.enabled);
  const assignments = assignmentRows.map(toAssignment);
  const circuits = toCircuits(circuitRows);
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
}
