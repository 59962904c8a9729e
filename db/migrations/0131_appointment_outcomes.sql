-- What became of an appointment after its time: the partner's word (attended, no_show), or kept when
-- it said nothing within the lead type's grace period.
alter table appointments add column outcome text check (outcome in ('attended', 'no_show', 'kept'));
alter table appointments add column outcome_by text;
alter table appointments add column outcome_at timestamptz;
