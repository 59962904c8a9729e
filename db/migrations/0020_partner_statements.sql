-- The partner workflow's statement (charges, payments, credits for returns, each with the running
-- balance) and the low-funds alerts it has sent, so a retried activity adds nothing twice.
create table partner_transactions (
  partner_id uuid not null references partners (id) on delete cascade,
  seq bigint not null,
  txn_key text not null,
  kind text not null check (kind in ('charge', 'payment', 'credit')),
  amount_minor bigint not null,
  balance_minor bigint not null,
  currency text not null,
  lead_id text,
  description text not null,
  occurred_at timestamptz not null,
  primary key (partner_id, seq),
  unique (partner_id, txn_key)
);

create table partner_alerts (
  partner_id uuid not null references partners (id) on delete cascade,
  alert_key text not null,
  channel text not null check (channel in ('email', 'sms')),
  sent_at timestamptz not null default now(),
  primary key (partner_id, alert_key, channel)
);

create index partners_sms_number_idx on partners (sms_number) where sms_number is not null;
