//! The `deploy` collector: reads the files, runs the checks, records facts.

use std::collections::{BTreeMap, BTreeSet};

use diligence_collect::{CollectContext, CollectError, Collector, FileIndex, ReadOutcome};
use diligence_model::{
    Catalog, CollectorId, Confidence, Evidence, Fact, FactName, FactValue, Finding, Inventory,
    Location, RuleId, Severity,
};

use crate::ci;
use crate::commands::{deploy_commands, test_commands};
use crate::pipeline::{self, Pipeline};
use crate::resolve::expand;
use crate::yaml;

/// The collector's id.
pub const COLLECTOR: &str = "deploy";

/// Configuration files larger than this are not read (1 MiB).
pub const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// Every fact this collector can emit, with its description.
pub const FACTS: &[(&str, &str)] = &[
    (
        "deploy.pipelines",
        "CI systems with a configuration file in the repository",
    ),
    (
        "deploy.ci-runs-tests",
        "Whether a CI pipeline runs a test command, directly or one level down (heuristic)",
    ),
    (
        "deploy.deploys",
        "Pipeline jobs that deploy: file#job (platforms; what starts them)",
    ),
    (
        "deploy.tests-gate-deploys",
        "Whether every deploying job waits for tests: runs them first, needs a job that runs them, or deploys through an environment (heuristic)",
    ),
    (
        "deploy.platforms",
        "Platforms the pipelines deploy to or the repository is configured for (fly, aws, vercel, container-registry, ...)",
    ),
    ("deploy.dockerfiles", "Dockerfiles in the repository"),
    (
        "deploy.container-specs",
        "Files that say how a container runs: Dockerfiles, compose files, Kubernetes manifests with a workload and Helm charts (empty: the repository ships no container)",
    ),
    ("deploy.compose-files", "Compose files in the repository"),
    (
        "deploy.platform-configs",
        "Platform configuration files (vercel.json, fly.toml, netlify.toml, ...) with their platform",
    ),
    (
        "deploy.deployables",
        "What the repository builds to ship: container images with their base, compose services",
    ),
    (
        "deploy.codeowners",
        "CODEOWNERS files (.github/, root, docs/)",
    ),
    (
        "deploy.codeowners-catch-all",
        "Whether the CODEOWNERS file GitHub reads gives every path an owner (a * rule)",
    ),
    (
        "deploy.codeowners-sensitive-unowned",
        "Sensitive areas (authentication, payments, migrations, CI) with files the CODEOWNERS file gives no owner",
    ),
    (
        "deploy.security-policy",
        "Whether a SECURITY.md says how to report a vulnerability",
    ),
    (
        "deploy.dependency-updates",
        "Automated dependency updates configured: Dependabot (with its ecosystems) or Renovate",
    ),
    (
        "deploy.dependency-updates.actions",
        "Whether the dependency updates cover GitHub Actions",
    ),
    (
        "deploy.pr-template",
        "Whether a pull-request template exists",
    ),
    ("deploy.runbooks", "Runbook and rollback documents"),
    (
        "deploy.rollback-documented",
        "Whether a runbook or document names a rollback procedure (heuristic)",
    ),
    (
        "deploy.backups",
        "Backup scripts and scheduled workflows that take backups",
    ),
    (
        "deploy.migrations-reversible",
        "Database migrations with a down step, out of all migrations (heuristic)",
    ),
    (
        "deploy.platform-security-headers",
        "Security headers (CSP, HSTS, X-Frame-Options or frame-ancestors, X-Content-Type-Options, Referrer-Policy) set in platform configuration, with the files",
    ),
    (
        "deploy.platform-cors",
        "Access-Control-Allow-Origin values set in platform configuration, with file and route",
    ),
    (
        "deploy.health-checks",
        "Health checks configured in platform files (fly checks, render healthCheckPath, railway healthcheckPath, App Engine checks)",
    ),
    ("deploy.regions", "Regions named in platform files"),
    (
        "deploy.platform-crons",
        "Scheduled jobs defined in platform files (Vercel crons, Render cron services, Railway cronSchedule)",
    ),
    (
        "deploy.env-examples",
        "Documented env templates (.env.example, .env.sample, .env.template)",
    ),
    (
        "deploy.kubernetes-manifests",
        "Kubernetes manifests (YAML files with apiVersion and kind) with their kinds",
    ),
    (
        "deploy.kustomizations",
        "Kustomization files with the resources and patches they include",
    ),
    (
        "deploy.helm-charts",
        "Helm charts (Chart.yaml directories) with their name and version",
    ),
    (
        "deploy.kube-templates-not-analysed",
        "Helm chart templates and other templated manifests that only their tool can render: not analysed",
    ),
    (
        "deploy.terraform-files",
        "Terraform .tf files analysed (production files only; the detail counts those left out)",
    ),
    (
        "deploy.terraform-resources",
        "Terraform managed resources by provider (aws: 12, google: 3)",
    ),
    (
        "deploy.cloudformation-templates",
        "CloudFormation and SAM templates (SAM marked)",
    ),
    (
        "deploy.functions",
        "Functions deployed by SAM, CloudFormation or serverless.yml, with their HTTP endpoints and whether each needs auth",
    ),
    (
        "deploy.budgets",
        "Budgets and spending alerts declared in infrastructure code (recorded when Terraform or CloudFormation is found)",
    ),
    (
        "deploy.database-backups",
        "Each database declared in infrastructure code with its automated backup retention",
    ),
    (
        "deploy.public-databases",
        "Databases declared in infrastructure code that are reachable from the internet (empty: none of those declared)",
    ),
];

/// Every rule this collector can emit, with its description.
pub const RULES: &[(&str, &str)] = &[
    (
        "deploy.config-malformed",
        "A pipeline, Dockerfile, compose, Kubernetes, Helm, Terraform, CloudFormation or platform file that does not parse",
    ),
    (
        "deploy.config-skipped",
        "A pipeline, Dockerfile, compose, Kubernetes, Helm, Terraform, CloudFormation or platform file not read (too large, not text)",
    ),
    (
        "deploy.ungated-deploy",
        "A pipeline job deploys without running or waiting for tests",
    ),
    (
        "deploy.gha-untrusted-checkout",
        "A pull_request_target or workflow_run workflow checks out the pull request's code",
    ),
    (
        "deploy.gha-template-injection",
        "An attacker-controlled ${{ github.event.* }} expression expanded inside a run: script",
    ),
    (
        "deploy.gha-unpinned-action",
        "An action or reusable workflow referenced by tag or branch instead of a full commit SHA",
    ),
    (
        "deploy.gha-excessive-permissions",
        "A workflow without permissions: (default token scope) or with write-all",
    ),
    (
        "deploy.gha-secrets-inherit",
        "A reusable workflow call that passes every secret (secrets: inherit)",
    ),
    (
        "deploy.gha-secret-echoed",
        "A run: step that prints a secret to the job log",
    ),
    (
        "deploy.gha-self-hosted-pr",
        "A job triggered by pull requests that runs on a self-hosted runner",
    ),
    (
        "deploy.gha-persisted-credentials",
        "A checkout that keeps the token in .git/config in a job that uploads an artifact",
    ),
    (
        "deploy.docker-root-user",
        "A Dockerfile whose final stage runs as root (USER root last, or no USER)",
    ),
    (
        "deploy.docker-unpinned-base",
        "A base image without a tag or tagged latest",
    ),
    ("deploy.docker-add-url", "ADD of a URL without a checksum"),
    (
        "deploy.docker-curl-pipe-shell",
        "A download piped into a shell without pipefail",
    ),
    (
        "deploy.docker-env-file-copied",
        "An env file copied into an image",
    ),
    ("deploy.docker-sudo", "sudo in a RUN step"),
    (
        "deploy.docker-no-healthcheck",
        "A final stage without HEALTHCHECK",
    ),
    (
        "deploy.docker-unpinned-packages",
        "apt, apk or pip installs without versions",
    ),
    (
        "deploy.docker-secret-in-env",
        "ENV or ARG sets a variable with a secret-like name (the practice; values are the secrets collector's)",
    ),
    (
        "deploy.compose-privileged",
        "A compose service runs privileged",
    ),
    (
        "deploy.compose-host-network",
        "A compose service uses the host's network",
    ),
    (
        "deploy.compose-docker-socket",
        "A compose service mounts the Docker socket",
    ),
    (
        "deploy.compose-db-port-public",
        "A data store's port published on every interface",
    ),
    (
        "deploy.compose-inline-password",
        "A secret-like environment variable with a value written in the compose file (the practice, not the value)",
    ),
    (
        "deploy.compose-latest-image",
        "A compose image without a tag or tagged latest",
    ),
    (
        "deploy.platform-cors-wildcard",
        "A platform configuration file sets Access-Control-Allow-Origin: *",
    ),
    (
        "deploy.platform-https-not-forced",
        "A platform serves plain HTTP without redirecting to HTTPS (fly force_https, App Engine secure: always)",
    ),
    (
        "deploy.platform-secret-in-config",
        "A secret-named variable with a literal value in fly.toml [env], render.yaml envVars or app.yaml env_variables (the practice, not the value)",
    ),
    (
        "deploy.platform-db-open",
        "A Render database or key-value store that accepts connections from any address",
    ),
    (
        "deploy.env-client-secret-name",
        "An env file declares a client-exposed variable whose name says secret, service role or paid API key (names only)",
    ),
    (
        "deploy.kube-privileged",
        "A Kubernetes container (or Helm values) runs privileged",
    ),
    (
        "deploy.kube-privilege-escalation",
        "A Kubernetes container that does not set allowPrivilegeEscalation: false",
    ),
    (
        "deploy.kube-run-as-root",
        "A Kubernetes container that runs as root (runAsUser: 0) or sets neither runAsNonRoot nor a non-zero runAsUser",
    ),
    (
        "deploy.kube-no-resource-limits",
        "A Kubernetes container without a memory limit",
    ),
    (
        "deploy.kube-host-path",
        "A pod that mounts a directory or socket of the node (hostPath)",
    ),
    (
        "deploy.kube-host-namespace",
        "A pod that shares the node's network, process or IPC namespace",
    ),
    (
        "deploy.kube-unpinned-image",
        "A Kubernetes container image without a tag or tagged latest",
    ),
    (
        "deploy.kube-env-secret",
        "A secret-named env entry with a literal value instead of secretKeyRef (the practice, not the value)",
    ),
    (
        "deploy.kube-configmap-secret",
        "A ConfigMap (or Kustomize generator literal) with a secret-named key and a value",
    ),
    (
        "deploy.kube-no-probes",
        "A long-running container with neither a liveness nor a readiness probe",
    ),
    (
        "deploy.kube-secret-manifest",
        "A Kubernetes Secret committed with values under data or stringData (the practice; values are the secrets collector's)",
    ),
    (
        "deploy.tf-public-bucket",
        "A storage bucket or container readable (or writable) by anyone: public ACL or bucket policy, public access block off, allUsers member",
    ),
    (
        "deploy.tf-open-ingress",
        "A firewall or security group open to 0.0.0.0/0 or ::/0 on admin or database ports, or on all ports",
    ),
    (
        "deploy.tf-public-database",
        "A database with a public address or an authorised network / firewall rule open to every address",
    ),
    (
        "deploy.tf-db-no-backups",
        "A database with automated backups off, or with the retention left at the provider's minimal default",
    ),
    (
        "deploy.tf-db-no-deletion-protection",
        "A database without deletion protection",
    ),
    (
        "deploy.tf-unencrypted-storage",
        "A database, volume or file system without encryption at rest",
    ),
    (
        "deploy.tf-iam-wildcard",
        "An IAM policy that allows every action on every resource, or the AdministratorAccess policy attached",
    ),
    (
        "deploy.cfn-public-bucket",
        "A CloudFormation S3 bucket readable or writable by anyone: public ACL, public access block off, Principal \"*\" policy",
    ),
    (
        "deploy.cfn-open-ingress",
        "A CloudFormation security group open to 0.0.0.0/0 or ::/0 on admin or database ports, or on all ports",
    ),
    (
        "deploy.cfn-public-database",
        "A CloudFormation RDS database with PubliclyAccessible: true",
    ),
    (
        "deploy.lambda-endpoint-no-auth",
        "A SAM or serverless.yml HTTP endpoint without an authorizer or API key (heuristic)",
    ),
    (
        "deploy.lambda-url-public",
        "A Lambda function URL without auth (AuthType NONE), in a template, serverless.yml or Terraform",
    ),
];

/// Deployment evidence: CI pipelines and what they deploy. Collector id
/// `deploy`.
#[derive(Debug, Default, Clone, Copy)]
pub struct DeployCollector;

impl DeployCollector {
    /// The facts and rules this collector can emit, and the renamed
    /// `tests.ci-runs-tests`.
    pub fn catalog() -> Catalog {
        let mut catalog =
            Catalog::from_tables(FACTS, RULES).expect("built-in fact names and rule ids are valid");
        catalog
            .fact_alias("tests.ci-runs-tests", "deploy.ci-runs-tests")
            .expect("built-in fact names are valid");
        catalog
    }
}

impl Collector for DeployCollector {
    fn id(&self) -> CollectorId {
        CollectorId::new(COLLECTOR).expect("`deploy` is a valid collector id")
    }

    fn reads_history(&self) -> bool {
        false
    }

    fn catalog(&self) -> Catalog {
        Self::catalog()
    }

    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence, CollectError> {
        let mut run = Run::new(cx.files, self.id());
        let pipelines = run.pipelines();
        run.dockerfiles();
        run.compose();
        let paths: Vec<String> = cx.files.entries().iter().map(|e| e.path.clone()).collect();
        crate::policy::collect(&mut run, &paths, &pipelines);
        let described = crate::platform::collect(&mut run, &paths);
        crate::envfiles::collect(&mut run, &paths);
        let kube = crate::kube::collect(&mut run, &paths);
        run.deployables.extend(kube.deployables);
        run.kube_overrides_images(&kube.workload_manifests);
        run.container_specs(&kube.workload_manifests);
        let mut infra = crate::terraform::collect(&mut run, &paths);
        crate::cloudformation::collect(&mut run, &paths, &mut infra);
        infra.facts(&mut run);
        run.inventory(&paths, &described);
        if cx.cancelled() {
            return Err(CollectError::Cancelled);
        }
        run.finish()
    }
}

pub(crate) fn fact_name(name: &str) -> FactName {
    FactName::new(name).expect("built-in fact names are valid")
}

pub(crate) fn rule(id: &str) -> RuleId {
    RuleId::new(id).expect("built-in rule ids are valid")
}

/// A finding to record.
pub(crate) struct Hit<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub path: &'a str,
    pub line: u32,
    pub message: String,
    pub remediation: &'a str,
    pub excerpt: Option<String>,
    pub heuristic: bool,
}

/// One collection in progress.
pub(crate) struct Run<'a> {
    files: &'a FileIndex,
    evidence: Evidence,
    findings: Vec<Finding>,
    errors: Vec<String>,
    images: Vec<crate::dockerfile::Image>,
    services: Vec<crate::compose::Service>,
    deploys: Vec<ci::Deploy>,
    platforms: BTreeSet<String>,
    /// Deployables found by readers other than Dockerfiles and compose.
    deployables: Vec<String>,
}

impl<'a> Run<'a> {
    fn new(files: &'a FileIndex, id: CollectorId) -> Self {
        Self {
            files,
            evidence: Evidence::new(id),
            findings: Vec::new(),
            errors: Vec::new(),
            images: Vec::new(),
            services: Vec::new(),
            deploys: Vec::new(),
            platforms: BTreeSet::new(),
            deployables: Vec::new(),
        }
    }

    pub(crate) fn fact(&mut self, name: &str, fact: Fact) {
        self.evidence.set_fact(fact_name(name), fact);
    }

    /// Records a platform the repository is configured for.
    pub(crate) fn platform(&mut self, platform: &str) {
        self.platforms.insert(platform.to_owned());
    }

    pub(crate) fn hit(&mut self, hit: Hit<'_>) {
        let location = if hit.line > 0 {
            Location::line(hit.path, hit.line)
        } else {
            Location::file(hit.path)
        };
        let mut builder = Finding::builder(rule(hit.rule), hit.severity, hit.confidence)
            .message(hit.message)
            .location(location)
            .remediation(hit.remediation);
        if let Some(excerpt) = hit.excerpt {
            builder = builder.plain_excerpt(&excerpt);
        }
        if hit.heuristic {
            builder = builder.tag("heuristic");
        }
        match builder.build() {
            Ok(f) => self.findings.push(f),
            Err(e) => self.errors.push(e.to_string()),
        }
    }

    /// Drops the findings of `rule` at files `answered` accepts: a later
    /// reader found what the finding says is missing (a platform health
    /// check for a Dockerfile without `HEALTHCHECK`).
    pub(crate) fn drop_answered(&mut self, rule: &str, answered: &dyn Fn(&str) -> bool) {
        self.findings.retain(|f| {
            f.rule.as_str() != rule || !f.location.path.as_deref().is_some_and(answered)
        });
    }

    /// A file's text, bounded by [`MAX_CONFIG_SIZE`]; `None` when absent.
    pub(crate) fn read(&self, path: &str) -> Option<String> {
        let entry = self.files.get(path)?;
        match self.files.read_capped(entry, MAX_CONFIG_SIZE) {
            Ok(ReadOutcome::Content(data)) => String::from_utf8(data).ok(),
            _ => None,
        }
    }

    /// Whether the target has a file at `path`.
    pub(crate) fn exists(&self, path: &str) -> bool {
        self.files.get(path).is_some()
    }

    /// A configuration file's text; a file that cannot be read gets a
    /// `deploy.config-skipped` finding.
    pub(crate) fn read_config(&mut self, path: &str) -> Option<String> {
        match self.read_text(path, MAX_CONFIG_SIZE) {
            Ok(text) => text,
            Err(reason) => {
                self.skipped(path, &reason);
                None
            }
        }
    }

    /// A file's text under `cap` bytes: `Ok(None)` when there is no such
    /// file, `Err(reason)` when it was not read (too large, not text).
    pub(crate) fn read_text(&self, path: &str, cap: u64) -> Result<Option<String>, String> {
        let Some(entry) = self.files.get(path) else {
            return Ok(None);
        };
        match self.files.read_capped(entry, cap) {
            Ok(ReadOutcome::Content(data)) => String::from_utf8(data)
                .map(Some)
                .map_err(|_| "it is not UTF-8 text".to_owned()),
            Ok(ReadOutcome::TooLarge { size }) => {
                Err(format!("it has {size} bytes, more than the {cap}-byte cap"))
            }
            Err(e) => Err(format!("it could not be read: {e}")),
        }
    }

    /// Records a `deploy.config-skipped` finding: `path` was not read.
    pub(crate) fn skipped(&mut self, path: &str, reason: &str) {
        self.hit(Hit {
            rule: "deploy.config-skipped",
            severity: Severity::Low,
            confidence: Confidence::High,
            path,
            line: 0,
            message: format!("{path} was not analysed: {reason}"),
            remediation: "Review the file by hand; split it if it is generated or oversized.",
            excerpt: None,
            heuristic: false,
        });
    }

    /// Records a parse failure as a `deploy.config-malformed` finding.
    pub(crate) fn malformed(
        &mut self,
        path: &str,
        line: Option<u32>,
        column: Option<u32>,
        message: &str,
    ) {
        let position = match (line, column) {
            (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
            (Some(l), None) => format!(" at line {l}"),
            _ => String::new(),
        };
        self.hit(Hit {
            rule: "deploy.config-malformed",
            severity: Severity::Low,
            confidence: Confidence::High,
            path,
            line: line.unwrap_or(0),
            message: format!("{path} does not parse{position}: {message}"),
            remediation: "Fix the syntax; the platform reading this file rejects it or reads something else than intended.",
            excerpt: None,
            heuristic: false,
        });
    }

    fn pipelines(&mut self) -> Vec<Pipeline> {
        let mut systems = BTreeSet::new();
        let mut parsed: Vec<Pipeline> = Vec::new();
        let mut stages = BTreeMap::new();
        let mut text_sites = Vec::new();
        let mut text_deploys = Vec::new();
        let ci_files: Vec<(String, &'static str)> = self
            .files
            .entries()
            .iter()
            .filter_map(|e| pipeline::ci_system(&e.path).map(|s| (e.path.clone(), s)))
            .collect();
        for (path, system) in ci_files {
            systems.insert(system.to_owned());
            let Some(text) = self.read_config(&path) else {
                continue;
            };
            match system {
                "github-actions" | "gitlab-ci" => match yaml::parse(&text) {
                    Ok(root) if system == "github-actions" => {
                        let workflow = pipeline::github_workflow(&path, &root);
                        crate::gha::check(self, &workflow, &text);
                        parsed.push(workflow);
                    }
                    Ok(root) => {
                        let (p, s) = pipeline::gitlab_ci(&path, &root);
                        stages.insert(path.clone(), s);
                        parsed.push(p);
                    }
                    Err(e) => self.malformed(&path, e.line, e.column, &e.message),
                },
                _ => {
                    // Read as text: commands are matched, jobs and order are not known.
                    let mut texts = vec![text.clone()];
                    let reader = |p: &str| self.read(p);
                    texts.extend(expand(&text, None, &reader).into_iter().map(|e| e.text));
                    let mut commands: Vec<&str> = Vec::new();
                    let mut platforms: Vec<&str> = Vec::new();
                    for t in &texts {
                        commands.extend(test_commands(t));
                        platforms.extend(deploy_commands(t).into_iter().map(|(_, p)| p));
                    }
                    commands.dedup();
                    platforms.sort_unstable();
                    platforms.dedup();
                    if !commands.is_empty() {
                        text_sites.push(format!("{path} ({})", commands.join(", ")));
                    }
                    if !platforms.is_empty() {
                        text_deploys.push((path.clone(), platforms));
                    }
                }
            }
        }
        let reader = |p: &str| self.read(p);
        let report = ci::analyse(&parsed, &stages, &reader);

        self.fact("deploy.pipelines", Fact::list(systems.iter().cloned()));

        let mut sites = report.test_sites();
        sites.extend(text_sites);
        let detail = if systems.is_empty() {
            "No CI configuration file found.".to_owned()
        } else if sites.is_empty() {
            format!(
                "CI files of {} found; no job runs a test command, directly or through a make target, package script or shell script.",
                systems.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        } else {
            format!(
                "Test commands in {}. Commands are matched by name, one level of make targets, package scripts and shell scripts is followed; conditions are not evaluated.",
                sites.join("; ")
            )
        };
        self.fact(
            "deploy.ci-runs-tests",
            Fact::bool(!sites.is_empty())
                .heuristic(Confidence::Medium)
                .detail(detail),
        );

        let mut deploys: Vec<String> = report.deploys.iter().map(ci::Deploy::describe).collect();
        deploys.extend(
            text_deploys
                .iter()
                .map(|(p, platforms)| format!("{p} ({}; jobs not parsed)", platforms.join(", "))),
        );
        self.platforms.extend(
            report
                .deploys
                .iter()
                .flat_map(|d| d.platforms.iter())
                .chain(text_deploys.iter().flat_map(|(_, p)| p.iter()))
                .map(|p| (*p).to_owned()),
        );
        self.fact("deploy.deploys", Fact::list(deploys));
        self.deploys = report.deploys.clone();

        if !report.deploys.is_empty() {
            let ungated: Vec<&ci::Deploy> =
                report.deploys.iter().filter(|d| d.gate.is_none()).collect();
            let mut lines = Vec::new();
            for d in &report.deploys {
                match (&d.gate, &d.environment) {
                    (Some(g), _) => lines.push(format!("{}#{}: {g}", d.path, d.job)),
                    (None, Some(env)) => lines.push(format!(
                        "{}#{}: nothing waits for tests (it deploys through environment {env}, whose protection rules are repository settings the files do not show)",
                        d.path, d.job
                    )),
                    (None, None) => {
                        lines.push(format!("{}#{}: nothing waits for tests", d.path, d.job));
                    }
                }
            }
            self.fact(
                "deploy.tests-gate-deploys",
                Fact::bool(ungated.is_empty())
                    .heuristic(Confidence::Medium)
                    .detail(format!("{}.", lines.join("; "))),
            );
            for d in ungated {
                // An environment may hold a required reviewer: the deploy
                // may wait for a person, though not for tests.
                let (confidence, approval) = match &d.environment {
                    Some(env) => (
                        Confidence::Low,
                        format!(
                            "; it deploys through environment {env}, which may require an approval the files do not show"
                        ),
                    ),
                    None => (Confidence::Medium, String::new()),
                };
                self.hit(Hit {
                    rule: "deploy.ungated-deploy",
                    severity: Severity::Medium,
                    confidence,
                    path: &d.path,
                    line: d.line,
                    message: format!(
                        "Job {} deploys to {} ({}) without running tests first or waiting for a job that does{approval}",
                        d.job,
                        d.platforms.join(", "),
                        d.trigger
                    ),
                    remediation: "Make the deploy job `needs:` the job that runs the tests (or run them earlier in the same job), so a failing test stops the deploy.",
                    excerpt: None,
                    heuristic: true,
                });
            }
        }
        parsed
    }

    fn dockerfiles(&mut self) {
        let paths: Vec<String> = self
            .files
            .entries()
            .iter()
            .filter(|e| crate::dockerfile::is_dockerfile(&e.path))
            .map(|e| e.path.clone())
            .collect();
        for path in &paths {
            if let Some(text) = self.read_config(path)
                && let Some(image) = crate::dockerfile::check(self, path, &text)
            {
                self.images.push(image);
            }
        }
        self.fact("deploy.dockerfiles", Fact::list(paths));
    }

    fn compose(&mut self) {
        let paths: Vec<String> = self
            .files
            .entries()
            .iter()
            .filter(|e| crate::compose::is_compose_file(&e.path))
            .map(|e| e.path.clone())
            .collect();
        for path in &paths {
            let Some(text) = self.read_config(path) else {
                continue;
            };
            match yaml::parse(&text) {
                Ok(root) => {
                    let services = crate::compose::check(self, path, &root);
                    self.services.extend(services);
                }
                Err(e) => self.malformed(path, e.line, e.column, &e.message),
            }
        }
        self.fact("deploy.compose-files", Fact::list(paths));
    }

    /// Where the repository's Kubernetes workloads set what an image
    /// leaves out, the image's finding matters less: every pod running as
    /// a non-root user (no `deploy.kube-run-as-root`) overrides an image
    /// that would run as root, and probes on every long-running container
    /// (no `deploy.kube-no-probes`) stand in for a `HEALTHCHECK`. The
    /// Dockerfile findings stay, lowered and saying why: the image may run
    /// elsewhere too.
    fn kube_overrides_images(&mut self, workload_manifests: &[String]) {
        // Manifests with a workload only; Helm values alone do not count,
        // since the templates are not rendered.
        if workload_manifests.is_empty() {
            return;
        }
        let has = |rule: &str| self.findings.iter().any(|f| f.rule.as_str() == rule);
        let non_root = !has("deploy.kube-run-as-root");
        let probed = !has("deploy.kube-no-probes");
        for finding in &mut self.findings {
            match finding.rule.as_str() {
                "deploy.docker-root-user" if non_root => {
                    finding.severity = Severity::Low;
                    finding.message.push_str("; the repository's Kubernetes workloads run every pod as a non-root user (runAsNonRoot or runAsUser), which overrides it there");
                }
                "deploy.docker-no-healthcheck" if probed => {
                    finding.severity = Severity::Info;
                    finding.message.push_str("; the repository's Kubernetes workloads probe every long-running container, which stands in for it there");
                }
                _ => {}
            }
        }
    }

    /// Records `deploy.container-specs`: the files that say how a container
    /// runs (Dockerfiles, compose files, Kubernetes manifests, Helm charts
    /// whose values were read), so that container checks judge only targets
    /// that ship containers.
    fn container_specs(&mut self, workload_manifests: &[String]) {
        let mut specs: BTreeSet<String> = workload_manifests.iter().cloned().collect();
        for name in [
            "deploy.dockerfiles",
            "deploy.compose-files",
            "deploy.helm-charts",
        ] {
            if let Some(fact) = self.evidence.facts.get(&fact_name(name))
                && let FactValue::List { values } = &fact.value
            {
                specs.extend(values.iter().cloned());
            }
        }
        self.fact("deploy.container-specs", Fact::list(specs));
    }

    fn inventory(
        &mut self,
        paths: &[String],
        described: &BTreeMap<String, crate::platform::Described>,
    ) {
        let configs = crate::inventory::platform_configs(paths, &|p| self.read(p));
        self.platforms
            .extend(configs.iter().map(|(_, platform)| (*platform).to_owned()));
        self.fact(
            "deploy.platforms",
            Fact::list(self.platforms.iter().cloned()),
        );
        self.fact(
            "deploy.platform-configs",
            Fact::list(
                configs
                    .iter()
                    .map(|(p, platform)| format!("{p} ({platform})")),
            ),
        );
        let mut deployables = crate::inventory::deployables(&self.images, &self.services);
        deployables.append(&mut self.deployables);
        self.fact("deploy.deployables", Fact::list(deployables));
        let table = crate::inventory::table(&self.deploys, &self.images, &configs, described);
        if !table.rows.is_empty() {
            self.evidence
                .inventories
                .insert("deployment".to_owned(), Inventory::Table(table));
        }
    }

    fn finish(mut self) -> Result<Evidence, CollectError> {
        if !self.errors.is_empty() {
            return Err(CollectError::Failed {
                message: format!("invalid finding: {}", self.errors.join("; ")),
                source: None,
            });
        }
        self.evidence.findings = self.findings;
        self.evidence.normalise();
        Ok(self.evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_complete_and_prefixed() {
        let catalog = DeployCollector::catalog();
        assert_eq!(catalog.facts.len(), FACTS.len());
        assert_eq!(catalog.rules.len(), RULES.len());
        assert!(
            catalog
                .facts
                .keys()
                .all(|f| f.as_str().starts_with("deploy."))
        );
        assert!(
            catalog
                .rules
                .keys()
                .all(|r| r.as_str().starts_with("deploy."))
        );
        assert_eq!(
            catalog
                .fact_aliases
                .get("tests.ci-runs-tests")
                .map(|f| f.as_str()),
            Some("deploy.ci-runs-tests")
        );
    }
}
