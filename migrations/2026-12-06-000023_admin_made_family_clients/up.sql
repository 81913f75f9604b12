-- A network admin sees no family. Until now an admin could give a centre's
-- integration client `sessions:read` or `attendance:read` (the day sheet
-- names families, children and needs), and could rotate the secret of any
-- centre's client, `referrals:*` ones included; either way the admin was
-- shown the secret. A centre's client with a family scope whose current
-- secret an admin was shown (the latest rotation was an admin's, or none
-- since an admin made it) is revoked: its tokens stop working at once, and
-- the centre's coordinators make a new one. Each revocation is audited.
WITH admin_held AS (
    SELECT c.id, c.centre_id
    FROM integration_clients c
    WHERE c.revoked_at IS NULL
      AND c.centre_id IS NOT NULL
      AND c.scopes && ARRAY['referrals:read', 'referrals:write', 'sessions:read', 'attendance:read']
      AND COALESCE(
            (SELECT e.actor_role FROM audit_events e
             WHERE e.resource_type = 'integration_client' AND e.resource_id = c.id::text
               AND e.action = 'rotate_secret' AND e.outcome = 'success'
             ORDER BY e.at DESC, e.id DESC LIMIT 1),
            (SELECT u.role FROM users u WHERE u.id = c.created_by)
          ) = 'network_admin'
), revoked AS (
    UPDATE integration_clients c
    SET revoked_at = now()
    FROM admin_held h
    WHERE c.id = h.id
    RETURNING c.id, c.centre_id
)
INSERT INTO audit_events (id, at, actor_kind, action, resource_type, resource_id, centre_id, outcome)
SELECT gen_random_uuid(), now(), 'system', 'revoke', 'integration_client', id::text, centre_id, 'success'
FROM revoked;
