-- Accept and decline links from lead emails work once: each used token is kept (hashed) here.
create table used_response_links (
  token_hash text primary key,
  lead_id uuid not null,
  used_at timestamptz not null default now()
);
