-- Distribution configuration: lead types, partners, profiles, assignments, API keys, and the
-- deliveries table that partner deletion checks for history (shape agreed with issue 4).

create table lead_types (
  id uuid primary key,
  name text not null,
  fields jsonb not null default '[]'::jsonb,
  referral_method text not null check (referral_method in ('immediate', 'manual', 'appointment', 'transfer')),
  default_price_minor bigint not null check (default_price_minor >= 0),
  referral_scope integer not null default 1 check (referral_scope >= 1),
  acceptance_window_seconds integer check (acceptance_window_seconds > 0),
  fca_required boolean not null default false,
  config_version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index lead_types_name_key on lead_types (lower(name));

create table partners (
  id uuid primary key,
  name text not null,
  email text not null,
  phone text,
  address jsonb,
  notes text,
  tags text[] not null default '{}',
  status text not null default 'pending' check (status in ('pending', 'active', 'inactive')),
  timezone text not null,
  billing jsonb,
  delivery jsonb,
  cap_day integer check (cap_day >= 0),
  cap_week integer check (cap_week >= 0),
  cap_month integer check (cap_month >= 0),
  cap_lifetime integer check (cap_lifetime >= 0),
  schedule jsonb not null default '{"type":"always"}'::jsonb,
  credit_limit_minor bigint check (credit_limit_minor >= 0),
  low_funds_threshold_minor bigint check (low_funds_threshold_minor >= 0),
  transfer_phone text,
  sms_number text,
  fca_number text,
  config_version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index partners_name_key on partners (lower(name));
create index partners_tags_idx on partners using gin (tags);
create index partners_status_idx on partners (status);

create table distribution_profiles (
  id uuid primary key,
  lead_type_id uuid not null references lead_types (id) on delete restrict,
  name text not null,
  description text,
  enabled boolean not null default true,
  strategy text not null check (strategy in ('first_match', 'send_to_all')),
  rules jsonb not null default '[]'::jsonb,
  referral_scope integer check (referral_scope >= 1),
  config_version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index distribution_profiles_name_key on distribution_profiles (lead_type_id, lower(name));

create table assignments (
  id uuid primary key,
  profile_id uuid not null references distribution_profiles (id) on delete cascade,
  partner_id uuid not null references partners (id) on delete cascade,
  priority integer not null default 0,
  price_minor bigint check (price_minor >= 0),
  rules jsonb not null default '[]'::jsonb,
  cap_day integer check (cap_day >= 0),
  cap_week integer check (cap_week >= 0),
  cap_month integer check (cap_month >= 0),
  cap_lifetime integer check (cap_lifetime >= 0),
  config_version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (profile_id, partner_id)
);
create index assignments_partner_idx on assignments (partner_id);

create table api_keys (
  id uuid primary key,
  name text not null,
  role text not null check (role in ('operator', 'agent', 'partner')),
  partner_id uuid references partners (id) on delete cascade,
  key_hash text not null unique,
  key_prefix text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  check ((role = 'partner') = (partner_id is not null))
);

create table deliveries (
  id uuid primary key,
  lead_id uuid not null references leads (id),
  partner_id uuid not null references partners (id) on delete restrict,
  assignment_id uuid,
  attempt_key text not null unique,
  status text not null,
  price_minor bigint not null,
  currency text not null,
  delivered_at timestamptz,
  accepted_at timestamptz,
  declined_at timestamptz,
  decline_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (lead_id, partner_id)
);
create index deliveries_partner_idx on deliveries (partner_id);
