//! Express on both sides: routes registered on an app and on a router
//! mounted from another file, guarded (or not) by middleware in source
//! order.

use diligence_model::{Confidence, Severity};

use crate::nextjs::routes;
use crate::{evidence_of, found};

fn row(cells: [&str; 5]) -> [String; 5] {
    cells.map(str::to_owned)
}

#[test]
fn vulnerable_routes_and_the_mounted_router_are_unguarded() -> anyhow::Result<()> {
    let evidence = evidence_of("express/vulnerable")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/api/orders/:id",
                "none",
                "none seen",
                "src/app.js:27"
            ]),
            row(["GET", "/api/fetch", "none", "none seen", "src/app.js:32"]),
            row(["GET", "/api/search", "none", "none seen", "src/app.js:17"]),
            row(["GET", "/logout", "none", "none seen", "src/app.js:37"]),
            // Only the name suggests a check: its body verifies nothing.
            row([
                "POST",
                "/api/admin/reindex",
                "caller check `isLoggedIn (by name)`",
                "none seen",
                "src/app.js:22"
            ]),
            row(["POST", "/api/login", "none", "none seen", "src/app.js:12"]),
            row([
                "PUT",
                "/api/users/:id",
                "none",
                "none seen",
                "src/routes/users.js:6"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/app.js", Some(27), Confidence::Medium),
            ("src/routes/users.js", Some(6), Confidence::Medium),
        ]
    );
    assert!(
        evidence
            .findings
            .iter()
            .filter(|f| f.rule.as_str() == "source.route-unguarded")
            .all(|f| f.severity == Severity::High)
    );
    Ok(())
}

#[test]
fn sound_routes_are_guarded_by_verified_middleware_in_order() -> anyhow::Result<()> {
    let evidence = evidence_of("express/sound")?;
    let via = "caller check `requireUser → jwt.verify` via src/middleware/auth.js";
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/api/orders/:id",
                via,
                "none seen",
                "src/app.js:41"
            ]),
            row(["GET", "/api/fetch", via, "none seen", "src/app.js:46"]),
            row(["GET", "/api/search", via, "zod", "src/app.js:30"]),
            // Registered before `app.use(requireUser)`: public by design.
            row(["GET", "/logout", "none", "none seen", "src/app.js:22"]),
            row([
                "POST",
                "/api/admin/reindex",
                via,
                "none seen",
                "src/app.js:36"
            ]),
            row(["POST", "/api/login", "none", "none seen", "src/app.js:17"]),
            row([
                "PUT",
                "/api/users/:id",
                "caller check `checkJwt = auth` via src/app.js",
                "none seen",
                "src/routes/users.js:6"
            ]),
        ]
    );
    let serious: Vec<(&str, String)> = evidence
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium && f.confidence >= Confidence::Medium)
        .map(|f| (f.rule.as_str(), f.location.to_string()))
        .collect();
    assert_eq!(serious, Vec::<(&str, String)>::new());
    Ok(())
}

#[test]
fn middleware_after_a_route_does_not_guard_it() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("server.js"),
        "const express = require('express');\n\
         const passport = require('passport');\n\
         const app = express();\n\
         app.post('/early', (req, res) => res.end());\n\
         app.post('/inline', passport.authenticate('jwt', { session: false }), (req, res) => res.end());\n\
         app.use(passport.authenticate('jwt', { session: false }));\n\
         app.post('/late', (req, res) => res.end());\n\
         app.get('env');\n",
    )?;
    let mut evidence = crate::model_of(temp.path())?.evidence();
    evidence.normalise();
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("server.js", Some(4), Confidence::Medium)]
    );
    let rows = routes(&evidence);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][2], "caller check `passport.authenticate`");
    assert_eq!(rows[2][2], "caller check `passport.authenticate`");
    Ok(())
}

#[test]
fn planted_identity_and_injection_problems_are_found_where_they_are() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Low, Medium};
    let hit = |rule: &str, path: &str, line: u32, severity, confidence| {
        (rule.to_owned(), path.to_owned(), line, severity, confidence)
    };
    let evidence = evidence_of("express/vulnerable")?;
    assert_eq!(
        crate::planted(&evidence),
        [
            // `/api/admin/reindex` serves staff, and no second factor is
            // seen: a low hardening note.
            hit(
                "source.admin-without-second-factor",
                "src/app.js",
                22,
                Low,
                Confidence::Low
            ),
            hit("source.command-injection", "src/app.js", 23, High, M),
            hit(
                "source.jwt-decode-unverified",
                "src/tokens.js",
                4,
                Medium,
                M
            ),
            hit("source.jwt-literal-secret", "src/app.js", 13, High, H),
            hit("source.jwt-no-expiry", "src/app.js", 13, Low, M),
            hit("source.jwt-no-expiry", "src/tokens.js", 9, Low, M),
            hit("source.jwt-none-alg", "src/tokens.js", 9, High, H),
            hit("source.open-redirect", "src/app.js", 38, Medium, M),
            hit("source.sql-injection", "src/app.js", 18, High, M),
            hit("source.ssrf", "src/app.js", 33, Medium, M),
        ]
    );
    // The sound app still has an admin route and no second factor: only
    // that low note, nothing at medium or above.
    let sound = evidence_of("express/sound")?;
    assert_eq!(
        crate::planted(&sound),
        [hit(
            "source.admin-without-second-factor",
            "src/app.js",
            36,
            Low,
            Confidence::Low
        )]
    );
    assert_eq!(
        sound
            .facts
            .get("source.identity-providers")
            .map(|f| f.value.to_string())
            .as_deref(),
        Some("Auth0, custom JWT")
    );
    Ok(())
}

#[test]
fn a_member_of_an_imported_middleware_table_is_read_through_its_binding() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("auth.js"),
        "import { expressjwt } from 'express-jwt';\n\
         const auth = {\n\
           required: expressjwt({ secret: process.env.KEY, algorithms: ['HS256'] }),\n\
           optional: expressjwt({ secret: process.env.KEY, algorithms: ['HS256'], credentialsRequired: false }),\n\
         };\n\
         export default auth;\n",
    )?;
    std::fs::write(
        temp.path().join("routes.js"),
        "import { Router } from 'express';\n\
         import auth from './auth';\n\
         const router = Router();\n\
         router.post('/articles', auth.required, (req, res) => res.end());\n\
         router.put('/articles/:id', auth.optional, (req, res) => res.end());\n\
         export default router;\n",
    )?;
    let mut evidence = crate::model_of(temp.path())?.evidence();
    evidence.normalise();
    let rows = routes(&evidence);
    assert_eq!(
        rows[0][2],
        "caller check `auth.required = expressjwt` via auth.js"
    );
    // Optional credentials let anyone through: no guard.
    assert_eq!(rows[1][2], "none");
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("routes.js", Some(5), Confidence::Medium)]
    );
    Ok(())
}
