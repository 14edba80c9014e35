//! Walks a repository, builds the evidence and streams every blob: the
//! history pass of a scan, for benchmarking until the CLI exists.
//!
//! Usage: `walk <path> [jobs]`

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use diligence_history::{History, HistoryOptions, Target};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| ".".to_owned());
    let jobs: usize = args.next().map(|j| j.parse()).transpose()?.unwrap_or(0);
    let start = Instant::now();
    let target = Target::resolve(std::path::Path::new(&path))?;
    let options = HistoryOptions {
        jobs,
        ..HistoryOptions::default()
    };
    let Some(history) = History::walk(&target, &options, &|_| {})? else {
        println!("no git repository");
        return Ok(());
    };
    let walked = start.elapsed();
    let evidence = history.evidence();
    let repo = target.repository().ok_or("no repository")?;
    let checksum = AtomicU64::new(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let stats = pool.install(|| {
        history.blobs().for_each_blob(
            repo,
            |_| true,
            |_, bytes| {
                let sum = bytes
                    .iter()
                    .fold(0u64, |a, &b| a.wrapping_add(u64::from(b)));
                checksum.fetch_add(sum, Ordering::Relaxed);
            },
        )
    });
    println!(
        "commits {} blobs {} facts {} findings {} scanned {} bytes {} missing {}",
        history.commits().len(),
        history.blobs().len(),
        evidence.facts.len(),
        evidence.findings.len(),
        stats.scanned,
        stats.bytes,
        stats.missing
    );
    eprintln!(
        "walk {:.2}s, total {:.2}s",
        walked.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
