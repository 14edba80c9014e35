//! Renders a saved assessment as PDF: `cargo run -p diligence-pdf --example
//! render -- ASSESSMENT.json OUT.pdf`.

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let input = args
        .next()
        .context("usage: render ASSESSMENT.json OUT.pdf")?;
    let output = args
        .next()
        .context("usage: render ASSESSMENT.json OUT.pdf")?;
    let text = std::fs::read_to_string(&input)?;
    let assessment: diligence_model::Assessment = serde_json::from_str(&text)?;
    let start = std::time::Instant::now();
    let bytes = diligence_pdf::pdf(&assessment)?;
    let elapsed = start.elapsed();
    std::fs::write(&output, bytes)?;
    #[allow(clippy::print_stderr)]
    {
        eprintln!("rendered {output} in {} ms", elapsed.as_millis());
    }
    Ok(())
}
