-- Documents attached to a referral (court orders): PDF or image, at most
-- 10 MB, their type read from their content. Served only to those who may see
-- the referral's court-order detail: the centre and the referrer's side.
CREATE TABLE referral_attachments (
    id                  uuid PRIMARY KEY,
    referral_id         uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    content_type        text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes          integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    sha256              bytea NOT NULL,
    filename            text NOT NULL CHECK (length(btrim(filename)) BETWEEN 1 AND 200),
    data                bytea NOT NULL,
    uploaded_by_user    uuid REFERENCES users (id),
    uploaded_by_client  uuid REFERENCES integration_clients (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((uploaded_by_user IS NULL) <> (uploaded_by_client IS NULL))
);
CREATE INDEX referral_attachments_referral_idx ON referral_attachments (referral_id, created_at);
