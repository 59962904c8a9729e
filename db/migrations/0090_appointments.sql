-- A partner's appointment availability: weekly windows on its wall clock (partners.timezone), cut into slots.
create table partner_appointment_availability (
  partner_id uuid primary key references partners (id) on delete cascade,
  windows jsonb not null,
  slot_minutes integer not null check (slot_minutes in (15, 30, 60)),
  min_notice_minutes integer not null check (min_notice_minutes >= 0),
  buffer_minutes integer not null check (buffer_minutes >= 0),
  concurrency integer not null check (concurrency >= 1),
  updated_at timestamptz not null default now()
);

-- Appointments booked by agents. A slot is held by inserting a row under a per-partner advisory
-- lock, after counting the rows that overlap it; a refused referral releases the hold, a cancel frees it.
create table appointments (
  id uuid primary key,
  lead_id uuid not null references leads (id),
  partner_id uuid not null references partners (id),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  status text not null check (status in ('held', 'booked', 'released', 'cancelled')),
  booked_by text not null,
  created_at timestamptz not null default now()
);
create index appointments_partner_time_idx on appointments (partner_id, starts_at) where status in ('held', 'booked');
