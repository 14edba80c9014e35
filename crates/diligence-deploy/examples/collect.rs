//! Runs the `deploy` collector on a directory and prints how long it took
//! and what it found: `cargo run --release -p diligence-deploy --example
//! collect -- DIR`. Used by `scripts/bench-deploy.sh`.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use diligence_collect::{CollectContext, Collector, FileIndex, FileIndexOptions, Options, Target};
use diligence_deploy::DeployCollector;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: collect DIR"))?;
    let target = Target::resolve(std::path::Path::new(&dir))?;
    let files = FileIndex::build(&target, &FileIndexOptions::default())?;
    let options = Options::default();
    let cancel = AtomicBool::new(false);
    let cx = CollectContext::new(&target, None, &files, &options, &|_| {}, &cancel);
    let start = Instant::now();
    let evidence = DeployCollector.collect(&cx)?;
    let elapsed = start.elapsed();
    #[allow(clippy::print_stdout)]
    {
        println!(
            "files={} findings={} facts={} ms={}",
            files.entries().len(),
            evidence.findings.len(),
            evidence.facts.len(),
            elapsed.as_millis()
        );
    }
    Ok(())
}
