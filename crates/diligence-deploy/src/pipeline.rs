//! The pipeline model: CI files read into triggers, jobs and steps.
//!
//! GitHub Actions workflows and GitLab CI files are parsed with a real YAML
//! parser ([`crate::yaml`]); the other CI systems are recognised by path
//! and read as text only ([`ci_system`]). This module is the one place in
//! the code base that knows where CI files live and what they hold.

use crate::yaml::{Node, Value};

/// The CI system a path configures, if any: `github-actions`, `gitlab-ci`,
/// `circleci`, `azure-pipelines`, `travis`, `bitbucket-pipelines`, `drone`,
/// `woodpecker`, `buildkite`, `appveyor`, `cloud-build`, `codebuild`,
/// `codemagic` or `jenkins`.
pub fn ci_system(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if yaml && lower.starts_with(".github/workflows/") && !lower[18..].contains('/') {
        return Some("github-actions");
    }
    if lower == ".gitlab-ci.yml" || (yaml && lower.starts_with(".gitlab/ci/")) {
        return Some("gitlab-ci");
    }
    if yaml && lower.starts_with(".circleci/") {
        return Some("circleci");
    }
    if yaml && lower.starts_with(".buildkite/") {
        return Some("buildkite");
    }
    if (yaml && lower.starts_with(".woodpecker/")) || lower == ".woodpecker.yml" {
        return Some("woodpecker");
    }
    if name == "jenkinsfile" {
        return Some("jenkins");
    }
    match lower.as_str() {
        "azure-pipelines.yml" | "azure-pipelines.yaml" => Some("azure-pipelines"),
        ".travis.yml" => Some("travis"),
        "bitbucket-pipelines.yml" => Some("bitbucket-pipelines"),
        ".drone.yml" => Some("drone"),
        "appveyor.yml" | ".appveyor.yml" => Some("appveyor"),
        "cloudbuild.yaml" | "cloudbuild.yml" => Some("cloud-build"),
        "buildspec.yml" => Some("codebuild"),
        "codemagic.yaml" => Some("codemagic"),
        _ => None,
    }
}

/// One CI file, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// `github-actions` or `gitlab-ci`.
    pub system: &'static str,
    /// Path relative to the root.
    pub path: String,
    /// The workflow's `name:`.
    pub name: Option<String>,
    /// Events that start it.
    pub triggers: Vec<Trigger>,
    /// Workflow-level `permissions:` (GitHub Actions).
    pub permissions: Option<Permissions>,
    /// Line of the workflow-level `permissions:` key (0 without one).
    pub permissions_line: u32,
    /// Jobs in file order.
    pub jobs: Vec<Job>,
}

/// An event that starts a pipeline, with its filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    /// `push`, `pull_request`, `pull_request_target`, `workflow_run`, ...
    pub event: String,
    /// Line of the event key.
    pub line: u32,
    /// Branch filters (`branches:`); empty means any.
    pub branches: Vec<String>,
    /// Tag filters (`tags:`).
    pub tags: Vec<String>,
    /// Workflows named by a `workflow_run` trigger.
    pub workflows: Vec<String>,
}

/// A `permissions:` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    /// `write-all`.
    WriteAll,
    /// `read-all`.
    ReadAll,
    /// Scopes and their access (`contents: write`); empty for `{}`.
    Scopes(Vec<(String, String)>),
}

/// A job of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The job's key.
    pub id: String,
    /// Line of the key.
    pub line: u32,
    /// Jobs it waits for.
    pub needs: Vec<String>,
    /// Its deployment environment's name.
    pub environment: Option<String>,
    /// Runner labels (`runs-on`, GitLab `tags`).
    pub runs_on: Vec<String>,
    /// Line of `runs-on`.
    pub runs_on_line: u32,
    /// Job-level `permissions:`.
    pub permissions: Option<Permissions>,
    /// Line of the job's `permissions:` key (0 without one).
    pub permissions_line: u32,
    /// Its `if:` condition, or GitLab `rules`/`only` as text.
    pub condition: Option<String>,
    /// GitLab stage (its index in `stages:` orders jobs).
    pub stage: Option<String>,
    /// A reusable workflow it calls (`uses:` on the job).
    pub calls: Option<Uses>,
    /// Line of `secrets: inherit`, when the job passes every secret on.
    pub secrets_inherit: Option<u32>,
    /// Steps in order (GitLab: one per script line).
    pub steps: Vec<Step>,
}

/// A step: an action or a shell script.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Line where the step starts.
    pub line: u32,
    /// Its `name:`.
    pub name: Option<String>,
    /// The action it uses.
    pub uses: Option<Uses>,
    /// Its script and the line the script starts on.
    pub run: Option<(String, u32)>,
    /// `with:` inputs: name, value as text, line.
    pub with: Vec<(String, String, u32)>,
    /// `working-directory:`.
    pub working_directory: Option<String>,
}

/// A `uses:` reference: `owner/repo[/path]@ref`, `./local`, `docker://image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uses {
    /// As written.
    pub raw: String,
    /// Before the `@`.
    pub action: String,
    /// After the `@`, if any.
    pub reference: Option<String>,
    /// Line of the `uses:` value.
    pub line: u32,
}

impl Uses {
    fn parse(raw: &str, line: u32) -> Self {
        let (action, reference) = match raw.rsplit_once('@') {
            Some((a, r)) if !raw.starts_with("docker://") => (a.to_owned(), Some(r.to_owned())),
            _ => (raw.to_owned(), None),
        };
        Self {
            raw: raw.to_owned(),
            action,
            reference,
            line,
        }
    }

    /// A local action or workflow (`./.github/actions/x`).
    pub fn is_local(&self) -> bool {
        self.raw.starts_with("./")
    }

    /// A container image (`docker://alpine:3`).
    pub fn is_docker(&self) -> bool {
        self.raw.starts_with("docker://")
    }

    /// The `with:` value named `key`.
    pub fn input<'s>(step: &'s Step, key: &str) -> Option<&'s str> {
        step.with
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }
}

impl Pipeline {
    /// A job by id.
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// Whether an event starts it.
    pub fn triggered_by(&self, event: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.event == event)
    }
}

fn permissions(node: &Node) -> Option<Permissions> {
    match &node.value {
        Value::Str(s) if s == "write-all" => Some(Permissions::WriteAll),
        Value::Str(s) if s == "read-all" => Some(Permissions::ReadAll),
        Value::Map(entries) => Some(Permissions::Scopes(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect(),
        )),
        Value::Null => Some(Permissions::Scopes(Vec::new())),
        _ => None,
    }
}

/// Reads a GitHub Actions workflow.
pub fn github_workflow(path: &str, root: &Node) -> Pipeline {
    let mut triggers = Vec::new();
    if let Some(on) = root.get("on") {
        match &on.value {
            Value::Str(event) => triggers.push(trigger(event, on.line, None)),
            Value::Seq(events) => {
                for e in events {
                    if let Some(event) = e.as_str() {
                        triggers.push(trigger(event, e.line, None));
                    }
                }
            }
            Value::Map(events) => {
                for (event, filters) in events {
                    triggers.push(trigger(event, filters.key_line, Some(filters)));
                }
            }
            _ => {}
        }
    }
    let jobs = root
        .get("jobs")
        .map(|jobs| {
            jobs.entries()
                .iter()
                .map(|(id, job)| github_job(id, job))
                .collect()
        })
        .unwrap_or_default();
    Pipeline {
        system: "github-actions",
        path: path.to_owned(),
        name: root.get("name").and_then(Node::as_str).map(str::to_owned),
        triggers,
        permissions: root.get("permissions").and_then(permissions),
        permissions_line: root.get("permissions").map_or(0, |p| p.key_line),
        jobs,
    }
}

fn trigger(event: &str, line: u32, filters: Option<&Node>) -> Trigger {
    let list = |key: &str| {
        filters
            .and_then(|f| f.get(key))
            .map(Node::strings)
            .unwrap_or_default()
    };
    Trigger {
        event: event.to_owned(),
        line,
        branches: list("branches"),
        tags: list("tags"),
        workflows: list("workflows"),
    }
}

fn github_job(id: &str, job: &Node) -> Job {
    let environment = job.get("environment").and_then(|e| match &e.value {
        Value::Map(_) => e.get("name").and_then(Node::as_str).map(str::to_owned),
        _ => e.as_str().map(str::to_owned),
    });
    let runs_on = job.get("runs-on");
    let runs_on_labels = runs_on
        .map(|r| match &r.value {
            Value::Map(_) => {
                let mut labels = r.get("labels").map(Node::strings).unwrap_or_default();
                labels.extend(r.get("group").map(Node::strings).unwrap_or_default());
                labels
            }
            _ => r.strings(),
        })
        .unwrap_or_default();
    let steps = job
        .get("steps")
        .map(|steps| steps.items().into_iter().map(github_step).collect())
        .unwrap_or_default();
    let secrets_inherit = job
        .get("secrets")
        .filter(|s| s.as_str() == Some("inherit"))
        .map(|s| s.line);
    Job {
        id: id.to_owned(),
        line: job.key_line,
        needs: job.get("needs").map(Node::strings).unwrap_or_default(),
        environment,
        runs_on: runs_on_labels,
        runs_on_line: runs_on.map_or(job.line, |r| r.line),
        permissions: job.get("permissions").and_then(permissions),
        permissions_line: job.get("permissions").map_or(0, |p| p.key_line),
        condition: job.get("if").and_then(Node::as_str).map(str::to_owned),
        stage: None,
        calls: job
            .get("uses")
            .and_then(|u| u.as_str().map(|s| Uses::parse(s, u.line))),
        secrets_inherit,
        steps,
    }
}

fn github_step(step: &Node) -> Step {
    let with = step
        .get("with")
        .map(|w| {
            w.entries()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned(), v.line))
                .collect()
        })
        .unwrap_or_default();
    Step {
        line: step.line,
        name: step.get("name").and_then(Node::as_str).map(str::to_owned),
        uses: step
            .get("uses")
            .and_then(|u| u.as_str().map(|s| Uses::parse(s, u.line))),
        run: step
            .get("run")
            .and_then(|r| r.as_str().map(|s| (s.to_owned(), r.line))),
        with,
        working_directory: step
            .get("working-directory")
            .and_then(Node::as_str)
            .map(str::to_owned),
    }
}

/// Top-level GitLab keys that are not jobs.
const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
];

/// GitLab's default stages, used when a file names none.
const GITLAB_DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

/// Reads a GitLab CI file. GitLab pipelines run on pushes and merge
/// requests by default; `rules:` and `only:` narrow that per job.
pub fn gitlab_ci(path: &str, root: &Node) -> (Pipeline, Vec<String>) {
    let stages = root
        .get("stages")
        .map(Node::strings)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            GITLAB_DEFAULT_STAGES
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        });
    let mut jobs = Vec::new();
    for (id, job) in root.entries() {
        if id.starts_with('.') || GITLAB_RESERVED.contains(&id.as_str()) {
            continue;
        }
        if !matches!(job.value, Value::Map(_)) {
            continue;
        }
        let mut steps = Vec::new();
        for key in ["before_script", "script", "after_script"] {
            if let Some(script) = job.get(key) {
                for line in script.items() {
                    if let Some(text) = line.as_str() {
                        steps.push(Step {
                            line: line.line,
                            name: None,
                            uses: None,
                            run: Some((text.to_owned(), line.line)),
                            with: Vec::new(),
                            working_directory: None,
                        });
                    }
                }
            }
        }
        if steps.is_empty() && job.get("trigger").is_none() && job.get("extends").is_none() {
            continue;
        }
        let environment = job.get("environment").and_then(|e| match &e.value {
            Value::Map(_) => e.get("name").and_then(Node::as_str).map(str::to_owned),
            _ => e.as_str().map(str::to_owned),
        });
        let needs = job
            .get("needs")
            .map(|n| {
                n.items()
                    .into_iter()
                    .filter_map(|item| match &item.value {
                        Value::Map(_) => item.get("job").and_then(Node::as_str).map(str::to_owned),
                        _ => item.as_str().map(str::to_owned),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut condition = Vec::new();
        if let Some(only) = job.get("only") {
            let refs = match &only.value {
                Value::Map(_) => only.get("refs").map(Node::strings).unwrap_or_default(),
                _ => only.strings(),
            };
            condition.extend(refs.into_iter().map(|r| format!("only {r}")));
        }
        if let Some(rules) = job.get("rules") {
            for rule in rules.items() {
                if let Some(cond) = rule.get("if").and_then(Node::as_str) {
                    condition.push(cond.to_owned());
                }
            }
        }
        jobs.push(Job {
            id: id.clone(),
            line: job.key_line,
            needs,
            environment,
            runs_on: job.get("tags").map(Node::strings).unwrap_or_default(),
            runs_on_line: job.line,
            permissions: None,
            permissions_line: 0,
            condition: (!condition.is_empty()).then(|| condition.join(" || ")),
            stage: Some(
                job.get("stage")
                    .and_then(Node::as_str)
                    .unwrap_or("test")
                    .to_owned(),
            ),
            calls: None,
            secrets_inherit: None,
            steps,
        });
    }
    let pipeline = Pipeline {
        system: "gitlab-ci",
        path: path.to_owned(),
        name: None,
        triggers: vec![Trigger {
            event: "push".to_owned(),
            line: 1,
            branches: Vec::new(),
            tags: Vec::new(),
            workflows: Vec::new(),
        }],
        permissions: None,
        permissions_line: 0,
        jobs,
    };
    (pipeline, stages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    #[test]
    fn knows_ci_files() {
        assert_eq!(
            ci_system(".github/workflows/ci.yml"),
            Some("github-actions")
        );
        assert_eq!(ci_system(".gitlab-ci.yml"), Some("gitlab-ci"));
        assert_eq!(ci_system("Jenkinsfile"), Some("jenkins"));
        assert_eq!(ci_system(".circleci/config.yml"), Some("circleci"));
        assert_eq!(ci_system("docs/ci.yml"), None);
        assert_eq!(ci_system(".github/dependabot.yml"), None);
        assert_eq!(ci_system(".github/workflows/scripts/x.yml"), None);
    }

    #[test]
    fn reads_a_workflow() {
        let text = "name: Deploy\non:\n  push:\n    branches: [main]\n  workflow_dispatch:\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm test\n  deploy:\n    needs: test\n    environment: production\n    runs-on: [self-hosted, linux]\n    steps:\n      - uses: superfly/flyctl-actions@1.5\n        with:\n          args: deploy\n  call:\n    uses: ./.github/workflows/reusable.yml\n    secrets: inherit\n";
        let root = yaml::parse(text).unwrap();
        let p = github_workflow(".github/workflows/deploy.yml", &root);
        assert_eq!(p.name.as_deref(), Some("Deploy"));
        let events: Vec<_> = p.triggers.iter().map(|t| t.event.as_str()).collect();
        assert_eq!(events, ["push", "workflow_dispatch"]);
        assert_eq!(p.triggers[0].branches, ["main"]);
        assert_eq!(
            p.permissions,
            Some(Permissions::Scopes(vec![(
                "contents".into(),
                "read".into()
            )]))
        );
        let deploy = p.job("deploy").unwrap();
        assert_eq!(deploy.needs, ["test"]);
        assert_eq!(deploy.environment.as_deref(), Some("production"));
        assert_eq!(deploy.runs_on, ["self-hosted", "linux"]);
        let uses = deploy.steps[0].uses.as_ref().unwrap();
        assert_eq!(
            (uses.action.as_str(), uses.reference.as_deref()),
            ("superfly/flyctl-actions", Some("1.5"))
        );
        assert_eq!(Uses::input(&deploy.steps[0], "args"), Some("deploy"));
        assert_eq!(
            p.job("test").unwrap().steps[1].run,
            Some(("npm test".into(), 13))
        );
        assert_eq!(p.job("call").unwrap().secrets_inherit, Some(24));
    }

    #[test]
    fn reads_gitlab_jobs_and_stages() {
        let text = "stages: [test, deploy]\nvariables:\n  A: b\n.template:\n  script: [echo]\nunit:\n  stage: test\n  script:\n    - pytest -q\ndeploy_prod:\n  stage: deploy\n  environment: production\n  only: [main]\n  script:\n    - flyctl deploy\n";
        let root = yaml::parse(text).unwrap();
        let (p, stages) = gitlab_ci(".gitlab-ci.yml", &root);
        assert_eq!(stages, ["test", "deploy"]);
        let ids: Vec<_> = p.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["unit", "deploy_prod"]);
        let deploy = p.job("deploy_prod").unwrap();
        assert_eq!(deploy.condition.as_deref(), Some("only main"));
        assert_eq!(deploy.steps[0].run, Some(("flyctl deploy".into(), 15)));
    }
}
