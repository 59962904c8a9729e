-- The lead lifecycle: every judgement of a lead's eligibility kept whole (the workflow history keeps
-- only a reference), the audit trail as it happens (it outlives Temporal's retention), a deadline
-- for leads waiting to be referred, unlimited referral scopes, and when a partner must answer by.
create table lead_eligibility_reports (
  id uuid primary key,
  lead_id uuid not null references leads (id),
  judged_at timestamptz not null,
  report jsonb not null
);
create index lead_eligibility_reports_lead_idx on lead_eligibility_reports (lead_id, judged_at);

create table lead_audit (
  id bigserial primary key,
  lead_id uuid not null references leads (id),
  -- Makes a retried write a no-op: the step that wrote it, e.g. "attempt:<partner>:2".
  entry_key text not null,
  at timestamptz not null,
  type text not null,
  summary text not null,
  detail jsonb,
  unique (lead_id, entry_key)
);

alter table lead_types add column referral_deadline_seconds integer not null default 604800 check (referral_deadline_seconds > 0);
alter table lead_types alter column referral_scope drop not null;
alter table deliveries add column respond_by timestamptz;
alter table deliveries add column withdrawn_at timestamptz;
