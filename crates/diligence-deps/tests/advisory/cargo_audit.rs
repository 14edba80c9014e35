//! On the shared RustSec database, the advisories we report for a Cargo.lock
//! equal cargo-audit's (vulnerabilities plus its unmaintained, unsound and
//! notice warnings; yanked checks are off, they need the network).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use diligence_deps::AdvisoryDb;

use crate::common::{cargo_lock_packages, fixture, shared_db, workspace_root};

/// `cargo-audit`, from `$CARGO_AUDIT` or the `PATH`.
#[allow(clippy::print_stderr)]
fn cargo_audit() -> Option<PathBuf> {
    let bin = std::env::var_os("CARGO_AUDIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo-audit"));
    match Command::new(&bin).args(["audit", "--version"]).output() {
        Ok(out) if out.status.success() => Some(bin),
        _ => {
            eprintln!("skipped: cargo-audit not found (install it or set CARGO_AUDIT)");
            None
        }
    }
}

type Hit = (String, String, String);

fn audit_ids(bin: &Path, db: &Path, lock: &Path) -> anyhow::Result<BTreeSet<Hit>> {
    let out = Command::new(bin)
        .arg("audit")
        .arg("--db")
        .arg(db)
        .args(["--no-fetch", "--no-yanked", "--json", "--file"])
        .arg(lock)
        .output()?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let mut hits = BTreeSet::new();
    let mut add = |v: &serde_json::Value| {
        let (Some(id), Some(name), Some(version)) = (
            v["advisory"]["id"].as_str(),
            v["package"]["name"].as_str(),
            v["package"]["version"].as_str(),
        ) else {
            return;
        };
        hits.insert((id.to_owned(), name.to_owned(), version.to_owned()));
    };
    for v in report["vulnerabilities"]["list"]
        .as_array()
        .into_iter()
        .flatten()
    {
        add(v);
    }
    for list in report["warnings"]
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
    {
        for v in list.as_array().into_iter().flatten() {
            add(v);
        }
    }
    Ok(hits)
}

fn our_ids(db: &AdvisoryDb, lock: &Path) -> anyhow::Result<BTreeSet<Hit>> {
    Ok(db
        .matches(&cargo_lock_packages(lock)?)
        .into_iter()
        .map(|m| (m.id, m.package.name, m.package.version))
        .collect())
}

#[test]
fn same_advisories_as_cargo_audit() -> anyhow::Result<()> {
    let Some(dir) = shared_db("rustsec") else {
        return Ok(());
    };
    let Some(bin) = cargo_audit() else {
        return Ok(());
    };
    let db = AdvisoryDb::load(&dir)?;
    for lock in [
        fixture("cargo/vulnerable.Cargo.lock"),
        workspace_root().join("Cargo.lock"),
    ] {
        let theirs = audit_ids(&bin, &dir, &lock)?;
        let ours = our_ids(&db, &lock)?;
        assert_eq!(ours, theirs, "{}", lock.display());
        if lock.ends_with("vulnerable.Cargo.lock") {
            assert!(theirs.len() > 10, "{theirs:?}");
        }
    }
    Ok(())
}
