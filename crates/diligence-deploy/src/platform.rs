//! Platform configuration files: `vercel.json`, `netlify.toml`, `fly.toml`,
//! `render.yaml`, `railway.json`/`railway.toml`, `Procfile`, App Engine
//! `app.yaml`, `firebase.json` and `_headers` files, read for what they
//! deploy, the headers they set, their health checks and regions, and
//! checked for the practices behind the `deploy.platform-*` rules.
//!
//! Each format goes through its real parser (serde_json, toml, the YAML
//! reader of [`crate::yaml`]) into the same line-aware [`Node`] tree, so
//! one set of checks reads all three. JSON has no spans in serde_json: a
//! JSON file is validated by serde_json (which gives the position of a
//! syntax error) and then read for lines through the YAML reader, JSON
//! being YAML 1.2; when that reader refuses it, the serde_json value is
//! used without lines and findings point at the file.
//!
//! `supabase/config.toml` is read by the `source` collector (one reader per
//! file kind); it stays an inventory row here.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use diligence_model::{Confidence, Fact, FileClass, Severity, classify};

use diligence_source::serverless::netlify_functions_dir;

use crate::collector::{Hit, Run};
use crate::yaml::{self, Node, Value};

/// The kinds of platform file this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Vercel,
    Netlify,
    Fly,
    Render,
    RailwayJson,
    RailwayToml,
    Procfile,
    AppEngine,
    Firebase,
    Headers,
}

impl Kind {
    fn of(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        Some(match name.to_ascii_lowercase().as_str() {
            "vercel.json" => Self::Vercel,
            "netlify.toml" => Self::Netlify,
            "fly.toml" => Self::Fly,
            "render.yaml" => Self::Render,
            "railway.json" => Self::RailwayJson,
            "railway.toml" => Self::RailwayToml,
            "procfile" => Self::Procfile,
            "app.yaml" => Self::AppEngine,
            "firebase.json" => Self::Firebase,
            "_headers" => Self::Headers,
            _ => return None,
        })
    }
}

/// What one platform file says, for the inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Described {
    /// What it deploys, one phrase each (`app shop`, `web: gunicorn app:app`).
    pub what: Vec<String>,
    /// Regions it names.
    pub regions: Vec<String>,
    /// Health checks it configures.
    pub health: Vec<String>,
    /// Whether the platform runs a long-lived service that a health check
    /// could probe (not static hosting or functions).
    pub service: bool,
}

impl Described {
    /// One line for the inventory's "What" column.
    pub fn summary(&self) -> String {
        let mut parts = self.what.clone();
        if !self.regions.is_empty() {
            parts.push(format!("region {}", self.regions.join(", ")));
        }
        if !self.health.is_empty() {
            parts.push(format!("health check {}", self.health.join(", ")));
        } else if self.service {
            parts.push("no health check".to_owned());
        }
        parts.join("; ")
    }
}

/// One header a platform file sets on responses.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    path: String,
    /// The route pattern it applies to.
    source: String,
    /// Lower-case name.
    name: String,
    value: String,
    line: u32,
}

/// Security headers looked for, with the names that set each.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("Content-Security-Policy", "content-security-policy"),
    ("Strict-Transport-Security", "strict-transport-security"),
    ("X-Frame-Options/frame-ancestors", "x-frame-options"),
    ("X-Content-Type-Options", "x-content-type-options"),
    ("Referrer-Policy", "referrer-policy"),
];

/// Everything read, for the facts.
#[derive(Default)]
struct Read {
    described: BTreeMap<String, Described>,
    headers: Vec<Header>,
    /// Files that can set response headers (whether or not they do).
    header_files: BTreeSet<String>,
    /// Directories (`""` for the root, else with a trailing `/`) whose
    /// platform file health-checks the containers it runs.
    probed_dirs: BTreeSet<String>,
    crons: Vec<String>,
}

/// Reads every platform file among `paths`, records the findings and the
/// `deploy.platform-*`, `deploy.health-checks` and `deploy.regions` facts,
/// and returns what each file deploys for the inventory, by path.
pub(crate) fn collect(run: &mut Run<'_>, paths: &[String]) -> BTreeMap<String, Described> {
    let mut read = Read::default();
    for path in paths {
        let Some(kind) = Kind::of(path) else {
            continue;
        };
        // Deployment files of tests, examples, docs, templates and vendored
        // trees do not deploy the product: they stay inventory rows only.
        if classify(path) != FileClass::Production {
            continue;
        }
        if kind == Kind::AppEngine && !run.read(path).is_some_and(|t| is_app_engine(&t)) {
            continue;
        }
        let Some(text) = run.read_config(path) else {
            continue;
        };
        let parsed = match kind {
            Kind::Vercel | Kind::Firebase | Kind::RailwayJson => json_node(&text),
            Kind::Netlify | Kind::Fly | Kind::RailwayToml => toml_node(&text),
            Kind::Render | Kind::AppEngine => yaml::parse(&text).map_err(|e| ParseError {
                line: e.line,
                column: e.column,
                message: e.message,
            }),
            Kind::Procfile | Kind::Headers => Ok(Node {
                line: 0,
                key_line: 0,
                value: Value::Null,
            }),
        };
        let root = match parsed {
            Ok(root) => root,
            Err(e) => {
                run.malformed(path, e.line, e.column, &e.message);
                continue;
            }
        };
        let mut d = Described::default();
        match kind {
            Kind::Vercel => vercel(path, &root, &mut d, &mut read),
            Kind::Netlify => netlify(path, &text, &root, &mut d, &mut read),
            Kind::Fly => fly(run, path, &root, &mut d),
            Kind::Render => render(run, path, &root, &mut d, &mut read),
            Kind::RailwayJson | Kind::RailwayToml => railway(path, &root, &mut d, &mut read),
            Kind::Procfile => procfile(&text, &mut d),
            Kind::AppEngine => app_engine(run, path, &root, &mut d),
            Kind::Firebase => firebase(path, &root, &mut d, &mut read),
            Kind::Headers => {
                read.header_files.insert(path.clone());
                read.headers.extend(headers_file(path, &text));
            }
        }
        // Fly and Railway run containers; Render does for `docker` and
        // `image` services. Their health check probes the container.
        let containers = matches!(kind, Kind::Fly | Kind::RailwayJson | Kind::RailwayToml)
            || (kind == Kind::Render
                && ["runtime: docker", "runtime: image", "env: docker"]
                    .iter()
                    .any(|r| text.contains(r)));
        if containers && !d.health.is_empty() {
            let dir = path
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| format!("{d}/"));
            read.probed_dirs.insert(dir);
        }
        if kind != Kind::Headers {
            read.described.insert(path.clone(), d);
        }
    }
    // A Dockerfile without HEALTHCHECK is answered when the platform that
    // runs it from the same directory (or one above) probes it.
    if !read.probed_dirs.is_empty() {
        let dirs = read.probed_dirs.clone();
        run.drop_answered("deploy.docker-no-healthcheck", &|p: &str| {
            dirs.iter().any(|d| p.starts_with(d.as_str()))
        });
    }
    facts(run, &read);
    read.described
}

/// Whether an `app.yaml` is App Engine's: it names a `runtime`.
fn is_app_engine(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("runtime:"))
}

/// A parse failure with its position.
struct ParseError {
    line: Option<u32>,
    column: Option<u32>,
    message: String,
}

/// Byte offsets where each line starts, to turn spans into lines.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts)
    }

    /// 1-based line and column of a byte offset.
    fn position(&self, offset: usize) -> (u32, u32) {
        let index = self.0.partition_point(|&start| start <= offset);
        let start = self.0.get(index.saturating_sub(1)).copied().unwrap_or(0);
        (
            u32::try_from(index).unwrap_or(u32::MAX),
            u32::try_from(offset - start + 1).unwrap_or(u32::MAX),
        )
    }

    fn line(&self, span: &Range<usize>) -> u32 {
        self.position(span.start).0
    }
}

/// A TOML document as a [`Node`] tree, with lines from the parser's spans.
fn toml_node(text: &str) -> Result<Node, ParseError> {
    let lines = Lines::new(text);
    let table = toml::de::DeTable::parse(text).map_err(|e| {
        let position = e.span().map(|s| lines.position(s.start));
        ParseError {
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            message: e.message().lines().next().unwrap_or_default().to_owned(),
        }
    })?;
    let span = table.span();
    Ok(toml_table(table.get_ref(), lines.line(&span), &lines))
}

fn toml_table(table: &toml::de::DeTable<'_>, line: u32, lines: &Lines) -> Node {
    let mut entries: Vec<(String, Node)> = table
        .iter()
        .map(|(k, v)| {
            let mut node = toml_value(v.get_ref(), lines.line(&v.span()), lines);
            node.key_line = lines.line(&k.span());
            (k.get_ref().to_string(), node)
        })
        .collect();
    entries.sort_by_key(|(_, n)| (n.key_line, n.line));
    Node {
        line,
        key_line: line,
        value: Value::Map(entries),
    }
}

fn toml_value(value: &toml::de::DeValue<'_>, line: u32, lines: &Lines) -> Node {
    use toml::de::DeValue;
    let value = match value {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => Value::Number(i.to_string()),
        DeValue::Float(f) => Value::Number(f.to_string()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Seq(
            items
                .iter()
                .map(|i| toml_value(i.get_ref(), lines.line(&i.span()), lines))
                .collect(),
        ),
        DeValue::Table(t) => return toml_table(t, line, lines),
    };
    Node {
        line,
        key_line: line,
        value,
    }
}

/// A JSON document as a [`Node`] tree (see the module's notes on lines).
fn json_node(text: &str) -> Result<Node, ParseError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ParseError {
        line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
        column: u32::try_from(e.column()).ok().filter(|c| *c > 0),
        // serde_json's text ends with the position, which the finding gives.
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    })?;
    Ok(yaml::parse(text).unwrap_or_else(|_| from_json(&value)))
}

fn from_json(value: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    let value = match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(n.to_string()),
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::Seq(items.iter().map(from_json).collect()),
        J::Object(map) => Value::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    };
    Node {
        line: 0,
        key_line: 0,
        value,
    }
}

fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str).filter(|s| !s.is_empty())
}

/// Headers of a `[{key, value}]` list or a `{name: value}` map.
fn header_pairs(node: &Node) -> Vec<(String, String, u32)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned(), v.key_line)))
            .collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| {
                Some((
                    text(i.get("key"))?.to_owned(),
                    text(i.get("value"))?.to_owned(),
                    i.get("key").map_or(i.line, |k| k.line),
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn header(path: &str, source: &str, (name, value, line): (String, String, u32)) -> Header {
    Header {
        path: path.to_owned(),
        source: source.to_owned(),
        name: name.trim().to_ascii_lowercase(),
        value: value.trim().to_owned(),
        line,
    }
}

fn vercel(path: &str, root: &Node, d: &mut Described, read: &mut Read) {
    read.header_files.insert(path.to_owned());
    for rule in root.get("headers").map(Node::items).unwrap_or_default() {
        let source = text(rule.get("source")).unwrap_or("*");
        if let Some(list) = rule.get("headers") {
            read.headers.extend(
                header_pairs(list)
                    .into_iter()
                    .map(|h| header(path, source, h)),
            );
        }
    }
    // The older `routes` form: `{ "src": "/(.*)", "headers": { … } }`.
    for route in root.get("routes").map(Node::items).unwrap_or_default() {
        let source = text(route.get("src")).unwrap_or("*");
        if let Some(list) = route.get("headers") {
            read.headers.extend(
                header_pairs(list)
                    .into_iter()
                    .map(|h| header(path, source, h)),
            );
        }
    }
    let mut regions: BTreeSet<String> = root
        .get("regions")
        .map(Node::strings)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let functions = root.get("functions").map(Node::entries).unwrap_or_default();
    for (_, f) in functions {
        regions.extend(f.get("regions").map(Node::strings).unwrap_or_default());
    }
    d.regions = regions.into_iter().collect();
    d.what.push(match text(root.get("outputDirectory")) {
        Some(dir) => format!("site from {dir}"),
        None => "site or framework build".to_owned(),
    });
    if !functions.is_empty() {
        let globs: Vec<&str> = functions.iter().take(5).map(|(k, _)| k.as_str()).collect();
        let more = functions.len().saturating_sub(5);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        d.what.push(format!("functions {}{more}", globs.join(", ")));
    }
    let rewrites = root.get("rewrites").map_or(0, |r| r.items().len());
    if rewrites > 0 {
        d.what.push(count(rewrites, "rewrite"));
    }
    for cron in root.get("crons").map(Node::items).unwrap_or_default() {
        if let (Some(p), Some(s)) = (text(cron.get("path")), text(cron.get("schedule"))) {
            read.crons.push(format!("{path}: {p} ({s})"));
        }
    }
    let redirects = root.get("redirects").map_or(0, |r| r.items().len());
    if redirects > 0 {
        d.what.push(count(redirects, "redirect"));
    }
}

fn netlify(path: &str, raw: &str, root: &Node, d: &mut Described, read: &mut Read) {
    read.header_files.insert(path.to_owned());
    for rule in root.get("headers").map(Node::items).unwrap_or_default() {
        let source = text(rule.get("for")).unwrap_or("*");
        if let Some(values) = rule.get("values") {
            read.headers.extend(
                header_pairs(values)
                    .into_iter()
                    .map(|h| header(path, source, h)),
            );
        }
    }
    if let Some(build) = root.get("build") {
        if let Some(publish) = text(build.get("publish")) {
            d.what.push(format!("site from {publish}"));
        }
        if let Some(command) = text(build.get("command")) {
            d.what.push(format!("built by `{command}`"));
        }
    }
    // Where the functions live is the source collector's reading (its
    // route inventory starts there); the inventory row names the same.
    if let Some(dir) = netlify_functions_dir(raw) {
        d.what.push(format!("functions in {dir}"));
    }
    let redirects = root.get("redirects").map_or(0, |r| r.items().len());
    if redirects > 0 {
        d.what.push(count(redirects, "redirect"));
    }
    if d.what.is_empty() {
        d.what.push("site".to_owned());
    }
}

/// A value that is not worth calling a secret: empty, a number, a boolean,
/// or a reference to another variable.
fn literal_secret_value(value: &str) -> bool {
    let v = value.trim();
    !(v.is_empty()
        || v.parse::<f64>().is_ok()
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off"
        )
        || v.starts_with('$'))
}

/// A value that asks to be filled in (`{YOUR_PASSWORD}`, `<token>`,
/// `changeme`, `your-secret-here`) rather than a secret.
fn placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    (v.starts_with('{') && v.ends_with('}'))
        || (v.starts_with('<') && v.ends_with('>'))
        || [
            "your",
            "changeme",
            "change-me",
            "change_me",
            "replace",
            "placeholder",
            "xxx",
            "todo",
            "example",
        ]
        .iter()
        .any(|p| v.contains(p))
}

/// A secret-named variable with a value written in the platform file. A
/// placeholder is the same practice (the file is where the value goes),
/// with nothing leaked yet: low.
fn secret_in_config(
    run: &mut Run<'_>,
    path: &str,
    owner: &str,
    (name, value, line): (&str, &str, u32),
    how: &str,
) {
    let (severity, message) = if placeholder(value) {
        (
            Severity::Low,
            format!(
                "{owner} expects {name} to be written into {path} (a placeholder now): once filled in, whoever has the repository has it, and {how}"
            ),
        )
    } else {
        (
            Severity::Medium,
            format!(
                "{owner} sets {name} to a value written in {path}: whoever has the repository has it, and {how}"
            ),
        )
    };
    run.hit(Hit {
        rule: "deploy.platform-secret-in-config",
        severity,
        confidence: Confidence::Medium,
        path,
        line,
        message,
        remediation: "Move the value to the platform's secret store (`fly secrets set`, a Render env var with `sync: false`, Secret Manager for App Engine), rotate it, and keep only the name in the repository.",
        excerpt: Some(name.to_owned()),
        heuristic: true,
    });
}

fn fly(run: &mut Run<'_>, path: &str, root: &Node, d: &mut Described) {
    d.service = true;
    let app = text(root.get("app")).unwrap_or("(unnamed)");
    d.what.push(format!("app {app}"));
    if let Some(region) = text(root.get("primary_region")) {
        d.regions.push(format!("{region} (primary)"));
    }
    if let Some(build) = root.get("build") {
        if let Some(image) = text(build.get("image")) {
            d.what.push(format!("image {image}"));
        } else if let Some(file) = text(build.get("dockerfile")) {
            d.what.push(format!("built from {file}"));
        }
    }
    if let Some(release) = root
        .get("deploy")
        .and_then(|x| text(x.get("release_command")))
    {
        d.what.push(format!("release command `{release}`"));
    }
    if let Some(http) = root.get("http_service") {
        let port = text(http.get("internal_port")).unwrap_or("?");
        let min = text(http.get("min_machines_running"));
        d.what.push(match min {
            Some(m) => format!("HTTP service on port {port}, min_machines_running {m}"),
            None => format!("HTTP service on port {port}"),
        });
        force_https(
            run,
            path,
            app,
            http,
            http.get("force_https"),
            "[http_service]",
        );
        for check in http.get("checks").map(Node::items).unwrap_or_default() {
            let method = text(check.get("method")).unwrap_or("GET");
            let target = text(check.get("path")).unwrap_or("/");
            d.health.push(format!("HTTP {method} {target}"));
        }
    }
    for service in root.get("services").map(Node::items).unwrap_or_default() {
        let port = text(service.get("internal_port")).unwrap_or("?");
        d.what.push(format!("service on port {port}"));
        for p in service.get("ports").map(Node::items).unwrap_or_default() {
            let handlers = p.get("handlers").map(Node::strings).unwrap_or_default();
            if handlers.iter().any(|h| h == "http") && !handlers.iter().any(|h| h == "tls") {
                force_https(
                    run,
                    path,
                    app,
                    p,
                    p.get("force_https"),
                    "[[services.ports]]",
                );
            }
        }
        for check in service
            .get("http_checks")
            .map(Node::items)
            .unwrap_or_default()
        {
            let target = text(check.get("path")).unwrap_or("/");
            d.health.push(format!("HTTP {target}"));
        }
        for _ in service
            .get("tcp_checks")
            .map(Node::items)
            .unwrap_or_default()
        {
            d.health.push(format!("TCP port {port}"));
        }
    }
    for (name, check) in root.get("checks").map(Node::entries).unwrap_or_default() {
        let kind = text(check.get("type")).unwrap_or("http");
        match text(check.get("path")) {
            Some(target) => d.health.push(format!("{name}: {kind} {target}")),
            None => d.health.push(format!("{name}: {kind}")),
        }
    }
    for (name, value) in root.get("env").map(Node::entries).unwrap_or_default() {
        if crate::dockerfile::secret_like(name)
            && let Some(v) = value.as_str().filter(|v| literal_secret_value(v))
        {
            secret_in_config(
                run,
                path,
                &format!("App {app}"),
                (name, v, value.key_line),
                "`[env]` values are plain configuration, visible to every deploy and in `fly config show`",
            );
        }
    }
}

/// Fly serves plain HTTP unless `force_https = true` redirects it.
fn force_https(
    run: &mut Run<'_>,
    path: &str,
    app: &str,
    section: &Node,
    setting: Option<&Node>,
    where_: &str,
) {
    let (severity, confidence, line, how) = match setting.map(|s| &s.value) {
        Some(Value::Bool(true)) => return,
        Some(_) => (
            Severity::Medium,
            Confidence::High,
            setting.map_or(section.line, |s| s.key_line),
            "sets `force_https = false`",
        ),
        None => (
            Severity::Low,
            Confidence::Medium,
            section.line,
            "does not set `force_https`, whose default is false",
        ),
    };
    run.hit(Hit {
        rule: "deploy.platform-https-not-forced",
        severity,
        confidence,
        path,
        line,
        message: format!(
            "App {app} {how} in {where_}: plain HTTP requests are served, not redirected to HTTPS"
        ),
        remediation: "Set `force_https = true` so that every plain HTTP request is redirected to HTTPS.",
        excerpt: Some(format!("{where_} force_https")),
        heuristic: false,
    });
}

/// Whether an IP allow-list entry admits every address.
fn open_to_all(source: &str) -> bool {
    matches!(source.trim(), "0.0.0.0/0" | "::/0" | "0.0.0.0")
}

fn render(run: &mut Run<'_>, path: &str, root: &Node, d: &mut Described, read: &mut Read) {
    for service in root.get("services").map(Node::items).unwrap_or_default() {
        let name = text(service.get("name")).unwrap_or("(unnamed)");
        let kind = text(service.get("type")).unwrap_or("web");
        let runtime = text(service.get("runtime")).or_else(|| text(service.get("env")));
        // Static sites and cron jobs have nothing to probe.
        d.service |= kind == "web" && runtime != Some("static");
        d.what.push(match runtime {
            Some(r) => format!("{kind} {name} ({r})"),
            None => format!("{kind} {name}"),
        });
        if let Some(region) = text(service.get("region")) {
            d.regions.push(format!("{region} ({name})"));
        }
        if let Some(check) = text(service.get("healthCheckPath")) {
            d.health.push(format!("{name}: {check}"));
        }
        if kind == "cron"
            && let Some(schedule) = text(service.get("schedule"))
        {
            read.crons.push(format!("{path}#{name}: ({schedule})"));
        }
        if matches!(kind, "redis" | "keyvalue") {
            allow_list(run, path, service, &format!("Key-value store {name}"));
        }
        render_env(run, path, service, &format!("Service {name}"));
    }
    for group in root
        .get("envVarGroups")
        .map(Node::items)
        .unwrap_or_default()
    {
        let name = text(group.get("name")).unwrap_or("(unnamed)");
        render_env(run, path, group, &format!("Environment group {name}"));
    }
    for db in root.get("databases").map(Node::items).unwrap_or_default() {
        let name = text(db.get("name")).unwrap_or("(unnamed)");
        d.what.push(format!("database {name}"));
        if let Some(region) = text(db.get("region")) {
            d.regions.push(format!("{region} ({name})"));
        }
        allow_list(run, path, db, &format!("Database {name}"));
    }
}

/// Render admits connections from outside its network to every address on
/// an absent `ipAllowList`; `ipAllowList: []` keeps them private.
fn allow_list(run: &mut Run<'_>, path: &str, node: &Node, what: &str) {
    let (confidence, line, how) = match node.get("ipAllowList") {
        None => (
            Confidence::Medium,
            node.line,
            "has no `ipAllowList`, so Render accepts connections from any address on the internet",
        ),
        Some(list) => {
            let open = list
                .items()
                .into_iter()
                .find(|e| text(e.get("source")).is_some_and(open_to_all));
            match open {
                Some(e) => (
                    Confidence::High,
                    e.line,
                    "allows connections from 0.0.0.0/0, any address on the internet",
                ),
                None => return,
            }
        }
    };
    run.hit(Hit {
        rule: "deploy.platform-db-open",
        severity: Severity::Medium,
        confidence,
        path,
        line,
        message: format!("{what} {how}: only its password stands between it and the world"),
        remediation: "Set `ipAllowList: []` (private network only) or list the few addresses that need outside access.",
        excerpt: None,
        heuristic: false,
    });
}

fn render_env(run: &mut Run<'_>, path: &str, node: &Node, owner: &str) {
    for var in node.get("envVars").map(Node::items).unwrap_or_default() {
        let Some(key) = text(var.get("key")) else {
            continue;
        };
        if let Some(value) = var.get("value")
            && crate::dockerfile::secret_like(key)
            && let Some(v) = value.as_str().filter(|v| literal_secret_value(v))
        {
            secret_in_config(
                run,
                path,
                owner,
                (key, v, value.key_line),
                "a `value:` in the Blueprint is applied on every sync",
            );
        }
    }
}

fn railway(path: &str, root: &Node, d: &mut Described, read: &mut Read) {
    d.service = true;
    let deploy = root.get("deploy");
    let get = |key: &str| deploy.and_then(|x| text(x.get(key)));
    if let Some(builder) = root.get("build").and_then(|b| text(b.get("builder"))) {
        d.what.push(format!("built with {builder}"));
    }
    if let Some(start) = get("startCommand") {
        d.what.push(format!("starts `{start}`"));
    }
    if let Some(policy) = get("restartPolicyType") {
        d.what.push(format!("restart policy {policy}"));
    }
    if let Some(check) = get("healthcheckPath") {
        d.health.push(check.to_owned());
    }
    if let Some(schedule) = get("cronSchedule") {
        read.crons.push(format!("{path}: ({schedule})"));
    }
    if let Some(regions) = deploy.and_then(|x| x.get("multiRegionConfig")) {
        d.regions
            .extend(regions.entries().iter().map(|(k, _)| k.clone()));
    }
    if let Some(region) = get("region") {
        d.regions.push(region.to_owned());
    }
    if d.what.is_empty() {
        d.what.push("service".to_owned());
    }
}

fn procfile(text: &str, d: &mut Described) {
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((kind, command)) = line.split_once(':')
            && !kind.is_empty()
            && kind
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            let command = command.trim();
            let short: String = command.chars().take(60).collect();
            let cut = if short.len() < command.len() {
                "…"
            } else {
                ""
            };
            d.what.push(format!("{kind}: {short}{cut}"));
        }
    }
}

fn app_engine(run: &mut Run<'_>, path: &str, root: &Node, d: &mut Described) {
    let runtime = text(root.get("runtime")).unwrap_or("?");
    let service = text(root.get("service")).unwrap_or("default");
    let flexible = matches!(text(root.get("env")), Some("flex" | "flexible"))
        || root.get("vm").is_some_and(|v| v.value == Value::Bool(true));
    // Health checks are configurable in the flexible environment only.
    d.service = flexible;
    d.what.push(format!(
        "App Engine service {service} ({runtime}{})",
        if flexible { ", flexible" } else { "" }
    ));
    if let Some(check) = root
        .get("readiness_check")
        .or_else(|| root.get("liveness_check"))
    {
        d.health
            .push(text(check.get("path")).unwrap_or("/").to_owned());
    }
    // Flexible environments (and the older `vm: true`) ignore `secure:`;
    // HTTPS there is the load balancer's and the application's business.
    if !flexible {
        app_engine_https(run, path, service, root);
    }
    for (name, value) in root
        .get("env_variables")
        .map(Node::entries)
        .unwrap_or_default()
    {
        if crate::dockerfile::secret_like(name)
            && let Some(v) = value.as_str().filter(|v| literal_secret_value(v))
        {
            secret_in_config(
                run,
                path,
                &format!("App Engine service {service}"),
                (name, v, value.key_line),
                "`env_variables` are deployed as plain configuration, visible in the console to anyone who can view the app",
            );
        }
    }
}

/// App Engine standard answers plain HTTP unless the handler that serves a
/// request says `secure: always`. Handlers that run the app (`script:`, or
/// the catch-all URL) matter most; static files less.
fn app_engine_https(run: &mut Run<'_>, path: &str, service: &str, root: &Node) {
    let handlers = root.get("handlers").map(Node::items).unwrap_or_default();
    let secure = |h: &Node| text(h.get("secure")) == Some("always");
    let url = |h: &Node| text(h.get("url")).unwrap_or("?").to_owned();
    let catch_all = |h: &Node| matches!(text(h.get("url")), Some("/.*" | ".*" | "/(.*)"));
    let scripts: Vec<&Node> = handlers
        .iter()
        .copied()
        .filter(|h| h.get("script").is_some())
        .collect();
    let insecure_scripts: Vec<&Node> = scripts.iter().copied().filter(|h| !secure(h)).collect();
    let insecure_static: Vec<&Node> = handlers
        .iter()
        .copied()
        .filter(|h| h.get("script").is_none() && !secure(h))
        .collect();
    let app_secure_by_catch_all = handlers.iter().any(|h| catch_all(h) && secure(h));
    let list = |nodes: &[&Node]| nodes.iter().map(|h| url(h)).collect::<Vec<_>>().join(", ");
    let (severity, confidence, line, how) = if let Some(first) = insecure_scripts.first() {
        (
            Severity::Medium,
            Confidence::High,
            first.line,
            format!(
                "runs the app from handlers without `secure: always` ({})",
                list(&insecure_scripts)
            ),
        )
    } else if scripts.is_empty() && !app_secure_by_catch_all {
        // Requests no handler matches go to the app, with the default
        // `secure: optional`.
        (
            Severity::Low,
            Confidence::Medium,
            root.get("handlers")
                .or_else(|| root.get("runtime"))
                .map_or(1, |r| r.key_line),
            "has no handler with `secure: always` for the app's own routes".to_owned(),
        )
    } else if let Some(first) = insecure_static.first() {
        (
            Severity::Low,
            Confidence::High,
            first.line,
            format!(
                "serves static files from handlers without `secure: always` ({})",
                list(&insecure_static)
            ),
        )
    } else {
        return;
    };
    run.hit(Hit {
        rule: "deploy.platform-https-not-forced",
        severity,
        confidence,
        path,
        line,
        message: format!(
            "App Engine service {service} {how}: plain HTTP requests are answered instead of redirected to HTTPS"
        ),
        remediation: "Add `secure: always` to every handler (a catch-all `url: /.*` with `script: auto` and `secure: always` covers the app).",
        excerpt: None,
        heuristic: false,
    });
}

fn firebase(path: &str, root: &Node, d: &mut Described, read: &mut Read) {
    for site in root.get("hosting").map(Node::items).unwrap_or_default() {
        read.header_files.insert(path.to_owned());
        let name = text(site.get("site"))
            .or_else(|| text(site.get("target")))
            .unwrap_or("default");
        let mut rewrites_to = BTreeSet::new();
        for rewrite in site.get("rewrites").map(Node::items).unwrap_or_default() {
            match rewrite.get("function") {
                Some(f) => {
                    let id = text(Some(f)).or_else(|| text(f.get("functionId")));
                    rewrites_to.insert(format!("function {}", id.unwrap_or("?")));
                }
                None => {
                    if let Some(run) = rewrite.get("run") {
                        let id = text(run.get("serviceId")).unwrap_or("?");
                        rewrites_to.insert(format!("Cloud Run {id}"));
                        if let Some(region) = text(run.get("region")) {
                            d.regions.push(format!("{region} ({id})"));
                        }
                    }
                }
            }
        }
        d.what.push(if rewrites_to.is_empty() {
            format!("hosting site {name}")
        } else {
            format!(
                "hosting site {name}, rewrites to {}",
                rewrites_to.into_iter().collect::<Vec<_>>().join(", ")
            )
        });
        for rule in site.get("headers").map(Node::items).unwrap_or_default() {
            let source = text(rule.get("source"))
                .or_else(|| text(rule.get("glob")))
                .or_else(|| text(rule.get("regex")))
                .unwrap_or("*");
            if let Some(list) = rule.get("headers") {
                read.headers.extend(
                    header_pairs(list)
                        .into_iter()
                        .map(|h| header(path, source, h)),
                );
            }
        }
    }
    for f in root.get("functions").map(Node::items).unwrap_or_default() {
        let source = text(f.get("source")).unwrap_or("functions");
        d.what.push(format!("functions from {source}"));
    }
    if d.what.is_empty() {
        let keys: Vec<&str> = root.entries().iter().map(|(k, _)| k.as_str()).collect();
        d.what.push(format!("{} configuration", keys.join(", ")));
    }
}

/// Headers of a Netlify or Cloudflare Pages `_headers` file: a route
/// pattern on an unindented line, its headers indented below it.
fn headers_file(path: &str, text: &str) -> Vec<Header> {
    let mut out = Vec::new();
    let mut source: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            source = Some(trimmed.to_owned());
            continue;
        }
        let (Some(s), Some((name, value))) = (&source, trimmed.split_once(':')) else {
            continue;
        };
        if name.starts_with('!') {
            continue;
        }
        out.push(header(
            path,
            s,
            (
                name.to_owned(),
                value.to_owned(),
                u32::try_from(i + 1).unwrap_or(u32::MAX),
            ),
        ));
    }
    out
}

/// Whether a Content-Security-Policy restricts content: it has a
/// `default-src` or `script-src` directive.
fn content_policy(value: &str) -> bool {
    value.split(';').any(|d| {
        matches!(
            d.split_whitespace()
                .next()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("default-src" | "script-src")
        )
    })
}

/// `1 rewrite`, `3 rewrites`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Whether a route pattern covers static assets only (fonts, images,
/// styles, scripts, or a static folder): a wildcard origin there is what
/// cross-origin font and image loading needs, not an exposure.
fn static_assets(source: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "woff2", "woff", "ttf", "otf", "eot", "svg", "png", "jpg", "jpeg", "gif", "webp", "avif",
        "ico", "css", "js", "mjs", "map", "wasm",
    ];
    const FOLDERS: &[&str] = &["fonts", "static", "assets", "images", "img", "_next"];
    let s = source.to_ascii_lowercase();
    let segments: Vec<&str> = s.split('/').filter(|p| !p.is_empty()).collect();
    if segments.first().is_some_and(|f| FOLDERS.contains(f)) {
        return true;
    }
    let last = segments.last().copied().unwrap_or_default();
    let Some((_, ext)) = last.rsplit_once('.') else {
        return false;
    };
    let ext = ext
        .trim_start_matches(['@', '('])
        .trim_end_matches([')', '*', '$']);
    !ext.is_empty() && ext.split('|').all(|e| EXTENSIONS.contains(&e))
}

fn facts(run: &mut Run<'_>, read: &Read) {
    let headers = &read.headers;
    for h in headers.iter().filter(|h| {
        h.name == "access-control-allow-origin" && h.value == "*" && !static_assets(&h.source)
    }) {
        let applies = if h.path.ends_with("_headers") {
            " (Netlify and Cloudflare Pages apply this file)"
        } else {
            ""
        };
        run.hit(Hit {
            rule: "deploy.platform-cors-wildcard",
            severity: Severity::Low,
            confidence: Confidence::High,
            path: &h.path,
            line: h.line,
            message: format!(
                "{}{applies} sets `Access-Control-Allow-Origin: *` on {}: any website can read these responses from its visitors' browsers",
                h.path, h.source
            ),
            remediation: "Name the origins that need access instead of `*`, or drop the header where no other site calls these routes.",
            excerpt: Some("Access-Control-Allow-Origin: *".to_owned()),
            heuristic: false,
        });
    }
    if !read.header_files.is_empty() {
        let mut set = Vec::new();
        let mut missing = Vec::new();
        for (label, name) in SECURITY_HEADERS {
            // A policy that only restricts framing (`frame-ancestors`)
            // restricts no content: it counts for framing, not as a CSP.
            let mut files: BTreeSet<&str> = headers
                .iter()
                .filter(|h| {
                    h.name == *name
                        && (*name != "content-security-policy" || content_policy(&h.value))
                })
                .map(|h| h.path.as_str())
                .collect();
            if *name == "x-frame-options" {
                // CSP `frame-ancestors` does what X-Frame-Options does.
                files.extend(
                    headers
                        .iter()
                        .filter(|h| {
                            h.name == "content-security-policy"
                                && h.value.to_ascii_lowercase().contains("frame-ancestors")
                        })
                        .map(|h| h.path.as_str()),
                );
            }
            if files.is_empty() {
                missing.push(*label);
            } else {
                set.push(format!(
                    "{label} ({})",
                    files.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        let read_files = read
            .header_files
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let detail = if missing.is_empty() {
            format!("All five set in {read_files} (each on the routes its file names).")
        } else {
            format!(
                "Read {read_files}; not set there: {}. Headers set by the application (middleware, framework configuration) or a proxy are not seen here{}.",
                missing.join(", "),
                if missing.contains(&"Strict-Transport-Security") {
                    "; Vercel and Firebase Hosting send Strict-Transport-Security on their own domains"
                } else {
                    ""
                }
            )
        };
        run.fact(
            "deploy.platform-security-headers",
            Fact::list(set).detail(detail),
        );
        let origins: Vec<String> = headers
            .iter()
            .filter(|h| h.name == "access-control-allow-origin")
            .map(|h| format!("{} ({} on {})", h.value, h.path, h.source))
            .collect();
        run.fact(
            "deploy.platform-cors",
            Fact::list(origins).detail("`Access-Control-Allow-Origin` values set in platform configuration, with the file and route; CORS set in code is the source collector's."),
        );
    }
    let services: Vec<&String> = read
        .described
        .iter()
        .filter(|(_, d)| d.service)
        .map(|(p, _)| p)
        .collect();
    if !services.is_empty() {
        let mut checks = Vec::new();
        let mut without = Vec::new();
        for path in services {
            let d = &read.described[path];
            if d.health.is_empty() {
                without.push(path.as_str());
            }
            checks.extend(d.health.iter().map(|h| format!("{path}: {h}")));
        }
        let detail = if without.is_empty() {
            "Every platform file that runs a service configures a health check.".to_owned()
        } else {
            format!(
                "No health check in {}. Dockerfile HEALTHCHECK is reported by deploy.docker-no-healthcheck.",
                without.join(", ")
            )
        };
        run.fact("deploy.health-checks", Fact::list(checks).detail(detail));
    }
    let regions: Vec<String> = read
        .described
        .iter()
        .flat_map(|(p, d)| d.regions.iter().map(move |r| format!("{p}: {r}")))
        .collect();
    if !regions.is_empty() {
        run.fact("deploy.regions", Fact::list(regions));
    }
    if !read.crons.is_empty() {
        run.fact("deploy.platform-crons", Fact::list(read.crons.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_lines_and_errors() {
        let node = toml_node("app = \"a\"\n\n[http_service]\nforce_https = false\n")
            .unwrap_or_else(|_| panic!("parses"));
        let http = node.get("http_service").expect("table");
        assert_eq!(http.get("force_https").map(|n| n.key_line), Some(4));
        assert_eq!(node.get("app").map(|n| n.line), Some(1));
        let Err(e) = toml_node("a = 1\nb = [\n") else {
            panic!("must fail")
        };
        assert!(e.line.is_some() && e.column.is_some());
    }

    #[test]
    fn json_lines_and_errors() {
        let node = json_node("{\n  \"headers\": [\n    {\"source\": \"/(.*)\"}\n  ]\n}\n")
            .unwrap_or_else(|_| panic!("parses"));
        assert_eq!(node.get("headers").map(|n| n.key_line), Some(2));
        let Err(e) = json_node("{\n  \"a\": 1,\n}") else {
            panic!("must fail")
        };
        assert_eq!(e.line, Some(3));
        assert!(!e.message.contains(" at line "), "{}", e.message);
        // Tab indentation: YAML may refuse it, the values are still read.
        let tabs = json_node("{\n\t\"headers\": [\n\t\t{\"source\": \"/(.*)\"}\n\t]\n}\n")
            .unwrap_or_else(|_| panic!("parses"));
        let rules = tabs.get("headers").map(Node::items).unwrap_or_default();
        assert_eq!(
            text(rules.first().and_then(|r| r.get("source"))),
            Some("/(.*)")
        );
    }

    #[test]
    fn static_asset_routes() {
        for s in [
            "/(Virgil|Cascadia|Assistant-Regular).woff2",
            "/:file*.woff2",
            "/fonts/(.*)",
            "/assets/*",
            "**/*.@(jpg|jpeg|gif|png|svg)",
        ] {
            assert!(static_assets(s), "{s}");
        }
        for s in ["/*", "/(.*)", "/api/(.*)", "**", "/assetsapi/*"] {
            assert!(!static_assets(s), "{s}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let deep = 100_000;
        let toml = format!("a = {}{}\n", "[".repeat(deep), "]".repeat(deep));
        assert!(toml_node(&toml).is_err());
        let json = format!("{{\"a\": {}{}}}", "[".repeat(deep), "]".repeat(deep));
        assert!(json_node(&json).is_err());
    }

    #[test]
    fn content_policies() {
        assert!(content_policy("default-src 'self'; frame-ancestors 'none'"));
        assert!(content_policy(" script-src 'self' https://cdn.example.com"));
        assert!(!content_policy("frame-ancestors https://example.com"));
        assert!(!content_policy("upgrade-insecure-requests"));
    }

    #[test]
    fn literal_values() {
        assert!(literal_secret_value("hunter2-but-longer"));
        assert!(!literal_secret_value("") && !literal_secret_value("3600"));
        assert!(!literal_secret_value("true") && !literal_secret_value("$OTHER"));
    }

    #[test]
    fn headers_file_is_read() {
        let h = headers_file(
            "public/_headers",
            "# c\n/*\n  X-Frame-Options: DENY\n  ! X-Powered-By\n/api/*\n\tAccess-Control-Allow-Origin: *\n",
        );
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].name.as_str(), h[0].line), ("x-frame-options", 3));
        assert_eq!((h[1].source.as_str(), h[1].value.as_str()), ("/api/*", "*"));
    }
}
