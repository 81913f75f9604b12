-- An approved observation released by its session's cancellation (or move)
-- is pending again; the officer who asked must hear of it, or they come to
-- a session that is not held. The trigger notes the session it was released
-- from; a job tells the officer and clears the note (a decision or a
-- withdrawal clears it too: the officer then hears of that instead).
ALTER TABLE observation_requests
    ADD COLUMN released_from UUID REFERENCES contact_sessions (id) ON DELETE SET NULL;
-- For the job, and for deleting a contact session (its foreign key).
CREATE INDEX observation_requests_released ON observation_requests (released_from)
    WHERE released_from IS NOT NULL;

CREATE OR REPLACE FUNCTION contact_session_releases_observers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE observation_requests
        SET status = 'pending', contact_session_id = NULL, decided_by = NULL, decided_at = NULL,
            released_from = NEW.id
        WHERE contact_session_id = NEW.id AND status = 'approved';
    RETURN NEW;
END;
$$;
