-- Hotkey telephone transfer: which lead a Twilio conference belongs to, so its statusCallback
-- (which names only the conference) reaches that lead. An incoming call's conference is named
-- before any lead exists; pressing Transfer claims it.
create table transfer_conferences (
  conference text primary key,
  lead_id uuid not null references leads (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index transfer_conferences_lead on transfer_conferences (lead_id);
