-- A consumer's SMS answer to a reminder: C confirms the appointment, R asks for a call back.
alter table appointments add column consumer_reply text check (consumer_reply in ('confirmed', 'call_back'));
alter table appointments add column consumer_replied_at timestamptz;
