-- Open capacity holds, kept beside the partner workflow's memory of them, so a new run after a lost
-- one rebuilds them: a lead waiting for its partner's answer can still be charged.
create table partner_holds (
  reservation_id text primary key,
  partner_id uuid not null references partners (id) on delete cascade,
  lead_id text not null,
  assignment_id text not null,
  price_minor bigint not null,
  reserved_at timestamptz not null,
  expires_at timestamptz not null,
  window_day text not null,
  window_week text not null,
  window_month text not null
);
create index partner_holds_partner_idx on partner_holds (partner_id, expires_at);
