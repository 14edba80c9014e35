//! Repository policy and operations: who must review (CODEOWNERS), how
//! vulnerabilities are reported, how dependencies are kept current, and
//! what is written down for operating the product (runbooks, rollback,
//! backups, reversible migrations).

use diligence_model::{Confidence, Fact};

use crate::collector::Run;
use crate::pipeline::Pipeline;

const CODEOWNERS: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

const SECURITY: &[&str] = &[
    "SECURITY.md",
    ".github/SECURITY.md",
    "docs/SECURITY.md",
    "SECURITY.rst",
    "SECURITY.txt",
];

/// Whether a path is a pull-request template.
fn is_pr_template(lower: &str) -> bool {
    let name = lower.rsplit('/').next().unwrap_or(lower);
    let in_place = !lower.contains('/')
        || lower.starts_with(".github/")
        || lower.starts_with("docs/")
        || lower.starts_with(".gitlab/merge_request_templates/");
    in_place
        && (name.starts_with("pull_request_template")
            || lower.starts_with(".github/pull_request_template/")
            || lower.starts_with(".gitlab/merge_request_templates/"))
}

/// Whether a path is a runbook or a rollback document.
fn is_runbook(lower: &str) -> bool {
    let name = lower.rsplit('/').next().unwrap_or(lower);
    let doc = name.ends_with(".md")
        || name.ends_with(".rst")
        || name.ends_with(".txt")
        || !name.contains('.');
    let top = !lower.contains('/') && (name.starts_with("runbook") || name.starts_with("rollback"));
    let in_docs =
        (lower.starts_with("docs/") || lower.contains("/docs/") || lower.starts_with("ops/"))
            && (name.contains("runbook") || name.contains("rollback") || name.contains("playbook"));
    doc && (top || in_docs)
}

/// Whether a path is a backup script.
fn is_backup_script(lower: &str) -> bool {
    let name = lower.rsplit('/').next().unwrap_or(lower);
    name.contains("backup")
        && [".sh", ".bash", ".py", ".js", ".ts", ".rb", ".ps1"]
            .iter()
            .any(|e| name.ends_with(e))
        && !lower.contains("test")
}

/// Commands that take a database backup.
const BACKUP_COMMANDS: &[&str] = &[
    "pg_dump",
    "pg_dumpall",
    "pg_basebackup",
    "mysqldump",
    "mongodump",
    "redis-cli --rdb",
    "supabase db dump",
    "sqlite3",
    "restic backup",
    "borg create",
    "aws rds create-db-snapshot",
    "gcloud sql backups create",
];

/// A migration file and whether it can be undone.
fn migration(path: &str, lower: &str, read: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
    let in_dir = lower.contains("migrations/")
        || lower.contains("/migrate/")
        || lower.starts_with("migrate/");
    if !in_dir {
        return None;
    }
    let name = lower.rsplit('/').next().unwrap_or(lower);
    if name.ends_with(".down.sql") || name == "down.sql" {
        // Counted through its `up` partner.
        return None;
    }
    if name.ends_with(".up.sql") {
        let partner = format!("{}.down.sql", &path[..path.len() - ".up.sql".len()]);
        return Some(read(&partner).is_some());
    }
    if name == "up.sql" {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        return Some(read(&format!("{dir}/down.sql")).is_some());
    }
    let code = [".py", ".js", ".ts", ".rb", ".go", ".php"]
        .iter()
        .any(|e| name.ends_with(e));
    if name.ends_with(".sql") {
        // A plain SQL migration (Supabase, Prisma, Flyway) has no down step
        // unless it carries one in a marked section.
        let text = read(path)?;
        let lower_text = text.to_ascii_lowercase();
        return Some(
            lower_text.contains("-- +migrate down") || lower_text.contains("-- +goose down"),
        );
    }
    if !code || name.starts_with("__init__") || name.starts_with("index.") {
        return None;
    }
    let text = read(path)?;
    let any = |markers: &[&str]| markers.iter().any(|m| text.contains(m));
    let has_down = if name.ends_with(".py") {
        // Alembic and Django: a downgrade whose body is not just `pass`.
        text.split("def downgrade").nth(1).is_some_and(|rest| {
            rest.lines()
                .skip(1)
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.trim() != "pass")
        }) || text.contains("class Migration(migrations.Migration)")
    } else if name.ends_with(".rb") {
        any(&["def down", "def change"])
    } else if name.ends_with(".go") {
        any(&["func Down", "Down("])
    } else if name.ends_with(".php") {
        any(&["function down("])
    } else {
        any(&[
            "exports.down",
            "async down",
            "down: ",
            "down(knex",
            "down = ",
        ])
    };
    Some(has_down)
}

/// Whether a lowercased path belongs to an area.
type Belongs = fn(&str) -> bool;

/// Areas whose changes most need a named reviewer: (area, whether a
/// lowercased path belongs to it).
const SENSITIVE: &[(&str, Belongs)] = &[
    ("authentication", |p| {
        p.split('/').any(|part| {
            let stem = part.split('.').next().unwrap_or(part);
            matches!(
                stem,
                "auth"
                    | "authentication"
                    | "login"
                    | "signin"
                    | "sign-in"
                    | "session"
                    | "sessions"
                    | "middleware"
                    | "permissions"
                    | "rbac"
                    | "oauth"
            )
        })
    }),
    ("payments", |p| {
        p.split('/').any(|part| {
            let stem = part.split('.').next().unwrap_or(part);
            matches!(
                stem,
                "billing"
                    | "payment"
                    | "payments"
                    | "checkout"
                    | "stripe"
                    | "subscription"
                    | "subscriptions"
                    | "invoices"
            )
        })
    }),
    ("database migrations", |p| {
        p.split('/')
            .any(|part| part == "migrations" || part == "migrate")
    }),
    ("CI and deployment", |p| {
        p.starts_with(".github/workflows/") || p == ".gitlab-ci.yml" || p.starts_with(".circleci/")
    }),
];

/// One CODEOWNERS rule: its pattern and whether it names an owner.
struct OwnerRule<'t> {
    pattern: &'t str,
    owned: bool,
}

/// The rules of a CODEOWNERS file, in order.
fn owner_rules(text: &str) -> Vec<OwnerRule<'_>> {
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or(l).trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('['))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let pattern = words.next()?;
            Some(OwnerRule {
                pattern,
                owned: words.next().is_some(),
            })
        })
        .collect()
}

/// Whether a glob (`*` within a segment, `**` across segments, `?`)
/// matches the whole of `text`.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) if rest.first() == Some(&b'*') => {
            let rest = rest[1..].strip_prefix(b"/").unwrap_or(&rest[1..]);
            (0..=text.len()).any(|i| (i == 0 || text[i - 1] == b'/') && glob(rest, &text[i..]))
                || glob(rest, text)
        }
        Some((b'*', rest)) => (0..=text.len())
            .take_while(|i| *i == 0 || text[i - 1] != b'/')
            .any(|i| glob(rest, &text[i..])),
        Some((b'?', rest)) => text.first().is_some_and(|c| *c != b'/') && glob(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

/// Whether a CODEOWNERS pattern covers a path, as GitHub reads it: a
/// leading `/` or a `/` inside anchors it at the root, otherwise it
/// matches at any depth; a pattern that matches a directory covers
/// everything under it, except `dir/*`, which names only its files.
fn covers(pattern: &str, path: &str) -> bool {
    if matches!(pattern, "*" | "**" | "/*" | "/**" | "/") {
        return true;
    }
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let trimmed = trimmed.trim_start_matches('/');
    // `docs/*` names the files of `docs/`, not those of its subfolders.
    let files_only = trimmed.ends_with("/*");
    let segments: Vec<&str> = path.split('/').collect();
    // Every prefix of the path (its directories, then the file itself),
    // starting at the root or, unanchored, at any segment.
    let starts = if anchored { 1 } else { segments.len() };
    (0..starts).any(|start| {
        (start + 1..=segments.len()).any(|end| {
            if (dir_only && end == segments.len()) || (files_only && end < segments.len()) {
                return false;
            }
            glob(
                trimmed.as_bytes(),
                segments[start..end].join("/").as_bytes(),
            )
        })
    })
}

/// Whether the last rule matching `path` names an owner (GitHub applies
/// the last match).
fn owned(rules: &[OwnerRule<'_>], path: &str) -> bool {
    rules
        .iter()
        .rev()
        .find(|r| covers(r.pattern, path))
        .is_some_and(|r| r.owned)
}

/// Records which sensitive areas of the repository the CODEOWNERS file
/// gives an owner.
fn sensitive_coverage(run: &mut Run<'_>, file: &str, text: &str, paths: &[String]) {
    let rules = owner_rules(text);
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    for (area, belongs) in SENSITIVE {
        let members: Vec<&String> = paths
            .iter()
            .filter(|p| {
                let lower = p.to_ascii_lowercase();
                belongs(&lower) && !lower.contains("node_modules/")
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        let unowned: Vec<&&String> = members.iter().filter(|p| !owned(&rules, p)).collect();
        match unowned.first() {
            None => covered.push(format!("{area} ({} files)", members.len())),
            Some(example) => uncovered.push(format!(
                "{area} ({} of {} files without an owner, e.g. {example})",
                unowned.len(),
                members.len()
            )),
        }
    }
    if covered.is_empty() && uncovered.is_empty() {
        return;
    }
    run.fact(
        "deploy.codeowners-sensitive-unowned",
        Fact::list(uncovered).detail(format!(
            "Areas of the repository whose files the last matching rule of {file} gives no owner, as GitHub reads it; owned: {}.",
            if covered.is_empty() { "none".to_owned() } else { covered.join(", ") }
        )),
    );
}

/// Records the policy facts.
pub(crate) fn collect(run: &mut Run<'_>, paths: &[String], pipelines: &[Pipeline]) {
    let codeowners: Vec<&str> = CODEOWNERS
        .iter()
        .copied()
        .filter(|p| run.exists(p))
        .collect();
    run.fact(
        "deploy.codeowners",
        Fact::list(codeowners.iter().map(|p| (*p).to_owned())),
    );
    // GitHub reads the first of these that exists.
    if let Some(path) = codeowners.first() {
        let text = run.read(path).unwrap_or_default();
        sensitive_coverage(run, path, &text, paths);
        // Rules that name at least one owner.
        let rules: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter(|l| l.split_whitespace().count() > 1)
            .collect();
        let catch_all = rules.iter().any(|l| {
            matches!(
                l.split_whitespace().next(),
                Some("*" | "/" | "/*" | "**" | "/**")
            )
        });
        run.fact(
            "deploy.codeowners-catch-all",
            Fact::bool(catch_all).detail(format!(
                "{path} has {} ownership rules; {}.",
                rules.len(),
                if catch_all {
                    "a catch-all rule gives every path an owner"
                } else {
                    "no catch-all rule (`*`), so paths no rule names have no required reviewer"
                }
            )),
        );
    }

    let security = SECURITY.iter().any(|p| run.exists(p));
    run.fact("deploy.security-policy", Fact::bool(security));

    let mut updaters = Vec::new();
    let mut actions_covered = false;
    for path in [".github/dependabot.yml", ".github/dependabot.yaml"] {
        if let Some(text) = run.read(path) {
            let ecosystems: Vec<String> = match crate::yaml::parse(&text) {
                Ok(root) => root
                    .get("updates")
                    .map(|u| {
                        u.items()
                            .into_iter()
                            .filter_map(|e| {
                                e.get("package-ecosystem")
                                    .and_then(|n| n.as_str())
                                    .map(str::to_owned)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                Err(e) => {
                    run.malformed(path, e.line, e.column, &e.message);
                    Vec::new()
                }
            };
            actions_covered |= ecosystems.iter().any(|e| e == "github-actions");
            updaters.push(format!("dependabot ({})", ecosystems.join(", ")));
        }
    }
    for path in [
        "renovate.json",
        "renovate.json5",
        ".renovaterc",
        ".renovaterc.json",
        ".github/renovate.json",
        ".github/renovate.json5",
        ".gitlab/renovate.json",
    ] {
        if let Some(text) = run.read(path) {
            // Renovate updates workflow actions unless `enabledManagers`
            // leaves them out.
            let limited = text.contains("enabledManagers") && !text.contains("github-actions");
            actions_covered |= !limited;
            updaters.push(format!("renovate ({path})"));
            break;
        }
    }
    run.fact(
        "deploy.dependency-updates",
        Fact::list(updaters.iter().cloned()),
    );
    if !updaters.is_empty() {
        run.fact(
            "deploy.dependency-updates.actions",
            Fact::bool(actions_covered),
        );
    }

    let lower: Vec<(String, String)> = paths
        .iter()
        .map(|p| (p.clone(), p.to_ascii_lowercase()))
        .collect();
    let pr_template = lower.iter().any(|(_, l)| is_pr_template(l));
    run.fact("deploy.pr-template", Fact::bool(pr_template));

    let runbooks: Vec<String> = lower
        .iter()
        .filter(|(_, l)| is_runbook(l))
        .map(|(p, _)| p.clone())
        .collect();
    let rollback = runbooks.iter().any(|p| {
        p.to_ascii_lowercase().contains("rollback")
            || run.read(p).is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                t.contains("rollback") || t.contains("roll back") || t.contains("revert the deploy")
            })
    });
    run.fact("deploy.runbooks", Fact::list(runbooks.iter().cloned()));
    run.fact(
        "deploy.rollback-documented",
        Fact::bool(rollback)
            .heuristic(Confidence::Medium)
            .detail("A runbook or document under docs/ whose name or text names a rollback; a wiki outside the repository is not seen."),
    );

    let mut backups: Vec<String> = lower
        .iter()
        .filter(|(_, l)| is_backup_script(l))
        .map(|(p, _)| p.clone())
        .collect();
    for p in pipelines {
        if p.triggered_by("schedule").is_none() {
            continue;
        }
        let backs_up = p.jobs.iter().flat_map(|j| &j.steps).any(|s| {
            s.run.as_ref().is_some_and(|(text, _)| {
                let words = crate::commands::words(text);
                BACKUP_COMMANDS
                    .iter()
                    .any(|c| crate::commands::contains_words(&words, c))
                    || text.to_ascii_lowercase().contains("backup")
            })
        });
        if backs_up {
            backups.push(format!("{} (scheduled)", p.path));
        }
    }
    run.fact("deploy.backups", Fact::list(backups));

    let reader = |p: &str| run.read(p);
    let mut total = 0u64;
    let mut reversible = 0u64;
    for (path, l) in &lower {
        if let Some(down) = migration(path, l, &reader) {
            total += 1;
            reversible += u64::from(down);
        }
    }
    if total > 0 {
        run.fact(
            "deploy.migrations-reversible",
            Fact::ratio(reversible, total)
                .heuristic(Confidence::Medium)
                .detail("Migration files with a down step: a paired .down.sql, a downgrade()/down()/Down function, a Rails change or down method, or a marked down section."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codeowners_patterns_cover_paths_as_github_reads_them() {
        // Unanchored: any depth; anchored: from the root.
        assert!(covers("*.sql", "supabase/migrations/1_init.sql"));
        assert!(covers("migrations/", "db/migrations/1.sql"));
        assert!(!covers("/migrations/", "db/migrations/1.sql"));
        assert!(covers("/db/migrations/", "db/migrations/1.sql"));
        assert!(covers("src/auth", "src/auth/login.ts"));
        assert!(!covers("src/auth", "lib/src/auth/login.ts"));
        assert!(covers("/src/**/billing/", "src/app/team/billing/page.tsx"));
        assert!(covers("docs/*", "docs/a.md") && !covers("docs/*", "docs/x/a.md"));
        assert!(covers("**/logs", "a/b/logs/x.txt"));
        assert!(covers("*", "anything/at/all.rs"));
        // A directory pattern does not match a file of that name.
        assert!(!covers("auth/", "src/auth"));
        assert!(!covers("*.ts", "src/auth/login.tsx"));
    }

    #[test]
    fn the_last_matching_rule_decides_and_a_rule_without_owner_unowns() {
        let rules = owner_rules(
            "# owners\n* @org/core\n/src/billing/ @org/payments\n/src/billing/generated/\n[Section]\n",
        );
        assert!(owned(&rules, "src/app.ts"));
        assert!(owned(&rules, "src/billing/charge.ts"));
        assert!(!owned(&rules, "src/billing/generated/client.ts"));
        let none = owner_rules("/docs/ @org/writers\n");
        assert!(!owned(&none, "src/auth/login.ts"));
    }

    #[test]
    fn names() {
        assert!(is_pr_template(".github/pull_request_template.md"));
        assert!(is_pr_template(".github/pull_request_template/feature.md"));
        assert!(!is_pr_template("src/pull_request_template.ts.bak/x"));
        assert!(is_runbook("runbook.md") && is_runbook("docs/ops/rollback.md"));
        assert!(!is_runbook("src/rollback.ts") && !is_runbook("README.md"));
        assert!(is_backup_script("scripts/backup-db.sh"));
        assert!(!is_backup_script("tests/backup_test.py") && !is_backup_script("docs/backup.md"));
    }

    #[test]
    fn migrations() {
        let files = |p: &str| match p {
            "db/migrations/001_init.down.sql" => Some(String::new()),
            "alembic/migrations/versions/a1.py" => {
                Some("def upgrade():\n    op.x()\n\ndef downgrade():\n    pass\n".to_owned())
            }
            "alembic/migrations/versions/a2.py" => Some(
                "def upgrade():\n    op.x()\n\ndef downgrade():\n    op.drop_table('t')\n"
                    .to_owned(),
            ),
            "supabase/migrations/2024_init.sql" => Some("create table t();".to_owned()),
            _ => None,
        };
        let m = |p: &str| migration(p, &p.to_ascii_lowercase(), &files);
        assert_eq!(m("db/migrations/001_init.up.sql"), Some(true));
        assert_eq!(m("db/migrations/002_more.up.sql"), Some(false));
        assert_eq!(m("db/migrations/001_init.down.sql"), None);
        assert_eq!(m("alembic/migrations/versions/a1.py"), Some(false));
        assert_eq!(m("alembic/migrations/versions/a2.py"), Some(true));
        assert_eq!(m("supabase/migrations/2024_init.sql"), Some(false));
        assert_eq!(m("src/app.py"), None);
    }
}
