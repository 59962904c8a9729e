-- Appointment setting: when each partner takes appointments, and the appointments booked with it.
alter table partners add column appointment_availability jsonb;

create table appointments (
  id uuid primary key,
  lead_id uuid not null references leads (id),
  partner_id uuid not null references partners (id),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  status text not null check (status in ('booked', 'cancelled')),
  booked_by text not null,
  cancel_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index appointments_partner_time_idx on appointments (partner_id, starts_at) where status = 'booked';
-- One live appointment per lead and partner.
create unique index appointments_lead_partner_idx on appointments (lead_id, partner_id) where status = 'booked';
