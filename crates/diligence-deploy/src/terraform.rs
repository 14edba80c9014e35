//! Terraform: `.tf` files parsed with hcl-edit and checked for the
//! practices behind the `deploy.tf-*` rules, plus the infrastructure facts
//! (databases, their exposure and backups, budgets) that Terraform and
//! CloudFormation share.
//!
//! Values are evaluated only as far as the files show them: literals,
//! `var.x` from a `variable` default or a `.tfvars` file of the same
//! directory, `local.x`, `jsonencode(...)` and conditionals whose two
//! branches agree. Anything else is unknown, and no check fires on an
//! unknown value.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diligence_model::context::{FileClass, classify};
use diligence_model::{Confidence, Fact, Severity};
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::{Element, Template};

use crate::collector::{Hit, Run};

/// A value as far as the files show it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// A list, tuple or set.
    List(Vec<Self>),
    /// An object or map, in file order.
    Obj(Vec<(String, Self)>),
    /// Something the files do not decide (a resource attribute, a function
    /// result); holds the expression's text.
    Unknown(String),
}

impl V {
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Str(s) if s == "true" => Some(true),
            Self::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub(crate) fn as_num(&self) -> Option<f64> {
        match self {
            Self::Num(n) => Some(*n),
            Self::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Self::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string or a list of strings as texts; `None` when some part is
    /// not known.
    pub(crate) fn strings(&self) -> Option<Vec<String>> {
        match self {
            Self::Str(s) => Some(vec![s.clone()]),
            Self::List(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => None,
        }
    }

    /// A string or a list, as the strings that are known (unknown items are
    /// left out).
    pub(crate) fn known_strings(&self) -> Vec<String> {
        match self {
            Self::Str(s) => vec![s.clone()],
            Self::List(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn from_json(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(*b),
            serde_json::Value::Number(n) => Self::Num(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Self::Str(s.clone()),
            serde_json::Value::Array(items) => {
                Self::List(items.iter().map(Self::from_json).collect())
            }
            serde_json::Value::Object(map) => Self::Obj(
                map.iter()
                    .map(|(k, v)| (k.clone(), Self::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Variables and locals of one module (directory).
#[derive(Debug, Default)]
struct Env {
    vars: HashMap<String, V>,
    locals: HashMap<String, V>,
    /// `data "aws_iam_policy_document"` blocks in IAM JSON form, by name,
    /// so `data.aws_iam_policy_document.x.json` resolves.
    docs: HashMap<String, V>,
}

/// Placeholder for an interpolation inside a string that is otherwise
/// literal, so a heredoc JSON policy with `${...}` still parses.
const UNKNOWN_MARK: &str = "\u{1}unknown\u{1}";

fn eval(expr: &Expression, env: &Env, text: &str) -> V {
    let source = || {
        expr.span()
            .and_then(|s| text.get(s))
            .unwrap_or("?")
            .trim()
            .to_owned()
    };
    match expr {
        Expression::Null(_) => V::Null,
        Expression::Bool(b) => V::Bool(*b.value()),
        Expression::Number(n) => n
            .value()
            .as_f64()
            .map_or_else(|| V::Unknown(source()), V::Num),
        Expression::String(s) => V::Str(s.value().clone()),
        Expression::Array(a) => V::List(a.iter().map(|e| eval(e, env, text)).collect()),
        Expression::Object(o) => V::Obj(
            o.iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.value().as_str().to_owned(),
                        ObjectKey::Expression(e) => match eval(e, env, text) {
                            V::Str(s) => s,
                            _ => return None,
                        },
                    };
                    Some((key, eval(v.expr(), env, text)))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => {
            template(t, env, text).unwrap_or_else(|| V::Unknown(source()))
        }
        Expression::HeredocTemplate(h) => {
            template(&h.template, env, text).unwrap_or_else(|| V::Unknown(source()))
        }
        Expression::Parenthesis(p) => eval(p.inner(), env, text),
        Expression::Traversal(t) => {
            let root = t.expr.as_variable().map(|v| v.as_str());
            let attrs: Vec<&str> = t
                .operators
                .iter()
                .filter_map(|op| match op.value() {
                    TraversalOperator::GetAttr(name) => Some(name.value().as_str()),
                    _ => None,
                })
                .collect();
            if root == Some("data")
                && let ["aws_iam_policy_document", name, "json"] = attrs.as_slice()
                && attrs.len() == t.operators.len()
            {
                return env
                    .docs
                    .get(*name)
                    .cloned()
                    .unwrap_or_else(|| V::Unknown(source()));
            }
            let table = match root {
                Some("var") => &env.vars,
                Some("local") => &env.locals,
                _ => return V::Unknown(source()),
            };
            match t.operators.as_slice() {
                [op] => match op.value() {
                    TraversalOperator::GetAttr(name) => table
                        .get(name.value().as_str())
                        .cloned()
                        .unwrap_or_else(|| V::Unknown(source())),
                    _ => V::Unknown(source()),
                },
                _ => V::Unknown(source()),
            }
        }
        Expression::FuncCall(f) => {
            let name = f.name.name.value().as_str();
            let args: Vec<&Expression> = f.args.iter().collect();
            match (f.name.is_namespaced(), name, args.as_slice()) {
                (
                    false,
                    "jsonencode" | "tolist" | "toset" | "tostring" | "tonumber" | "tobool"
                    | "tomap",
                    [arg],
                ) => eval(arg, env, text),
                _ => V::Unknown(source()),
            }
        }
        Expression::Conditional(c) => match eval(&c.cond_expr, env, text).as_bool() {
            Some(true) => eval(&c.true_expr, env, text),
            Some(false) => eval(&c.false_expr, env, text),
            None => {
                let t = eval(&c.true_expr, env, text);
                let f = eval(&c.false_expr, env, text);
                if t == f && !matches!(t, V::Unknown(_)) {
                    t
                } else {
                    V::Unknown(source())
                }
            }
        },
        _ => V::Unknown(source()),
    }
}

/// A template's text when every part is known; interpolations that are
/// not known become [`UNKNOWN_MARK`] so the surrounding text still reads.
fn template(t: &Template, env: &Env, text: &str) -> Option<V> {
    if let Some(Element::Interpolation(i)) = t.as_single_element() {
        return Some(eval(&i.expr, env, text));
    }
    let mut out = String::new();
    for element in t.iter() {
        match element {
            Element::Literal(l) => out.push_str(l.value()),
            Element::Interpolation(i) => match eval(&i.expr, env, text) {
                V::Str(s) => out.push_str(&s),
                V::Num(n) => out.push_str(&n.to_string()),
                V::Bool(b) => out.push_str(&b.to_string()),
                _ => out.push_str(UNKNOWN_MARK),
            },
            Element::Directive(_) => return None,
        }
    }
    Some(V::Str(out))
}

/// Byte offsets of line starts, for line numbers from spans.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts)
    }

    fn line(&self, offset: usize) -> u32 {
        let idx = self.0.partition_point(|s| *s <= offset);
        u32::try_from(idx).unwrap_or(u32::MAX)
    }
}

/// One resource or data block, ready for checks.
struct Res<'a> {
    path: &'a str,
    rtype: &'a str,
    name: &'a str,
    line: u32,
    body: &'a Body,
    env: &'a Env,
    text: &'a str,
}

impl Res<'_> {
    fn id(&self) -> String {
        format!("{}.{}", self.rtype, self.name)
    }

    /// An attribute's value: `None` when absent.
    fn attr(&self, key: &str) -> Option<V> {
        attr_in(self.body, key, self.env, self.text)
    }

    /// Whether an attribute's written value goes through a variable or a
    /// local (its value may then differ per environment).
    fn indirect(&self, key: &str) -> bool {
        indirect_in(self.body, key, self.text)
    }

    fn blocks<'b>(&'b self, ident: &'b str) -> impl Iterator<Item = &'b Block> + 'b {
        self.body.get_blocks(ident)
    }
}

fn attr_in(body: &Body, key: &str, env: &Env, text: &str) -> Option<V> {
    body.get_attribute(key).map(|a| eval(&a.value, env, text))
}

/// An attribute's value as written.
fn written(body: &Body, key: &str, text: &str) -> String {
    body.get_attribute(key)
        .and_then(|a| a.value.span())
        .and_then(|s| text.get(s))
        .unwrap_or_default()
        .to_owned()
}

fn indirect_in(body: &Body, key: &str, text: &str) -> bool {
    body.get_attribute(key)
        .and_then(|a| a.value.span())
        .and_then(|s| text.get(s))
        .is_some_and(|t| t.contains("var.") || t.contains("local."))
}

/// A database that the infrastructure code declares, for the facts.
#[derive(Debug, Clone)]
pub(crate) struct Database {
    /// `type.name` (Terraform) or the logical id with its type (CloudFormation).
    pub id: String,
    /// File and line.
    pub path: String,
    pub line: u32,
    /// Backup retention as read: `7 days`, `off`, `not set (...)`, `unknown (...)`.
    pub backups: String,
    /// Why it is reachable from the internet, when it is.
    pub public: Option<String>,
}

/// What Terraform and CloudFormation files show, for the shared facts.
#[derive(Debug, Default)]
pub(crate) struct Infra {
    /// Whether any infrastructure-as-code file was analysed.
    pub found: bool,
    pub databases: Vec<Database>,
    pub budgets: Vec<String>,
}

impl Infra {
    /// Records `deploy.budgets`, `deploy.database-backups` and
    /// `deploy.public-databases`.
    pub(crate) fn facts(&self, run: &mut Run<'_>) {
        if !self.found {
            return;
        }
        let detail = if self.budgets.is_empty() {
            "Infrastructure code found; it declares no budget or spending alert (AWS Budgets, Google billing budget, Azure consumption budget). Budgets set in a console are not seen.".to_owned()
        } else {
            format!("Budgets declared: {}.", self.budgets.join("; "))
        };
        run.fact(
            "deploy.budgets",
            Fact::list(self.budgets.iter().cloned()).detail(detail),
        );
        if self.databases.is_empty() {
            return;
        }
        let backups: Vec<String> = self
            .databases
            .iter()
            .map(|d| format!("{}: {}", d.id, d.backups))
            .collect();
        run.fact(
            "deploy.database-backups",
            Fact::list(backups.clone()).detail(format!(
                "Automated backup retention of each database declared in infrastructure code: {}.",
                backups.join("; ")
            )),
        );
        let public: Vec<String> = self
            .databases
            .iter()
            .filter_map(|d| {
                d.public
                    .as_ref()
                    .map(|why| format!("{} ({}:{}; {why})", d.id, d.path, d.line))
            })
            .collect();
        let detail = if public.is_empty() {
            format!(
                "{} database(s) declared in infrastructure code; none is publicly accessible or open to every address.",
                self.databases.len()
            )
        } else {
            format!(
                "{} of {} database(s) declared in infrastructure code are reachable from the internet.",
                public.len(),
                self.databases.len()
            )
        };
        run.fact("deploy.public-databases", Fact::list(public).detail(detail));
    }
}

/// Whether a path is a Terraform file this module reads.
pub fn is_terraform(path: &str) -> bool {
    path.ends_with(".tf")
}

fn is_tfvars(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Reads every production `.tf` file, runs the checks and records the
/// Terraform facts; returns what the shared facts need.
pub(crate) fn collect(run: &mut Run<'_>, paths: &[String]) -> Infra {
    let mut infra = Infra::default();
    let mut files = Vec::new();
    let mut not_production = 0usize;
    let mut json_files = 0usize;
    for path in paths {
        if path.ends_with(".tf.json") {
            json_files += 1;
            continue;
        }
        if !is_terraform(path) && !is_tfvars(path) {
            continue;
        }
        if classify(path) != FileClass::Production {
            not_production += usize::from(is_terraform(path));
            continue;
        }
        let Some(text) = run.read_config(path) else {
            continue;
        };
        match hcl_edit::parser::parse_body(&text) {
            Ok(body) => files.push((path.clone(), text, body)),
            Err(e) => {
                let l = e.location();
                run.malformed(
                    path,
                    u32::try_from(l.line()).ok(),
                    u32::try_from(l.column()).ok(),
                    e.message(),
                );
            }
        }
    }
    let tf_paths: Vec<String> = paths
        .iter()
        .filter(|p| is_terraform(p) && classify(p) == FileClass::Production)
        .cloned()
        .collect();
    let mut detail = format!("{} Terraform file(s) analysed.", tf_paths.len());
    if not_production > 0 {
        detail.push_str(&format!(
            " {not_production} file(s) under tests, examples or vendored modules are not analysed."
        ));
    }
    if json_files > 0 {
        detail.push_str(&format!(
            " {json_files} `.tf.json` file(s) are not analysed."
        ));
    }
    run.fact(
        "deploy.terraform-files",
        Fact::list(tf_paths.iter().cloned()).detail(detail),
    );
    if tf_paths.is_empty() {
        return infra;
    }
    infra.found = true;

    // One environment per directory (a Terraform module).
    let mut envs: BTreeMap<&str, Env> = BTreeMap::new();
    for (path, text, body) in &files {
        if !is_terraform(path) {
            continue;
        }
        let env = envs.entry(dir_of(path)).or_default();
        for block in body.get_blocks("variable") {
            if let (Some(name), Some(default)) =
                (block.labels.first(), block.body.get_attribute("default"))
            {
                let value = eval(&default.value, &Env::default(), text);
                env.vars.insert(name.as_str().to_owned(), value);
            }
        }
    }
    for (path, text, body) in &files {
        if is_tfvars(path) {
            let env = envs.entry(dir_of(path)).or_default();
            for a in body.attributes() {
                let value = eval(&a.value, &Env::default(), text);
                env.vars.insert(a.key.value().as_str().to_owned(), value);
            }
        }
    }
    // Locals, twice so a local that reads an earlier local resolves.
    for _ in 0..2 {
        for (path, text, body) in &files {
            if !is_terraform(path) {
                continue;
            }
            let env = envs.entry(dir_of(path)).or_default();
            let mut found = Vec::new();
            for block in body.get_blocks("locals") {
                for a in block.body.attributes() {
                    found.push((a.key.value().as_str().to_owned(), eval(&a.value, env, text)));
                }
            }
            env.locals.extend(found);
        }
    }

    for (path, text, body) in &files {
        if !is_terraform(path) {
            continue;
        }
        let env = envs.entry(dir_of(path)).or_default();
        let mut found = Vec::new();
        for block in body.get_blocks("data") {
            if let [kind, name] = block.labels.as_slice()
                && kind.as_str() == "aws_iam_policy_document"
            {
                found.push((
                    name.as_str().to_owned(),
                    policy_json(&block.body, env, text),
                ));
            }
        }
        env.docs.extend(found);
    }

    let mut providers: BTreeMap<String, usize> = BTreeMap::new();
    let mut modules = 0usize;
    let empty = Env::default();
    for (path, text, body) in &files {
        if !is_terraform(path) {
            continue;
        }
        let lines = Lines::new(text);
        let env = envs.get(dir_of(path)).unwrap_or(&empty);
        for block in body.blocks() {
            let kind = block.ident.value().as_str();
            if kind == "module" {
                modules += 1;
                if let [name] = block.labels.as_slice() {
                    let res = Res {
                        path,
                        rtype: "module",
                        name: name.as_str(),
                        line: block.span().map_or(0, |s| lines.line(s.start)),
                        body: &block.body,
                        env,
                        text,
                    };
                    rds_module(run, &res, &mut infra);
                }
                continue;
            }
            if kind != "resource" && kind != "data" {
                continue;
            }
            let [rtype, name] = block.labels.as_slice() else {
                continue;
            };
            let res = Res {
                path,
                rtype: rtype.as_str(),
                name: name.as_str(),
                line: block.span().map_or(0, |s| lines.line(s.start)),
                body: &block.body,
                env,
                text,
            };
            if kind == "data" {
                if res.rtype == "aws_iam_policy_document" {
                    policy_document(run, &res);
                }
                continue;
            }
            let provider = res.rtype.split('_').next().unwrap_or(res.rtype);
            *providers.entry(provider.to_owned()).or_default() += 1;
            check(run, &res, &mut infra);
        }
    }
    let counts: Vec<String> = providers.iter().map(|(p, n)| format!("{p}: {n}")).collect();
    let mut detail = format!(
        "Managed resources by provider: {}.",
        if counts.is_empty() {
            "none".to_owned()
        } else {
            counts.join(", ")
        }
    );
    if modules > 0 {
        detail.push_str(&format!(
            " {modules} module call(s): the resources inside modules are not analysed."
        ));
    }
    run.fact(
        "deploy.terraform-resources",
        Fact::list(counts).detail(detail),
    );
    infra
}

fn hit(
    run: &mut Run<'_>,
    res: &Res<'_>,
    rule: &'static str,
    severity: Severity,
    confidence: Confidence,
    message: String,
    remediation: &'static str,
) {
    run.hit(Hit {
        rule,
        severity,
        confidence,
        path: res.path,
        line: res.line,
        message,
        remediation,
        excerpt: None,
        heuristic: false,
    });
}

fn confidence(indirect: bool) -> Confidence {
    if indirect {
        Confidence::Medium
    } else {
        Confidence::High
    }
}

/// " (from var.x)" when the value comes through a variable or local.
fn via(res: &Res<'_>, key: &str) -> String {
    if res.indirect(key) {
        let text = res
            .body
            .get_attribute(key)
            .and_then(|a| a.value.span())
            .and_then(|s| res.text.get(s))
            .unwrap_or_default()
            .trim();
        format!(" (through {text}, as its default or .tfvars value)")
    } else {
        String::new()
    }
}

const REMEDIATE_BUCKET: &str = "Keep the bucket private (no public ACL or allUsers member, public access block on) and serve public files through a CDN with origin access control, or signed URLs.";
const REMEDIATE_INGRESS: &str = "Restrict the source to known addresses (a VPN, bastion or office range) or reach the host through a session manager; never open admin or database ports to 0.0.0.0/0 or ::/0.";
const REMEDIATE_PUBLIC_DB: &str = "Set `publicly_accessible = false` (or remove the open authorised network / firewall rule) and reach the database from inside the network.";
const REMEDIATE_BACKUPS: &str = "Set `backup_retention_period` to 7 days or more (Cloud SQL: `backup_configuration { enabled = true }`), and test a restore.";
const REMEDIATE_DELETION: &str = "Set `deletion_protection = true` on production databases so that a plan that replaces or destroys them fails.";
const REMEDIATE_ENCRYPTION: &str = "Enable encryption at rest (`storage_encrypted = true`, `encrypted = true`); an existing unencrypted volume or database must be copied into an encrypted one.";
const REMEDIATE_IAM: &str = "Grant the actions and resources the principal needs instead of `*` on `*` (or AdministratorAccess); keep full admin to break-glass roles outside the application's Terraform.";

/// Data stores' and admin services' ports, with their names.
const SENSITIVE_PORTS: &[(u16, &str)] = &[
    (22, "SSH"),
    (23, "Telnet"),
    (3389, "RDP"),
    (5985, "WinRM"),
    (5986, "WinRM"),
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (6379, "Redis"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch"),
    (5984, "CouchDB"),
    (9042, "Cassandra"),
    (7687, "Neo4j"),
    (26257, "CockroachDB"),
    (2379, "etcd"),
    (5601, "Kibana"),
];

pub(crate) fn world(cidr: &str) -> bool {
    matches!(
        cidr.trim(),
        "0.0.0.0/0" | "::/0" | "*" | "0.0.0.0" | "Internet" | "Any" | "any"
    )
}

/// The sensitive ports a rule opens, or "all ports": `None` when it opens
/// none of them or the values are not known.
pub(crate) fn open_ports(
    protocol: Option<&str>,
    from: Option<f64>,
    to: Option<f64>,
) -> Option<String> {
    let protocol = protocol.map(str::to_ascii_lowercase);
    let all_protocols = matches!(protocol.as_deref(), Some("-1" | "all" | "*"));
    if !all_protocols && !matches!(protocol.as_deref(), Some("tcp" | "6" | "udp" | "17")) {
        return None;
    }
    if all_protocols {
        return Some("all ports".to_owned());
    }
    let (from, to) = (from?, to?);
    if from <= 1.0 && to >= 65535.0 || from < 0.0 {
        return Some("all ports".to_owned());
    }
    let names: Vec<String> = SENSITIVE_PORTS
        .iter()
        .filter(|(p, _)| f64::from(*p) >= from && f64::from(*p) <= to)
        .map(|(p, n)| format!("{n} ({p})"))
        .collect();
    if names.is_empty() {
        return None;
    }
    if from == to {
        return Some(names.join(", "));
    }
    let shown = names.len().min(4);
    let more = if names.len() > shown {
        format!(" and {} more", names.len() - shown)
    } else {
        String::new()
    };
    Some(format!(
        "ports {from}-{to}, which include {}{more}",
        names[..shown].join(", ")
    ))
}

/// A retention in days as text: `1 day`, `14 days`.
pub(crate) fn days(d: f64) -> String {
    if (d - 1.0).abs() < f64::EPSILON {
        "1 day".to_owned()
    } else {
        format!("{d} days")
    }
}

/// A port range written as text: `22`, `1000-2000`, `*`.
fn port_range(text: &str) -> Option<(f64, f64)> {
    let text = text.trim();
    if text == "*" {
        return Some((0.0, 65535.0));
    }
    match text.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let p = text.parse().ok()?;
            Some((p, p))
        }
    }
}

fn check(run: &mut Run<'_>, res: &Res<'_>, infra: &mut Infra) {
    match res.rtype {
        "aws_s3_bucket" | "aws_s3_bucket_acl" => s3_acl(run, res),
        "aws_s3_bucket_public_access_block" | "aws_s3_account_public_access_block" => {
            public_access_block(run, res);
        }
        "google_storage_bucket_iam_member"
        | "google_storage_bucket_iam_binding"
        | "google_storage_bucket_access_control"
        | "google_storage_default_object_access_control"
        | "google_storage_object_access_control"
        | "google_storage_bucket_acl" => gcs_public(run, res),
        "azurerm_storage_container" | "azurerm_storage_account" => azure_storage(run, res),
        "aws_security_group"
        | "aws_security_group_rule"
        | "aws_vpc_security_group_ingress_rule" => {
            security_group(run, res);
        }
        "google_compute_firewall" => gcp_firewall(run, res),
        "azurerm_network_security_rule" | "azurerm_network_security_group" => azure_nsg(run, res),
        "aws_db_instance"
        | "aws_rds_cluster"
        | "aws_rds_cluster_instance"
        | "aws_redshift_cluster"
        | "aws_docdb_cluster"
        | "aws_neptune_cluster" => {
            aws_database(run, res, infra);
        }
        "google_sql_database_instance" => cloud_sql(run, res, infra),
        t if t.starts_with("azurerm_")
            && (t.ends_with("_server") || t.ends_with("_flexible_server"))
            && ["postgresql", "mysql", "mariadb", "mssql"]
                .iter()
                .any(|e| t.contains(e)) =>
        {
            let retention = res.attr("backup_retention_days");
            infra.databases.push(Database {
                id: res.id(),
                path: res.path.to_owned(),
                line: res.line,
                backups: match retention.as_ref().and_then(V::as_num) {
                    Some(d) => days(d),
                    None if retention.is_some() => "unknown".to_owned(),
                    None => "not set (Azure default: 7 days)".to_owned(),
                },
                public: None,
            });
        }
        t if t.starts_with("azurerm_") && t.ends_with("_firewall_rule") => {
            azure_db_firewall(run, res, infra)
        }
        "aws_ebs_volume" | "aws_efs_file_system" | "aws_instance" | "aws_launch_template" => {
            volume_encryption(run, res);
        }
        "aws_iam_policy"
        | "aws_iam_role_policy"
        | "aws_iam_user_policy"
        | "aws_iam_group_policy" => {
            if let Some(v) = res.attr("policy") {
                iam_policy(run, res, &v, &written(res.body, "policy", res.text));
            }
        }
        "aws_s3_bucket_policy" => {
            if let Some(v) = res.attr("policy") {
                bucket_policy(run, res, &v);
            }
        }
        "aws_lambda_function_url" => url_public(run, res),
        "aws_iam_role" => {
            for b in res.blocks("inline_policy") {
                if let Some(v) = attr_in(&b.body, "policy", res.env, res.text) {
                    iam_policy(run, res, &v, &written(&b.body, "policy", res.text));
                }
            }
            if let Some(arns) = res.attr("managed_policy_arns") {
                admin_attachment(run, res, &arns.known_strings());
            }
        }
        "aws_iam_policy_attachment"
        | "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment" => {
            if let Some(arn) = res.attr("policy_arn") {
                admin_attachment(run, res, &arn.known_strings());
            }
        }
        "aws_budgets_budget" | "google_billing_budget" | "google_billing_budget_budget" => {
            infra.budgets.push(format!("{} ({})", res.id(), res.path));
        }
        t if t.starts_with("azurerm_consumption_budget_") => {
            infra.budgets.push(format!("{} ({})", res.id(), res.path));
        }
        _ => {}
    }
}

fn s3_acl(run: &mut Run<'_>, res: &Res<'_>) {
    let Some(acl) = res.attr("acl") else {
        return;
    };
    let (severity, what) = match acl.as_str() {
        Some("public-read-write") => (Severity::High, "anyone can read and write its objects"),
        Some("public-read") => (Severity::Medium, "anyone can list and read its objects"),
        Some("authenticated-read") => (
            Severity::Medium,
            "every AWS account (not only yours) can read its objects",
        ),
        _ => return,
    };
    hit(
        run,
        res,
        "deploy.tf-public-bucket",
        severity,
        confidence(res.indirect("acl")),
        format!(
            "{} sets the ACL {}{}: {what}",
            res.id(),
            acl.as_str().unwrap_or_default(),
            via(res, "acl")
        ),
        REMEDIATE_BUCKET,
    );
}

fn public_access_block(run: &mut Run<'_>, res: &Res<'_>) {
    let off: Vec<&str> = [
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ]
    .into_iter()
    .filter(|k| res.attr(k).and_then(|v| v.as_bool()) == Some(false))
    .collect();
    if off.is_empty() {
        return;
    }
    let indirect = off.iter().any(|k| res.indirect(k));
    hit(
        run,
        res,
        "deploy.tf-public-bucket",
        Severity::Medium,
        confidence(indirect),
        format!(
            "{} turns off S3 public access blocking ({} = false): a public ACL or bucket policy takes effect",
            res.id(),
            off.join(", ")
        ),
        REMEDIATE_BUCKET,
    );
}

fn gcs_public(run: &mut Run<'_>, res: &Res<'_>) {
    let mut members = Vec::new();
    for key in ["member", "members", "entity", "role_entity"] {
        if let Some(v) = res.attr(key) {
            members.extend(v.known_strings());
        }
    }
    if let Some(acl) = res
        .attr("predefined_acl")
        .and_then(|v| v.as_str().map(str::to_owned))
        && (acl == "publicRead" || acl == "publicReadWrite")
    {
        members.push(format!("predefined ACL {acl}"));
    }
    let public: Vec<String> = members
        .into_iter()
        .filter(|m| {
            m.contains("allUsers")
                || m.contains("allAuthenticatedUsers")
                || m.starts_with("predefined")
        })
        .collect();
    if public.is_empty() {
        return;
    }
    let role = res
        .attr("role")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let write = [
        "admin",
        "Admin",
        "Creator",
        "Writer",
        "WRITER",
        "OWNER",
        "ReadWrite",
    ]
    .iter()
    .any(|w| role.contains(w) || public.iter().any(|m| m.contains(w)));
    hit(
        run,
        res,
        "deploy.tf-public-bucket",
        if write {
            Severity::High
        } else {
            Severity::Medium
        },
        Confidence::High,
        format!(
            "{} grants {}{} on a Cloud Storage bucket to everyone on the internet ({})",
            res.id(),
            if role.is_empty() {
                "access".to_owned()
            } else {
                role.clone()
            },
            if write {
                ", which includes writing"
            } else {
                ""
            },
            public.join(", ")
        ),
        REMEDIATE_BUCKET,
    );
}

fn azure_storage(run: &mut Run<'_>, res: &Res<'_>) {
    if res.rtype == "azurerm_storage_container" {
        if let Some(kind) = res.attr("container_access_type")
            && let Some(k @ ("blob" | "container")) = kind.as_str()
        {
            hit(
                run,
                res,
                "deploy.tf-public-bucket",
                Severity::Medium,
                confidence(res.indirect("container_access_type")),
                format!(
                    "{} sets container_access_type = \"{k}\": anyone can read its blobs{}",
                    res.id(),
                    if k == "container" {
                        " and list them"
                    } else {
                        ""
                    }
                ),
                REMEDIATE_BUCKET,
            );
        }
        return;
    }
    for key in [
        "allow_nested_items_to_be_public",
        "allow_blob_public_access",
    ] {
        if res.attr(key).and_then(|v| v.as_bool()) == Some(true) {
            hit(
                run,
                res,
                "deploy.tf-public-bucket",
                Severity::Low,
                confidence(res.indirect(key)),
                format!(
                    "{} sets {key} = true: any container in the account may be made public",
                    res.id()
                ),
                REMEDIATE_BUCKET,
            );
        }
    }
}

/// One ingress rule's fields as read.
struct Ingress {
    protocol: Option<String>,
    from: Option<f64>,
    to: Option<f64>,
    sources: Vec<String>,
    /// The sources go through a variable or local.
    indirect: bool,
}

const CIDR_KEYS: [&str; 4] = ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"];

fn ingress_of(get: &dyn Fn(&str) -> Option<V>) -> Ingress {
    let mut sources = Vec::new();
    for key in CIDR_KEYS {
        if let Some(v) = get(key) {
            sources.extend(v.known_strings());
        }
    }
    Ingress {
        protocol: get("protocol")
            .or_else(|| get("ip_protocol"))
            .and_then(|v| match v {
                V::Num(n) => Some(n.to_string()),
                V::Str(s) => Some(s),
                _ => None,
            }),
        from: get("from_port").and_then(|v| v.as_num()),
        to: get("to_port").and_then(|v| v.as_num()),
        sources,
        indirect: false,
    }
}

fn security_group(run: &mut Run<'_>, res: &Res<'_>) {
    let mut rules = Vec::new();
    match res.rtype {
        "aws_security_group" => {
            for b in res.blocks("ingress") {
                let mut r = ingress_of(&|k| attr_in(&b.body, k, res.env, res.text));
                r.indirect = CIDR_KEYS.iter().any(|k| indirect_in(&b.body, k, res.text));
                rules.push(r);
            }
            if let Some(V::List(items)) = res.attr("ingress") {
                for item in items {
                    let mut r = ingress_of(&|k| item.get(k).cloned());
                    r.indirect = res.indirect("ingress");
                    rules.push(r);
                }
            }
        }
        "aws_security_group_rule" => {
            if res.attr("type").as_ref().and_then(V::as_str) == Some("ingress") {
                let mut r = ingress_of(&|k| res.attr(k));
                r.indirect = CIDR_KEYS.iter().any(|k| res.indirect(k));
                rules.push(r);
            }
        }
        _ => {
            let mut r = ingress_of(&|k| res.attr(k));
            r.indirect = CIDR_KEYS.iter().any(|k| res.indirect(k));
            rules.push(r);
        }
    }
    let mut opened = BTreeSet::new();
    let mut sources = BTreeSet::new();
    let mut written = false;
    for r in &rules {
        let open: Vec<&String> = r.sources.iter().filter(|s| world(s)).collect();
        if open.is_empty() {
            continue;
        }
        if let Some(ports) = open_ports(r.protocol.as_deref(), r.from, r.to) {
            opened.insert(ports);
            sources.extend(open.into_iter().cloned());
            written |= !r.indirect;
        }
    }
    if opened.is_empty() {
        return;
    }
    let sources: Vec<String> = sources.into_iter().collect();
    let ports: Vec<String> = opened.into_iter().collect();
    ingress_hit(
        run,
        res,
        &ports.join("; "),
        &sources.join(", "),
        confidence(!written),
    );
}

fn ingress_hit(
    run: &mut Run<'_>,
    res: &Res<'_>,
    ports: &str,
    sources: &str,
    confidence: Confidence,
) {
    hit(
        run,
        res,
        "deploy.tf-open-ingress",
        Severity::High,
        confidence,
        format!(
            "{} allows inbound traffic from {sources} to {ports}: anyone on the internet can reach it",
            res.id()
        ),
        REMEDIATE_INGRESS,
    );
}

fn gcp_firewall(run: &mut Run<'_>, res: &Res<'_>) {
    let direction = res
        .attr("direction")
        .and_then(|v| v.as_str().map(str::to_owned));
    if direction.is_some_and(|d| d != "INGRESS")
        || res.attr("disabled").and_then(|v| v.as_bool()) == Some(true)
    {
        return;
    }
    let sources: Vec<String> = res
        .attr("source_ranges")
        .map(|v| v.known_strings())
        .unwrap_or_default()
        .into_iter()
        .filter(|s| world(s))
        .collect();
    if sources.is_empty() {
        return;
    }
    let mut opened = BTreeSet::new();
    for b in res.blocks("allow") {
        let protocol = attr_in(&b.body, "protocol", res.env, res.text);
        let protocol = protocol.as_ref().and_then(V::as_str);
        match attr_in(&b.body, "ports", res.env, res.text) {
            None => {
                if let Some(p) = open_ports(protocol, Some(0.0), Some(65535.0)) {
                    opened.insert(p);
                }
            }
            Some(ports) => {
                for text in ports.known_strings() {
                    if let Some((from, to)) = port_range(&text)
                        && let Some(p) = open_ports(protocol, Some(from), Some(to))
                    {
                        opened.insert(p);
                    }
                }
            }
        }
    }
    if !opened.is_empty() {
        let ports: Vec<String> = opened.into_iter().collect();
        ingress_hit(
            run,
            res,
            &ports.join("; "),
            &sources.join(", "),
            confidence(res.indirect("source_ranges")),
        );
    }
}

fn azure_nsg(run: &mut Run<'_>, res: &Res<'_>) {
    let bodies: Vec<&Body> = if res.rtype == "azurerm_network_security_rule" {
        vec![res.body]
    } else {
        res.blocks("security_rule").map(|b| &b.body).collect()
    };
    let mut opened = BTreeSet::new();
    let mut sources = BTreeSet::new();
    for body in bodies {
        let get = |k: &str| attr_in(body, k, res.env, res.text);
        let text = |k: &str| get(k).and_then(|v| v.as_str().map(str::to_ascii_lowercase));
        if text("direction").as_deref() != Some("inbound")
            || text("access").as_deref() != Some("allow")
        {
            continue;
        }
        let mut from: Vec<String> = get("source_address_prefix")
            .map(|v| v.known_strings())
            .unwrap_or_default();
        from.extend(
            get("source_address_prefixes")
                .map(|v| v.known_strings())
                .unwrap_or_default(),
        );
        let open: Vec<String> = from.into_iter().filter(|s| world(s)).collect();
        if open.is_empty() {
            continue;
        }
        let mut ranges: Vec<String> = get("destination_port_range")
            .map(|v| v.known_strings())
            .unwrap_or_default();
        ranges.extend(
            get("destination_port_ranges")
                .map(|v| v.known_strings())
                .unwrap_or_default(),
        );
        let protocol = match text("protocol").as_deref() {
            Some("*") => "all",
            Some("udp") => "udp",
            _ => "tcp",
        };
        for r in ranges {
            if let Some((a, b)) = port_range(&r)
                && let Some(p) = open_ports(
                    Some(if protocol == "all" { "tcp" } else { protocol }),
                    Some(a),
                    Some(b),
                )
            {
                opened.insert(p);
                sources.extend(open.iter().cloned());
            }
        }
    }
    if !opened.is_empty() {
        let ports: Vec<String> = opened.into_iter().collect();
        let sources: Vec<String> = sources.into_iter().collect();
        ingress_hit(
            run,
            res,
            &ports.join("; "),
            &sources.join(", "),
            Confidence::High,
        );
    }
}

fn aws_database(run: &mut Run<'_>, res: &Res<'_>, infra: &mut Infra) {
    let id = res.id();
    let public = res.attr("publicly_accessible").and_then(|v| v.as_bool()) == Some(true);
    if public {
        hit(
            run,
            res,
            "deploy.tf-public-database",
            Severity::High,
            confidence(res.indirect("publicly_accessible")),
            format!(
                "{id} sets publicly_accessible = true{}: it gets a public address and only its security group stands between it and the internet",
                via(res, "publicly_accessible")
            ),
            REMEDIATE_PUBLIC_DB,
        );
    }
    if res.rtype == "aws_rds_cluster_instance" {
        // Backups, deletion protection and encryption belong to the cluster.
        if public {
            infra.databases.push(Database {
                id,
                path: res.path.to_owned(),
                line: res.line,
                backups: "set on its cluster".to_owned(),
                public: Some("publicly_accessible = true".to_owned()),
            });
        }
        return;
    }
    // A replica or a restore takes these settings from its source.
    let derived = [
        "replicate_source_db",
        "snapshot_identifier",
        "replication_source_identifier",
    ]
    .iter()
    .any(|k| res.body.get_attribute(k).is_some());
    let retention = res.attr("backup_retention_period");
    let backups = match (&retention, retention.as_ref().and_then(V::as_num)) {
        (_, Some(d)) if d <= 0.0 => "off (backup_retention_period = 0)".to_owned(),
        (_, Some(d)) => days(d),
        (Some(v), None) => format!("unknown ({})", unknown_text(v)),
        (None, None) if derived => "not set (replica or restore)".to_owned(),
        (None, None) if res.rtype == "aws_redshift_cluster" => {
            "not set (Redshift default: 1 day of automated snapshots)".to_owned()
        }
        (None, None) => "not set (AWS default: 1 day)".to_owned(),
    };
    infra.databases.push(Database {
        id: id.clone(),
        path: res.path.to_owned(),
        line: res.line,
        backups: backups.clone(),
        public: public.then(|| "publicly_accessible = true".to_owned()),
    });
    if res.rtype == "aws_redshift_cluster" || derived {
        return;
    }
    // Clusters keep at least one day of backups; 0 is not accepted.
    let retention_key = if res.rtype != "aws_db_instance" {
        None
    } else {
        Some("backup_retention_period")
    };
    if let Some(key) = retention_key {
        match retention.as_ref().and_then(V::as_num) {
            Some(d) if d <= 0.0 => hit(
                run,
                res,
                "deploy.tf-db-no-backups",
                Severity::High,
                confidence(res.indirect(key)),
                format!(
                    "{id} sets backup_retention_period = 0{}: no automated backups and no point-in-time restore",
                    via(res, key)
                ),
                REMEDIATE_BACKUPS,
            ),
            None if retention.is_none() => hit(
                run,
                res,
                "deploy.tf-db-no-backups",
                Severity::Low,
                Confidence::Medium,
                format!(
                    "{id} sets no backup_retention_period: the AWS default keeps one day of automated backups, so a problem noticed after a day cannot be restored"
                ),
                REMEDIATE_BACKUPS,
            ),
            _ => {}
        }
    }
    let protection = res.attr("deletion_protection");
    let (explicit, confidence_of) = match protection.as_ref().map(V::as_bool) {
        None => (false, Confidence::Medium),
        Some(Some(false)) => (true, confidence(res.indirect("deletion_protection"))),
        _ => (true, Confidence::Low),
    };
    if confidence_of != Confidence::Low {
        hit(
            run,
            res,
            "deploy.tf-db-no-deletion-protection",
            Severity::Low,
            confidence_of,
            format!(
                "{id} {}: a `terraform destroy` or a change that replaces it deletes the database",
                if explicit {
                    "sets deletion_protection = false"
                } else {
                    "does not set deletion_protection (default false)"
                }
            ),
            REMEDIATE_DELETION,
        );
    }
    let encrypted = res.attr("storage_encrypted");
    let serverless = res
        .attr("engine_mode")
        .as_ref()
        .and_then(V::as_str)
        .is_some_and(|m| m == "serverless");
    if !serverless && res.attr("kms_key_id").is_none() {
        match encrypted.as_ref().map(V::as_bool) {
            Some(Some(false)) => hit(
                run,
                res,
                "deploy.tf-unencrypted-storage",
                Severity::Medium,
                confidence(res.indirect("storage_encrypted")),
                format!(
                    "{id} sets storage_encrypted = false{}: its data, snapshots and backups are stored unencrypted",
                    via(res, "storage_encrypted")
                ),
                REMEDIATE_ENCRYPTION,
            ),
            None => hit(
                run,
                res,
                "deploy.tf-unencrypted-storage",
                Severity::Medium,
                Confidence::Medium,
                format!(
                    "{id} does not set storage_encrypted (default false): its data, snapshots and backups are stored unencrypted"
                ),
                REMEDIATE_ENCRYPTION,
            ),
            _ => {}
        }
    }
}

/// A call of the registry module `terraform-aws-modules/rds/aws`, the
/// usual way to declare an RDS instance: its inputs have the resource's
/// names. Only what the inputs write is judged (the module's own defaults
/// change between versions).
fn rds_module(run: &mut Run<'_>, res: &Res<'_>, infra: &mut Infra) {
    let source = res.attr("source");
    if !source
        .as_ref()
        .and_then(V::as_str)
        .is_some_and(|s| s.contains("terraform-aws-modules/rds/aws"))
    {
        return;
    }
    let id = res.id();
    let public = res.attr("publicly_accessible").and_then(|v| v.as_bool()) == Some(true);
    if public {
        hit(
            run,
            res,
            "deploy.tf-public-database",
            Severity::High,
            confidence(res.indirect("publicly_accessible")),
            format!(
                "{id} (terraform-aws-modules/rds) sets publicly_accessible = true{}: the database gets a public address and only its security group stands between it and the internet",
                via(res, "publicly_accessible")
            ),
            REMEDIATE_PUBLIC_DB,
        );
    }
    let retention = res.attr("backup_retention_period");
    if retention
        .as_ref()
        .and_then(V::as_num)
        .is_some_and(|d| d <= 0.0)
    {
        hit(
            run,
            res,
            "deploy.tf-db-no-backups",
            Severity::High,
            confidence(res.indirect("backup_retention_period")),
            format!(
                "{id} (terraform-aws-modules/rds) sets backup_retention_period = 0{}: no automated backups and no point-in-time restore",
                via(res, "backup_retention_period")
            ),
            REMEDIATE_BACKUPS,
        );
    }
    infra.databases.push(Database {
        id,
        path: res.path.to_owned(),
        line: res.line,
        backups: match (&retention, retention.as_ref().and_then(V::as_num)) {
            (_, Some(d)) if d <= 0.0 => "off (backup_retention_period = 0)".to_owned(),
            (_, Some(d)) => days(d),
            (Some(v), None) => format!("unknown ({})", unknown_text(v)),
            (None, None) => "not set (module default)".to_owned(),
        },
        public: public.then(|| "publicly_accessible = true".to_owned()),
    });
}

fn unknown_text(v: &V) -> String {
    match v {
        V::Unknown(t) => t.clone(),
        _ => "not a number".to_owned(),
    }
}

fn cloud_sql(run: &mut Run<'_>, res: &Res<'_>, infra: &mut Infra) {
    let id = res.id();
    let replica = res.body.get_attribute("master_instance_name").is_some();
    let settings = res.blocks("settings").next();
    let mut public = None;
    let mut backups = "not set (Cloud SQL default in Terraform: off)".to_owned();
    let mut backup_state: Option<Option<bool>> = None;
    if let Some(s) = settings {
        for ip in s.body.get_blocks("ip_configuration") {
            for n in ip.body.get_blocks("authorized_networks") {
                if let Some(v) = attr_in(&n.body, "value", res.env, res.text)
                    && v.as_str().is_some_and(world)
                {
                    public = Some(format!(
                        "authorised network {}",
                        v.as_str().unwrap_or_default()
                    ));
                }
            }
        }
        if let Some(b) = s.body.get_blocks("backup_configuration").next() {
            let enabled = attr_in(&b.body, "enabled", res.env, res.text);
            backup_state = Some(enabled.as_ref().and_then(V::as_bool));
            backups = match enabled.as_ref().map(V::as_bool) {
                Some(Some(true)) => {
                    let kept = b
                        .body
                        .get_blocks("backup_retention_settings")
                        .next()
                        .and_then(|r| attr_in(&r.body, "retained_backups", res.env, res.text))
                        .and_then(|v| v.as_num());
                    match kept {
                        Some(n) => format!("on ({n} backups kept)"),
                        None => "on (7 backups kept by default)".to_owned(),
                    }
                }
                Some(Some(false)) => "off (backup_configuration.enabled = false)".to_owned(),
                Some(None) => "unknown".to_owned(),
                None => "not set (backup_configuration without enabled: off)".to_owned(),
            };
        }
    }
    if replica {
        backups = "replica (backups on its primary)".to_owned();
    }
    if let Some(why) = &public {
        hit(
            run,
            res,
            "deploy.tf-public-database",
            Severity::High,
            Confidence::High,
            format!(
                "{id} allows connections from every address ({why}): only the database password protects it"
            ),
            REMEDIATE_PUBLIC_DB,
        );
    }
    if !replica {
        match backup_state {
            Some(Some(true)) | Some(None) => {}
            Some(Some(false)) => hit(
                run,
                res,
                "deploy.tf-db-no-backups",
                Severity::High,
                Confidence::High,
                format!(
                    "{id} sets backup_configuration.enabled = false: no automated backups and no point-in-time restore"
                ),
                REMEDIATE_BACKUPS,
            ),
            None => hit(
                run,
                res,
                "deploy.tf-db-no-backups",
                Severity::Medium,
                Confidence::Medium,
                format!(
                    "{id} does not enable backup_configuration (off by default): no automated backups"
                ),
                REMEDIATE_BACKUPS,
            ),
        }
        if res.attr("deletion_protection").and_then(|v| v.as_bool()) == Some(false) {
            hit(
                run,
                res,
                "deploy.tf-db-no-deletion-protection",
                Severity::Low,
                confidence(res.indirect("deletion_protection")),
                format!(
                    "{id} sets deletion_protection = false: a `terraform destroy` or a replacing change deletes the instance"
                ),
                REMEDIATE_DELETION,
            );
        }
    }
    infra.databases.push(Database {
        id,
        path: res.path.to_owned(),
        line: res.line,
        backups,
        public,
    });
}

fn azure_db_firewall(run: &mut Run<'_>, res: &Res<'_>, infra: &mut Infra) {
    let start = res.attr("start_ip_address");
    let end = res.attr("end_ip_address");
    if start.as_ref().and_then(V::as_str) == Some("0.0.0.0")
        && end.as_ref().and_then(V::as_str) == Some("255.255.255.255")
    {
        hit(
            run,
            res,
            "deploy.tf-public-database",
            Severity::High,
            Confidence::High,
            format!(
                "{} allows connections to the database server from every IPv4 address (0.0.0.0 to 255.255.255.255)",
                res.id()
            ),
            REMEDIATE_PUBLIC_DB,
        );
        let server = res
            .body
            .get_attribute("server_id")
            .or_else(|| res.body.get_attribute("server_name"))
            .and_then(|a| a.value.span())
            .and_then(|s| res.text.get(s))
            .unwrap_or_default()
            .trim()
            .to_owned();
        let target = server
            .trim_end_matches(".id")
            .trim_end_matches(".name")
            .to_owned();
        if let Some(db) = infra.databases.iter_mut().find(|d| d.id == target) {
            db.public = Some(format!("firewall rule {}", res.id()));
        } else {
            infra.databases.push(Database {
                id: if target.is_empty() { res.id() } else { target },
                path: res.path.to_owned(),
                line: res.line,
                backups: "unknown".to_owned(),
                public: Some(format!("firewall rule {}", res.id())),
            });
        }
    }
}

fn volume_encryption(run: &mut Run<'_>, res: &Res<'_>) {
    let id = res.id();
    let unencrypted = |body: &Body| -> Option<bool> {
        if body.get_attribute("kms_key_id").is_some() || body.get_attribute("snapshot_id").is_some()
        {
            return Some(false);
        }
        match attr_in(body, "encrypted", res.env, res.text) {
            None => Some(true),
            Some(v) => v.as_bool().map(|b| !b),
        }
    };
    let mut found: Vec<(String, Confidence)> = Vec::new();
    match res.rtype {
        "aws_ebs_volume" | "aws_efs_file_system" => {
            if unencrypted(res.body) == Some(true) {
                let explicit = res.body.get_attribute("encrypted").is_some();
                found.push((
                    if explicit {
                        "encrypted = false".to_owned()
                    } else {
                        "no encrypted = true (default false)".to_owned()
                    },
                    if explicit {
                        confidence(res.indirect("encrypted"))
                    } else {
                        Confidence::Medium
                    },
                ));
            }
        }
        "aws_instance" => {
            for ident in ["root_block_device", "ebs_block_device"] {
                for b in res.blocks(ident) {
                    if unencrypted(&b.body) == Some(true) {
                        found.push((
                            format!("{ident} without encrypted = true"),
                            Confidence::Medium,
                        ));
                    }
                }
            }
        }
        _ => {
            for m in res.blocks("block_device_mappings") {
                for e in m.body.get_blocks("ebs") {
                    if unencrypted(&e.body) == Some(true) {
                        found.push((
                            "block_device_mappings.ebs without encrypted = true".to_owned(),
                            Confidence::Medium,
                        ));
                    }
                }
            }
        }
    }
    if found.is_empty() {
        return;
    }
    let confidence = found
        .iter()
        .map(|(_, c)| *c)
        .max()
        .unwrap_or(Confidence::Medium);
    let what: Vec<String> = found.into_iter().map(|(w, _)| w).collect();
    hit(
        run,
        res,
        "deploy.tf-unencrypted-storage",
        Severity::Medium,
        confidence,
        format!(
            "{id} creates storage without encryption at rest ({}), unless the account turns on EBS encryption by default",
            what.join("; ")
        ),
        REMEDIATE_ENCRYPTION,
    );
}

/// A policy document: JSON text or an object (from `jsonencode`). A
/// document taken from a `data "aws_iam_policy_document"` is reported at
/// that block instead.
fn iam_policy(run: &mut Run<'_>, res: &Res<'_>, value: &V, written: &str) {
    if written.trim_start().starts_with("data.") {
        return;
    }
    if statements(value).iter().any(admin_statement) {
        iam_hit(
            run,
            res,
            "allows every action (\"*\") on every resource (\"*\")",
        );
    }
}

/// A `data "aws_iam_policy_document"` body in IAM JSON form.
fn policy_json(body: &Body, env: &Env, text: &str) -> V {
    let statements = body
        .get_blocks("statement")
        .map(|s| {
            let get = |k: &str| attr_in(&s.body, k, env, text);
            let mut out = vec![(
                "Effect".to_owned(),
                get("effect").unwrap_or_else(|| V::Str("Allow".to_owned())),
            )];
            for (key, name) in [
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
            ] {
                if let Some(v) = get(key) {
                    out.push((name.to_owned(), v));
                }
            }
            let mut principals = Vec::new();
            for p in s.body.get_blocks("principals") {
                let kind = attr_in(&p.body, "type", env, text);
                let ids = attr_in(&p.body, "identifiers", env, text).unwrap_or(V::Null);
                match kind.as_ref().and_then(V::as_str) {
                    Some("*") => principals.push(("*".to_owned(), ids)),
                    Some(k) => principals.push((k.to_owned(), ids)),
                    None => principals.push(("?".to_owned(), V::Unknown("principal".to_owned()))),
                }
            }
            if let [(star, _)] = principals.as_slice()
                && star == "*"
            {
                out.push(("Principal".to_owned(), V::Str("*".to_owned())));
            } else if !principals.is_empty() {
                out.push(("Principal".to_owned(), V::Obj(principals)));
            }
            if s.body.get_blocks("condition").next().is_some() {
                out.push(("Condition".to_owned(), V::Obj(Vec::new())));
            }
            V::Obj(out)
        })
        .collect();
    V::Obj(vec![("Statement".to_owned(), V::List(statements))])
}

/// The statements of a policy document (JSON text or object).
fn statements(value: &V) -> Vec<V> {
    let doc = match value {
        V::Str(text) => {
            let cleaned = text.replace(UNKNOWN_MARK, "?");
            match serde_json::from_str::<serde_json::Value>(&cleaned) {
                Ok(json) => V::from_json(&json),
                Err(_) => return Vec::new(),
            }
        }
        V::Obj(_) => value.clone(),
        _ => return Vec::new(),
    };
    match doc.get("Statement") {
        Some(V::List(items)) => items.clone(),
        Some(one @ V::Obj(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

fn policy_document(run: &mut Run<'_>, res: &Res<'_>) {
    let doc = policy_json(res.body, res.env, res.text);
    if statements(&doc).iter().any(admin_statement) {
        iam_hit(
            run,
            res,
            "has a statement that allows every action (\"*\") on every resource (\"*\")",
        );
    }
}

fn admin_statement(s: &V) -> bool {
    s.get("Effect").and_then(V::as_str) == Some("Allow")
        && s.get("Action")
            .and_then(V::strings)
            .is_some_and(|a| a.iter().any(|x| x == "*" || x == "*:*"))
        && s.get("Resource")
            .and_then(V::strings)
            .is_some_and(|r| r.iter().any(|x| x == "*"))
}

/// A bucket policy that lets everyone read or write without a condition.
fn bucket_policy(run: &mut Run<'_>, res: &Res<'_>, value: &V) {
    let (mut read, mut write) = (false, false);
    for s in statements(value) {
        if s.get("Effect").and_then(V::as_str) != Some("Allow") || s.get("Condition").is_some() {
            continue;
        }
        let principal = s.get("Principal");
        let everyone = principal.and_then(V::as_str) == Some("*")
            || principal
                .and_then(|p| p.get("AWS"))
                .is_some_and(|a| a.known_strings().iter().any(|x| x == "*"));
        if !everyone {
            continue;
        }
        for action in s.get("Action").map(V::known_strings).unwrap_or_default() {
            match action.as_str() {
                "*" | "s3:*" | "s3:PutObject" | "s3:DeleteObject" | "s3:Put*" => write = true,
                "s3:GetObject" | "s3:Get*" | "s3:ListBucket" => read = true,
                _ => {}
            }
        }
    }
    if read || write {
        hit(
            run,
            res,
            "deploy.tf-public-bucket",
            if write {
                Severity::High
            } else {
                Severity::Medium
            },
            Confidence::High,
            format!(
                "{} allows everyone (Principal \"*\", no condition) to {} the bucket's objects",
                res.id(),
                if write { "write or delete" } else { "read" }
            ),
            REMEDIATE_BUCKET,
        );
    }
}

fn url_public(run: &mut Run<'_>, res: &Res<'_>) {
    if res.attr("authorization_type").as_ref().and_then(V::as_str) == Some("NONE") {
        run.hit(Hit {
            rule: "deploy.lambda-url-public",
            severity: Severity::Medium,
            confidence: confidence(res.indirect("authorization_type")),
            path: res.path,
            line: res.line,
            message: format!(
                "{} has authorization_type = \"NONE\": anyone on the internet can invoke the function directly",
                res.id()
            ),
            remediation: "Use `authorization_type = \"AWS_IAM\"` or put the function behind API Gateway with an authorizer.",
            excerpt: None,
            heuristic: false,
        });
    }
}

fn admin_attachment(run: &mut Run<'_>, res: &Res<'_>, arns: &[String]) {
    if arns
        .iter()
        .any(|a| a.ends_with(":policy/AdministratorAccess"))
    {
        iam_hit(
            run,
            res,
            "attaches the AWS managed AdministratorAccess policy",
        );
    }
}

fn iam_hit(run: &mut Run<'_>, res: &Res<'_>, what: &str) {
    hit(
        run,
        res,
        "deploy.tf-iam-wildcard",
        Severity::High,
        Confidence::High,
        format!(
            "{} {what}: full administrator rights over the account",
            res.id()
        ),
        REMEDIATE_IAM,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(src: &str) -> V {
        let body = hcl_edit::parser::parse_body(src).unwrap();
        let a = body.get_attribute("x").unwrap();
        let mut env = Env::default();
        env.vars.insert("open".into(), V::Bool(true));
        env.vars.insert("name".into(), V::Str("db".into()));
        eval(&a.value, &env, src)
    }

    #[test]
    fn evaluates_what_the_files_decide() {
        assert_eq!(value("x = true"), V::Bool(true));
        assert_eq!(value("x = var.open"), V::Bool(true));
        assert_eq!(value("x = \"${var.name}-1\""), V::Str("db-1".into()));
        assert_eq!(value("x = var.missing"), V::Unknown("var.missing".into()));
        assert_eq!(
            value("x = aws_vpc.main.id"),
            V::Unknown("aws_vpc.main.id".into())
        );
        assert_eq!(value("x = var.open ? 1 : 2"), V::Num(1.0));
        assert_eq!(
            value("x = terraform.workspace == \"prod\" ? 7 : 7"),
            V::Num(7.0)
        );
        assert!(matches!(
            value("x = terraform.workspace == \"prod\" ? 7 : 0"),
            V::Unknown(_)
        ));
        assert_eq!(
            value("x = jsonencode({ a = [\"*\"] })"),
            V::Obj(vec![("a".into(), V::List(vec![V::Str("*".into())]))])
        );
    }

    #[test]
    fn ports_and_lines() {
        assert_eq!(
            open_ports(Some("-1"), Some(0.0), Some(0.0)).as_deref(),
            Some("all ports")
        );
        assert_eq!(
            open_ports(Some("tcp"), Some(22.0), Some(22.0)).as_deref(),
            Some("SSH (22)")
        );
        assert_eq!(open_ports(Some("tcp"), Some(443.0), Some(443.0)), None);
        assert_eq!(open_ports(Some("icmp"), Some(0.0), Some(65535.0)), None);
        assert_eq!(open_ports(Some("tcp"), None, Some(22.0)), None);
        assert_eq!(port_range("1000-2000"), Some((1000.0, 2000.0)));
        let lines = Lines::new("a\nbc\n\nd");
        assert_eq!(
            (lines.line(0), lines.line(2), lines.line(5), lines.line(6)),
            (1, 2, 3, 4)
        );
    }

    #[test]
    fn deep_nesting_is_a_parse_error() {
        let deep = format!("x = {}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(hcl_edit::parser::parse_body(&deep).is_err());
    }
}
