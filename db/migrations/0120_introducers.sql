-- Introducers (FLG's partner type, Partner Partner's "Sent" tab): which partners receive leads,
-- which introduce them and for which lead types, and the receiver's outcome feedback on a referral.
alter table partners add column partner_type text not null default 'receiver' check (partner_type in ('receiver', 'introducer', 'both'));
alter table partners add column introducer_lead_type_ids uuid[] not null default '{}';
alter table lead_types add column introducer_sees_partners boolean not null default false;
alter table deliveries add column outcome text check (outcome in ('won', 'lost'));
alter table deliveries add column outcome_value_minor bigint check (outcome_value_minor >= 0);
alter table deliveries add column outcome_note text;
alter table deliveries add column outcome_at timestamptz;
create index leads_submitted_by_idx on leads (submitted_by, created_at desc);
