//! Totals agree exactly with `lcov --summary` (skipped when lcov is absent).

use std::process::Command;

use diligence_coverage::{Counts, parse_report};

use crate::fixture;

/// `(hit, found)` from a summary line such as
/// `  lines......: 78.6% (11 of 14 lines)`; `None` for "no data found".
fn summary_line(text: &str, key: &str) -> Option<Counts> {
    let line = text.lines().find(|l| l.trim_start().starts_with(key))?;
    let inner = line.split_once('(')?.1;
    let mut words = inner.split_whitespace();
    let hit = words.next()?.parse().ok()?;
    words.next();
    let found = words.next()?.parse().ok()?;
    Some(Counts::new(found, hit))
}

#[test]
#[allow(clippy::print_stderr)]
fn totals_match_lcov_summary() -> anyhow::Result<()> {
    let probe = Command::new("lcov").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `lcov` is not installed (Debian package `lcov`)");
        return Ok(());
    }
    for name in [
        "gcc-geninfo.info",
        "jest.info",
        "edge-cases.info",
        "coverage-py.info",
    ] {
        let path = fixture(&format!("lcov/{name}"));
        let output = Command::new("lcov")
            .arg("--summary")
            .arg(&path)
            .args(["--rc", "lcov_branch_coverage=1"])
            .output()?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let data = std::fs::read(&path)?;
        let ours = parse_report(name, &data)?.totals();
        assert_eq!(
            Some(ours.lines),
            summary_line(&text, "lines"),
            "{name} lines:\n{text}"
        );
        let found = |c: Option<Counts>| c.filter(|c| c.found > 0);
        // lcov 1.x does not know two lcov 2 forms that coverage.py writes:
        // `FN:start,end,name` (it reads a function named `end,name`) and
        // `BRDA` branch ids that are not numbers (it skips the record).
        // lcov 2 and this crate read both, so lcov 1.x is not the reference
        // for those counts.
        let text_data = String::from_utf8_lossy(&data);
        let lcov2_functions = text_data
            .lines()
            .any(|l| l.starts_with("FN:") && l.matches(',').count() >= 2);
        let lcov2_branches = text_data.lines().any(|l| {
            l.strip_prefix("BRDA:")
                .is_some_and(|v| v.split(',').take(3).any(|f| f.parse::<u64>().is_err()))
        });
        if !lcov2_branches {
            assert_eq!(
                found(ours.branches),
                summary_line(&text, "branches"),
                "{name} branches:\n{text}"
            );
        }
        if !lcov2_functions {
            assert_eq!(
                found(ours.functions),
                summary_line(&text, "functions"),
                "{name} functions:\n{text}"
            );
        }
    }
    Ok(())
}
