-- Idempotency-Keys belong to whoever sent them (Stripe, the IETF Idempotency-Key draft): the same key
-- from two submitters is two leads, and a key reused with another body is refused, never answered
-- with the earlier lead.
alter table leads drop constraint leads_idempotency_key_key;
alter table leads add column request_fingerprint text;
create unique index leads_submitter_idempotency_key on leads (submitted_by, idempotency_key) where idempotency_key is not null;
create index leads_received_idx on leads (created_at) where status = 'received';
