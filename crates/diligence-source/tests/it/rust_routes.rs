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
    let layer = "from_fn(auth::require_user) → claims → decode [Medium]";
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
