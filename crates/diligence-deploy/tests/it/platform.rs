//! Platform configuration files and env files: every `deploy.platform-*`
//! rule and `deploy.env-client-secret-name` on files that must be flagged,
//! and on look-alikes that must not; the facts they feed.

use diligence_model::{Confidence, Evidence, Inventory, Severity};

use crate::{collect, hits, list, rules};

type Hit = (String, u32, Severity, Confidence);

fn at(path: &str, line: u32, severity: Severity, confidence: Confidence) -> Hit {
    (path.to_owned(), line, severity, confidence)
}

/// A `.env.local` written at test time: env files other than templates
/// are not committed, not even as fixtures.
fn flagged() -> anyhow::Result<Evidence> {
    let local = format!("# local\n{}=placeholder\n", "NEXT_PUBLIC_OPENAI_API_KEY");
    collect(Some("platform/flag"), &[(".env.local", local.as_str())])
}

#[test]
fn flags_platform_practices() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{Low, Medium};
    let ev = flagged()?;
    assert_eq!(
        hits(&ev, "deploy.platform-https-not-forced"),
        [at("app.yaml", 9, Medium, H), at("fly.toml", 12, Medium, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.platform-secret-in-config"),
        [
            at("app.yaml", 3, Medium, M),
            at("fly.toml", 6, Medium, M),
            at("render.yaml", 9, Medium, M)
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.platform-db-open"),
        [
            at("render.yaml", 21, Medium, H),
            at("render.yaml", 24, Medium, M)
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.platform-cors-wildcard"),
        [at("vercel.json", 10, Low, H)]
    );
    // Names only: no value of the files appears in any finding.
    for f in &ev.findings {
        let shown = format!("{} {:?}", f.message, f.excerpt);
        assert!(
            !shown.contains("not-a-real-value") && !shown.contains("placeholder"),
            "{shown}"
        );
    }
    let secret = ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "deploy.platform-secret-in-config")
        .expect("a secret-in-config finding");
    assert!(secret.tags.contains("heuristic") && secret.message.contains("API_TOKEN"));
    Ok(())
}

#[test]
fn flags_client_secret_names_in_env_files() -> anyhow::Result<()> {
    use Severity::{High, Medium};
    let ev = flagged()?;
    let m = Confidence::Medium;
    assert_eq!(
        hits(&ev, "deploy.env-client-secret-name"),
        [
            at(".env.example", 3, High, m),
            at(".env.example", 4, Medium, m),
            at(".env.example", 5, Medium, m)
        ]
    );
    let names: Vec<&str> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deploy.env-client-secret-name")
        .map(|f| f.message.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
            "NEXT_PUBLIC_OPENAI_API_KEY",
            "VITE_STRIPE_SECRET_KEY"
        ]
    );
    // One finding per name, naming every file that declares it.
    assert!(
        ev.findings
            .iter()
            .any(|f| f.message.contains("declared in .env.example, .env.local"))
    );
    assert_eq!(list(&ev, "deploy.env-examples"), [".env.example"]);
    Ok(())
}

#[test]
fn records_headers_health_checks_regions_and_inventory() -> anyhow::Result<()> {
    let ev = flagged()?;
    assert_eq!(
        list(&ev, "deploy.platform-security-headers"),
        [
            "Content-Security-Policy (netlify.toml)",
            "Referrer-Policy (firebase.json)",
            "Strict-Transport-Security (public/_headers)",
            "X-Content-Type-Options (vercel.json)",
            "X-Frame-Options/frame-ancestors (netlify.toml, public/_headers)"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.platform-cors"),
        [
            "* (vercel.json on /api/(.*))",
            "https://app.example.com (netlify.toml on /*)"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.health-checks"),
        [
            "fly.toml: HTTP GET /healthz",
            "railway.json: /up",
            "render.yaml: api: /health"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.regions"),
        [
            "fly.toml: ams (primary)",
            "render.yaml: frankfurt (api)",
            "render.yaml: frankfurt (db)",
            "vercel.json: fra1",
            "vercel.json: iad1"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.platform-crons"),
        ["vercel.json: /api/backup (0 3 * * *)"]
    );
    assert!(list(&ev, "deploy.platform-configs").contains(&"app.yaml (gcp)".to_owned()));
    let Some(Inventory::Table(table)) = ev.inventories.get("deployment") else {
        panic!("no deployment inventory");
    };
    let fly = table
        .rows
        .iter()
        .find(|r| r[1] == "fly.toml")
        .expect("a fly.toml row");
    assert_eq!(
        fly[0],
        "app shop-api; HTTP service on port 8080, min_machines_running 0; region ams (primary); health check HTTP GET /healthz"
    );
    // The functions folder is the one the source collector routes from.
    let netlify = table
        .rows
        .iter()
        .find(|r| r[1] == "netlify.toml")
        .expect("a netlify.toml row");
    assert_eq!(
        netlify[0],
        "site from dist; built by `npm run build`; functions in api/fns"
    );
    let procfile = table
        .rows
        .iter()
        .find(|r| r[1] == "Procfile")
        .expect("a Procfile row");
    assert_eq!(
        procfile[0],
        "web: gunicorn app:app; release: python manage.py migrate"
    );
    Ok(())
}

#[test]
fn look_alikes_are_not_flagged() -> anyhow::Result<()> {
    let ev = collect(Some("platform/clean"), &[])?;
    let found: Vec<String> = ev
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule, f.location))
        .collect();
    assert!(found.is_empty(), "{found:?}");
    // The example tree's fly.toml is listed, not judged; `config/app.yaml`
    // names no App Engine runtime.
    assert_eq!(
        list(&ev, "deploy.platform-configs"),
        [
            "app.yaml (gcp)",
            "examples/demo/fly.toml (fly)",
            "fly.toml (fly)",
            "render.yaml (render)",
            "vercel.json (vercel)"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.platform-cors"),
        ["https://app.example.com (vercel.json on /api/(.*))"]
    );
    // A report-only policy enforces nothing.
    assert!(list(&ev, "deploy.platform-security-headers").is_empty());
    assert_eq!(
        list(&ev, "deploy.health-checks"),
        ["fly.toml: TCP port 9090", "fly.toml: alive: http /healthz"]
    );
    assert_eq!(list(&ev, "deploy.env-examples"), [".env.example"]);
    Ok(())
}

#[test]
fn malformed_files_are_reported_and_the_scan_goes_on() -> anyhow::Result<()> {
    let ev = collect(Some("platform/malformed"), &[])?;
    let malformed: Vec<(String, u32)> = hits(&ev, "deploy.config-malformed")
        .into_iter()
        .map(|(p, l, _, _)| (p, l))
        .collect();
    assert_eq!(
        malformed,
        [
            ("fly.toml".to_owned(), 2),
            ("render.yaml".to_owned(), 2),
            ("vercel.json".to_owned(), 3)
        ]
    );
    for f in &ev.findings {
        if f.rule.as_str() == "deploy.config-malformed" {
            assert!(f.message.contains("column"), "{}", f.message);
        }
    }
    // The well-formed netlify.toml beside them is still read.
    assert_eq!(
        hits(&ev, "deploy.platform-cors-wildcard"),
        [at("netlify.toml", 4, Severity::Low, Confidence::High)]
    );
    assert_eq!(
        rules(&ev),
        ["deploy.config-malformed", "deploy.platform-cors-wildcard"]
    );
    Ok(())
}

#[test]
fn nothing_is_recorded_without_platform_files() -> anyhow::Result<()> {
    let ev = collect(None, &[("README.md", "# app\n")])?;
    for fact in [
        "deploy.platform-security-headers",
        "deploy.platform-cors",
        "deploy.health-checks",
        "deploy.regions",
    ] {
        assert!(!ev.facts.contains_key(fact), "{fact}");
    }
    assert!(list(&ev, "deploy.env-examples").is_empty());
    Ok(())
}

#[test]
fn app_engine_handlers_and_placeholders_by_degree() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::Low;
    let statics = "runtime: python312\nhandlers:\n  - url: /.*\n    script: auto\n    secure: always\n  - url: /static\n    static_dir: static\n";
    let bare = "runtime: nodejs20\ninstance_class: F1\n";
    let only_static =
        "runtime: go122\nhandlers:\n  - url: /img\n    static_dir: img\n    secure: always\n";
    let legacy_vm = "runtime: custom\nvm: true\n";
    let flexible = "runtime: python\nenv: flex\n";
    let fly = "app = \"{APP_NAME}\"\n[env]\n  ADMIN_PASSWORD = \"{YOUR_PASSWORD}\"\n[http_service]\n  internal_port = 8080\n";
    let ev = collect(
        None,
        &[
            ("web/app.yaml", statics),
            ("api/app.yaml", bare),
            ("img/app.yaml", only_static),
            ("legacy/app.yaml", legacy_vm),
            ("flex/app.yaml", flexible),
            ("fly.toml", fly),
        ],
    )?;
    assert_eq!(
        hits(&ev, "deploy.platform-https-not-forced"),
        [
            at("api/app.yaml", 1, Low, M),
            at("fly.toml", 4, Low, M),
            at("img/app.yaml", 2, Low, M),
            at("web/app.yaml", 6, Low, H)
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.platform-secret-in-config"),
        [at("fly.toml", 3, Low, M)]
    );
    let placeholder = ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "deploy.platform-secret-in-config")
        .expect("a finding");
    assert!(
        placeholder.message.contains("(a placeholder now)"),
        "{}",
        placeholder.message
    );
    Ok(())
}

#[test]
fn a_platform_health_check_answers_a_dockerfile_without_healthcheck() -> anyhow::Result<()> {
    let dockerfile = "FROM node:20.11.1-alpine3.19\nUSER node\nCMD [\"node\", \"server.js\"]\n";
    let fly = "app = \"api\"\n[http_service]\n  internal_port = 8080\n  force_https = true\n  [[http_service.checks]]\n    path = \"/healthz\"\n";
    let unchecked =
        "app = \"worker\"\n[http_service]\n  internal_port = 8080\n  force_https = true\n";
    let ev = collect(
        None,
        &[
            ("api/Dockerfile", dockerfile),
            ("api/fly.toml", fly),
            ("worker/Dockerfile", dockerfile),
            ("worker/fly.toml", unchecked),
        ],
    )?;
    let flagged: Vec<String> = hits(&ev, "deploy.docker-no-healthcheck")
        .into_iter()
        .map(|(p, ..)| p)
        .collect();
    assert_eq!(flagged, ["worker/Dockerfile"]);
    assert_eq!(
        list(&ev, "deploy.health-checks"),
        ["api/fly.toml: HTTP GET /healthz"]
    );
    Ok(())
}
