-- Hotkey telephone transfer, per partner: how long its transfer phone rings before the next partner
-- is tried, and how long a taken call must stay connected before the partner is charged.
create table partner_transfer_settings (
  partner_id uuid primary key references partners (id) on delete cascade,
  ring_timeout_seconds integer not null check (ring_timeout_seconds between 5 and 120),
  min_billable_seconds integer not null check (min_billable_seconds between 0 and 3600),
  updated_at timestamptz not null default now()
);
