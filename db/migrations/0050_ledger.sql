-- The ledger in PostgreSQL is what a partner workflow rebuilds from: charges say which assignment
-- they count against, so a new run finds its caps per assignment as well as per partner.
alter table partner_transactions add column assignment_id text;
create index partner_transactions_partner_occurred_idx on partner_transactions (partner_id, occurred_at);
