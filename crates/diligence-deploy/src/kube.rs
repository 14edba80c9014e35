//! Kubernetes manifests, Kustomize files and Helm charts: workloads parsed
//! from YAML and checked for the practices behind the `deploy.kube-*`
//! rules.
//!
//! Manifests are found by content: a YAML file (outside tests, examples,
//! vendored and generated trees) with a document that has `apiVersion`
//! and `kind`. Kustomizations are read for what they include, their image
//! overrides and what their patches set; overlays are not built. Helm
//! charts are found by their `Chart.yaml`; their values files are plain
//! YAML and checked for well-known keys, while their `templates/` are Go
//! templates that only `helm` can render: they are listed as not analysed.

use std::collections::{BTreeMap, BTreeSet};

use diligence_model::context::{FileClass, classify};
use diligence_model::{Confidence, Fact, Severity};

use crate::collector::{Hit, Run};
use crate::yaml::{self, Node, Value};

/// Manifest files larger than this are not read (4 MiB): rendered bundles
/// with custom resource definitions often pass the 1 MiB cap of other
/// configuration files.
pub const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;

/// Kinds that run containers.
pub(crate) const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// Kinds whose pod template runs long-lived processes (probes matter).
const LONG_RUNNING: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
];

/// Whether a path names a kustomization file.
pub fn is_kustomization(path: &str) -> bool {
    matches!(
        file_name(path),
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

fn is_yaml(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// `dir` (empty or ending in `/`) joined with a relative path, `.` and
/// `..` resolved; `None` for URLs and paths that leave the repository.
fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.contains("://") || rel.starts_with("github.com/") || rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A workload with a pod template, for the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// The manifest file.
    pub path: String,
    /// Its kind (`Deployment`, `CronJob`, …).
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The images of its containers, init containers first.
    pub images: Vec<String>,
}

/// What the kustomizations say about other files.
#[derive(Default)]
struct Kustomize {
    /// Files used as patches: partial objects, not checked as workloads.
    patch_files: BTreeSet<String>,
    /// Keys that patches set, by the name of the object they patch (`*`
    /// for patches that target by label or kind only).
    patched: BTreeMap<String, BTreeSet<String>>,
    /// Image names whose tag or digest a kustomization sets.
    images: BTreeSet<String>,
}

impl Kustomize {
    /// Whether a patch of object `name` sets any of `keys`.
    fn patches(&self, name: &str, keys: &[&str]) -> bool {
        [name, "*"].iter().any(|n| {
            self.patched
                .get(*n)
                .is_some_and(|set| keys.iter().any(|k| set.contains(*k)))
        })
    }
}

fn all_keys(node: &Node, out: &mut BTreeSet<String>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                out.insert(k.clone());
                all_keys(v, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| all_keys(i, out)),
        _ => {}
    }
}

/// `metadata.name`, else `metadata.generateName` with `*` for the part
/// the cluster fills in.
fn name_of(doc: &Node) -> String {
    let meta = doc.get("metadata");
    if let Some(name) = meta.and_then(|m| m.get("name")).and_then(Node::as_str) {
        return name.to_owned();
    }
    match meta
        .and_then(|m| m.get("generateName"))
        .and_then(Node::as_str)
    {
        Some(prefix) => format!("{prefix}*"),
        None => "(unnamed)".to_owned(),
    }
}

fn is_true(node: Option<&Node>) -> bool {
    node.is_some_and(|n| n.value == Value::Bool(true))
}

/// Whether a variable or key name says it holds a secret. Names that
/// point at a secret (`_FILE`, `_PATH`), name one (`_NAME`, `_REF`) or
/// describe a policy (`_LENGTH`, `_TTL`) are not.
fn secret_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace(['-', '.'], "_");
    let hint = [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|s| upper.contains(s));
    let pointer = [
        "_FILE",
        "_PATH",
        "_DIR",
        "_NAME",
        "_REF",
        "_LENGTH",
        "_TTL",
        "_EXPIRY",
        "_EXPIRES",
        "_URL",
        "_URI",
        "_ENDPOINT",
        "_HEADER",
        "_ENABLED",
        "_KEY_ID",
        "_ID",
        "_TIMEOUT",
        "_SECONDS",
        "_LIFETIME",
        "_AGE",
        "_TYPE",
        "_MODE",
    ]
    .iter()
    .any(|s| upper.ends_with(s));
    hint && !pointer
}

/// A value written in the file: not empty, not a reference to another
/// variable, not a number or boolean.
fn literal(value: &str) -> bool {
    let v = value.trim();
    !(v.is_empty()
        || v.starts_with('$')
        || v.contains("{{")
        || v.parse::<f64>().is_ok()
        || matches!(v, "true" | "false"))
}

/// A value left to be filled in: it repeats the variable's name
/// (`GOOGLE_API_KEY_VAL`), or reads `<…>`, `YOUR_…`, `REPLACE…`, `xxx`.
fn placeholder(name: &str, value: &str) -> bool {
    let v = value.trim().to_ascii_uppercase().replace('-', "_");
    let n = name.to_ascii_uppercase().replace(['-', '.'], "_");
    (!n.is_empty() && v.contains(&n))
        || (v.starts_with('<') && v.ends_with('>'))
        || ["YOUR_", "REPLACE", "XXX", "PLACEHOLDER"]
            .iter()
            .any(|p| v.contains(p))
}

/// An image reference that follows `latest`: no tag, or tag `latest`,
/// and no digest. Images named through a variable or template are not
/// judged.
fn unpinned(image: &str) -> bool {
    if image.contains('@') || image.contains('$') || image.contains("{{") || image.is_empty() {
        return false;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    matches!(last.split_once(':').map(|(_, t)| t), None | Some("latest"))
}

fn image_name(image: &str) -> &str {
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].find(':') {
        Some(i) => &image[..last_slash + i],
        None => image,
    }
}

/// Reads every Kubernetes file among `paths`; records the findings and
/// facts, and returns the workloads and charts for the inventory.
/// What the Kubernetes reader hands the rest of the collector.
pub(crate) struct Read {
    /// Deployable units for the inventory.
    pub deployables: Vec<String>,
    /// Manifests with a workload (`path (Deployment, Service)`), as in
    /// `deploy.kubernetes-manifests`: the ones that say how containers run.
    pub workload_manifests: Vec<String>,
}

pub(crate) fn collect(run: &mut Run<'_>, paths: &[String]) -> Read {
    let production: Vec<&String> = paths
        .iter()
        .filter(|p| classify(p) == FileClass::Production)
        .collect();
    let charts: Vec<&str> = production
        .iter()
        .filter(|p| file_name(p) == "Chart.yaml")
        .map(|p| parent(p))
        .collect();
    let infos: Vec<Chart> = charts.iter().map(|c| read_chart(run, c)).collect();
    // Charts unpacked from a remote repository into another chart's
    // charts/ directory: the dependency's own files, not the team's.
    let vendored: BTreeSet<&str> = infos
        .iter()
        .filter(|c| is_vendored(c, &infos))
        .map(|c| c.dir.as_str())
        .collect();
    let chart_of = |path: &str| -> Option<&str> {
        charts
            .iter()
            .filter(|c| path.starts_with(**c))
            .max_by_key(|c| c.len())
            .copied()
    };

    let mut kustomize = Kustomize::default();
    let mut kustomizations = Vec::new();
    for path in production.iter().filter(|p| is_kustomization(p)) {
        if let Some(summary) = read_kustomization(run, path, &mut kustomize) {
            kustomizations.push(summary);
        }
    }
    // Images Tilt builds for development clusters.
    for path in production.iter().filter(|p| file_name(p) == "Tiltfile") {
        if let Some(text) = run.read(path) {
            kustomize.images.extend(tilt_images(&text));
        }
    }
    // Images Skaffold builds and tags at deploy time.
    for path in production
        .iter()
        .filter(|p| matches!(file_name(p), "skaffold.yaml" | "skaffold.yml"))
    {
        let Some(docs) = run.read(path).and_then(|t| yaml::parse_documents(&t).ok()) else {
            continue;
        };
        for doc in &docs {
            let artifacts = doc
                .get("build")
                .and_then(|b| b.get("artifacts"))
                .map(Node::items)
                .unwrap_or_default();
            kustomize.images.extend(
                artifacts
                    .iter()
                    .filter_map(|a| a.get("image").and_then(Node::as_str).map(str::to_owned)),
            );
        }
    }

    // Every file under a chart's templates/, `_helpers.tpl` included.
    let mut templates: BTreeMap<String, usize> = BTreeMap::new();
    for chart in charts.iter().filter(|c| !vendored.contains(**c)) {
        let dir = format!("{chart}templates/");
        let n = paths.iter().filter(|p| p.starts_with(&dir)).count();
        if n > 0 {
            templates.insert(dir, n);
        }
    }
    let mut manifests = Vec::new();
    let mut workload_manifests = Vec::new();
    let mut workloads = Vec::new();
    let mut values_files = Vec::new();
    for path in &production {
        let path = path.as_str();
        if let Some(chart) = chart_of(path) {
            let rest = &path[chart.len()..];
            if rest.starts_with("templates/") {
                continue;
            }
            if !rest.contains('/') && rest.starts_with("values") && is_yaml(rest) {
                if !vendored.contains(chart) {
                    values_files.push(path);
                }
                continue;
            }
            if !rest.contains('/') {
                // Chart.yaml, Chart.lock, values.schema.json, README.
                continue;
            }
        }
        if !is_yaml(path)
            || is_kustomization(path)
            || kustomize.patch_files.contains(path)
            || crate::compose::is_compose_file(path)
            || crate::pipeline::ci_system(path).is_some()
            || path.starts_with(".github/")
        {
            continue;
        }
        let text = match run.read_text(path, MAX_MANIFEST_SIZE) {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            Err(reason) => {
                // Other large YAML files are not Kubernetes' business.
                if kube_dir(path) {
                    run.skipped(path, &reason);
                }
                continue;
            }
        };
        if !(text.contains("apiVersion") && text.contains("kind")) {
            continue;
        }
        let (docs, listed) = match read_stream(&text) {
            Ok(read) => read,
            Err(e) => {
                if text.contains("{{") {
                    templates.insert(path.to_owned(), 1);
                } else if looks_like_manifest(&text) {
                    run.malformed(path, e.line, e.column, &e.message);
                }
                continue;
            }
        };
        if text.contains("{{") && docs.iter().any(templated_name) {
            templates.insert(path.to_owned(), 1);
            continue;
        }
        let mut kinds: BTreeSet<String> = listed.into_iter().collect();
        let mut objects: Vec<&Node> = Vec::new();
        for doc in &docs {
            if doc.get("kind").and_then(Node::as_str) == Some("List") {
                if let Some(items) = doc.get("items") {
                    objects.extend(items.items());
                }
            } else {
                objects.push(doc);
            }
        }
        for doc in objects {
            let (Some(api), Some(kind)) = (
                doc.get("apiVersion").and_then(Node::as_str),
                doc.get("kind").and_then(Node::as_str),
            ) else {
                continue;
            };
            if api.starts_with("skaffold/") || api.starts_with("kustomize.config.k8s.io") {
                continue;
            }
            kinds.insert(kind.to_owned());
            if let Some(w) = check_object(run, path, kind, doc, &kustomize) {
                workloads.push(w);
            }
        }
        if !kinds.is_empty() {
            let workload = kinds.iter().any(|k| WORKLOAD_KINDS.contains(&k.as_str()));
            let kinds: Vec<String> = kinds.into_iter().collect();
            let entry = format!("{path} ({})", kinds.join(", "));
            if workload {
                workload_manifests.push(entry.clone());
            }
            manifests.push(entry);
        }
    }

    let mut chart_lines = Vec::new();
    let mut deployables = Vec::new();
    for chart in &infos {
        let dir = if chart.dir.is_empty() {
            "."
        } else {
            &chart.dir
        };
        let mut line = format!("{dir} ({} {}", chart.name, chart.version);
        if chart.library {
            line.push_str(", library");
        }
        if vendored.contains(chart.dir.as_str()) {
            line.push_str(", dependency: not analysed");
        }
        line.push(')');
        chart_lines.push(line);
    }
    for path in values_files {
        if let Some(image) = check_values(run, path) {
            deployables.push(format!("{path} (Helm values, image {image})"));
        }
    }
    let mut files: Vec<&str> = workloads.iter().map(|w| w.path.as_str()).collect();
    files.dedup();
    for file in files {
        let here: Vec<&Workload> = workloads.iter().filter(|w| w.path == file).collect();
        let names: Vec<String> = here
            .iter()
            .map(|w| format!("{} {}", w.kind, w.name))
            .collect();
        let mut images: Vec<&str> = here
            .iter()
            .flat_map(|w| w.images.iter().map(String::as_str))
            .collect();
        images.sort_unstable();
        images.dedup();
        deployables.push(format!(
            "{file} ({}; images {})",
            names.join(", "),
            images.join(", ")
        ));
    }
    if !manifests.is_empty() || !charts.is_empty() || !kustomizations.is_empty() {
        run.platform("kubernetes");
    }
    run.fact("deploy.kubernetes-manifests", Fact::list(manifests));
    run.fact("deploy.kustomizations", Fact::list(kustomizations));
    run.fact("deploy.helm-charts", Fact::list(chart_lines));
    run.fact(
        "deploy.kube-templates-not-analysed",
        Fact::list(templates.into_iter().map(|(p, n)| {
            if p.ends_with('/') {
                format!("{p} ({n} file{})", if n == 1 { "" } else { "s" })
            } else {
                p
            }
        })),
    );
    Read {
        deployables,
        workload_manifests,
    }
}

/// Kinds whose documents are parsed besides the [`WORKLOAD_KINDS`];
/// others (custom resource definitions, RBAC, Services) are listed by kind
/// without parsing, which keeps large bundles cheap.
const READ_KINDS: &[&str] = &["ConfigMap", "Secret", "List"];

/// The documents of a stream, split at `---` lines: each with the line it
/// starts on.
fn split_documents(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let (mut start, mut start_line, mut offset, mut line) = (0, 1u32, 0, 1u32);
    for l in text.split_inclusive('\n') {
        let t = l.trim_end();
        if (t == "---" || t.starts_with("--- ") || t.starts_with("---\t")) && offset > start {
            out.push((start_line, &text[start..offset]));
            start = offset;
            start_line = line;
        }
        offset += l.len();
        line += 1;
    }
    out.push((start_line, &text[start..]));
    out
}

/// A top-level scalar written as `key: value` at the start of a line.
fn top_level<'t>(doc: &'t str, key: &str) -> Option<&'t str> {
    doc.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?;
        let v = v.split(" #").next().unwrap_or(v).trim();
        Some(v.trim_matches(['"', '\'']))
    })
}

/// Reads a manifest stream: the parsed documents of the kinds in
/// [`WORKLOAD_KINDS`] and [`READ_KINDS`] (and of any kind not written
/// plainly), and the kinds of
/// the documents listed without parsing.
fn read_stream(text: &str) -> Result<(Vec<Node>, Vec<String>), yaml::YamlError> {
    let mut docs = Vec::new();
    let mut listed = Vec::new();
    for (first, chunk) in split_documents(text) {
        if let (Some(api), Some(kind)) = (top_level(chunk, "apiVersion"), top_level(chunk, "kind"))
            && !kind.is_empty()
            && !WORKLOAD_KINDS.contains(&kind)
            && !READ_KINDS.contains(&kind)
        {
            if !(api.starts_with("skaffold/") || api.starts_with("kustomize.config.k8s.io")) {
                listed.push(kind.to_owned());
            }
            continue;
        }
        let by = first - 1;
        let parsed = yaml::parse_documents(chunk).map_err(|mut e| {
            e.line = e.line.map(|l| l + by);
            e
        })?;
        for mut doc in parsed {
            shift(&mut doc, by);
            docs.push(doc);
        }
    }
    Ok((docs, listed))
}

/// Adds `by` to every known line of a tree.
fn shift(node: &mut Node, by: u32) {
    if node.line > 0 {
        node.line += by;
    }
    if node.key_line > 0 {
        node.key_line += by;
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| shift(i, by)),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| shift(v, by)),
        _ => {}
    }
}

/// A document whose `metadata.name` is a template expression (`{{ name }}`
/// parses as a mapping): the file is a template some tool renders.
fn templated_name(doc: &Node) -> bool {
    doc.get("metadata")
        .and_then(|m| m.get("name"))
        .is_some_and(|n| n.as_str().is_none_or(|s| s.contains("{{")))
}

/// Images a Tiltfile builds: the first argument of `docker_build(…)`,
/// `custom_build(…)` and their `…_with_restart` forms, when it is a
/// string literal.
fn tilt_images(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for call in ["docker_build", "custom_build"] {
        for (at, _) in text.match_indices(call) {
            let rest = &text[at + call.len()..];
            let rest = rest.strip_prefix("_with_restart").unwrap_or(rest);
            let Some(args) = rest.trim_start().strip_prefix('(') else {
                continue;
            };
            let args = args.trim_start();
            let Some(quote) = args.chars().next().filter(|c| matches!(c, '\'' | '"')) else {
                continue;
            };
            if let Some(end) = args[1..].find(quote) {
                out.push(args[1..=end].to_owned());
            }
        }
    }
    out
}

/// A Helm chart, from its `Chart.yaml`.
struct Chart {
    /// The chart's directory, empty or ending in `/`.
    dir: String,
    name: String,
    version: String,
    library: bool,
    /// Dependencies (`Chart.yaml`, or `requirements.yaml` of v1 charts)
    /// as (name, repository).
    dependencies: Vec<(String, String)>,
}

fn read_chart(run: &Run<'_>, dir: &str) -> Chart {
    let root = run
        .read(&format!("{dir}Chart.yaml"))
        .and_then(|t| yaml::parse(&t).ok());
    let field = |k: &str| {
        root.as_ref()
            .and_then(|r| r.get(k))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let requirements = run
        .read(&format!("{dir}requirements.yaml"))
        .and_then(|t| yaml::parse(&t).ok());
    let dependencies = [root.as_ref(), requirements.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("dependencies"))
        .flat_map(Node::items)
        .map(|d| {
            let text = |k: &str| d.get(k).and_then(Node::as_str).unwrap_or("").to_owned();
            (text("name"), text("repository"))
        })
        .collect();
    Chart {
        dir: dir.to_owned(),
        name: field("name"),
        version: field("version"),
        library: field("type") == "library",
        dependencies,
    }
}

/// Whether a chart sits in another chart's `charts/` directory and that
/// chart names it as a dependency from a remote repository (not
/// `file://`): then it was downloaded, not written by the team.
fn is_vendored(chart: &Chart, all: &[Chart]) -> bool {
    all.iter().any(|parent| {
        let prefix = format!("{}charts/", parent.dir);
        let Some(sub) = chart.dir.strip_prefix(&prefix) else {
            return false;
        };
        let sub = sub.trim_end_matches('/');
        !sub.contains('/')
            && parent.dependencies.iter().any(|(name, repo)| {
                (name == sub || *name == chart.name)
                    && !repo.is_empty()
                    && !repo.starts_with("file://")
            })
    })
}

/// A directory whose name says it holds Kubernetes files.
fn kube_dir(path: &str) -> bool {
    path.split('/').any(|p| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "k8s" | "kube" | "kubernetes" | "manifests" | "helm" | "charts" | "kustomize"
        )
    })
}

/// Both keys at the start of a line: a manifest, not a document that
/// mentions them.
fn looks_like_manifest(text: &str) -> bool {
    let starts = |key: &str| text.lines().any(|l| l.trim_start().starts_with(key));
    starts("apiVersion:") && starts("kind:")
}

/// Reads one kustomization: what it includes, its image overrides, its
/// patches; returns its line for `deploy.kustomizations`.
fn read_kustomization(run: &mut Run<'_>, path: &str, k: &mut Kustomize) -> Option<String> {
    let text = run.read_config(path)?;
    let root = match yaml::parse(&text) {
        Ok(root) => root,
        Err(e) => {
            run.malformed(path, e.line, e.column, &e.message);
            return None;
        }
    };
    let dir = parent(path);
    let list = |key: &str| -> Vec<String> { root.get(key).map(Node::strings).unwrap_or_default() };
    let mut resources = list("resources");
    resources.extend(list("bases"));
    resources.extend(list("components"));
    let mut patches = Vec::new();
    let mut inline = 0;
    // Strategic-merge patches by path (or inline), and `patches:` /
    // `patchesJson6902:` entries with a path or an inline patch.
    for p in root
        .get("patchesStrategicMerge")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(s) = p.as_str() {
            if s.contains('\n') {
                inline += 1;
                record_patch(k, s, None);
            } else {
                patches.push(s.to_owned());
                patch_file(run, k, dir, s, None);
            }
        }
    }
    for key in ["patches", "patchesJson6902"] {
        for p in root.get(key).map(Node::items).unwrap_or_default() {
            let target = p.get("target").map(|t| {
                t.get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("*")
                    .to_owned()
            });
            if let Some(s) = p.get("path").and_then(Node::as_str).or_else(|| p.as_str()) {
                patches.push(s.to_owned());
                patch_file(run, k, dir, s, target.as_deref());
            } else if let Some(s) = p.get("patch").and_then(Node::as_str) {
                inline += 1;
                record_patch(k, s, target.as_deref());
            }
        }
    }
    for image in root.get("images").map(Node::items).unwrap_or_default() {
        if (image.get("newTag").is_some() || image.get("digest").is_some())
            && let Some(name) = image.get("name").and_then(Node::as_str)
        {
            k.images.insert(name.to_owned());
        }
    }
    for generator in ["configMapGenerator", "secretGenerator"] {
        for g in root.get(generator).map(Node::items).unwrap_or_default() {
            let gen_name = g.get("name").and_then(Node::as_str).unwrap_or("(unnamed)");
            for lit in g.get("literals").map(Node::items).unwrap_or_default() {
                let Some((key, value)) = lit.as_str().and_then(|s| s.split_once('=')) else {
                    continue;
                };
                if secret_like(key) && literal(value) && !placeholder(key, value) {
                    let what = if generator == "secretGenerator" {
                        "secret generator"
                    } else {
                        "ConfigMap generator"
                    };
                    run.hit(Hit {
                        rule: "deploy.kube-configmap-secret",
                        severity: Severity::Medium,
                        confidence: Confidence::Medium,
                        path,
                        line: lit.line,
                        message: format!(
                            "The {what} {gen_name} writes {key} as a literal in the kustomization: whoever has the repository has the value"
                        ),
                        remediation: "Generate the secret from a file or env file kept out of git, or use an external secret store (Sealed Secrets, External Secrets, SOPS).",
                        excerpt: Some(key.to_owned()),
                        heuristic: true,
                    });
                }
            }
        }
    }
    let mut line = path.to_owned();
    let mut parts = Vec::new();
    if !resources.is_empty() {
        parts.push(format!("resources: {}", resources.join(", ")));
    }
    if inline > 0 {
        patches.push(format!("{inline} inline"));
    }
    if !patches.is_empty() {
        parts.push(format!("patches: {}", patches.join(", ")));
    }
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join("; ")));
    }
    Some(line)
}

/// Records what a patch file sets; the file is then not checked as a
/// workload of its own.
fn patch_file(run: &mut Run<'_>, k: &mut Kustomize, dir: &str, rel: &str, target: Option<&str>) {
    let Some(path) = join(dir, rel) else {
        return;
    };
    if let Some(text) = run.read(&path) {
        record_patch(k, &text, target);
    }
    k.patch_files.insert(path);
}

/// The keys a patch sets, under the name of the object it patches. A
/// JSON 6902 patch's `path:` segments count as keys.
fn record_patch(k: &mut Kustomize, text: &str, target: Option<&str>) {
    let Ok(docs) = yaml::parse_documents(text) else {
        return;
    };
    for doc in &docs {
        let mut keys = BTreeSet::new();
        all_keys(doc, &mut keys);
        for op in doc.items() {
            if let Some(p) = op.get("path").and_then(Node::as_str) {
                keys.extend(p.split('/').filter(|s| !s.is_empty()).map(str::to_owned));
            }
        }
        let name = target.map(str::to_owned).or_else(|| {
            doc.get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str)
                .map(str::to_owned)
        });
        k.patched
            .entry(name.unwrap_or_else(|| "*".to_owned()))
            .or_default()
            .extend(keys);
    }
}

/// The pod spec of a workload, by kind.
fn pod_spec<'n>(kind: &str, doc: &'n Node) -> Option<&'n Node> {
    let spec = doc.get("spec")?;
    match kind {
        "Pod" => Some(spec),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => spec.get("template")?.get("spec"),
        "CronJob" => spec
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec"),
        _ => None,
    }
}

/// Checks one object; returns it when it is a workload.
fn check_object(
    run: &mut Run<'_>,
    path: &str,
    kind: &str,
    doc: &Node,
    k: &Kustomize,
) -> Option<Workload> {
    let name = name_of(doc);
    match kind {
        "ConfigMap" => {
            check_config_map(run, path, &name, doc);
            return None;
        }
        "Secret" => {
            check_secret(run, path, &name, doc);
            return None;
        }
        _ => {}
    }
    let spec = pod_spec(kind, doc)?;
    let object = format!("{kind} {name}");
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if let Some(n) = spec.get(key).filter(|n| is_true(Some(n))) {
            let what = match key {
                "hostNetwork" => {
                    "the host's network: every port it opens is open on the node, and it reaches services bound to the node's localhost"
                }
                "hostPID" => {
                    "the host's process namespace: it sees and can signal every process on the node"
                }
                _ => "the host's IPC namespace: it can read shared memory of processes on the node",
            };
            run.hit(Hit {
                rule: "deploy.kube-host-namespace",
                severity: if key == "hostNetwork" {
                    Severity::Medium
                } else {
                    Severity::High
                },
                confidence: Confidence::High,
                path,
                line: n.key_line,
                message: format!("{object} shares {what}"),
                remediation: "Remove the setting; expose the pod through a Service, and give node-level agents their own reviewed exception.",
                excerpt: Some(format!("{key}: true")),
                heuristic: false,
            });
        }
    }
    for v in spec.get("volumes").map(Node::items).unwrap_or_default() {
        let Some(host) = v.get("hostPath") else {
            continue;
        };
        let dir = host.get("path").and_then(Node::as_str).unwrap_or("");
        let socket = dir.ends_with(".sock");
        run.hit(Hit {
            rule: "deploy.kube-host-path",
            severity: if socket || matches!(dir, "/" | "/etc" | "/proc" | "/sys" | "/var/run") {
                Severity::High
            } else {
                Severity::Medium
            },
            confidence: Confidence::High,
            path,
            line: host.key_line,
            message: format!(
                "{object} mounts the node's {dir} (volume {}){}",
                v.get("name").and_then(Node::as_str).unwrap_or("(unnamed)"),
                if socket {
                    ": whoever controls the pod controls the container runtime and the node"
                } else {
                    ": the pod reads or writes the node's files, and its data stays on one node"
                }
            ),
            remediation: "Use a PersistentVolumeClaim, a ConfigMap or an emptyDir; keep hostPath for node agents, read-only and reviewed.",
            excerpt: Some(format!("hostPath: {dir}")),
            heuristic: false,
        });
    }

    let pod_sc = spec.get("securityContext");
    let pod_user = pod_sc.and_then(|s| s.get("runAsUser"));
    let pod_non_root = is_true(pod_sc.and_then(|s| s.get("runAsNonRoot")));
    let long_running = LONG_RUNNING.contains(&kind);
    let mut images = Vec::new();
    for (list, init) in [("initContainers", true), ("containers", false)] {
        for c in spec.get(list).map(Node::items).unwrap_or_default() {
            let cname = c.get("name").and_then(Node::as_str).unwrap_or("(unnamed)");
            let who = format!(
                "{object}, {}container {cname},",
                if init { "init " } else { "" }
            );
            let sc = c.get("securityContext");
            let field = |key: &str| sc.and_then(|s| s.get(key));
            // A container without an image is a partial object (an
            // override merged elsewhere): what it lacks is not judged.
            let partial = c.get("image").is_none();
            let privileged = field("privileged").filter(|n| is_true(Some(n)));
            if let Some(p) = privileged {
                run.hit(Hit {
                    rule: "deploy.kube-privileged",
                    severity: Severity::High,
                    confidence: Confidence::High,
                    path,
                    line: p.key_line,
                    message: format!("{who} runs privileged: a process that escapes the application controls the node"),
                    remediation: "Remove `privileged: true`; add the single capability needed under `capabilities.add`, if any.",
                    excerpt: Some("privileged: true".to_owned()),
                    heuristic: false,
                });
            }
            match field("allowPrivilegeEscalation") {
                Some(n) if n.value == Value::Bool(false) => {}
                Some(n) if is_true(Some(n)) => run.hit(Hit {
                    rule: "deploy.kube-privilege-escalation",
                    severity: Severity::Medium,
                    confidence: Confidence::High,
                    path,
                    line: n.key_line,
                    message: format!("{who} sets allowPrivilegeEscalation: a process can gain more privileges than its parent (setuid binaries)"),
                    remediation: "Set `securityContext.allowPrivilegeEscalation: false`.",
                    excerpt: Some("allowPrivilegeEscalation: true".to_owned()),
                    heuristic: false,
                }),
                _ if privileged.is_none()
                    && !partial
                    && !drops_all(sc)
                    && !k.patches(&name, &["allowPrivilegeEscalation"]) =>
                {
                    run.hit(Hit {
                        rule: "deploy.kube-privilege-escalation",
                        severity: Severity::Low,
                        confidence: Confidence::Medium,
                        path,
                        line: c.line,
                        message: format!("{who} does not set allowPrivilegeEscalation: false, so setuid binaries in the image can gain privileges"),
                        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on the container.",
                        excerpt: None,
                        heuristic: true,
                    });
                }
                _ => {}
            }
            let user = field("runAsUser").or(pod_user);
            let non_root = match field("runAsNonRoot") {
                Some(n) => is_true(Some(n)),
                None => pod_non_root,
            };
            match user {
                Some(u) if u.as_str() == Some("0") => run.hit(Hit {
                    rule: "deploy.kube-run-as-root",
                    severity: Severity::Medium,
                    confidence: Confidence::High,
                    path,
                    line: u.key_line,
                    message: format!("{who} runs as root (runAsUser: 0)"),
                    remediation: "Run as an unprivileged user: `runAsUser` above 0 and `runAsNonRoot: true`.",
                    excerpt: Some("runAsUser: 0".to_owned()),
                    heuristic: false,
                }),
                Some(u) if u.as_str().is_some_and(|s| s.parse::<u64>().is_ok()) => {}
                _ if partial
                    || non_root
                    || k.patches(&name, &["runAsNonRoot", "runAsUser"]) => {}
                _ => run.hit(Hit {
                    rule: "deploy.kube-run-as-root",
                    severity: Severity::Medium,
                    confidence: Confidence::Medium,
                    path,
                    line: c.line,
                    message: format!("{who} sets neither runAsNonRoot nor a non-zero runAsUser (pod or container): it runs as the image's user, root for most images"),
                    remediation: "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's or the container's securityContext (and a USER in the image).",
                    excerpt: None,
                    heuristic: true,
                }),
            }
            let limits = c.get("resources").and_then(|r| r.get("limits"));
            if limits.and_then(|l| l.get("memory")).is_none()
                && !partial
                && !k.patches(&name, &["limits", "memory"])
            {
                let cpu = limits.and_then(|l| l.get("cpu")).is_some();
                run.hit(Hit {
                    rule: "deploy.kube-no-resource-limits",
                    severity: Severity::Low,
                    confidence: Confidence::High,
                    path,
                    line: c.get("resources").map_or(c.line, |r| r.key_line),
                    message: format!(
                        "{who} has no memory limit{}: one leak or load spike can starve the other pods on its node",
                        if cpu { "" } else { " (and no CPU limit)" }
                    ),
                    remediation: "Set `resources.requests` and `resources.limits.memory` from measured use (a namespace LimitRange gives defaults).",
                    excerpt: None,
                    heuristic: false,
                });
            }
            if let Some(i) = c.get("image")
                && let Some(image) = i.as_str()
            {
                images.push(image.to_owned());
                if unpinned(image) && !k.images.contains(image_name(image)) {
                    run.hit(Hit {
                        rule: "deploy.kube-unpinned-image",
                        severity: Severity::Low,
                        confidence: Confidence::High,
                        path,
                        line: i.key_line,
                        message: format!("{who} uses {image}, which follows `latest`: each pull may bring a different version, and a rollback may not return to the old one"),
                        remediation: "Pin the image to a version tag and a digest (`name:1.2.3@sha256:…`), or set `newTag` in the kustomization.",
                        excerpt: Some(format!("image: {image}")),
                        heuristic: false,
                    });
                }
            }
            for e in c.get("env").map(Node::items).unwrap_or_default() {
                let Some(var) = e.get("name").and_then(Node::as_str) else {
                    continue;
                };
                let Some(value) = e.get("value").and_then(Node::as_str) else {
                    continue;
                };
                if secret_like(var) && literal(value) && !placeholder(var, value) {
                    run.hit(Hit {
                        rule: "deploy.kube-env-secret",
                        severity: Severity::Medium,
                        confidence: Confidence::Medium,
                        path,
                        line: e.line,
                        message: format!("{who} sets {var} to a value written in the manifest: whoever has the repository has it"),
                        remediation: "Take it from a Secret (`valueFrom.secretKeyRef`), created outside git or from an external secret store.",
                        excerpt: Some(var.to_owned()),
                        heuristic: true,
                    });
                }
            }
            let probed = ["livenessProbe", "readinessProbe", "startupProbe"]
                .iter()
                .any(|p| c.get(p).is_some());
            if long_running
                && !init
                && !partial
                && !probed
                && !k.patches(&name, &["livenessProbe", "readinessProbe", "startupProbe"])
            {
                run.hit(Hit {
                    rule: "deploy.kube-no-probes",
                    severity: Severity::Low,
                    confidence: Confidence::Medium,
                    path,
                    line: c.line,
                    message: format!("{who} has neither a liveness nor a readiness probe: a hung process keeps running and keeps receiving traffic"),
                    remediation: "Add a `readinessProbe` (traffic only when ready) and a `livenessProbe` (restart when hung) on a health endpoint or command.",
                    excerpt: None,
                    heuristic: true,
                });
            }
        }
    }
    Some(Workload {
        path: path.to_owned(),
        kind: kind.to_owned(),
        name,
        images,
    })
}

/// Whether a security context drops every capability
/// (`capabilities.drop: [ALL]`): a setuid binary then gains no capability.
fn drops_all(sc: Option<&Node>) -> bool {
    sc.and_then(|s| s.get("capabilities"))
        .and_then(|c| c.get("drop"))
        .is_some_and(|d| d.strings().iter().any(|c| c.eq_ignore_ascii_case("all")))
}

fn check_config_map(run: &mut Run<'_>, path: &str, name: &str, doc: &Node) {
    for (key, value) in doc.get("data").map(Node::entries).unwrap_or_default() {
        if secret_like(key)
            && value
                .as_str()
                .is_some_and(|v| literal(v) && !placeholder(key, v))
        {
            run.hit(Hit {
                rule: "deploy.kube-configmap-secret",
                severity: Severity::Medium,
                confidence: Confidence::Medium,
                path,
                line: value.key_line,
                message: format!("ConfigMap {name} holds {key}: ConfigMaps are not secret (readable by anyone who can read the namespace's config, and stored in git here)"),
                remediation: "Move the value to a Secret created outside git or from an external secret store, and reference it with `secretKeyRef`.",
                excerpt: Some(key.clone()),
                heuristic: true,
            });
        }
    }
}

fn check_secret(run: &mut Run<'_>, path: &str, name: &str, doc: &Node) {
    for key in ["data", "stringData"] {
        let Some(data) = doc.get(key) else { continue };
        let filled = data
            .entries()
            .iter()
            .filter(|(k, v)| {
                v.as_str()
                    .is_some_and(|s| !s.trim().is_empty() && !placeholder(k, s))
            })
            .count();
        if filled == 0 {
            continue;
        }
        run.hit(Hit {
            rule: "deploy.kube-secret-manifest",
            severity: Severity::Medium,
            confidence: Confidence::Medium,
            path,
            line: data.key_line,
            message: format!("Secret {name} is committed with {filled} value(s) under {key}: base64 is an encoding, not encryption, and whoever has the repository has them"),
            remediation: "Keep Secret values out of git: create them in the cluster, or commit them encrypted (Sealed Secrets, SOPS) or as ExternalSecret references; rotate the committed ones.",
            excerpt: None,
            heuristic: false,
        });
        break;
    }
}

/// Checks a Helm values file for the well-known keys; returns the image
/// it names (`image.repository:tag`), if any.
fn check_values(run: &mut Run<'_>, path: &str) -> Option<String> {
    let text = run.read_config(path)?;
    let root = match yaml::parse(&text) {
        Ok(root) => root,
        Err(e) => {
            run.malformed(path, e.line, e.column, &e.message);
            return None;
        }
    };
    let mut keys = Vec::new();
    walk_values(run, path, &root, &mut keys);
    let image = root.get("image")?;
    let repo = image.get("repository").and_then(Node::as_str)?;
    Some(match image.get("tag").and_then(Node::as_str) {
        Some(tag) if !tag.is_empty() => format!("{repo}:{tag}"),
        _ => format!("{repo} (tag from the chart's appVersion)"),
    })
}

fn walk_values(run: &mut Run<'_>, path: &str, node: &Node, keys: &mut Vec<String>) {
    for (key, value) in node.entries() {
        keys.push(key.clone());
        let at = keys.join(".");
        let mut hit = |rule: &'static str, severity, message: String, remediation: &'static str| {
            run.hit(Hit {
                rule,
                severity,
                confidence: Confidence::Medium,
                path,
                line: value.key_line,
                message,
                remediation,
                excerpt: Some(at.clone()),
                heuristic: true,
            });
        };
        match key.as_str() {
            "privileged" if is_true(Some(value)) => hit(
                "deploy.kube-privileged",
                Severity::High,
                format!(
                    "Helm values set {at}: true: the chart's containers run privileged by default"
                ),
                "Set it to false in the values; grant the single capability needed, if any.",
            ),
            "allowPrivilegeEscalation" if is_true(Some(value)) => hit(
                "deploy.kube-privilege-escalation",
                Severity::Medium,
                format!("Helm values set {at}: true by default"),
                "Set it to false in the values.",
            ),
            "runAsUser" if value.as_str() == Some("0") => hit(
                "deploy.kube-run-as-root",
                Severity::Medium,
                format!("Helm values set {at}: 0: the chart runs as root by default"),
                "Set a non-zero runAsUser and runAsNonRoot: true in the values.",
            ),
            "hostNetwork" | "hostPID" | "hostIPC" if is_true(Some(value)) => hit(
                "deploy.kube-host-namespace",
                Severity::Medium,
                format!(
                    "Helm values set {at}: true: the chart's pods share a host namespace by default"
                ),
                "Set it to false in the values.",
            ),
            "tag"
                if keys.len() >= 2
                    && keys[keys.len() - 2].to_ascii_lowercase().ends_with("image")
                    && value.as_str() == Some("latest") =>
            {
                hit(
                    "deploy.kube-unpinned-image",
                    Severity::Low,
                    format!(
                        "Helm values set {at}: latest: each install may bring a different version"
                    ),
                    "Pin the tag to a version (or leave it empty to use the chart's appVersion).",
                )
            }
            "resources"
                if matches!(&value.value, Value::Map(_) | Value::Null)
                    && value.get("limits").and_then(|l| l.get("memory")).is_none()
                    && (value.entries().is_empty() || value.get("requests").is_some()) =>
            {
                hit(
                    "deploy.kube-no-resource-limits",
                    Severity::Low,
                    format!(
                        "Helm values leave {at} without a memory limit: unless the install sets one, the pods have none"
                    ),
                    "Give default requests and a memory limit in the values.",
                )
            }
            _ => {}
        }
        if matches!(value.value, Value::Map(_)) {
            walk_values(run, path, value, keys);
        }
        keys.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_paths_and_images() {
        assert!(is_kustomization("overlays/prod/kustomization.yaml"));
        assert!(!is_kustomization("kustomize.md"));
        assert_eq!(
            join("k8s/overlays/prod/", "../../base/app.yaml").as_deref(),
            Some("k8s/base/app.yaml")
        );
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a/", "https://example.com/x.yaml"), None);
        assert!(unpinned("nginx") && unpinned("nginx:latest") && unpinned("ghcr.io/a/b"));
        assert!(
            !unpinned("nginx:1.25")
                && !unpinned("localhost:5000/app:2")
                && !unpinned("a@sha256:00")
        );
        assert!(unpinned("localhost:5000/app"));
        assert_eq!(image_name("localhost:5000/app:2"), "localhost:5000/app");
        assert_eq!(image_name("nginx"), "nginx");
        assert!(
            secret_like("DB_PASSWORD")
                && secret_like("stripe-api-key")
                && secret_like("JWT_SECRET")
        );
        assert!(
            !secret_like("PASSWORD_FILE")
                && !secret_like("TOKEN_TTL")
                && !secret_like("SECRET_NAME")
        );
        assert!(literal("hunter2") && !literal("$(DB_PASS)") && !literal("3600") && !literal(""));
        assert!(
            placeholder("GOOGLE_API_KEY", "GOOGLE_API_KEY_VAL")
                && placeholder("db-password", "<db password>")
        );
        assert!(placeholder("TOKEN", "your-token-here") && !placeholder("DB_PASSWORD", "postgres"));
        let tilt = "docker_build(\n    'argocd-ui',\n    context='ui')\ndocker_build_with_restart(\"api\", '.')\ncustom_build(ref, 'make')\n";
        assert_eq!(tilt_images(tilt), ["argocd-ui", "api"]);
        let stream = "a: 1\n---\nkind: Service\napiVersion: v1\n--- # two\nkind: Pod\n";
        assert_eq!(
            split_documents(stream),
            [
                (1, "a: 1\n"),
                (2, "---\nkind: Service\napiVersion: v1\n"),
                (5, "--- # two\nkind: Pod\n")
            ]
        );
        let (docs, listed) = read_stream(stream).unwrap();
        assert_eq!(listed, ["Service"]);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].get("kind").unwrap().key_line, 6);
        let err = read_stream("kind: Pod\n---\nkind: Pod\nspec: [\n").unwrap_err();
        assert!(err.line.is_some_and(|l| l >= 4), "{err:?}");
    }
}
