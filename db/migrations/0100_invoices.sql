-- Invoices and credit notes issued from the ledger. Numbers are gapless per series: each is taken
-- from invoice_series in the same transaction as the document's insert, so a rollback gives it back.
create table invoice_series (
  series text primary key check (series in ('invoice', 'credit_note')),
  next_number bigint not null check (next_number > 0)
);
insert into invoice_series (series, next_number) values ('invoice', 1), ('credit_note', 1);

create table invoices (
  id uuid primary key,
  series text not null references invoice_series (series),
  number bigint not null,
  display_number text not null,
  partner_id uuid not null references partners (id),
  period text not null check (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  amends_invoice_id uuid references invoices (id),
  currency text not null,
  lines jsonb not null,
  net_minor bigint not null,
  vat_minor bigint not null,
  gross_minor bigint not null,
  vat_treatment text not null check (vat_treatment in ('standard', 'reverse_charge', 'outside_scope')),
  vat_rate_basis_points integer not null check (vat_rate_basis_points >= 0),
  vat_note text,
  supplier jsonb not null,
  customer jsonb not null,
  issued_at timestamptz not null default now(),
  due_on date not null,
  -- The object's key in the bucket, never a URL: links are presigned when asked for.
  pdf_key text,
  emailed_at timestamptz,
  unique (series, number),
  check ((series = 'credit_note') = (amends_invoice_id is not null))
);
-- One monthly invoice per partner: a rerun or backfill can't issue a second.
create unique index invoices_one_per_partner_month on invoices (partner_id, period) where series = 'invoice';
create index invoices_partner_idx on invoices (partner_id, issued_at);

-- Which document each ledger row was billed on: a charge or credit is billed once.
create table invoiced_transactions (
  partner_id uuid not null,
  txn_key text not null,
  invoice_id uuid not null references invoices (id),
  primary key (partner_id, txn_key),
  foreign key (partner_id, txn_key) references partner_transactions (partner_id, txn_key)
);
create index invoiced_transactions_invoice_idx on invoiced_transactions (invoice_id);
