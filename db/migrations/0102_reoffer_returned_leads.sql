-- Whether a lead whose return is approved is offered to the next eligible partner that has not had it.
alter table lead_types add column reoffer_returned_leads boolean not null default false;
-- The workflow that holds an offer awaiting the partner's answer (a re-offer's, say); null: the lead's own.
alter table deliveries add column offer_workflow_id text;
