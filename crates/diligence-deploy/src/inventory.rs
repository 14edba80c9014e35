//! The deployment inventory: what is built, shipped by which pipeline,
//! from which trigger, to which platform.

use std::collections::BTreeMap;

use diligence_model::{FileClass, Table, classify};

use crate::ci::Deploy;
use crate::compose::Service;
use crate::dockerfile::Image;

/// Platform configuration files by name, with their platform.
const PLATFORM_FILES: &[(&str, &str)] = &[
    ("vercel.json", "vercel"),
    ("netlify.toml", "netlify"),
    ("fly.toml", "fly"),
    ("railway.json", "railway"),
    ("railway.toml", "railway"),
    ("render.yaml", "render"),
    ("procfile", "heroku"),
    ("app.json", "heroku"),
    ("serverless.yml", "serverless"),
    ("serverless.yaml", "serverless"),
    ("firebase.json", "firebase"),
    ("app.yaml", "gcp"),
    ("wrangler.toml", "cloudflare"),
    ("wrangler.json", "cloudflare"),
    ("wrangler.jsonc", "cloudflare"),
    ("amplify.yml", "aws"),
    ("apprunner.yaml", "aws"),
    ("samconfig.toml", "aws"),
    ("template.yaml", "aws"),
    ("cdk.json", "aws"),
    ("chart.yaml", "kubernetes"),
    ("skaffold.yaml", "kubernetes"),
    ("kustomization.yaml", "kubernetes"),
    ("pulumi.yaml", "pulumi"),
];

/// Platform configuration files among `paths`, each with its platform.
/// `app.json` counts for Heroku only when it names Heroku-style keys,
/// `template.yaml` only when it is a SAM template, and `app.yaml` only when
/// it names an App Engine `runtime`. Files of tests, templates, vendored
/// and generated trees are left out (the one file classifier decides).
pub fn platform_configs(
    paths: &[String],
    read: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut terraform = None;
    for path in paths {
        let lower = path.to_ascii_lowercase();
        if matches!(
            classify(path),
            FileClass::Test | FileClass::Template | FileClass::Vendored | FileClass::Generated
        ) {
            continue;
        }
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        if path == "supabase/config.toml" {
            out.push((path.clone(), "supabase"));
            continue;
        }
        if name.ends_with(".tf") && terraform.is_none() {
            terraform = Some(path.clone());
            continue;
        }
        let Some((_, platform)) = PLATFORM_FILES.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let confirmed = match name {
            "app.json" => read(path)
                .is_some_and(|t| t.contains("\"buildpacks\"") || t.contains("\"formation\"")),
            "template.yaml" => read(path).is_some_and(|t| t.contains("AWS::Serverless")),
            "app.yaml" => read(path).is_some_and(|t| t.lines().any(|l| l.starts_with("runtime:"))),
            _ => true,
        };
        if confirmed {
            out.push((path.clone(), *platform));
        }
    }
    if let Some(path) = terraform {
        out.push((path, "terraform"));
    }
    out.sort();
    out
}

/// What the repository builds to ship, one line each.
pub fn deployables(images: &[Image], services: &[Service]) -> Vec<String> {
    let mut out: Vec<String> = images
        .iter()
        .map(|i| format!("{} (image from {}, runs as {})", i.path, i.base, i.user))
        .collect();
    let mut files: Vec<&str> = services.iter().map(|s| s.path.as_str()).collect();
    files.dedup();
    for file in files {
        let names: Vec<&str> = services
            .iter()
            .filter(|s| s.path == file)
            .map(|s| s.name.as_str())
            .collect();
        out.push(format!("{file} (services {})", names.join(", ")));
    }
    out
}

/// Platforms that run a container image built from a Dockerfile.
const RUNS_IMAGES: &[&str] = &[
    "container-registry",
    "fly",
    "gcp",
    "aws",
    "azure",
    "kubernetes",
    "railway",
    "heroku",
];

/// The `deployment` table: one row per deploying job, per Dockerfile no
/// job ships and per platform configuration file, described by what the
/// file deploys, its regions and health checks when it was read.
pub fn table(
    deploys: &[Deploy],
    images: &[Image],
    configs: &[(String, &'static str)],
    described: &BTreeMap<String, crate::platform::Described>,
) -> Table {
    let mut rows = Vec::new();
    let single_image = (images.len() == 1).then(|| images[0].path.as_str());
    let mut shipped = Vec::new();
    for d in deploys {
        let built = match single_image {
            Some(path) if d.platforms.iter().any(|p| RUNS_IMAGES.contains(p)) => {
                shipped.push(path);
                path.to_owned()
            }
            _ => String::new(),
        };
        rows.push(vec![
            d.what.join("; "),
            built,
            format!("{}#{}", d.path, d.job),
            d.trigger.clone(),
            d.platforms.join(", "),
        ]);
    }
    for i in images {
        if shipped.contains(&i.path.as_str()) {
            continue;
        }
        rows.push(vec![
            format!("container image (from {}, runs as {})", i.base, i.user),
            i.path.clone(),
            "no pipeline job found".to_owned(),
            String::new(),
            String::new(),
        ]);
    }
    for (path, platform) in configs {
        rows.push(vec![
            described
                .get(path)
                .map_or_else(|| "platform configuration".to_owned(), |d| d.summary()),
            path.clone(),
            "the platform (its git integration or CLI)".to_owned(),
            String::new(),
            (*platform).to_owned(),
        ]);
    }
    Table {
        title: "What is built and shipped, by which pipeline, to which platform".to_owned(),
        columns: ["What", "Built from", "Shipped by", "Trigger", "To"]
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        rows,
    }
}
