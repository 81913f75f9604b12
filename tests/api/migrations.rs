use crate::helpers::empty_database;

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
