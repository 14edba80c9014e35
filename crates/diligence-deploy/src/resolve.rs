//! One level of indirection behind a pipeline command: the recipe of a
//! `make` target, a `package.json` script, a shell script the step calls.
//!
//! A pipeline that runs `make ci` or `npm run verify` runs whatever those
//! names stand for; reading that one level down is what lets a test or
//! deploy command behind them count. Files are read through a bounded
//! reader; nothing is executed, and a second level is not followed.

use crate::commands::words;

/// What a command stands for: where it was found and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// `Makefile: ci`, `package.json: verify`, `scripts/test.sh`.
    pub via: String,
    /// The commands behind it.
    pub text: String,
}

/// Reads a file of the target by relative path; `None` when it is absent,
/// too large or not text.
pub type Reader<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Package-manager subcommands that are not script names (`yarn install`).
const PM_BUILTINS: &[&str] = &[
    "install",
    "ci",
    "add",
    "remove",
    "i",
    "exec",
    "dlx",
    "x",
    "create",
    "init",
    "publish",
    "config",
    "cache",
    "audit",
    "outdated",
    "link",
    "why",
    "set",
    "up",
    "upgrade",
    "dedupe",
    "workspace",
    "workspaces",
    "--frozen-lockfile",
    "global",
    "version",
    "pack",
    "info",
];

/// The expansions of every command in `script`, run in `workdir`
/// (relative to the root; `None` for the root).
pub fn expand(script: &str, workdir: Option<&str>, read: Reader<'_>) -> Vec<Expansion> {
    let mut out: Vec<Expansion> = Vec::new();
    let mut push = |e: Expansion| {
        if !out.contains(&e) {
            out.push(e);
        }
    };
    for line in script.lines() {
        let line = line.trim_start();
        if line.starts_with('#') {
            continue;
        }
        let words = words(line);
        for (i, word) in words.iter().enumerate() {
            let rest = &words[i + 1..];
            match *word {
                "make" | "gmake" => {
                    for e in make(rest, workdir, read) {
                        push(e);
                    }
                }
                "npm" | "yarn" | "pnpm" | "bun" => {
                    if let Some(e) = package_script(word, rest, workdir, read) {
                        push(e);
                    }
                }
                w if is_script_path(w) => {
                    let path = join(workdir, w);
                    if let Some(text) = read(&path) {
                        push(Expansion { via: path, text });
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn is_script_path(word: &str) -> bool {
    !word.starts_with('-')
        && !word.contains("${")
        && !word.contains('$')
        && (word.ends_with(".sh")
            || word.ends_with(".bash")
            || ((word.starts_with("scripts/") || word.starts_with("bin/")) && !word.contains('.')))
}

/// `dir` joined with a relative `path`, `./` segments removed.
fn join(dir: Option<&str>, path: &str) -> String {
    let path = path.trim_start_matches("./");
    match dir.map(|d| d.trim_start_matches("./").trim_end_matches('/')) {
        Some(d) if !d.is_empty() && d != "." => format!("{d}/{path}"),
        _ => path.to_owned(),
    }
}

fn make(args: &[&str], workdir: Option<&str>, read: Reader<'_>) -> Vec<Expansion> {
    let mut dir = workdir.map(str::to_owned);
    let mut file = None;
    let mut targets = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match *arg {
            "-C" | "--directory" => {
                dir = args.get(i + 1).map(|d| join(workdir, d));
                i += 1;
            }
            "-f" | "--file" => {
                file = args.get(i + 1).map(|f| (*f).to_owned());
                i += 1;
            }
            a if a.starts_with('-') || a.contains('=') => {}
            // The next command on the line.
            "make" | "npm" | "yarn" | "pnpm" | "cargo" | "docker" | "echo" => break,
            a => targets.push(a),
        }
        i += 1;
    }
    let names = match &file {
        Some(f) => vec![f.as_str()],
        None => vec!["Makefile", "makefile", "GNUmakefile"],
    };
    let Some((path, text)) = names.iter().find_map(|n| {
        let path = join(dir.as_deref(), n);
        read(&path).map(|t| (path, t))
    }) else {
        return Vec::new();
    };
    if targets.is_empty() {
        // `make` alone runs the first target.
        if let Some(first) = first_target(&text) {
            targets.push(first);
        } else {
            return Vec::new();
        }
    }
    targets
        .into_iter()
        .filter_map(|target| {
            let (prerequisites, mut recipe) = make_target(&text, target)?;
            // Direct prerequisites run first; their recipes belong to `make target`.
            for p in prerequisites {
                if let Some((_, r)) = make_target(&text, &p) {
                    recipe = format!("{r}\n{recipe}");
                }
            }
            Some(Expansion {
                via: format!("{path}: {target}"),
                text: recipe,
            })
        })
        .collect()
}

fn first_target(text: &str) -> Option<&str> {
    text.lines().find_map(|l| {
        let (head, _) = rule_line(l)?;
        head.split_whitespace()
            .next()
            .filter(|t| !t.starts_with('.'))
    })
}

/// `targets: prerequisites` of a rule line, not a `:=` assignment.
fn rule_line(line: &str) -> Option<(&str, &str)> {
    if line.starts_with('\t') || line.starts_with('#') {
        return None;
    }
    let (head, tail) = line.split_once(':')?;
    if tail.starts_with('=') || head.contains('=') || head.trim().is_empty() {
        return None;
    }
    Some((head, tail))
}

/// The prerequisites and recipe of `target`.
fn make_target(text: &str, target: &str) -> Option<(Vec<String>, String)> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some((head, tail)) = rule_line(line) else {
            continue;
        };
        if !head.split_whitespace().any(|t| t == target) {
            continue;
        }
        let (prereq, inline) = tail.split_once(';').unwrap_or((tail, ""));
        let prerequisites = prereq.split_whitespace().map(str::to_owned).collect();
        let mut recipe = inline.trim().to_owned();
        for next in lines.by_ref() {
            if let Some(cmd) = next.strip_prefix('\t') {
                recipe.push('\n');
                recipe.push_str(cmd.trim_start_matches(['@', '-', '+']));
            } else if next.trim().is_empty() {
                continue;
            } else {
                break;
            }
        }
        return Some((prerequisites, recipe));
    }
    None
}

fn package_script(
    manager: &str,
    args: &[&str],
    workdir: Option<&str>,
    read: Reader<'_>,
) -> Option<Expansion> {
    let mut args = args.iter().copied().filter(|a| !a.starts_with('-'));
    let first = args.next()?;
    let name = match first {
        "run" | "run-script" => args.next()?,
        "test" | "t" if manager == "npm" => "test",
        name if manager != "npm" && !PM_BUILTINS.contains(&name) => name,
        _ => return None,
    };
    let path = join(workdir, "package.json");
    let text = read(&path)?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let script = json.get("scripts")?.get(name)?.as_str()?;
    Some(Expansion {
        via: format!("{path}: {name}"),
        text: script.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn reader(files: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect();
        move |p| map.get(p).cloned()
    }

    #[test]
    fn follows_make_package_scripts_and_shell_scripts() {
        let read = reader(&[
            (
                "Makefile",
                "VERSION := 1\nlint:\n\tcargo clippy\nci: lint\n\t@cargo test --all\n",
            ),
            (
                "web/package.json",
                r#"{"scripts": {"verify": "vitest run", "build": "vite build"}}"#,
            ),
            ("scripts/test.sh", "#!/bin/sh\nset -e\npytest\n"),
        ]);
        let got = expand("make ci", None, &read);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].via, "Makefile: ci");
        assert!(got[0].text.contains("cargo clippy") && got[0].text.contains("cargo test --all"));
        let got = expand("npm run verify", Some("web"), &read);
        assert_eq!(got[0].text, "vitest run");
        let got = expand("docker compose run --rm app ./scripts/test.sh", None, &read);
        assert_eq!(got[0].via, "scripts/test.sh");
        assert!(got[0].text.contains("pytest"));
    }

    #[test]
    fn ignores_what_is_not_a_script() {
        let read = reader(&[("package.json", r#"{"scripts": {"test": "jest"}}"#)]);
        assert!(expand("npm ci", None, &read).is_empty());
        assert!(expand("yarn install --frozen-lockfile", None, &read).is_empty());
        assert!(expand("make lint", None, &read).is_empty());
        assert!(expand("bash $SCRIPT.sh", None, &read).is_empty());
        assert_eq!(expand("yarn test", None, &read)[0].text, "jest");
    }
}
