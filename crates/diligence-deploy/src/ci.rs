//! What the pipelines do: which jobs run tests, which deploy, and whether
//! a deploy waits for the tests.

use std::collections::{BTreeMap, BTreeSet};

use crate::commands::{deploy_action, deploy_commands, test_commands};
use crate::pipeline::{Job, Pipeline, Step, Uses};
use crate::resolve::{Reader, expand};

/// A step that ships something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployStep {
    /// Index of the step in its job.
    pub step: usize,
    /// Line of the step.
    pub line: u32,
    /// The platform it ships to (`fly`, `aws`, `container-registry`, ...).
    pub platform: &'static str,
    /// The command or action, and what it came through (`make deploy`).
    pub what: String,
}

/// What one job does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Test commands with the first step that runs each: `(step, text)`.
    pub tests: Vec<(usize, String)>,
    /// Steps that deploy.
    pub deploys: Vec<DeployStep>,
}

/// A job that deploys, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deploy {
    /// The pipeline file.
    pub path: String,
    /// The job id.
    pub job: String,
    /// Line of the job.
    pub line: u32,
    /// Platforms it ships to.
    pub platforms: Vec<&'static str>,
    /// The deploy commands and actions, in step order.
    pub what: Vec<String>,
    /// What starts it (`push to main`, `tags v*`, `manual`).
    pub trigger: String,
    /// Why the tests gate it, or `None` when nothing does.
    pub gate: Option<String>,
    /// The deployment environment it deploys through, whose protection
    /// rules (required reviewers, wait timers) are repository settings
    /// the files do not show: a possible approval, never a test gate.
    pub environment: Option<String>,
}

impl Deploy {
    /// One line for the `deploy.deploys` fact.
    pub fn describe(&self) -> String {
        format!(
            "{}#{} ({}; {})",
            self.path,
            self.job,
            self.platforms.join(", "),
            self.trigger
        )
    }
}

/// Everything learnt from the parsed pipelines.
#[derive(Debug, Default)]
pub struct CiReport {
    /// Per pipeline path, per job id.
    pub jobs: BTreeMap<String, BTreeMap<String, JobReport>>,
    /// Jobs that deploy.
    pub deploys: Vec<Deploy>,
}

impl CiReport {
    /// Whether any job of any pipeline runs tests.
    pub fn runs_tests(&self) -> bool {
        self.jobs
            .values()
            .flat_map(|j| j.values())
            .any(|j| !j.tests.is_empty())
    }

    /// `path (commands)` for every pipeline that runs tests.
    pub fn test_sites(&self) -> Vec<String> {
        self.jobs
            .iter()
            .filter_map(|(path, jobs)| {
                let mut commands: Vec<&str> = jobs
                    .values()
                    .flat_map(|j| j.tests.iter().map(|(_, c)| c.as_str()))
                    .collect();
                commands.dedup();
                let mut seen = BTreeSet::new();
                commands.retain(|c| seen.insert(*c));
                (!commands.is_empty()).then(|| format!("{path} ({})", commands.join(", ")))
            })
            .collect()
    }
}

fn step_report(step: &Step, index: usize, read: Reader<'_>, report: &mut JobReport) {
    let mut texts: Vec<(String, Option<String>)> = Vec::new();
    if let Some((run, _)) = &step.run {
        texts.push((run.clone(), None));
        for e in expand(run, step.working_directory.as_deref(), read) {
            texts.push((e.text, Some(e.via)));
        }
    }
    for (text, via) in &texts {
        for command in test_commands(text) {
            let label = match via {
                Some(via) => format!("{command} via {via}"),
                None => command.to_owned(),
            };
            if !report.tests.iter().any(|(_, c)| *c == label) {
                report.tests.push((index, label));
            }
        }
        for (command, platform) in deploy_commands(text) {
            let what = match via {
                Some(via) => format!("{command} via {via}"),
                None => command.to_owned(),
            };
            report.deploys.push(DeployStep {
                step: index,
                line: step.line,
                platform,
                what,
            });
        }
    }
    if let Some(uses) = &step.uses {
        if let Some(platform) = deploy_action(&uses.action) {
            report.deploys.push(DeployStep {
                step: index,
                line: step.line,
                platform,
                what: uses.action.clone(),
            });
        }
        let lower = uses.action.to_ascii_lowercase();
        let pushes = Uses::input(step, "push").is_some_and(|v| v == "true" || v.contains("${{"));
        if lower == "docker/build-push-action" && pushes {
            report.deploys.push(DeployStep {
                step: index,
                line: step.line,
                platform: "container-registry",
                what: format!("{} with push", uses.action),
            });
        }
    }
}

fn job_report(job: &Job, read: Reader<'_>) -> JobReport {
    let mut report = JobReport::default();
    for (i, step) in job.steps.iter().enumerate() {
        step_report(step, i, read, &mut report);
    }
    report
}

/// Judges every parsed pipeline. `stages` gives GitLab's stage order per
/// pipeline path.
pub fn analyse(
    pipelines: &[Pipeline],
    stages: &BTreeMap<String, Vec<String>>,
    read: Reader<'_>,
) -> CiReport {
    let mut out = CiReport::default();
    for p in pipelines {
        let jobs = p
            .jobs
            .iter()
            .map(|j| (j.id.clone(), job_report(j, read)))
            .collect();
        out.jobs.insert(p.path.clone(), jobs);
    }
    // A job that calls a local reusable workflow does what that workflow does.
    let summary: BTreeMap<String, (bool, Vec<DeployStep>)> = out
        .jobs
        .iter()
        .map(|(path, jobs)| {
            let tests = jobs.values().any(|j| !j.tests.is_empty());
            let deploys = jobs.values().flat_map(|j| j.deploys.clone()).collect();
            (path.clone(), (tests, deploys))
        })
        .collect();
    for p in pipelines {
        for job in &p.jobs {
            let Some(called) = job.calls.as_ref().filter(|u| u.is_local()) else {
                continue;
            };
            let path = called.action.trim_start_matches("./").to_owned();
            let Some((tests, deploys)) = summary.get(&path) else {
                continue;
            };
            if let Some(report) = out.jobs.get_mut(&p.path).and_then(|j| j.get_mut(&job.id)) {
                if *tests {
                    report.tests.push((0, format!("tests via {path}")));
                }
                for d in deploys {
                    report.deploys.push(DeployStep {
                        step: 0,
                        line: job.line,
                        platform: d.platform,
                        what: format!("{} via {path}", d.what),
                    });
                }
            }
        }
    }
    // Workflows (by name and by file) whose jobs run tests.
    let testing_workflows: BTreeSet<String> = pipelines
        .iter()
        .filter(|p| summary.get(&p.path).is_some_and(|(t, _)| *t))
        .flat_map(|p| {
            p.name
                .iter()
                .cloned()
                .chain(std::iter::once(p.path.clone()))
        })
        .collect();
    for p in pipelines {
        let Some(jobs) = out.jobs.get(&p.path) else {
            continue;
        };
        for job in &p.jobs {
            let Some(report) = jobs.get(&job.id) else {
                continue;
            };
            if report.deploys.is_empty() {
                continue;
            }
            let mut platforms: Vec<&'static str> =
                report.deploys.iter().map(|d| d.platform).collect();
            platforms.sort_unstable();
            platforms.dedup();
            let mut what: Vec<String> = Vec::new();
            for d in &report.deploys {
                if !what.contains(&d.what) {
                    what.push(d.what.clone());
                }
            }
            out.deploys.push(Deploy {
                path: p.path.clone(),
                job: job.id.clone(),
                line: job.line,
                platforms,
                what,
                trigger: trigger_text(p, job),
                environment: job.environment.clone(),
                gate: gate(
                    p,
                    job,
                    report,
                    jobs,
                    stages.get(&p.path),
                    &testing_workflows,
                ),
            });
        }
    }
    out
}

fn gate(
    p: &Pipeline,
    job: &Job,
    report: &JobReport,
    jobs: &BTreeMap<String, JobReport>,
    stages: Option<&Vec<String>>,
    testing_workflows: &BTreeSet<String>,
) -> Option<String> {
    let first_deploy = report.deploys.iter().map(|d| d.step).min().unwrap_or(0);
    if let Some((_, command)) = report.tests.iter().find(|(s, _)| *s <= first_deploy) {
        return Some(format!("runs {command} before deploying"));
    }
    // Every job it waits for, transitively.
    let mut seen = BTreeSet::new();
    let mut queue: Vec<&str> = job.needs.iter().map(String::as_str).collect();
    while let Some(id) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        if jobs.get(id).is_some_and(|r| !r.tests.is_empty()) {
            return Some(format!("needs job {id}, which runs tests"));
        }
        if let Some(needed) = p.job(id) {
            queue.extend(needed.needs.iter().map(String::as_str));
        }
    }
    // GitLab: a later stage starts only when earlier stages passed.
    if let (Some(stages), Some(stage)) = (stages, &job.stage) {
        let index = |s: &str| stages.iter().position(|x| x == s);
        if let Some(mine) = index(stage) {
            for other in &p.jobs {
                let earlier = other
                    .stage
                    .as_deref()
                    .and_then(index)
                    .is_some_and(|i| i < mine);
                if earlier && jobs.get(&other.id).is_some_and(|r| !r.tests.is_empty()) {
                    return Some(format!(
                        "stage {stage} follows job {} (stage {}), which runs tests",
                        other.id,
                        other.stage.as_deref().unwrap_or_default()
                    ));
                }
            }
        }
    }
    if let Some(t) = p.triggered_by("workflow_run")
        && let Some(w) = t.workflows.iter().find(|w| testing_workflows.contains(*w))
    {
        return Some(format!("starts after workflow {w}, which runs tests"));
    }
    None
}

fn trigger_text(p: &Pipeline, job: &Job) -> String {
    if let Some(cond) = &job.condition {
        if let Some(branch) = after(cond, "refs/heads/") {
            return format!("push to {branch}");
        }
        if cond.contains("refs/tags/") || cond.contains("CI_COMMIT_TAG") {
            return "tags".to_owned();
        }
        if let Some(branch) = cond.strip_prefix("only ") {
            return format!("push to {}", branch.split(" || ").next().unwrap_or(branch));
        }
        for marker in [
            "CI_COMMIT_BRANCH == \"",
            "CI_COMMIT_BRANCH == '",
            "CI_COMMIT_REF_NAME == \"",
        ] {
            if let Some(branch) = after(cond, marker) {
                return format!("push to {branch}");
            }
        }
        if cond.contains("CI_DEFAULT_BRANCH") {
            return "push to the default branch".to_owned();
        }
    }
    let mut parts = Vec::new();
    for t in &p.triggers {
        let text = match t.event.as_str() {
            "push" if !t.branches.is_empty() => format!("push to {}", t.branches.join(", ")),
            "push" if !t.tags.is_empty() => format!("tags {}", t.tags.join(", ")),
            "push" => "any push".to_owned(),
            "workflow_dispatch" => "manual".to_owned(),
            "release" => "release".to_owned(),
            "schedule" => "schedule".to_owned(),
            "workflow_run" => format!("after {}", t.workflows.join(", ")),
            "pull_request" | "pull_request_target" => "pull request".to_owned(),
            other => other.to_owned(),
        };
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        "no trigger".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The word after `marker` in `text` (up to a quote, blank or bracket).
fn after<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    let start = text.find(marker)? + marker.len();
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ')' | '}'))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{github_workflow, gitlab_ci};
    use crate::yaml;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn gha(text: &str) -> Pipeline {
        github_workflow(".github/workflows/w.yml", &yaml::parse(text).unwrap())
    }

    #[test]
    fn a_deploy_that_needs_tests_is_gated() {
        let p = gha(
            "on:\n  push:\n    branches: [main]\njobs:\n  test:\n    steps:\n      - run: pytest\n  build:\n    needs: test\n    steps:\n      - run: docker build .\n  ship:\n    needs: [build]\n    steps:\n      - run: flyctl deploy\n",
        );
        let report = analyse(&[p], &BTreeMap::new(), &none);
        assert_eq!(report.deploys.len(), 1);
        let d = &report.deploys[0];
        assert_eq!((d.job.as_str(), d.line), ("ship", 12));
        assert_eq!(d.platforms, ["fly"]);
        assert_eq!(d.trigger, "push to main");
        assert_eq!(d.gate.as_deref(), Some("needs job test, which runs tests"));
        assert!(report.runs_tests());
    }

    #[test]
    fn a_deploy_beside_tests_is_not_gated() {
        let p = gha(
            "on: push\njobs:\n  test:\n    steps:\n      - run: pytest\n  ship:\n    steps:\n      - run: flyctl deploy\n      - run: pytest\n",
        );
        let report = analyse(&[p], &BTreeMap::new(), &none);
        assert_eq!(report.deploys[0].gate, None);
        assert_eq!(report.deploys[0].trigger, "any push");
    }

    #[test]
    fn an_environment_is_a_possible_approval_not_a_test_gate() {
        let p = gha(
            "on: push\njobs:\n  ship:\n    environment: production\n    steps:\n      - run: flyctl deploy\n",
        );
        let report = analyse(&[p], &BTreeMap::new(), &none);
        assert_eq!(report.deploys[0].gate, None);
        assert_eq!(report.deploys[0].environment.as_deref(), Some("production"));
        let p = gha(
            "on: push\njobs:\n  test:\n    steps:\n      - run: pytest\n  ship:\n    needs: test\n    environment: production\n    steps:\n      - run: flyctl deploy\n",
        );
        let report = analyse(&[p], &BTreeMap::new(), &none);
        assert_eq!(
            report.deploys[0].gate.as_deref(),
            Some("needs job test, which runs tests")
        );
    }

    #[test]
    fn gitlab_stages_and_tags() {
        let root = yaml::parse("stages: [test, deploy]\nunit:\n  stage: test\n  script: [make check]\nprod:\n  stage: deploy\n  rules:\n    - if: $CI_COMMIT_TAG\n  script: [helm upgrade app ./chart]\n").unwrap();
        let (p, stages) = gitlab_ci(".gitlab-ci.yml", &root);
        let stages = BTreeMap::from([(p.path.clone(), stages)]);
        let report = analyse(&[p], &stages, &none);
        let d = &report.deploys[0];
        assert_eq!(d.platforms, ["kubernetes"]);
        assert_eq!(d.trigger, "tags");
        assert!(
            d.gate.as_deref().is_some_and(|g| g.contains("job unit")),
            "{d:?}"
        );
    }
}
