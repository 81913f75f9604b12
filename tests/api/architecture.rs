//! The module map of ARCHITECTURE.md, checked against the source: every table
//! has one owning module and no other module names it, and each module uses
//! only the modules below it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which module owns each table of `src/schema.rs` (ARCHITECTURE.md, "Tables").
const OWNERS: &[(&str, &[&str])] = &[
    ("audit", &["audit_events"]),
    ("events", &["domain_events"]),
    ("notifications", &["notifications_outbox"]),
    (
        "identity",
        &[
            "users",
            "centre_memberships",
            "organisations",
            "integration_clients",
            "one_time_tokens",
            "refresh_tokens",
            "refused_token_marks",
            "staff_vetting",
            "staff_availability",
        ],
    ),
    ("auth", &["login_attempts", "unsolicited_requests"]),
    (
        "postcodes",
        &["postcodes", "postcode_districts", "postcode_imports"],
    ),
    (
        "centres",
        &[
            "centres",
            "venues",
            "opening_sessions",
            "closures",
            "directory_version",
            "ground_rules",
        ],
    ),
    (
        "referrals",
        &[
            "referrals",
            "referral_children",
            "referral_adults",
            "referral_relations",
            "referral_court_orders",
            "referral_risks",
            "referral_history",
            "referral_attachments",
            "referral_questions",
            "referral_assessments",
            "referral_offers",
            "referral_notes",
            "referral_letters",
            "referral_quotes",
            "ground_rule_agreements",
            "families",
        ],
    ),
    ("families", &["family_attendees"]),
    (
        "sessions",
        &[
            "pre_visits",
            "contact_sessions",
            "session_windows",
            "observation_requests",
            "session_outcomes",
            "schedule_changes",
            "calendar_feeds",
            "arrangement_proposals",
            "slot_places",
            "contact_arrangements",
        ],
    ),
];

/// The modules each module may use (ARCHITECTURE.md, "Layers"): the
/// foundation, and modules of lower layers. Anything else is a dependency in
/// the wrong direction.
/// The foundation, lowest first: each may use only those before it.
const FOUNDATION: &[&str] = &[
    "schema",
    "config",
    "request_id",
    "text_column",
    "text_enum",
    "db",
    "error",
    "http",
    "pagination",
    "validation",
    "vocabulary",
];
const LAYERS: &[(&str, &[&str])] = &[
    ("audit", &[]),
    ("events", &[]),
    ("notifications", &[]),
    ("identity", &["audit", "notifications"]),
    ("auth", &["audit", "notifications", "identity"]),
    ("health", &[]),
    ("postcodes", &["identity"]),
    ("centres", &["audit", "identity", "postcodes"]),
    (
        "referrals",
        &["audit", "events", "notifications", "identity", "centres"],
    ),
    ("families", &["audit", "events", "identity", "referrals"]),
    (
        "sessions",
        &[
            "audit",
            "events",
            "notifications",
            "identity",
            "centres",
            "referrals",
            "families",
        ],
    ),
    ("attendance", &["audit", "events", "identity", "sessions"]),
    ("reports", &["audit", "identity", "centres", "referrals"]),
    (
        "jobs",
        &["notifications", "auth", "identity", "referrals", "sessions"],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/centres/repo.rs` -> `centres`.
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The source without comments, so a doc comment naming a module is no use of it.
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Names that follow `prefix` in `code`: `prefix::x` and `prefix::{x, y::z}`.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices(prefix) {
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = ident(item.trim());
                if !name.is_empty() && name != "self" {
                    names.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn every_table_has_exactly_one_owner() {
    let schema = std::fs::read_to_string(src().join("schema.rs")).unwrap();
    let tables: Vec<String> = schema
        .lines()
        .filter(|l| l.starts_with("    ") && !l.starts_with("     ") && l.trim_end().ends_with('{'))
        .filter_map(|l| l.trim().split(' ').next().map(str::to_owned))
        .collect();
    assert!(
        tables.len() > 20,
        "no tables read from schema.rs: {tables:?}"
    );
    for table in &tables {
        let owners: Vec<&str> = OWNERS
            .iter()
            .filter(|(_, t)| t.contains(&table.as_str()))
            .map(|(m, _)| *m)
            .collect();
        assert_eq!(owners.len(), 1, "{table} is owned by {owners:?}");
    }
}

#[test]
fn modules_use_only_their_own_tables() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let owner: BTreeMap<&str, &str> = OWNERS
        .iter()
        .flat_map(|(m, tables)| tables.iter().map(move |t| (*t, *m)))
        .collect();
    let mut trespass = Vec::new();
    for file in &files {
        let module = module_of(file);
        if module == "schema" || module == "bin" {
            continue;
        }
        for table in names_after(&code_of(file), "crate::schema::") {
            match owner.get(table.as_str()) {
                Some(m) if *m == module => {}
                other => trespass.push(format!(
                    "{} uses {table} (owned by {other:?})",
                    file.strip_prefix(src()).unwrap().display()
                )),
            }
        }
    }
    assert!(trespass.is_empty(), "{trespass:#?}");
}

#[test]
fn modules_depend_only_downward() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(file);
        let Some(may_use) = allowed.get(module.as_str()) else {
            continue; // foundation and the top (router, startup, lib, main)
        };
        for used in names_after(&code_of(file), "crate::") {
            let fine = used == module
                || FOUNDATION.contains(&used.as_str())
                || may_use.contains(&used.as_str());
            if !fine {
                wrong.push(format!(
                    "{} uses crate::{used}",
                    file.strip_prefix(src()).unwrap().display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_foundation_uses_no_module_above_it() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(file);
        let Some(level) = FOUNDATION.iter().position(|m| *m == module) else {
            continue;
        };
        for used in names_after(&code_of(file), "crate::") {
            if used != module && !FOUNDATION[..level].contains(&used.as_str()) {
                wrong.push(format!(
                    "{} uses crate::{used}",
                    file.strip_prefix(src()).unwrap().display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
