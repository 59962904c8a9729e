-- FLG's "when to add the charge" per assignment; partners that take leads in their portal only;
-- operators' test leads, sent through one profile, never charged and never counted against caps.
alter table assignments add column charge_on text not null default 'acceptance' check (charge_on in ('acceptance', 'delivery'));
alter table delivery_attempts drop constraint delivery_attempts_channel_check;
alter table delivery_attempts add constraint delivery_attempts_channel_check check (channel in ('webhook', 'email', 'portal'));
alter table leads add column test_profile_id uuid references distribution_profiles (id) on delete set null;
