-- Requests anyone can make without signing in that send a message or write
-- the audit trail (registration, password reset): counted per client address,
-- so that one address cannot flood the trail or the outbox with requests for
-- ever-new email addresses (each address's own allowance is counted from the
-- outbox). Shared by every instance.
CREATE TABLE unsolicited_requests (
    id BIGSERIAL PRIMARY KEY,
    client_addr TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX unsolicited_requests_by_address ON unsolicited_requests (client_addr, at);
