CREATE OR REPLACE FUNCTION contact_session_releases_observers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE observation_requests
        SET status = 'pending', contact_session_id = NULL, decided_by = NULL, decided_at = NULL
        WHERE contact_session_id = NEW.id AND status = 'approved';
    RETURN NEW;
END;
$$;
ALTER TABLE observation_requests DROP COLUMN released_from;
