//! CloudFormation and SAM templates, and Serverless Framework
//! `serverless.yml` files: what they deploy (functions and their HTTP
//! endpoints, buckets, databases) and the exposure the `deploy.cfn-*` and
//! `deploy.lambda-*` rules report.
//!
//! Templates are read with the same YAML reader as pipelines (JSON
//! templates are YAML too). Short-form intrinsic functions (`!Ref`,
//! `!Sub`, `!GetAtt`, `!If`) are read as their argument: the tag is
//! dropped, so `!Ref PublicFlag` reads as the text `PublicFlag`, which no
//! check treats as a flagged value. Long-form intrinsics (`{"Ref": ...}`)
//! are mappings, likewise never a flagged value.

use diligence_model::context::{FileClass, classify};
use diligence_model::{Confidence, Fact, Severity};

use crate::collector::{Hit, Run};
use crate::terraform::{Database, Infra, days, open_ports, world};
use crate::yaml::{self, Node, Value};

/// Whether a path names a Serverless Framework file.
pub fn is_serverless(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "serverless.yml" || name == "serverless.yaml"
}

/// Whether a path may hold a CloudFormation or SAM template, to be
/// confirmed by its content: any YAML or `.template` file, and JSON files
/// whose name or folder speaks of templates, stacks or infrastructure.
pub fn maybe_template(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if is_serverless(path) {
        return false;
    }
    if [".yaml", ".yml", ".template"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        return true;
    }
    if !name.ends_with(".json") || name == "package.json" || name.starts_with("tsconfig") {
        return false;
    }
    let words = ["template", "cfn", "cloudformation", "stack", "sam", "infra"];
    let dirs = [
        "cloudformation",
        "cfn",
        "infra",
        "infrastructure",
        "iac",
        "aws",
        "deploy",
        "deployment",
        "templates",
        "stacks",
    ];
    words.iter().any(|w| name.contains(w))
        || lower.split('/').rev().skip(1).any(|d| dirs.contains(&d))
}

/// Whether a file's text is a CloudFormation or SAM template.
fn is_template_text(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains("AWS::Serverless-2016-10-31")
        || (text.contains("Resources")
            && (text.contains("Type: AWS::")
                || text.contains("Type: \"AWS::")
                || text.contains("\"Type\": \"AWS::")))
}

/// Whether a parsed file is a template: a format version, or resources
/// of `AWS::` types.
fn is_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some()
        || root
            .get("Resources")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .any(|(_, r)| {
                r.get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::"))
            })
}

/// Reads templates and serverless files, runs the checks and records
/// `deploy.cloudformation-templates` and `deploy.functions`.
pub(crate) fn collect(run: &mut Run<'_>, paths: &[String], infra: &mut Infra) {
    let mut templates = Vec::new();
    let mut out = Deployed::default();
    for path in paths {
        if classify(path) != FileClass::Production {
            continue;
        }
        let serverless = is_serverless(path);
        if !serverless && !maybe_template(path) {
            continue;
        }
        if !serverless {
            // Sniff without a finding: most candidates are not templates.
            match run.read(path) {
                Some(text) if is_template_text(&text) => {}
                Some(_) => continue,
                None => {
                    if path.ends_with(".template") || path.contains("cloudformation") {
                        run.read_config(path);
                    }
                    continue;
                }
            }
        }
        let Some(text) = run.read_config(path) else {
            continue;
        };
        let root = match yaml::parse(&text) {
            Ok(root) => root,
            Err(e) => {
                run.malformed(path, e.line, e.column, &e.message);
                continue;
            }
        };
        if !serverless && !is_template(&root) {
            continue;
        }
        infra.found = true;
        if serverless {
            serverless_file(run, path, &root, infra, &mut out);
        } else {
            let sam = text.contains("AWS::Serverless");
            templates.push(if sam {
                format!("{path} (SAM)")
            } else {
                path.clone()
            });
            template(run, path, &root, infra, &mut out);
        }
        no_auth_hit(run, path, std::mem::take(&mut out.open));
    }
    run.fact("deploy.cloudformation-templates", Fact::list(templates));
    if infra.found {
        run.fact("deploy.functions", Fact::list(out.functions));
    }
}

/// What the templates deploy: the functions for the fact, and the current
/// file's endpoints without auth (line, `function (route)`).
#[derive(Default)]
struct Deployed {
    functions: Vec<String>,
    open: Vec<(u32, String)>,
}

/// One resource of a template.
struct Resource<'a> {
    path: &'a str,
    id: &'a str,
    kind: &'a str,
    line: u32,
    props: Option<&'a Node>,
}

impl Resource<'_> {
    fn prop(&self, key: &str) -> Option<&Node> {
        self.props.and_then(|p| p.get(key))
    }

    fn name(&self) -> String {
        format!("{} ({})", self.id, self.kind)
    }
}

/// A high-confidence finding.
fn hit(
    run: &mut Run<'_>,
    path: &str,
    line: u32,
    rule: &'static str,
    severity: Severity,
    message: String,
    remediation: &'static str,
) {
    run.hit(Hit {
        rule,
        severity,
        confidence: Confidence::High,
        path,
        line,
        message,
        remediation,
        excerpt: None,
        heuristic: false,
    });
}

fn boolean(node: Option<&Node>) -> Option<bool> {
    match node.map(|n| &n.value) {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::Str(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::Str(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn number(node: Option<&Node>) -> Option<f64> {
    node.and_then(Node::as_str)
        .and_then(|s| s.trim().parse().ok())
}

const REMEDIATE_BUCKET: &str = "Keep the bucket private (no public ACL or `Principal: \"*\"` policy, public access block on) and serve public files through CloudFront with origin access control, or signed URLs.";
const REMEDIATE_INGRESS: &str = "Restrict the source to known addresses (a VPN, bastion or office range) or use Session Manager; never open admin or database ports to 0.0.0.0/0 or ::/0.";
const REMEDIATE_PUBLIC_DB: &str =
    "Set `PubliclyAccessible: false` and reach the database from inside the VPC.";
const REMEDIATE_NO_AUTH: &str = "Add an authorizer (Cognito, JWT, Lambda or AWS_IAM), an API key (`private: true`) or a default authorizer on the API; if the endpoint is public by design (webhook, public API), say so and verify its requests in the function.";
const REMEDIATE_URL: &str = "Use `AuthType: AWS_IAM` (serverless: `url: { authorizer: aws_iam }`) or put the function behind API Gateway with an authorizer.";

fn template(run: &mut Run<'_>, path: &str, root: &Node, infra: &mut Infra, out: &mut Deployed) {
    let Some(resources) = root.get("Resources") else {
        return;
    };
    // Default authorizers: SAM Globals and explicit APIs.
    let globals = |api: &str| {
        root.get("Globals")
            .and_then(|g| g.get(api))
            .and_then(|a| a.get("Auth"))
            .is_some_and(has_default_auth)
    };
    let implicit_rest = globals("Api");
    let implicit_http = globals("HttpApi");
    let mut authed_apis = Vec::new();
    for (id, r) in resources.entries() {
        let kind = r.get("Type").and_then(Node::as_str).unwrap_or_default();
        if (kind == "AWS::Serverless::Api" || kind == "AWS::Serverless::HttpApi")
            && r.get("Properties")
                .and_then(|p| p.get("Auth"))
                .is_some_and(has_default_auth)
        {
            authed_apis.push(id.clone());
        }
    }
    for (id, r) in resources.entries() {
        let res = Resource {
            path,
            id,
            kind: r.get("Type").and_then(Node::as_str).unwrap_or_default(),
            line: r.key_line,
            props: r.get("Properties"),
        };
        resource(
            run,
            &res,
            infra,
            out,
            (implicit_rest, implicit_http),
            &authed_apis,
        );
    }
}

fn has_default_auth(auth: &Node) -> bool {
    auth.get("DefaultAuthorizer")
        .and_then(Node::as_str)
        .is_some_and(|a| a != "NONE")
        || boolean(auth.get("ApiKeyRequired")) == Some(true)
}

fn resource(
    run: &mut Run<'_>,
    res: &Resource<'_>,
    infra: &mut Infra,
    out: &mut Deployed,
    implicit: (bool, bool),
    authed_apis: &[String],
) {
    match res.kind {
        "AWS::S3::Bucket" => {
            if let Some(acl) = res.prop("AccessControl").and_then(Node::as_str)
                && let Some((severity, what)) = match acl {
                    "PublicReadWrite" => {
                        Some((Severity::High, "anyone can read and write its objects"))
                    }
                    "PublicRead" => {
                        Some((Severity::Medium, "anyone can list and read its objects"))
                    }
                    "AuthenticatedRead" => {
                        Some((Severity::Medium, "every AWS account can read its objects"))
                    }
                    _ => None,
                }
            {
                hit(
                    run,
                    res.path,
                    res.line,
                    "deploy.cfn-public-bucket",
                    severity,
                    format!("{} sets AccessControl: {acl}: {what}", res.name()),
                    REMEDIATE_BUCKET,
                );
            }
            if let Some(block) = res.prop("PublicAccessBlockConfiguration") {
                let off: Vec<&str> = [
                    "BlockPublicAcls",
                    "BlockPublicPolicy",
                    "IgnorePublicAcls",
                    "RestrictPublicBuckets",
                ]
                .into_iter()
                .filter(|k| boolean(block.get(k)) == Some(false))
                .collect();
                if !off.is_empty() {
                    hit(
                        run,
                        res.path,
                        res.line,
                        "deploy.cfn-public-bucket",
                        Severity::Medium,
                        format!(
                            "{} turns off S3 public access blocking ({}: false): a public ACL or bucket policy takes effect",
                            res.name(),
                            off.join(", ")
                        ),
                        REMEDIATE_BUCKET,
                    );
                }
            }
        }
        "AWS::S3::BucketPolicy" => {
            if let Some(doc) = res.prop("PolicyDocument") {
                bucket_policy(run, res, doc);
            }
        }
        "AWS::EC2::SecurityGroup" => {
            let rules: Vec<&Node> = res
                .prop("SecurityGroupIngress")
                .map(Node::items)
                .unwrap_or_default();
            ingress(run, res, &rules);
        }
        "AWS::EC2::SecurityGroupIngress" => {
            if let Some(p) = res.props {
                ingress(run, res, &[p]);
            }
        }
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => {
            let public = boolean(res.prop("PubliclyAccessible")) == Some(true);
            if public {
                hit(
                    run,
                    res.path,
                    res.line,
                    "deploy.cfn-public-database",
                    Severity::High,
                    format!(
                        "{} sets PubliclyAccessible: true: it gets a public address and only its security group stands between it and the internet",
                        res.name()
                    ),
                    REMEDIATE_PUBLIC_DB,
                );
            }
            let derived = [
                "SourceDBInstanceIdentifier",
                "DBSnapshotIdentifier",
                "SourceDBClusterIdentifier",
                "SnapshotIdentifier",
            ]
            .iter()
            .any(|k| res.prop(k).is_some());
            let in_cluster = res.prop("DBClusterIdentifier").is_some();
            let retention = res.prop("BackupRetentionPeriod");
            let backups = match (retention, number(retention)) {
                (_, Some(d)) if d <= 0.0 => "off (BackupRetentionPeriod: 0)".to_owned(),
                (_, Some(d)) => days(d),
                (Some(_), None) => "unknown (set through a parameter or function)".to_owned(),
                (None, None) if in_cluster => "set on its cluster".to_owned(),
                (None, None) if derived => "not set (replica or restore)".to_owned(),
                (None, None) => "not set (CloudFormation default: 1 day)".to_owned(),
            };
            infra.databases.push(Database {
                id: res.name(),
                path: res.path.to_owned(),
                line: res.line,
                backups,
                public: public.then(|| "PubliclyAccessible: true".to_owned()),
            });
        }
        "AWS::Budgets::Budget" => infra.budgets.push(format!("{} ({})", res.name(), res.path)),
        "AWS::Lambda::Url" if res.prop("AuthType").and_then(Node::as_str) == Some("NONE") => {
            url_hit(run, res.path, res.line, &res.name());
        }
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
            let mut endpoints = Vec::new();
            if let Some(events) = res.prop("Events") {
                for (_, event) in events.entries() {
                    let kind = event.get("Type").and_then(Node::as_str).unwrap_or_default();
                    if kind != "Api" && kind != "HttpApi" {
                        continue;
                    }
                    let props = event.get("Properties");
                    let get = |k: &str| props.and_then(|p| p.get(k));
                    let route = format!(
                        "{} {}",
                        get("Method")
                            .and_then(Node::as_str)
                            .unwrap_or("ANY")
                            .to_ascii_uppercase(),
                        get("Path").and_then(Node::as_str).unwrap_or("/")
                    );
                    let api = get(if kind == "Api" { "RestApiId" } else { "ApiId" })
                        .and_then(Node::as_str);
                    let default = match api {
                        Some(a) => authed_apis.iter().any(|x| x == a),
                        None if kind == "Api" => implicit.0,
                        None => implicit.1,
                    };
                    let authorizer = get("Auth")
                        .and_then(|a| a.get("Authorizer"))
                        .and_then(Node::as_str);
                    let key =
                        get("Auth").is_some_and(|a| boolean(a.get("ApiKeyRequired")) == Some(true));
                    let authed = match authorizer {
                        Some("NONE") => key,
                        Some(_) => true,
                        None => default || key,
                    };
                    endpoints.push(format!(
                        "{route} [{}]",
                        if authed { "auth" } else { "no auth" }
                    ));
                    if !authed {
                        out.open
                            .push((event.key_line, format!("{} ({route})", res.id)));
                    }
                }
            }
            if let Some(url) = res.prop("FunctionUrlConfig") {
                let open = url.get("AuthType").and_then(Node::as_str) == Some("NONE");
                endpoints.push(format!(
                    "function URL [{}]",
                    if open { "no auth" } else { "auth" }
                ));
                if open {
                    url_hit(run, res.path, url.key_line, &res.name());
                }
            }
            out.functions
                .push(function_line(res.id, res.path, &endpoints));
        }
        _ => {}
    }
}

fn function_line(name: &str, path: &str, endpoints: &[String]) -> String {
    if endpoints.is_empty() {
        format!("{name} ({path}): no HTTP endpoint")
    } else {
        format!("{name} ({path}): {}", endpoints.join(", "))
    }
}

fn bucket_policy(run: &mut Run<'_>, res: &Resource<'_>, doc: &Node) {
    let mut write = false;
    let mut read = false;
    for s in doc.get("Statement").map(Node::items).unwrap_or_default() {
        if s.get("Effect").and_then(Node::as_str) != Some("Allow") || s.get("Condition").is_some() {
            continue;
        }
        let principal = s.get("Principal");
        let everyone = principal.and_then(Node::as_str) == Some("*")
            || principal
                .and_then(|p| p.get("AWS"))
                .is_some_and(|a| a.strings().iter().any(|x| x == "*"));
        if !everyone {
            continue;
        }
        for action in s.get("Action").map(Node::strings).unwrap_or_default() {
            match action.as_str() {
                "*" | "s3:*" | "s3:PutObject" | "s3:DeleteObject" | "s3:Put*" => write = true,
                "s3:GetObject" | "s3:Get*" | "s3:ListBucket" => read = true,
                _ => {}
            }
        }
    }
    if write || read {
        hit(
            run,
            res.path,
            res.line,
            "deploy.cfn-public-bucket",
            if write {
                Severity::High
            } else {
                Severity::Medium
            },
            format!(
                "{} allows everyone (Principal: \"*\", no condition) to {} the bucket's objects",
                res.name(),
                if write { "write or delete" } else { "read" }
            ),
            REMEDIATE_BUCKET,
        );
    }
}

fn ingress(run: &mut Run<'_>, res: &Resource<'_>, rules: &[&Node]) {
    let mut opened = Vec::new();
    let mut sources = Vec::new();
    for r in rules {
        let from: Vec<String> = ["CidrIp", "CidrIpv6"]
            .iter()
            .filter_map(|k| r.get(k).and_then(Node::as_str))
            .filter(|c| world(c))
            .map(str::to_owned)
            .collect();
        if from.is_empty() {
            continue;
        }
        let protocol = r.get("IpProtocol").and_then(Node::as_str);
        if let Some(p) = open_ports(protocol, number(r.get("FromPort")), number(r.get("ToPort"))) {
            if !opened.contains(&p) {
                opened.push(p);
            }
            sources.extend(from);
        }
    }
    if opened.is_empty() {
        return;
    }
    sources.sort();
    sources.dedup();
    hit(
        run,
        res.path,
        res.line,
        "deploy.cfn-open-ingress",
        Severity::High,
        format!(
            "{} allows inbound traffic from {} to {}: anyone on the internet can reach it",
            res.name(),
            sources.join(", "),
            opened.join("; ")
        ),
        REMEDIATE_INGRESS,
    );
}

/// One finding per file for its HTTP endpoints without auth, at the
/// first one.
fn no_auth_hit(run: &mut Run<'_>, path: &str, mut open: Vec<(u32, String)>) {
    open.sort();
    let Some(line) = open.first().map(|(l, _)| *l) else {
        return;
    };
    let shown = open.len().min(6);
    let mut routes: Vec<String> = open[..shown].iter().map(|(_, r)| r.clone()).collect();
    if open.len() > shown {
        routes.push(format!("and {} more", open.len() - shown));
    }
    let message = if open.len() == 1 {
        format!(
            "Endpoint {} has no authorizer or API key: anyone who finds the URL can call it unless the function checks credentials itself",
            routes[0]
        )
    } else {
        format!(
            "{} HTTP endpoints have no authorizer or API key: {}; anyone who finds the URLs can call them unless the functions check credentials themselves",
            open.len(),
            routes.join(", ")
        )
    };
    run.hit(Hit {
        rule: "deploy.lambda-endpoint-no-auth",
        severity: Severity::Low,
        confidence: Confidence::Medium,
        path,
        line,
        message,
        remediation: REMEDIATE_NO_AUTH,
        excerpt: None,
        heuristic: true,
    });
}

fn url_hit(run: &mut Run<'_>, path: &str, line: u32, name: &str) {
    hit(
        run,
        path,
        line,
        "deploy.lambda-url-public",
        Severity::Medium,
        format!(
            "{name} has a function URL with AuthType NONE: anyone on the internet can invoke the function directly"
        ),
        REMEDIATE_URL,
    );
}

fn serverless_file(
    run: &mut Run<'_>,
    path: &str,
    root: &Node,
    infra: &mut Infra,
    out: &mut Deployed,
) {
    for (name, f) in root.get("functions").map(Node::entries).unwrap_or_default() {
        let mut endpoints = Vec::new();
        for event in f.get("events").map(Node::items).unwrap_or_default() {
            for (kind, spec) in event.entries() {
                if kind != "http" && kind != "httpApi" {
                    continue;
                }
                let route = match spec.as_str() {
                    Some(short) => short.to_owned(),
                    None => format!(
                        "{} {}",
                        spec.get("method")
                            .and_then(Node::as_str)
                            .unwrap_or("ANY")
                            .to_ascii_uppercase(),
                        spec.get("path").and_then(Node::as_str).unwrap_or("/")
                    ),
                };
                let route = if route.contains(' ') || route == "*" {
                    route
                } else {
                    format!("ANY {route}")
                };
                let authed =
                    spec.get("authorizer").is_some() || boolean(spec.get("private")) == Some(true);
                endpoints.push(format!(
                    "{route} [{}]",
                    if authed { "auth" } else { "no auth" }
                ));
                if !authed {
                    out.open.push((spec.key_line, format!("{name} ({route})")));
                }
            }
        }
        if let Some(url) = f.get("url") {
            let authed = url.get("authorizer").and_then(Node::as_str) == Some("aws_iam");
            let enabled = boolean(Some(url)) != Some(false);
            if enabled {
                endpoints.push(format!(
                    "function URL [{}]",
                    if authed { "auth" } else { "no auth" }
                ));
                if !authed {
                    url_hit(run, path, url.key_line, &format!("Function {name}"));
                }
            }
        }
        out.functions.push(function_line(name, path, &endpoints));
    }
    if let Some(resources) = root.get("resources").and_then(|r| r.get("Resources")) {
        for (id, r) in resources.entries() {
            let res = Resource {
                path,
                id,
                kind: r.get("Type").and_then(Node::as_str).unwrap_or_default(),
                line: r.key_line,
                props: r.get("Properties"),
            };
            resource(run, &res, infra, out, (false, false), &[]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_and_intrinsics() {
        assert!(maybe_template("template.yaml") && maybe_template("infra/app.json"));
        assert!(maybe_template("stacks/db.yml") && maybe_template("cfn/main.template"));
        assert!(!maybe_template("package.json") && !maybe_template("src/config.json"));
        assert!(maybe_template("backend/auth.yaml"));
        assert!(!maybe_template("serverless.yml") && is_serverless("api/serverless.yml"));
        let text = "Resources:\n  A:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      PubliclyAccessible: !Ref Public\n      BackupRetentionPeriod: !If [IsProd, 7, 1]\n";
        let root = yaml::parse(text).unwrap();
        let props = root
            .get("Resources")
            .unwrap()
            .get("A")
            .unwrap()
            .get("Properties");
        assert_eq!(
            boolean(props.and_then(|p| p.get("PubliclyAccessible"))),
            None
        );
        assert_eq!(
            number(props.and_then(|p| p.get("BackupRetentionPeriod"))),
            None
        );
    }
}
