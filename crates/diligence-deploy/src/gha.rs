//! GitHub Actions hardening: the checks behind the `deploy.gha-*` rules.
//!
//! Each check reads the parsed [`Pipeline`] and, for exact lines inside a
//! multi-line `run:` script, the workflow's text. The zizmor audit each one
//! corresponds to is named in `docs/collectors/deploy.md`.

use diligence_model::{Confidence, Severity};

use crate::collector::{Hit, Run};
use crate::pipeline::{Permissions, Pipeline, Step, Uses};

/// Contexts an outside contributor controls: the text of issues, pull
/// requests, comments, commits and branch names.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages",
    "github.event.commits",
    "github.event.head_commit.message",
    "github.event.head_commit.author",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author",
    "github.event.workflow_run.pull_requests",
    "github.head_ref",
];

/// References that check out the contributor's code rather than the base
/// branch's.
const PR_HEAD_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.merge_commit_sha",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.head_ref",
    "refs/pull/",
];

/// Runs every check on one workflow.
pub(crate) fn check(run: &mut Run<'_>, p: &Pipeline, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    untrusted_checkout(run, p);
    for job in &p.jobs {
        for step in &job.steps {
            template_injection(run, p, step, &lines);
            secret_echo(run, p, step, &lines);
            if let Some(uses) = &step.uses {
                unpinned(run, p, uses);
            }
        }
        if let Some(calls) = &job.calls {
            unpinned(run, p, calls);
        }
        if let Some(line) = job.secrets_inherit {
            run.hit(Hit {
                rule: "deploy.gha-secrets-inherit",
                severity: Severity::Low,
                confidence: Confidence::High,
                path: &p.path,
                line,
                message: format!(
                    "Job {} passes every secret of the repository to the reusable workflow it calls",
                    job.id
                ),
                remediation: "Pass only the secrets the called workflow needs, by name, under `secrets:`.",
                excerpt: Some("secrets: inherit".to_owned()),
                heuristic: false,
            });
        }
        self_hosted(run, p, job);
        artifact_credentials(run, p, job);
    }
    permissions(run, p);
}

fn untrusted_checkout(run: &mut Run<'_>, p: &Pipeline) {
    let Some(trigger) = p
        .triggers
        .iter()
        .find(|t| matches!(t.event.as_str(), "pull_request_target" | "workflow_run"))
    else {
        return;
    };
    for job in &p.jobs {
        for step in &job.steps {
            let is_checkout = step
                .uses
                .as_ref()
                .is_some_and(|u| u.action.eq_ignore_ascii_case("actions/checkout"));
            let Some((_, reference, line)) = step
                .with
                .iter()
                .find(|(k, _, _)| k == "ref")
                .filter(|_| is_checkout)
            else {
                continue;
            };
            let compact: String = reference.chars().filter(|c| !c.is_whitespace()).collect();
            if !PR_HEAD_REFS.iter().any(|r| compact.contains(r)) {
                continue;
            }
            run.hit(Hit {
                rule: "deploy.gha-untrusted-checkout",
                severity: Severity::High,
                confidence: Confidence::High,
                path: &p.path,
                line: *line,
                message: format!(
                    "A {} workflow checks out the pull request's code in job {}, with the base repository's secrets and write token in reach",
                    trigger.event, job.id
                ),
                remediation: "Use `pull_request` for anything that builds or runs the contributor's code; keep `pull_request_target`/`workflow_run` jobs to labelling and commenting, without checking out the head.",
                excerpt: Some(format!("ref: {reference}")),
                heuristic: false,
            });
        }
    }
}

/// `${{ … }}` expressions in a text, each with its inner text.
fn expressions(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            break;
        };
        out.push((&rest[start..start + 3 + end + 2], after[..end].trim()));
        rest = &after[end + 2..];
    }
    out
}

/// The line of `needle` in the file, searching from `from` (1-based).
fn line_of(lines: &[&str], from: u32, needle: &str) -> u32 {
    let start = usize::try_from(from.saturating_sub(1)).unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.contains(needle))
        .map_or(from, |(i, _)| u32::try_from(i + 1).unwrap_or(from))
}

fn template_injection(run: &mut Run<'_>, p: &Pipeline, step: &Step, lines: &[&str]) {
    let mut scripts: Vec<(&str, u32, &str)> = Vec::new();
    if let Some((text, line)) = &step.run {
        scripts.push((text, *line, "run:"));
    }
    let github_script = step
        .uses
        .as_ref()
        .is_some_and(|u| u.action.eq_ignore_ascii_case("actions/github-script"));
    if github_script && let Some((_, text, line)) = step.with.iter().find(|(k, _, _)| k == "script")
    {
        scripts.push((text, *line, "an actions/github-script script"));
    }
    for (text, start, place) in scripts {
        for (whole, inner) in expressions(text) {
            let compact: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
            let Some(context) = UNTRUSTED.iter().find(|u| compact.contains(*u)) else {
                continue;
            };
            run.hit(Hit {
                rule: "deploy.gha-template-injection",
                severity: Severity::High,
                confidence: Confidence::High,
                path: &p.path,
                line: line_of(lines, start, whole),
                message: format!(
                    "{context} is expanded into {place}: whoever writes that text can run commands in the workflow"
                ),
                remediation: "Pass the value through `env:` (`TITLE: ${{ github.event.issue.title }}`) and use the shell variable, quoted, in the script.",
                excerpt: Some(whole.to_owned()),
                heuristic: false,
            });
        }
    }
}

fn secret_echo(run: &mut Run<'_>, p: &Pipeline, step: &Step, lines: &[&str]) {
    let Some((text, start)) = &step.run else {
        return;
    };
    for script_line in text.lines() {
        let code = script_line.trim_start();
        let prints = code.starts_with("echo ") || code.starts_with("printf ");
        // `echo "$TOKEN" | docker login --password-stdin` and writing to a
        // file do not reach the log.
        if !prints || code.contains('|') || code.contains('>') {
            continue;
        }
        let Some((whole, _)) = expressions(code)
            .into_iter()
            .find(|(_, inner)| inner.starts_with("secrets."))
        else {
            continue;
        };
        run.hit(Hit {
            rule: "deploy.gha-secret-echoed",
            severity: Severity::High,
            confidence: Confidence::Medium,
            path: &p.path,
            line: line_of(lines, *start, code),
            message: format!(
                "A secret ({}) is printed to the job log; masking misses encoded or partial copies of it",
                whole.trim_start_matches("${{").trim_end_matches("}}").trim()
            ),
            remediation: "Do not print secrets; pass them to the tool that needs them through `env:` or standard input.",
            excerpt: None,
            heuristic: false,
        });
    }
}

fn is_full_sha(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

fn unpinned(run: &mut Run<'_>, p: &Pipeline, uses: &Uses) {
    if uses.is_local() || uses.is_docker() {
        return;
    }
    let Some(reference) = &uses.reference else {
        return;
    };
    if is_full_sha(reference) {
        return;
    }
    let owner = uses
        .action
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let first_party = matches!(owner.as_str(), "actions" | "github");
    let branch = matches!(
        reference.as_str(),
        "main" | "master" | "develop" | "dev" | "latest"
    );
    let severity = match (first_party, branch) {
        (true, false) => Severity::Info,
        (true, true) | (false, false) => Severity::Low,
        (false, true) => Severity::Medium,
    };
    let whose = if first_party {
        "GitHub's"
    } else {
        "a third-party"
    };
    run.hit(Hit {
        rule: "deploy.gha-unpinned-action",
        severity,
        confidence: Confidence::High,
        path: &p.path,
        line: uses.line,
        message: format!(
            "{} is {whose} action pinned to `{reference}`, a {} anyone with push access to it can move",
            uses.action,
            if branch { "branch" } else { "tag" }
        ),
        remediation: "Pin the action to a full commit SHA and keep the version in a comment (`@<sha> # v4.1.1`); Dependabot or Renovate keep such pins current.",
        excerpt: Some(uses.raw.clone()),
        heuristic: false,
    });
}

fn permissions(run: &mut Run<'_>, p: &Pipeline) {
    let mut write_all = Vec::new();
    if p.permissions == Some(Permissions::WriteAll) {
        write_all.push((p.permissions_line, "the workflow".to_owned()));
    }
    for job in &p.jobs {
        if job.permissions == Some(Permissions::WriteAll) {
            write_all.push((job.permissions_line, format!("job {}", job.id)));
        }
    }
    for (line, whom) in write_all {
        run.hit(Hit {
            rule: "deploy.gha-excessive-permissions",
            severity: Severity::Medium,
            confidence: Confidence::High,
            path: &p.path,
            line,
            message: format!("{whom} grants the token write access to every scope (`write-all`)"),
            remediation: "Set `permissions: contents: read` at the top of the workflow and grant each job only the scopes it writes.",
            excerpt: Some("permissions: write-all".to_owned()),
            heuristic: false,
        });
    }
    if p.permissions.is_some() {
        return;
    }
    let open: Vec<&str> = p
        .jobs
        .iter()
        .filter(|j| j.permissions.is_none() && j.calls.is_none())
        .map(|j| j.id.as_str())
        .collect();
    if open.is_empty() {
        return;
    }
    run.hit(Hit {
        rule: "deploy.gha-excessive-permissions",
        severity: Severity::Medium,
        confidence: Confidence::Medium,
        path: &p.path,
        line: 1,
        message: format!(
            "No `permissions:` for the workflow or for job(s) {}: the token gets the repository's default, which is write access in repositories created before 2023 and in many organisations",
            open.join(", ")
        ),
        remediation: "Add `permissions: contents: read` at the top of the workflow and widen it per job only where needed.",
        excerpt: None,
        heuristic: false,
    });
}

fn self_hosted(run: &mut Run<'_>, p: &Pipeline, job: &crate::pipeline::Job) {
    let Some(trigger) = p
        .triggers
        .iter()
        .find(|t| matches!(t.event.as_str(), "pull_request" | "pull_request_target"))
    else {
        return;
    };
    if !job
        .runs_on
        .iter()
        .any(|l| l.eq_ignore_ascii_case("self-hosted"))
    {
        return;
    }
    run.hit(Hit {
        rule: "deploy.gha-self-hosted-pr",
        severity: Severity::Medium,
        confidence: Confidence::Medium,
        path: &p.path,
        line: job.runs_on_line,
        message: format!(
            "Job {} runs {} events on a self-hosted runner: in a public repository a fork's pull request runs its code on that machine",
            job.id, trigger.event
        ),
        remediation: "Run pull-request jobs on GitHub-hosted runners, or require approval for fork workflows and use ephemeral, isolated self-hosted runners.",
        excerpt: Some(format!("runs-on: {}", job.runs_on.join(", "))),
        heuristic: true,
    });
}

fn artifact_credentials(run: &mut Run<'_>, p: &Pipeline, job: &crate::pipeline::Job) {
    let uploads = job.steps.iter().any(|s| {
        s.uses
            .as_ref()
            .is_some_and(|u| u.action.eq_ignore_ascii_case("actions/upload-artifact"))
    });
    if !uploads {
        return;
    }
    for step in &job.steps {
        let checkout = step
            .uses
            .as_ref()
            .is_some_and(|u| u.action.eq_ignore_ascii_case("actions/checkout"));
        if checkout && Uses::input(step, "persist-credentials") != Some("false") {
            run.hit(Hit {
                rule: "deploy.gha-persisted-credentials",
                severity: Severity::Medium,
                confidence: Confidence::Medium,
                path: &p.path,
                line: step.line,
                message: format!(
                    "Job {} checks out with the token kept in .git/config and uploads an artifact: an upload that includes the checkout publishes the token",
                    job.id
                ),
                remediation: "Set `persist-credentials: false` on actions/checkout, and upload only the build output directory.",
                excerpt: None,
                heuristic: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expressions_and_lines() {
        let text = "echo \"${{ github.event.issue.title }}\" && echo ${{env.A}}";
        let found = expressions(text);
        assert_eq!(
            found,
            [
                (
                    "${{ github.event.issue.title }}",
                    "github.event.issue.title"
                ),
                ("${{env.A}}", "env.A")
            ]
        );
        let lines = ["a", "b ${{ x }}", "c ${{ x }}"];
        assert_eq!(line_of(&lines, 3, "${{ x }}"), 3);
        assert_eq!(line_of(&lines, 1, "${{ x }}"), 2);
        assert!(is_full_sha("b4ffde65f46336ab88eb53be808477a3936bae11"));
        assert!(!is_full_sha("v4"));
    }
}
