//! Times the PDF renderer on a generated assessment: `cargo run --release
//! -p diligence-pdf --example bench -- [FINDINGS] [OUT.pdf]`.

#[path = "../tests/it/sample.rs"]
#[allow(dead_code)]
mod sample;

use anyhow::Context;
use diligence_pdf::{PdfOptions, PdfRenderer};

#[allow(clippy::print_stdout)]
fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()
        .context("FINDINGS must be a number")?
        .unwrap_or(2000);
    let assessment = sample::with_findings(sample::basic(), count);
    let renderer = PdfRenderer::embedded();
    let mut best = u128::MAX;
    let mut bytes = Vec::new();
    for _ in 0..3 {
        let start = std::time::Instant::now();
        bytes = renderer.render(&assessment, &PdfOptions::default())?;
        best = best.min(start.elapsed().as_millis());
    }
    if let Some(out) = args.next() {
        std::fs::write(&out, &bytes)?;
    }
    println!("findings={count} bytes={} best_of_3_ms={best}", bytes.len());
    Ok(())
}
