//! Comparison with the reference linters: hadolint on the fixture
//! Dockerfiles and zizmor on the fixture workflows. For every rule mapped
//! in `docs/collectors/deploy.md`, what the reference tool reports we must
//! report too. Each test skips, saying why, when its tool is not installed
//! (`.ci/run` installs both, pinned, in a virtual environment); the tool
//! is found through `DILIGENCE_HADOLINT` / `DILIGENCE_ZIZMOR` or on `PATH`.
//! Neither tool touches the network: zizmor runs `--offline`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{collect, fixture};

fn tool(variable: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn skip(name: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "skipped: {name} is not installed (set DILIGENCE_{} or put it on PATH)",
            name.to_ascii_uppercase()
        );
    }
}

/// Our finding locations by rule: (path, line).
fn ours(fixture_name: &str) -> anyhow::Result<BTreeMap<String, Vec<(String, u32)>>> {
    let ev = collect(Some(fixture_name), &[(".env", "APP_MODE=demo\n")])?;
    let mut map: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for f in &ev.findings {
        map.entry(f.rule.to_string()).or_default().push((
            f.location.path.clone().unwrap_or_default(),
            f.location.line.unwrap_or(0),
        ));
    }
    Ok(map)
}

/// hadolint codes and the rule that covers them.
const HADOLINT: &[(&str, &str)] = &[
    ("DL3002", "deploy.docker-root-user"),
    ("DL3004", "deploy.docker-sudo"),
    ("DL3006", "deploy.docker-unpinned-base"),
    ("DL3007", "deploy.docker-unpinned-base"),
    ("DL3008", "deploy.docker-unpinned-packages"),
    ("DL3013", "deploy.docker-unpinned-packages"),
    ("DL3018", "deploy.docker-unpinned-packages"),
    ("DL4006", "deploy.docker-curl-pipe-shell"),
];

#[test]
fn hadolint_findings_on_mapped_rules_are_ours_too() -> anyhow::Result<()> {
    let Some(hadolint) = tool("DILIGENCE_HADOLINT", "hadolint") else {
        skip("hadolint");
        return Ok(());
    };
    for dir in ["docker/flag", "docker/clean"] {
        let root = fixture(dir);
        let files = ["Dockerfile", "worker.Dockerfile"];
        let files: Vec<&str> = files
            .into_iter()
            .filter(|f| root.join(f).is_file())
            .collect();
        let output = Command::new(&hadolint)
            .current_dir(&root)
            .args(["--no-fail", "-f", "json"])
            .args(&files)
            .output()?;
        let found: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let ours = ours(dir)?;
        let mut compared = 0;
        for item in found.as_array().into_iter().flatten() {
            let code = item["code"].as_str().unwrap_or_default();
            let Some((_, rule)) = HADOLINT.iter().find(|(c, _)| *c == code) else {
                continue;
            };
            let file = item["file"].as_str().unwrap_or_default().to_owned();
            let line = u32::try_from(item["line"].as_u64().unwrap_or(0))?;
            // DL4006 flags every pipe; ours only downloads piped into a shell.
            if code == "DL4006" {
                let text = std::fs::read_to_string(root.join(&file))?;
                let source = text.lines().nth(line as usize - 1).unwrap_or_default();
                if !source.contains("curl") && !source.contains("wget") {
                    continue;
                }
            }
            compared += 1;
            assert!(
                ours.get(*rule)
                    .is_some_and(|v| v.contains(&(file.clone(), line))),
                "hadolint {code} at {file}:{line} has no {rule} finding: {ours:?}"
            );
        }
        if dir == "docker/flag" {
            assert!(compared >= 7, "only {compared} mapped hadolint findings");
        }
    }
    Ok(())
}

/// zizmor audits and the rule that covers them.
const ZIZMOR: &[(&str, &str)] = &[
    ("template-injection", "deploy.gha-template-injection"),
    ("unpinned-uses", "deploy.gha-unpinned-action"),
    ("secrets-inherit", "deploy.gha-secrets-inherit"),
];

#[test]
fn zizmor_findings_on_mapped_audits_are_ours_too() -> anyhow::Result<()> {
    let Some(zizmor) = tool("DILIGENCE_ZIZMOR", "zizmor") else {
        skip("zizmor");
        return Ok(());
    };
    for dir in ["gha/flag", "gha/clean"] {
        let root = fixture(dir);
        let output = Command::new(&zizmor)
            .current_dir(&root)
            .args(["--offline", "--format", "json", ".github/workflows"])
            .output()?;
        let found: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let ours = ours(dir)?;
        // zizmor points at a step or job where we point at a line inside
        // it, so findings are compared as counts per file and rule.
        let mut theirs: BTreeMap<(String, &str), usize> = BTreeMap::new();
        for item in found.as_array().into_iter().flatten() {
            let ident = item["ident"].as_str().unwrap_or_default();
            let Some((_, rule)) = ZIZMOR.iter().find(|(a, _)| *a == ident) else {
                continue;
            };
            // Informational, low-confidence findings (a step output in a
            // script) are zizmor's hunches, not claims we match.
            let determinations = &item["determinations"];
            if determinations["severity"] == "Informational"
                || determinations["confidence"] == "Low"
            {
                continue;
            }
            let path = item["locations"][0]["symbolic"]["key"]["Local"]["verbatim_path"]
                .as_str()
                .unwrap_or_default();
            let path = Path::new(path)
                .strip_prefix("./")
                .unwrap_or(Path::new(path))
                .to_string_lossy()
                .into_owned();
            *theirs.entry((path, rule)).or_default() += 1;
        }
        for ((path, rule), count) in &theirs {
            let mine = ours
                .get(*rule)
                .map_or(0, |v| v.iter().filter(|(p, _)| p == path).count());
            assert!(
                mine >= *count,
                "zizmor has {count} findings of {rule} in {path}, we have {mine}"
            );
        }
        if dir == "gha/flag" {
            assert!(theirs.len() >= 4, "only {theirs:?}");
        }
    }
    Ok(())
}
