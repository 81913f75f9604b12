-- The centre's questions about a referral (referrals::questions), each to the
-- referrer's side (no adult) or to one adult party; only the centre and the
-- recipient read them. Asking moves the referral to `info_requested`; the
-- last answer returns it to `under_review`.
CREATE TABLE referral_questions (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    to_adult_id UUID REFERENCES referral_adults (id) ON DELETE CASCADE,
    question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 2000),
    asked_by UUID NOT NULL REFERENCES users (id),
    asked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    answer TEXT CHECK (length(answer) BETWEEN 1 AND 4000),
    answered_by_user UUID REFERENCES users (id),
    answered_by_client UUID REFERENCES integration_clients (id),
    answered_at TIMESTAMPTZ,
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX referral_questions_by_referral ON referral_questions (referral_id, asked_at, id);
