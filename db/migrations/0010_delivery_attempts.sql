-- Every delivery attempt, with its full request and response, for the reporting projection.
-- The workflow history holds the same records; this table makes them queryable.
create table delivery_attempts (
  delivery_key text not null,
  attempt integer not null,
  lead_id uuid not null references leads (id),
  partner_id uuid not null references partners (id) on delete restrict,
  channel text not null check (channel in ('webhook', 'email')),
  ok boolean not null,
  request jsonb not null,
  response jsonb,
  error text,
  started_at timestamptz not null,
  duration_ms integer not null,
  primary key (delivery_key, attempt)
);
create index delivery_attempts_lead_idx on delivery_attempts (lead_id);

alter table leads add column lead_type_id uuid references lead_types (id);
alter table leads add column submitted_by text;
alter table deliveries add column expired_at timestamptz;
alter table deliveries add column failed_at timestamptz;
create index deliveries_lead_idx on deliveries (lead_id);
create index leads_status_idx on leads (status);
