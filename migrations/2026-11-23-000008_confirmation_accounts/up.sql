-- A confirmation link carries the account its registration chose (name,
-- role, referrer type, organisation): confirming makes that account, so a
-- later registration of the same unconfirmed address, by anyone, changes
-- nothing the owner's own link makes.
ALTER TABLE one_time_tokens ADD COLUMN account jsonb;
