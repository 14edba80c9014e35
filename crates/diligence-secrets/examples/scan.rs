//! Scans a repository for secrets with the full collector (worktree and
//! history) and prints a summary: the secrets collector embedded without
//! the facade. `OURS=target/release/examples/scan scripts/bench-secrets.sh`
//! benchmarks the library alone.
//!
//! Usage: `cargo run --release -p diligence-secrets --example scan -- PATH [--findings]`

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use diligence_collect::{CollectContext, Collector, FileIndex, FileIndexOptions, Options};
use diligence_history::{History, HistoryOptions, Target};
use diligence_secrets::SecretsCollector;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| ".".to_owned()));
    let list = args.any(|a| a == "--findings");
    let start = Instant::now();
    let target = Target::resolve(&path)?;
    let history = History::walk(&target, &HistoryOptions::default(), &|_| {})?;
    let walked = start.elapsed();
    let files = FileIndex::build(&target, &FileIndexOptions::default())?;
    let cancel = AtomicBool::new(false);
    let progress = |_| {};
    let options = Options::default();
    let cx = CollectContext::new(
        &target,
        history.as_ref(),
        &files,
        &options,
        &progress,
        &cancel,
    );
    let evidence = SecretsCollector::new().collect(&cx)?;
    let total = start.elapsed();
    if list {
        for f in &evidence.findings {
            let secret = f
                .excerpt
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            println!(
                "{}\t{}\t{}\t{}:{}\t{}",
                f.rule,
                f.confidence,
                secret,
                f.location.path.as_deref().unwrap_or(""),
                f.location.line.unwrap_or(0),
                f.tags.iter().cloned().collect::<Vec<_>>().join(",")
            );
        }
    }
    for (name, fact) in &evidence.facts {
        eprintln!("{name} = {}", fact.value);
    }
    eprintln!(
        "findings: {}; history walk {:.2?}; total {:.2?}",
        evidence.findings.len(),
        walked,
        total
    );
    Ok(())
}
