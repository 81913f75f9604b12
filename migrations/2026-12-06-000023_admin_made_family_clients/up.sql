-- A network admin sees no family. Until now an admin could give a centre's
-- integration client `sessions:read` or `attendance:read` (the day sheet
-- names families, children and needs) and was shown its secret. Such clients
-- are revoked: their tokens stop working at once, and the centre's
-- coordinators make new ones. (An admin could never give `referrals:*` to a
-- centre's client.)
UPDATE integration_clients
    SET revoked_at = now()
    WHERE revoked_at IS NULL
      AND centre_id IS NOT NULL
      AND scopes && ARRAY['sessions:read', 'attendance:read']
      AND created_by IN (SELECT id FROM users WHERE role = 'network_admin');
