//! Dockerfiles: parsed with `parse-dockerfile`, checked for the practices
//! behind the `deploy.docker-*` rules, and summarised for the inventory.

use diligence_model::{Confidence, Severity};
use parse_dockerfile::{Command, Instruction, Source};

use crate::collector::{Hit, Run};

/// Whether a path names a Dockerfile: `Dockerfile`, `Containerfile`,
/// `Dockerfile.<variant>` or `<variant>.Dockerfile`.
pub fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || (lower.starts_with("dockerfile.") && !lower.ends_with(".md"))
        || lower.ends_with(".dockerfile")
}

/// What a Dockerfile builds, for the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Path of the Dockerfile.
    pub path: String,
    /// The final stage's base image.
    pub base: String,
    /// The user the final stage runs as (`root` when none is set).
    pub user: String,
    /// Ports it exposes.
    pub ports: Vec<String>,
}

/// Package-manager installs whose packages should carry versions:
/// the command words and the separator a pinned package uses.
const INSTALLS: &[(&[&str], &str)] = &[
    (&["apt-get", "install"], "="),
    (&["apt", "install"], "="),
    (&["apk", "add"], "="),
    (&["pip", "install"], "=="),
    (&["pip3", "install"], "=="),
];

/// Parts of a variable name that mark it as holding a secret.
const SECRET_NAMES: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

/// Byte offsets where each line starts, to turn spans into lines.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts)
    }

    fn line(&self, offset: usize) -> u32 {
        let index = self.0.partition_point(|&start| start <= offset);
        u32::try_from(index).unwrap_or(u32::MAX)
    }
}

fn command_text(command: &Command<'_>) -> String {
    match command {
        Command::Shell(s) => s.value.replace("\\\n", " "),
        Command::Exec(e) => e
            .value
            .iter()
            .map(|s| s.value.as_ref())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// Shell commands of a script split at `&&`, `||`, `;` and newlines; pipes
/// are kept inside a command.
fn commands(script: &str) -> Vec<String> {
    script
        .replace("&&", "\n")
        .replace("||", "\n")
        .replace(';', "\n")
        .lines()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Packages an install command names without a version.
fn unpinned_packages(command: &str) -> Option<Vec<String>> {
    for (words, pin) in INSTALLS {
        let tokens: Vec<&str> = command.split_whitespace().collect();
        let Some(at) = tokens
            .windows(words.len())
            .position(|w| w.iter().zip(words.iter()).all(|(a, b)| a.ends_with(b)))
        else {
            continue;
        };
        let mut loose = Vec::new();
        let mut skip_next = false;
        for token in &tokens[at + words.len()..] {
            if skip_next {
                skip_next = false;
                continue;
            }
            if *token == "|" {
                break;
            }
            if token.starts_with('-') {
                // `-r requirements.txt` and `-c constraints.txt` take a file.
                skip_next = matches!(*token, "-r" | "-c" | "--requirement" | "--constraint");
                if skip_next || token.starts_with("--requirement=") {
                    return None;
                }
                continue;
            }
            let pinned = token.contains(pin)
                || (*pin == "==" && (token.contains(">=") || token.contains("~=")))
                || token.contains('/')
                || token.starts_with('.')
                || token.contains('$')
                || token.ends_with(".whl");
            if !pinned {
                loose.push((*token).trim_matches(['"', '\'']).to_owned());
            }
        }
        return (!loose.is_empty()).then_some(loose);
    }
    None
}

/// Whether a variable's name says it holds a secret (names pointing at a
/// mounted secret, `…_FILE`, `…_PATH`, `…_DIR`, aside). Shared with the
/// platform files' checks.
pub(crate) fn secret_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_NAMES.iter().any(|s| upper.contains(s))
        && !["_FILE", "_PATH", "_DIR", "_URL_FILE"]
            .iter()
            .any(|suffix| upper.ends_with(suffix))
}

/// Names an `ENV` or `ARG` sets: `A=1 B=2`, or the legacy `ENV A 1`.
fn assigned_names(arguments: &str, legacy_env: bool) -> Vec<String> {
    let first = arguments.split_whitespace().next().unwrap_or_default();
    if legacy_env && !first.contains('=') {
        return vec![first.to_owned()];
    }
    arguments
        .split_whitespace()
        .filter_map(|t| {
            let name = t.split('=').next()?;
            let plain =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            plain.then(|| name.to_owned())
        })
        .collect()
}

/// Checks one Dockerfile; returns what it builds, `None` when it does not
/// parse.
pub(crate) fn check(run: &mut Run<'_>, path: &str, text: &str) -> Option<Image> {
    let file = match parse_dockerfile::parse(text) {
        Ok(file) => file,
        Err(e) => {
            let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
            let column = u32::try_from(e.column()).ok().filter(|c| *c > 0);
            let message = e.to_string();
            run.malformed(
                path,
                line,
                column,
                message.lines().next().unwrap_or(&message),
            );
            return None;
        }
    };
    let lines = Lines::new(text);
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let stages: Vec<_> = file.stages().collect();
    let aliases: Vec<String> = stages
        .iter()
        .filter_map(|s| {
            s.from
                .as_
                .as_ref()
                .map(|(_, a)| a.value.to_ascii_lowercase())
        })
        .collect();
    let mut image = None;
    for (index, stage) in stages.iter().enumerate() {
        let last = index + 1 == stages.len();
        let from_line = lines.line(stage.from.from.span.start);
        let base = stage.from.image.value.to_string();
        base_image(run, path, from_line, &base, &aliases);
        let mut pipefail_shell = false;
        let mut user: Option<(String, u32)> = None;
        let mut healthcheck = false;
        let mut ports = Vec::new();
        for instruction in stage.instructions {
            match instruction {
                Instruction::User(u) => {
                    user = Some((u.arguments.value.to_string(), lines.line(u.user.span.start)));
                }
                Instruction::Shell(s) => {
                    pipefail_shell = s.arguments.iter().any(|a| a.value == "pipefail");
                }
                Instruction::Healthcheck(_) => healthcheck = true,
                Instruction::Expose(e) => {
                    ports.extend(e.arguments.iter().map(|p| p.value.to_string()));
                }
                Instruction::Run(r) => {
                    let mut script = command_text(&r.arguments);
                    for doc in &r.here_docs {
                        script.push('\n');
                        script.push_str(&doc.value);
                    }
                    run_checks(
                        run,
                        path,
                        lines.line(r.run.span.start),
                        &script,
                        pipefail_shell,
                    );
                }
                Instruction::Add(a) => {
                    let line = lines.line(a.add.span.start);
                    let checksum = a.options.iter().any(|f| f.name.value == "checksum");
                    for src in &a.src {
                        if let Source::Path(p) = src {
                            let value = p.value.to_ascii_lowercase();
                            if (value.starts_with("http://") || value.starts_with("https://"))
                                && !checksum
                            {
                                run.hit(Hit {
                                    rule: "deploy.docker-add-url",
                                    severity: Severity::Medium,
                                    confidence: Confidence::High,
                                    path,
                                    line,
                                    message: format!(
                                        "ADD downloads {} at build time without a checksum: whatever the server returns goes into the image",
                                        p.value
                                    ),
                                    remediation: "Download with `RUN curl -fsSL … && echo '<sha256>  file' | sha256sum -c`, or use `ADD --checksum=sha256:…`.",
                                    excerpt: Some(format!("ADD {}", p.value)),
                                    heuristic: false,
                                });
                            }
                            env_copied(run, path, line, "ADD", &p.value);
                        }
                    }
                }
                Instruction::Copy(c) => {
                    let line = lines.line(c.copy.span.start);
                    let from_stage = c.options.iter().any(|f| f.name.value == "from");
                    for src in &c.src {
                        if let Source::Path(p) = src
                            && !from_stage
                        {
                            env_copied(run, path, line, "COPY", &p.value);
                            if matches!(p.value.as_ref(), "." | "./" | "*") {
                                whole_context(run, path, dir, line);
                            }
                        }
                    }
                }
                Instruction::Env(e) => {
                    let line = lines.line(e.env.span.start);
                    for name in assigned_names(&e.arguments.value, true) {
                        secret_variable(run, path, line, "ENV", &name);
                    }
                }
                Instruction::Arg(a) => {
                    let line = lines.line(a.arg.span.start);
                    for name in assigned_names(&a.arguments.value, false) {
                        secret_variable(run, path, line, "ARG", &name);
                    }
                }
                _ => {}
            }
        }
        if last {
            let lower = base.to_ascii_lowercase();
            let nonroot_base = lower.contains("nonroot") || lower.contains("rootless");
            let user_name = user.as_ref().map(|(u, _)| u.as_str()).unwrap_or("root");
            match &user {
                Some((u, line)) if is_root(u) => run.hit(Hit {
                    rule: "deploy.docker-root-user",
                    severity: Severity::Medium,
                    confidence: Confidence::High,
                    path,
                    line: *line,
                    message: "The image's last USER is root, so the application runs as root".to_owned(),
                    remediation: "Create an unprivileged user and switch to it with `USER app` after the steps that need root.",
                    excerpt: Some(format!("USER {u}")),
                    heuristic: false,
                }),
                None if !nonroot_base && lower != "scratch" => run.hit(Hit {
                    rule: "deploy.docker-root-user",
                    severity: Severity::Medium,
                    confidence: Confidence::Medium,
                    path,
                    line: from_line,
                    message: format!(
                        "The final stage (FROM {base}) sets no USER, so the application runs as the base image's user, root for most images"
                    ),
                    remediation: "Create an unprivileged user and switch to it with `USER app` after the steps that need root.",
                    excerpt: Some(format!("FROM {base}")),
                    heuristic: true,
                }),
                _ => {}
            }
            if !healthcheck {
                run.hit(Hit {
                    rule: "deploy.docker-no-healthcheck",
                    severity: Severity::Low,
                    confidence: Confidence::Medium,
                    path,
                    line: from_line,
                    message: "The final stage declares no HEALTHCHECK; unless the orchestrator probes the service itself, a hung process keeps receiving traffic".to_owned(),
                    remediation: "Add `HEALTHCHECK CMD …` that calls a cheap health endpoint, or configure the platform's liveness probe.",
                    excerpt: None,
                    heuristic: true,
                });
            }
            image = Some(Image {
                path: path.to_owned(),
                base: base.clone(),
                user: user_name.to_owned(),
                ports: ports.clone(),
            });
        }
    }
    image
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "root" || name == "0"
}

fn base_image(run: &mut Run<'_>, path: &str, line: u32, base: &str, aliases: &[String]) {
    let lower = base.to_ascii_lowercase();
    if lower == "scratch" || aliases.contains(&lower) || base.contains('$') || base.contains('@') {
        return;
    }
    let last = base.rsplit('/').next().unwrap_or(base);
    let tag = last.split_once(':').map(|(_, t)| t);
    let problem = match tag {
        None => "has no tag, so it means `latest`",
        Some("latest") => "is `latest`",
        Some(_) => return,
    };
    run.hit(Hit {
        rule: "deploy.docker-unpinned-base",
        severity: Severity::Low,
        confidence: Confidence::High,
        path,
        line,
        message: format!(
            "The base image {base} {problem}: each build may start from a different image"
        ),
        remediation: "Pin the base image to a version tag, and to a digest (`image:tag@sha256:…`) for reproducible builds.",
        excerpt: Some(format!("FROM {base}")),
        heuristic: false,
    });
}

fn run_checks(run: &mut Run<'_>, path: &str, line: u32, script: &str, pipefail_shell: bool) {
    let pipefail = pipefail_shell || script.contains("pipefail");
    for command in commands(script) {
        let words: Vec<&str> = command.split_whitespace().collect();
        if words.contains(&"sudo") {
            run.hit(Hit {
                rule: "deploy.docker-sudo",
                severity: Severity::Low,
                confidence: Confidence::High,
                path,
                line,
                message: "A RUN step uses sudo: build steps already run as the current USER, and sudo in the image widens what a compromised process can do".to_owned(),
                remediation: "Run the step before switching USER, or as `USER root` followed by `USER app`, and do not install sudo.",
                excerpt: Some(command.chars().take(120).collect()),
                heuristic: false,
            });
        }
        if let Some((pipe, _)) = command.split_once('|') {
            let downloads = pipe
                .split_whitespace()
                .any(|w| matches!(w, "curl" | "wget"));
            let rest = &command[pipe.len() + 1..];
            let is_shell = |w: &str| {
                matches!(
                    w.rsplit('/').next().unwrap_or(w),
                    "sh" | "bash" | "zsh" | "ash"
                )
            };
            let mut rest_words = rest.split_whitespace();
            let shell = match rest_words.next() {
                Some("sudo") => rest_words.any(is_shell),
                Some(first) => is_shell(first),
                None => false,
            };
            if downloads && shell && !pipefail {
                run.hit(Hit {
                    rule: "deploy.docker-curl-pipe-shell",
                    severity: Severity::Medium,
                    confidence: Confidence::High,
                    path,
                    line,
                    message: "A RUN step pipes a download into a shell without pipefail: a failed or truncated download still runs, and nothing checks what was downloaded".to_owned(),
                    remediation: "Download to a file, verify its checksum, then run it; at least set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` so a failed download fails the build.",
                    excerpt: Some(command.chars().take(120).collect()),
                    heuristic: false,
                });
            }
        }
        if let Some(packages) = unpinned_packages(&command) {
            run.hit(Hit {
                rule: "deploy.docker-unpinned-packages",
                severity: Severity::Low,
                confidence: Confidence::High,
                path,
                line,
                message: format!(
                    "Packages installed without a version: {}",
                    packages.join(", ")
                ),
                remediation: "Pin versions (`apt-get install curl=7.88.1-10`, `apk add curl=8.5.0-r0`, `pip install requests==2.31.0` or a locked requirements file) so rebuilds install the same software.",
                excerpt: Some(command.chars().take(120).collect()),
                heuristic: false,
            });
        }
    }
}

fn is_env_file(src: &str) -> bool {
    let name = src.rsplit('/').next().unwrap_or(src).to_ascii_lowercase();
    let env = name == ".env" || name.starts_with(".env.") || name.ends_with(".env");
    let sample = ["example", "sample", "template", "dist", "defaults"]
        .iter()
        .any(|s| name.contains(s));
    env && !sample
}

fn env_copied(run: &mut Run<'_>, path: &str, line: u32, instruction: &str, src: &str) {
    if !is_env_file(src) {
        return;
    }
    run.hit(Hit {
        rule: "deploy.docker-env-file-copied",
        severity: Severity::High,
        confidence: Confidence::High,
        path,
        line,
        message: format!(
            "{instruction} puts the environment file {src} into the image: every value in it ships in a layer anyone with the image can read"
        ),
        remediation: "Do not copy env files into images; pass configuration at run time (platform secrets, `--env-file` on the host) and list `.env*` in `.dockerignore`.",
        excerpt: Some(format!("{instruction} {src}")),
        heuristic: false,
    });
}

/// `COPY . .` with a `.env` in the build context that `.dockerignore` does
/// not exclude.
fn whole_context(run: &mut Run<'_>, path: &str, dir: &str, line: u32) {
    let join = |name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    let env_path = join(".env");
    if !run.exists(&env_path) {
        return;
    }
    let ignored = run.read(&join(".dockerignore")).is_some_and(|text| {
        text.lines().map(str::trim).any(|l| {
            matches!(
                l,
                ".env" | "/.env" | ".env*" | "*.env" | "**/.env" | "**/.env*" | ".env.*" | "*"
            )
        })
    });
    if ignored {
        return;
    }
    run.hit(Hit {
        rule: "deploy.docker-env-file-copied",
        severity: Severity::High,
        confidence: Confidence::Medium,
        path,
        line,
        message: format!(
            "COPY copies the whole build context, which holds {env_path}, and no .dockerignore excludes it: the env file ships in the image"
        ),
        remediation: "List `.env*` in `.dockerignore` (and keep env files out of the build context); pass configuration at run time.",
        excerpt: None,
        heuristic: true,
    });
}

fn secret_variable(run: &mut Run<'_>, path: &str, line: u32, instruction: &str, name: &str) {
    if !secret_like(name) {
        return;
    }
    run.hit(Hit {
        rule: "deploy.docker-secret-in-env",
        severity: Severity::Medium,
        confidence: Confidence::Medium,
        path,
        line,
        message: format!(
            "{instruction} sets {name}, a secret-like variable: {instruction} values are stored in the image's metadata and history, readable by anyone with the image"
        ),
        remediation: "Pass secrets at run time (platform secrets or mounted files), and to builds with `RUN --mount=type=secret`.",
        excerpt: Some(format!("{instruction} {name}")),
        heuristic: true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_dockerfiles() {
        for yes in [
            "Dockerfile",
            "api/Dockerfile",
            "Dockerfile.prod",
            "web.Dockerfile",
            "Containerfile",
        ] {
            assert!(is_dockerfile(yes), "{yes}");
        }
        for no in [
            ".dockerignore",
            "docs/Dockerfile.md",
            "dockerfile.rs.txt.bak/x",
            "Dockerfiles/README",
        ] {
            assert!(!is_dockerfile(no), "{no}");
        }
    }

    #[test]
    fn package_pins() {
        assert_eq!(
            unpinned_packages("apt-get install -y --no-install-recommends curl git=1:2.39.2-1"),
            Some(vec!["curl".to_owned()])
        );
        assert_eq!(unpinned_packages("apk add --no-cache tini=0.19.0-r1"), None);
        assert_eq!(unpinned_packages("pip install -r requirements.txt"), None);
        assert_eq!(unpinned_packages("pip install --no-cache-dir ."), None);
        assert_eq!(
            unpinned_packages("pip install flask gunicorn==21.2.0"),
            Some(vec!["flask".to_owned()])
        );
        assert_eq!(unpinned_packages("npm install"), None);
    }

    #[test]
    fn secret_names_and_env_files() {
        assert!(secret_like("STRIPE_SECRET_KEY") && secret_like("db_password"));
        assert!(!secret_like("PASSWORD_FILE") && !secret_like("NODE_ENV"));
        assert_eq!(assigned_names("A=1 B=\"two\"", true), ["A", "B"]);
        assert_eq!(assigned_names("API_TOKEN abc", true), ["API_TOKEN"]);
        assert!(is_env_file(".env") && is_env_file("config/.env.production"));
        assert!(!is_env_file(".env.example") && !is_env_file("environment.ts"));
    }
}
