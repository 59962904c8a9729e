-- An agent key may be allowed to see sealed lead fields in clear; every such view is audited.
alter table api_keys add column can_reveal boolean not null default false;
