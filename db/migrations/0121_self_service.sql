-- FLG's partner self-service: for a lead type marked self-service, partners add or remove it, and
-- the areas they cover, themselves; their assignment lives in the profile named here.
alter table lead_types add column self_service jsonb;
