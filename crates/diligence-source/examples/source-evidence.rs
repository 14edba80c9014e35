//! Prints the `source` evidence of a directory: facts, findings and
//! inventories, as a reviewer reads them. A quick way to try the detectors
//! on a checkout without a full scan:
//! `cargo run -p diligence-source --example source-evidence -- DIR`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

use diligence_model::Inventory;
use diligence_source::{SourceFile, SourceModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: source-evidence DIR");
        std::process::exit(2);
    };
    let root = Path::new(&root);
    let mut listed = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let name = entry.file_name();
            if kind.is_dir() && name != ".git" && name != "node_modules" {
                dirs.push(entry.path());
            } else if kind.is_file() {
                let relative = entry.path().strip_prefix(root)?.to_path_buf();
                let path = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                listed.push((path, entry.metadata()?.len()));
            }
        }
    }
    listed.sort();
    let files: Vec<SourceFile<'_>> = listed
        .iter()
        .map(|(path, size)| SourceFile { path, size: *size })
        .collect();
    let read = |path: &str| std::fs::read(root.join(path));
    let started = std::time::Instant::now();
    let model = SourceModel::build(&files, &read);
    let mut evidence = model.evidence();
    evidence.normalise();
    eprintln!("model and evidence in {:?}", started.elapsed());
    for (name, fact) in &evidence.facts {
        println!("fact {name} = {}", fact.value);
    }
    for finding in &evidence.findings {
        println!(
            "{:?} {:?} {} {}:{} {}",
            finding.severity,
            finding.confidence,
            finding.rule,
            finding.location.path.as_deref().unwrap_or("-"),
            finding.location.line.unwrap_or(0),
            finding.message
        );
    }
    for (key, inventory) in &evidence.inventories {
        if let Inventory::Table(table) = inventory {
            println!("table {key}: {}", table.columns.join(" | "));
            for row in &table.rows {
                println!("  {}", row.join(" | "));
            }
        }
    }
    Ok(())
}
