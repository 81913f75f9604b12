use crate::helpers::{empty_database, spawn_app};

fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("thread")
}

#[tokio::test]
async fn every_migration_goes_up_down_and_up_again() {
    let url = empty_database().await;
    let total = ccc::db::migration_count();
    let u = url.clone();
    let applied = blocking(move || ccc::db::run_migrations_blocking(&u)).expect("up");
    assert_eq!(applied.len(), total);
    let u = url.clone();
    let reverted = blocking(move || ccc::db::revert_all_migrations_blocking(&u)).expect("down");
    assert_eq!(reverted, total);
    let u = url.clone();
    let again = blocking(move || ccc::db::run_migrations_blocking(&u)).expect("up again");
    assert_eq!(again.len(), total);
    let u = url.clone();
    let nothing = blocking(move || ccc::db::run_migrations_blocking(&u)).expect("idempotent");
    assert!(nothing.is_empty());
}

#[tokio::test]
async fn instances_starting_together_migrate_once_without_racing() {
    let url = empty_database().await;
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let u = url.clone();
            std::thread::spawn(move || ccc::db::run_migrations_blocking(&u))
        })
        .collect();
    let mut applied_total = 0;
    for run in runs {
        applied_total += run
            .join()
            .expect("thread")
            .expect("each start succeeds")
            .len();
    }
    // Exactly one start applied them; the others found nothing pending.
    assert_eq!(applied_total, ccc::db::migration_count());
}

/// Rows the service deletes: a draft's adults, children, risks and court
/// orders (saved by deleting and writing again), opening sessions and
/// closures, staff availability, centre memberships, schedule changes, the
/// windows a cancelled session frees, and the sign-in bookkeeping. Rows
/// these cascade to are found by the test itself.
const DELETED_FROM: &[&str] = &[
    "referral_adults",
    "referral_children",
    "referral_risks",
    "referral_court_orders",
    "opening_sessions",
    "closures",
    "staff_availability",
    "centre_memberships",
    "schedule_changes",
    "session_windows",
    "login_attempts",
    "unsolicited_requests",
    "refused_token_marks",
];

#[tokio::test]
async fn every_reference_to_a_deleted_row_is_found_by_an_index() {
    // Deleting a row makes PostgreSQL look for rows still naming it in each
    // referencing table (to refuse, cascade or clear): `WHERE col = $1`.
    // With no valid index led by that column (whole, or partial on `col IS
    // NOT NULL`, which every such look satisfies), it reads the whole table
    // once per deleted row: saving a draft would scan every session window.
    let app = spawn_app().await;
    let tables = DELETED_FROM
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let missing = app
        .query_texts(&format!(
            "SELECT name AS value FROM unnest(ARRAY[{tables}]) name WHERE to_regclass(name) IS NULL"
        ))
        .await;
    assert!(missing.is_empty(), "no such tables: {missing:?}");
    // The tables named, and every table a delete from them cascades into.
    let deleted = format!(
        "WITH RECURSIVE deleted(t) AS ( \
           SELECT to_regclass(name)::oid FROM unnest(ARRAY[{tables}]) name \
           UNION SELECT c.conrelid FROM pg_constraint c JOIN deleted d ON c.confrelid = d.t \
           WHERE c.contype = 'f' AND c.confdeltype = 'c') \
         SELECT t FROM deleted"
    );
    let unindexed = app
        .query_texts(&format!(
            "SELECT c.conrelid::regclass::text || '.' || a.attname || ' -> ' || c.confrelid::regclass::text AS value \
             FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' AND c.confrelid IN ({deleted}) \
               AND NOT EXISTS (SELECT 1 FROM pg_index i \
                               WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1] \
                                 AND i.indisvalid \
                                 AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) \
                                      = '(' || quote_ident(a.attname) || ' IS NOT NULL)')) \
             ORDER BY 1"
        ))
        .await;
    assert!(
        unindexed.is_empty(),
        "references with no index: {unindexed:?}"
    );
    // The check sees references at all, and follows cascades beyond the
    // tables named (it would pass on empty lists).
    let references = app
        .query_texts(&format!(
            "SELECT c.conname::text AS value FROM pg_constraint c \
             WHERE c.contype = 'f' AND c.confrelid IN ({deleted})"
        ))
        .await;
    assert!(references.len() >= 10, "{references:?}");
    let cascaded = app
        .query_texts(&format!(
            "SELECT t::regclass::text AS value FROM ({deleted}) d \
             WHERE t::regclass::text NOT IN ({tables})"
        ))
        .await;
    assert!(cascaded.contains(&"pre_visits".to_owned()), "{cascaded:?}");
}
