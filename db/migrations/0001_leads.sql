create table leads (
  id uuid primary key,
  lead_type text not null,
  fields jsonb not null default '{}'::jsonb,
  source text not null default 'api',
  status text not null default 'received',
  status_reason text,
  idempotency_key text unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index leads_created_at_idx on leads (created_at desc);
