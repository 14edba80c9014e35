//! `scan --validate`: off by default; when given, the terminal and the
//! report say that it ran and name every host contacted. The fixture holds
//! only a database URL on `localhost`, so the run resolves one local name
//! and sends no request.

use crate::{diligence, stderr};

fn target() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let password = format!("{}{}", "Gt8gUerWWl", "tRQWk5l4Bt");
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/db.env"),
        format!("DATABASE_URL=postgresql://app:{password}@localhost:5432/app\n"),
    )
    .unwrap();
    dir
}

#[test]
fn without_validate_nothing_is_checked_or_said() {
    let dir = target();
    let out = diligence(
        dir.path(),
        &[
            "scan",
            ".",
            "--only",
            "secrets",
            "-f",
            "md",
            "-o",
            "report.md",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("live validation"));
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(!report.contains("Live validation"));
    assert!(!report.contains("Live check"));
}

#[test]
fn validate_names_its_hosts_in_the_terminal_and_the_report() {
    let dir = target();
    let out = diligence(
        dir.path(),
        &[
            "scan",
            ".",
            "--only",
            "secrets",
            "--validate",
            "--validate-timeout",
            "5",
            "-f",
            "md",
            "-o",
            "report.md",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--validate: found credentials will be checked"),
        "{err}"
    );
    assert!(
        err.contains(
            "live validation (--validate, network): 1 credentials checked, 0 live, 0 revoked, 1 unknown; hosts contacted: localhost (name resolution only)"
        ),
        "{err}"
    );
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        report.contains("| Live validation | ran (--validate, the only"),
        "{report}"
    );
    assert!(report.contains("5 s time limit"), "{report}");
    assert!(
        report.contains("unknown: the host name resolves"),
        "{report}"
    );
    assert!(!report.contains("tRQWk5l4Bt"));
}

#[test]
fn validate_options_need_validate() {
    let dir = target();
    let out = diligence(dir.path(), &["scan", ".", "--validate-timeout", "5"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = diligence(
        dir.path(),
        &["scan", ".", "--validate", "--validate-timeout", "90"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
