-- An appointment's version goes up with each move, so a reminder sent for one time is not mistaken
-- for the reminder of the next.
alter table appointments add column version integer not null default 1;

-- Per lead type: when reminders go out before an appointment, and which lead fields reach the consumer.
create table appointment_settings (
  lead_type_id uuid primary key references lead_types (id) on delete cascade,
  reminder_offsets_minutes integer[] not null,
  outcome_grace_minutes integer not null check (outcome_grace_minutes > 0),
  consumer_phone_field text not null,
  consumer_email_field text not null,
  consumer_timezone_field text not null,
  updated_at timestamptz not null default now()
);

-- Every reminder and change notice sent, one row per appointment version, offset, channel and
-- recipient: the sending activity inserts its key before it sends, in the transaction that commits
-- once the message is out, so a retried or re-run activity never sends it twice.
create table appointment_messages (
  key text primary key,
  appointment_id uuid not null references appointments (id),
  version integer not null,
  kind text not null,
  channel text not null check (channel in ('email', 'sms')),
  recipient text not null check (recipient in ('consumer', 'partner')),
  address text not null,
  body text not null,
  sent_at timestamptz not null
);
create index appointment_messages_appointment_idx on appointment_messages (appointment_id);
