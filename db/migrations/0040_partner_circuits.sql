-- A partner endpoint that keeps failing is skipped, not hammered: after N consecutive failed
-- deliveries its circuit opens; after a cool-down one lead probes it, and a success closes it.
alter table partners add column circuit_breaker jsonb;
create table partner_circuits (
  partner_id uuid primary key references partners (id) on delete cascade,
  consecutive_failures integer not null default 0,
  opened_at timestamptz,
  opened_reason text,
  probe_lead_id uuid,
  probe_claimed_at timestamptz,
  updated_at timestamptz not null default now()
);
create index delivery_attempts_partner_started_idx on delivery_attempts (partner_id, started_at);
