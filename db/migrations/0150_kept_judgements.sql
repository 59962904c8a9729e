-- A judgement is kept whole beside its report, under the key the workflow asked for it by: a judgement
-- retried (its workflow task run again after a worker died) answers the one already made, which a
-- partner may already hold the lead by, instead of judging afresh.
alter table lead_eligibility_reports add column judgement_key text, add column judgement jsonb;
create unique index lead_eligibility_reports_judgement_key on lead_eligibility_reports (lead_id, judgement_key);
