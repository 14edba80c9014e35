//! Audits lockfiles against advisory databases, the way the dependency
//! stage does, and says how long each step took.
//!
//! ```text
//! cargo run --release -p diligence-deps --example audit -- \
//!     --db <DIR> [--db <DIR> ...] [--json] <LOCKFILE> ...
//! ```
//!
//! The lockfile format comes from the file name (`Cargo.lock`,
//! `package-lock.json`, `poetry.lock`, ...; a prefix such as
//! `vulnerable.Cargo.lock` is allowed). Timings go to stderr; the summary, or
//! the merged matches as JSON with `--json`, to stdout.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use diligence_deps::{AdvisoryDb, FileKind, merge_matches, parse_file};

fn kind_of(path: &str) -> Option<FileKind> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    FileKind::detect(name).or_else(|| {
        let (_, base) = name.split_once('.')?;
        FileKind::detect(base)
    })
}

fn main() -> anyhow::Result<()> {
    let mut dbs = Vec::new();
    let mut locks = Vec::new();
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => dbs.push(PathBuf::from(
                args.next().context("--db needs a directory")?,
            )),
            "--json" => json = true,
            _ => locks.push(arg),
        }
    }
    if dbs.is_empty() || locks.is_empty() {
        bail!("usage: audit --db <DIR> [--db <DIR> ...] [--json] <LOCKFILE> ...");
    }

    let start = Instant::now();
    let databases = dbs
        .iter()
        .map(|dir| AdvisoryDb::load(dir).with_context(|| format!("loading {}", dir.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let loaded = Instant::now();

    let mut packages = Vec::new();
    for lock in &locks {
        let kind = kind_of(lock).with_context(|| format!("unknown lockfile name {lock}"))?;
        let bytes = std::fs::read(lock).with_context(|| format!("reading {lock}"))?;
        packages.extend(parse_file(kind, lock, &bytes)?.packages);
    }
    let parsed = Instant::now();

    let mut all = Vec::new();
    for db in &databases {
        all.extend(db.matches(&packages));
    }
    let matches = merge_matches(all);
    let matched = Instant::now();

    for db in &databases {
        let info = db.info();
        let report = db.load_report();
        eprintln!(
            "database {} {}: {} advisories, {} withdrawn, {} skipped",
            info.name,
            info.version,
            report.advisories,
            report.withdrawn,
            report.skipped.len()
        );
    }
    eprintln!(
        "timing: load {:.1} ms, parse {:.1} ms, match {:.1} ms, total {:.1} ms",
        (loaded - start).as_secs_f64() * 1e3,
        (parsed - loaded).as_secs_f64() * 1e3,
        (matched - parsed).as_secs_f64() * 1e3,
        (matched - start).as_secs_f64() * 1e3,
    );
    if json {
        println!("{}", serde_json::to_string_pretty(&matches)?);
    } else {
        println!(
            "{} packages, {} advisory matches",
            packages.len(),
            matches.len()
        );
        for m in &matches {
            println!(
                "{} {}@{} {} {}",
                m.id,
                m.package.name,
                m.package.version,
                m.severity.as_str(),
                m.upgrade_hint().unwrap_or_else(|| "no fix".to_owned())
            );
        }
    }
    Ok(())
}
