//! Embeds every `rules/*.yml` file, so a new rule file needs no code change.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let rules_dir = Path::new(&manifest).join("rules");
    println!("cargo::rerun-if-changed={}", rules_dir.display());
    let mut names: Vec<String> = fs::read_dir(&rules_dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("/// Built-in rule files: (file name, contents), sorted by name.\n");
    out.push_str("pub(crate) static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = rules_dir.join(name);
        println!("cargo::rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    // The ids and names of the rules, read line by line (`- id:` then
    // `name:`), so that listing them never compiles a pattern: a scan asks
    // every collector for its catalog. A test checks this table against
    // the parsed rules.
    out.push_str("/// Built-in rules: (id, name), in file order.\n");
    out.push_str("pub(crate) static BUILTIN_RULE_NAMES: &[(&str, &str)] = &[\n");
    for name in &names {
        let text = fs::read_to_string(rules_dir.join(name)).unwrap_or_default();
        let mut id: Option<String> = None;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix("- id:") {
                id = Some(unquote(rest));
            } else if let (Some(rule), Some(rest)) = (&id, trimmed.strip_prefix("name:")) {
                let _ = writeln!(out, "    ({rule:?}, {:?}),", unquote(rest));
                id = None;
            }
        }
    }
    out.push_str("];\n");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("builtin_rules.rs"), out).expect("OUT_DIR is writable");
}

/// A YAML scalar on one line, without its quotes.
fn unquote(value: &str) -> String {
    let value = value.trim();
    let quoted = value.len() >= 2
        && (value.starts_with('"') && value.ends_with('"')
            || value.starts_with('\'') && value.ends_with('\''));
    if quoted {
        value[1..value.len() - 1].to_owned()
    } else {
        value.to_owned()
    }
}
