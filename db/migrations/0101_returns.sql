-- Each partner's return policy, and every return a partner asks for with its decision. The credit a
-- return earns is a 'credit' row in partner_transactions; a credit note when the charge was invoiced.
create table return_policies (
  partner_id uuid primary key references partners (id) on delete cascade,
  policy jsonb not null,
  updated_at timestamptz not null default now()
);

create table lead_returns (
  id uuid primary key,
  partner_id uuid not null references partners (id),
  lead_id text not null,
  charge_key text not null,
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null,
  reason text not null,
  evidence text,
  status text not null check (status in ('pending', 'approved', 'denied', 'expired')),
  auto_approved boolean not null default false,
  decided_by text,
  decision_note text,
  requested_at timestamptz not null default now(),
  decide_by timestamptz not null,
  decided_at timestamptz,
  credit_note_id uuid references invoices (id),
  -- When the partner was told of a denial or expiry, so a retried notice goes out once.
  partner_told_at timestamptz,
  -- A lead is returned to a partner once; a denied return stays as the answer.
  unique (partner_id, lead_id),
  foreign key (partner_id, charge_key) references partner_transactions (partner_id, txn_key)
);
create index lead_returns_status_idx on lead_returns (status, requested_at);
