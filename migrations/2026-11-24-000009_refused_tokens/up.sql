-- A refused access token (forged, or of a disabled account or a revoked or
-- rotated client) is audited at most once a minute per client address and
-- kind: a mark per minute, taken with ON CONFLICT DO NOTHING, decides who
-- writes the entry, so a flood of bad tokens cannot fill the audit trail and
-- every instance agrees.
CREATE TABLE refused_token_marks (
    client_addr TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('forged', 'account_inactive', 'client_revoked', 'client_rotated')),
    minute TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_addr, kind, minute)
);
