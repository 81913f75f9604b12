-- Every reference to a referral's adult or child is indexed. A draft is
-- saved by deleting its adults and children and writing them again
-- (`referrals::repo::replace_draft`), and each deleted row makes PostgreSQL
-- look for rows still naming it in every referencing table. Without an
-- index that look is a scan of the whole table, once per adult: of
-- `session_windows` (four rows for every session ever booked) and
-- `contact_sessions` among them, so saving a draft grew slower with every
-- session any centre booked. Columns that are mostly empty are indexed
-- where set (a lookup for one id never matches a null).
CREATE INDEX session_windows_by_adult ON session_windows (adult_id);
CREATE INDEX contact_sessions_cancelled_by_adult ON contact_sessions (cancelled_by_adult)
    WHERE cancelled_by_adult IS NOT NULL;
CREATE INDEX referral_risks_stated_by ON referral_risks (stated_by_adult)
    WHERE stated_by_adult IS NOT NULL;
CREATE INDEX referral_questions_to_adult ON referral_questions (to_adult_id)
    WHERE to_adult_id IS NOT NULL;
CREATE INDEX referral_letters_by_adult ON referral_letters (adult_id)
    WHERE adult_id IS NOT NULL;
CREATE INDEX family_attendees_accompanies ON family_attendees (accompanies);
CREATE INDEX calendar_feeds_by_adult ON calendar_feeds (adult_id);
CREATE INDEX referral_relations_by_child ON referral_relations (child_id);
-- A pre-visit goes with its adult; the index on booked visits only cannot
-- find the others.
CREATE INDEX pre_visits_by_adult ON pre_visits (adult_id);
-- Deleting an opening session is refused (409) while a session, an
-- arrangement or a proposal names it: PostgreSQL's check reads each table
-- by the slot, and the refusal lists the slot's dates still to come.
CREATE INDEX contact_sessions_by_slot ON contact_sessions (opening_session_id, on_date);
CREATE INDEX contact_arrangements_by_slot ON contact_arrangements (opening_session_id);
CREATE INDEX arrangement_proposals_by_slot ON arrangement_proposals (opening_session_id);
