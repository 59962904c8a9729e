-- Hotkey telephone transfer, per lead type: what a partner hears about the lead before pressing 1 or 2.
create table lead_type_transfer_whisper (
  lead_type_id uuid primary key references lead_types (id) on delete cascade,
  template text not null,
  updated_at timestamptz not null default now()
);
