import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes that make every lead findable in the Temporal UI. */
export const LeadIdAttribute = defineSearchAttributeKey('LeadId', SearchAttributeType.KEYWORD);
export const LeadTypeAttribute = defineSearchAttributeKey('LeadType', SearchAttributeType.KEYWORD);
export const LeadStatusAttribute = defineSearchAttributeKey('LeadStatus', SearchAttributeType.KEYWORD);
export const PartnerIdsAttribute = defineSearchAttributeKey('PartnerIds', SearchAttributeType.KEYWORD_LIST);

export const SEARCH_ATTRIBUTES = [LeadIdAttribute, LeadTypeAttribute, LeadStatusAttribute, PartnerIdsAttribute];
