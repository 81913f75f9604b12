DROP INDEX login_attempts_pair_idx;
