-- Partner portal sign-in by emailed link. Only hashes are stored: of the link's token, and of the
-- short-lived partner key a followed link hands to the browser.
create table portal_sign_in_links (
  token_hash text primary key,
  partner_id uuid not null references partners (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index portal_sign_in_links_partner_idx on portal_sign_in_links (partner_id, created_at desc);

-- A key with an expiry stops working at it, as if revoked (null: never expires).
alter table api_keys add column expires_at timestamptz;
