-- The revocations stand: a secret an admin held is not trusted again.
SELECT 1;
