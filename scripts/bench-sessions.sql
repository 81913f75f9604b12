-- make bench: contact sessions at scale. 50 active centres (the bench
-- centre first), each with a Saturday opening session and 25 families whose
-- handovers are booked weekly for 12 weeks (15,000 sessions, each with both
-- parties' windows), as booking and contact start leave them. The sessions
-- coordinator coordinates all 50. psql variables: centre, coordinator.
\set ON_ERROR_STOP on
CREATE TEMP TABLE bench_centres AS
SELECT c.id AS centre_id,
       (SELECT v.id FROM venues v WHERE v.centre_id = c.id ORDER BY v.name, v.id LIMIT 1) AS venue_id,
       gen_random_uuid() AS slot_id
FROM centres c
WHERE c.status = 'active' AND EXISTS (SELECT 1 FROM venues v WHERE v.centre_id = c.id)
ORDER BY (c.id = :'centre') DESC, c.name
LIMIT 50;

-- The first Saturday a week or more ahead.
CREATE TEMP TABLE bench_first AS
SELECT current_date + 7 + ((6 - extract(isodow FROM current_date)::int + 7) % 7) AS first_on;

INSERT INTO centre_memberships (user_id, centre_id)
SELECT :'coordinator', centre_id FROM bench_centres ON CONFLICT DO NOTHING;

INSERT INTO opening_sessions (id, centre_id, venue_id, weekday, starts_at, ends_at, room, capacity,
                              services, effective_from, created_at, updated_at)
SELECT slot_id, centre_id, venue_id, 6, '10:00', '12:00', 'Bench room', 8,
       '{supported,handover}', current_date, now(), now()
FROM bench_centres;

CREATE TEMP TABLE bench_families AS
SELECT bc.centre_id, bc.venue_id, bc.slot_id, n,
       gen_random_uuid() AS referral_id, gen_random_uuid() AS family_id,
       gen_random_uuid() AS resident, gen_random_uuid() AS visitor, gen_random_uuid() AS child
FROM bench_centres bc, generate_series(1, 25) AS n;

INSERT INTO referrals (id, centre_id, service, status, source, created_by_user, referrer_name,
                       referrer_email, communication_level, submitted_at, received_at, created_at)
SELECT referral_id, centre_id, 'handover', 'active', 'professional', :'coordinator', 'Bench Referrer',
       'referrer@bench.example', 'none', now() - interval '60 days', now() - interval '60 days',
       now() - interval '60 days'
FROM bench_families;
-- Rows go in as the service writes them: a referral's adults together, a
-- family's sessions (booked as a series when contact starts) together, and
-- each session's windows with it. Rows scattered by kind instead would make
-- every read touch a page per row.
INSERT INTO referral_adults (id, referral_id, name, party, may_attend, position)
SELECT a.* FROM bench_families,
  LATERAL (VALUES (resident, referral_id, 'Resident ' || n, 'resident_parent', true, 0),
                  (visitor, referral_id, 'Visitor ' || n, 'non_resident_parent', true, 1))
          AS a (id, referral_id, name, party, may_attend, position)
ORDER BY bench_families.referral_id, a.position;
INSERT INTO referral_children (id, referral_id, name, name_key, date_of_birth, needs, position)
SELECT child, referral_id, 'Child ' || n, 'child ' || n, date '2019-05-01', 'None known', 0
FROM bench_families;
INSERT INTO referral_relations (adult_id, child_id, relation, lives_with)
SELECT resident, child, 'mother', true FROM bench_families
UNION ALL
SELECT visitor, child, 'father', false FROM bench_families;
INSERT INTO families (id, referral_id, centre_id)
SELECT family_id, referral_id, centre_id FROM bench_families;
INSERT INTO referral_assessments (id, referral_id, version, assessed_by, factors, checks_made, level,
                                  rationale, service, parties_must_not_meet, stagger_minutes, may_attend)
SELECT gen_random_uuid(), referral_id, 1, :'coordinator', '{}', '{}', 'low', 'Bench', 'handover',
       false, 15, '{}'
FROM bench_families;
INSERT INTO contact_arrangements (referral_id, opening_session_id, service, frequency, first_on,
                                  until_on, set_by)
SELECT referral_id, slot_id, 'handover', 'weekly', first_on, first_on + 77, :'coordinator'
FROM bench_families, bench_first;

CREATE TEMP TABLE bench_sessions AS
SELECT f.*, gen_random_uuid() AS session_id, first_on + 7 * w AS on_date
FROM bench_families f, bench_first, generate_series(0, 11) AS w
ORDER BY f.family_id, w;
INSERT INTO contact_sessions (id, referral_id, family_id, centre_id, venue_id, opening_session_id,
                              series_id, service, on_date, starts, ends_on, ends, takes_place,
                              keep_apart, booked_by)
SELECT session_id, referral_id, family_id, centre_id, venue_id, slot_id, referral_id, 'handover',
       on_date, '10:00', on_date, '12:00', false, false, :'coordinator'
FROM bench_sessions ORDER BY family_id, on_date;
-- The resident party brings the child first and collects last.
INSERT INTO session_windows (contact_session_id, adult_id, kind, venue_id, entrance, on_date,
                             starts, ends, keep_apart)
SELECT session_id, w.* FROM bench_sessions,
  LATERAL (VALUES (resident, 'arrives', venue_id, 'Main entrance', on_date, TIME '09:50', TIME '10:00', false),
                  (visitor, 'arrives', venue_id, 'Main entrance', on_date, TIME '10:15', TIME '10:25', false),
                  (visitor, 'leaves', venue_id, 'Main entrance', on_date, TIME '11:35', TIME '11:45', false),
                  (resident, 'leaves', venue_id, 'Main entrance', on_date, TIME '12:00', TIME '12:10', false))
          AS w (adult_id, kind, venue_id, entrance, on_date, starts, ends, keep_apart)
ORDER BY family_id, bench_sessions.on_date, w.starts;
ANALYZE contact_sessions; ANALYZE session_windows; ANALYZE referrals; ANALYZE referral_adults;
