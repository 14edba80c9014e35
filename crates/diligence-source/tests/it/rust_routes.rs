//! Routes of the Rust web stacks (axum, actix-web, Rocket) on the fixture
//! apps: paths, handlers, guards and validation, and the findings.

use diligence_model::{Confidence, Severity};
use diligence_source::routes::{RouteGuard, routes};

use crate::{evidence_of, fixture, found, model_of};

/// A route as (method, path, handler, guard with its confidence,
/// validation).
type Row = (String, String, String, String, String);

fn rows(name: &str) -> anyhow::Result<Vec<Row>> {
    let model = model_of(&fixture(name))?;
    Ok(routes(&model)
        .into_iter()
        .map(|r| {
            let guard = match &r.guard {
                RouteGuard::Caller {
                    check, confidence, ..
                } => format!("{check} [{confidence:?}]"),
                _ => "none".to_owned(),
            };
            (
                r.method.clone(),
                r.path.clone(),
                r.handler(),
                guard,
                r.validation.clone().unwrap_or_default(),
            )
        })
        .collect())
}

fn row(m: &str, p: &str, h: &str, g: &str, v: &str) -> Row {
    (m.into(), p.into(), h.into(), g.into(), v.into())
}

/// Findings at medium or above.
fn serious(name: &str) -> anyhow::Result<Vec<(String, String, u32)>> {
    let evidence = evidence_of(name)?;
    Ok(evidence
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium && f.confidence >= Confidence::Medium)
        .map(|f| {
            (
                f.rule.to_string(),
                f.location.path.clone().unwrap_or_default(),
                f.location.line.unwrap_or(0),
            )
        })
        .collect())
}

#[test]
fn axum_routes_follow_nests_layers_and_extractors() -> anyhow::Result<()> {
    let session = "from_fn(auth::require_session) (by name) [Low]";
    assert_eq!(
        rows("axum/vulnerable")?,
        [
            row("GET", "/orders", "src/handlers/orders.rs:12", session, ""),
            // Added after the layer: not covered by it.
            row(
                "DELETE",
                "/orders/:id",
                "src/handlers/orders.rs:20",
                "none",
                ""
            ),
            row("POST", "/reports", "src/handlers/orders.rs:34", "none", ""),
            row(
                "POST",
                "/admin/users",
                "src/handlers/users.rs:16",
                "none",
                ""
            ),
            row(
                "DELETE",
                "/admin/users/:id",
                "src/handlers/users.rs:28",
                "none",
                ""
            ),
            row("GET", "/", "src/main.rs:29", session, ""),
        ]
    );
    let layer = "from_fn(auth::require_user) → claims → decode [High]";
    let admin = "AdminUser extractor → parts.headers.get [High]";
    assert_eq!(
        rows("axum/sound")?,
        [
            row("POST", "/login", "src/auth.rs:55", "none", ""),
            row("GET", "/orders", "src/handlers/orders.rs:11", layer, ""),
            row(
                "DELETE",
                "/orders/:id",
                "src/handlers/orders.rs:19",
                layer,
                ""
            ),
            row("POST", "/reports", "src/handlers/orders.rs:28", layer, ""),
            row(
                "POST",
                "/admin/users",
                "src/handlers/users.rs:20",
                admin,
                "validator"
            ),
            row(
                "DELETE",
                "/admin/users/:id",
                "src/handlers/users.rs:37",
                admin,
                ""
            ),
            row("GET", "/", "src/main.rs:35", "none", ""),
        ]
    );
    let evidence = evidence_of("axum/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/handlers/orders.rs", Some(20), Confidence::Medium),
            ("src/handlers/orders.rs", Some(34), Confidence::Medium),
            ("src/handlers/users.rs", Some(16), Confidence::Medium),
            ("src/handlers/users.rs", Some(28), Confidence::Medium),
        ]
    );
    assert_eq!(serious("axum/sound")?, []);
    Ok(())
}

#[test]
fn actix_routes_follow_scopes_and_wrap() -> anyhow::Result<()> {
    assert_eq!(
        rows("actix/vulnerable")?,
        [
            row("POST", "/api/notes", "src/main.rs:9", "none", ""),
            row("DELETE", "/api/notes/{id}", "src/main.rs:16", "none", ""),
            row("GET", "/health", "src/main.rs:26", "none", ""),
        ]
    );
    let bearer = "HttpAuthentication::bearer(auth::validator) → decode [High]";
    assert_eq!(
        rows("actix/sound")?,
        [
            row("POST", "/api/notes", "src/main.rs:14", bearer, "validator"),
            row("DELETE", "/api/notes/{id}", "src/main.rs:27", bearer, ""),
            row("GET", "/health", "src/main.rs:37", "none", ""),
        ]
    );
    let evidence = evidence_of("actix/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/main.rs", Some(9), Confidence::Medium),
            ("src/main.rs", Some(16), Confidence::Medium),
        ]
    );
    assert_eq!(
        found(&evidence, "source.sql-injection"),
        [("src/main.rs", Some(12), Confidence::High)]
    );
    assert_eq!(serious("actix/sound")?, []);
    Ok(())
}

#[test]
fn rocket_routes_join_mounts_and_read_request_guards() -> anyhow::Result<()> {
    assert_eq!(
        rows("rocket/vulnerable")?,
        [
            row("GET", "/", "src/main.rs:6", "none", ""),
            row("POST", "/posts", "src/posts.rs:10", "none", ""),
            row("DELETE", "/posts/<id>", "src/posts.rs:16", "none", ""),
        ]
    );
    let user = "User extractor → request.cookies().get_private().and_then [High]";
    assert_eq!(
        rows("rocket/sound")?,
        [
            row("GET", "/", "src/main.rs:7", "none", ""),
            row("POST", "/posts", "src/posts.rs:12", user, ""),
            row("DELETE", "/posts/<id>", "src/posts.rs:18", user, ""),
        ]
    );
    let evidence = evidence_of("rocket/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/posts.rs", Some(10), Confidence::Medium),
            ("src/posts.rs", Some(16), Confidence::Medium),
        ]
    );
    assert_eq!(
        found(&evidence, "source.sql-injection"),
        [("src/posts.rs", Some(18), Confidence::High)]
    );
    assert_eq!(serious("rocket/sound")?, []);
    Ok(())
}

#[test]
fn rust_injection_needs_built_sql_and_request_input() -> anyhow::Result<()> {
    let evidence = evidence_of("axum/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.sql-injection"),
        [
            // Bound to a variable with format!, then passed.
            ("src/handlers/users.rs", Some(24), Confidence::High),
            // format! in place, from a path parameter.
            ("src/handlers/users.rs", Some(29), Confidence::High),
        ]
    );
    assert_eq!(
        found(&evidence, "source.command-injection"),
        [("src/handlers/orders.rs", Some(37), Confidence::High)]
    );
    // The sound app formats only a constant table name, binds its values
    // and runs a fixed command.
    let evidence = evidence_of("axum/sound")?;
    assert_eq!(found(&evidence, "source.sql-injection"), []);
    assert_eq!(found(&evidence, "source.command-injection"), []);
    Ok(())
}

#[test]
fn cargo_manifests_name_the_rust_stacks() -> anyhow::Result<()> {
    for (name, framework) in [
        ("axum/sound", "axum"),
        ("actix/sound", "actix-web"),
        ("rocket/sound", "Rocket"),
    ] {
        let model = model_of(&fixture(name))?;
        assert!(model.stacks.frameworks.contains(framework), "{name}");
        // Rust files and these routes are read: nothing is left unread.
        assert!(
            model.stacks.not_analysed.is_empty(),
            "{name}: {:?}",
            model.stacks.not_analysed
        );
    }
    Ok(())
}

#[test]
fn extractor_look_alikes_are_no_caller_check() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("src"))?;
    std::fs::write(
        temp.path().join("src/main.rs"),
        r#"use axum::{routing::post, Router, http::{request::Parts, StatusCode}, extract::FromRequestParts};

/// Reads a request id: a header, but no credential.
pub struct RequestId(String);

impl<S> FromRequestParts<S> for RequestId {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        let id = parts.headers.get("x-request-id").ok_or(StatusCode::BAD_REQUEST)?;
        Ok(Self(id.to_str().unwrap_or("").to_owned()))
    }
}

async fn tagged(_id: RequestId) {}
async fn named(_user: CurrentUser) {}
async fn optional(_user: Option<CurrentUser>) {}

fn main() {
    let _app: Router = Router::new()
        .route("/tagged", post(tagged))
        .route("/named", post(named))
        .route("/optional", post(optional));
}
"#,
    )?;
    let model = model_of(temp.path())?;
    let guards: Vec<(String, String)> = routes(&model)
        .into_iter()
        .map(|r| {
            let guard = match r.guard {
                RouteGuard::Caller {
                    check, confidence, ..
                } => format!("{check} [{confidence:?}]"),
                _ => "none".to_owned(),
            };
            (r.path, guard)
        })
        .collect();
    assert_eq!(
        guards,
        [
            ("/tagged".to_owned(), "none".to_owned()),
            // No implementation in the crate: the name alone, low.
            (
                "/named".to_owned(),
                "CurrentUser extractor (by name) [Low]".to_owned()
            ),
            ("/optional".to_owned(), "none".to_owned()),
        ]
    );
    Ok(())
}
