-- Per assignment of an appointment lead type: charge when the partner takes the lead (booked, as any
-- referral) or only once the appointment is kept (attended, or kept when the grace period passed).
alter table assignments add column appointment_charge text not null default 'booked' check (appointment_charge in ('booked', 'kept'));
-- The price locked when the partner took the lead of a "kept" appointment: charged once, when its outcome is attended or kept.
alter table appointments add column deferred_price_minor bigint check (deferred_price_minor >= 0);
alter table appointments add column deferred_assignment_id text;
