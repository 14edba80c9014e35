//! Scans a repository and prints its verdict, scores and the Markdown report.
//!
//! `cargo run -p diligence --example scan -- path/to/repo`

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let assessment = diligence::Scan::new(&path).run()?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "verdict: {} (score {:?}, coverage {}%)",
        assessment.gate.verdict, assessment.scores.overall, assessment.scores.coverage
    )?;
    out.write_all(diligence::render::markdown(&assessment)?.as_bytes())?;
    Ok(())
}
