//! Admin routes and second factors, on both sides: admin routes with no
//! enforced second factor are flagged; an enforced one, or no admin at
//! all, is not.

use diligence_model::{Confidence, Evidence};
use diligence_source::SupabaseConfig;

use crate::{evidence_of_files as evidence, found};

fn fact(evidence: &Evidence, name: &str) -> String {
    evidence
        .facts
        .get(name)
        .map(|f| f.value.to_string())
        .unwrap_or_default()
}

const ADMIN_SERVER: &str = "import express from 'express';\n\
     import { requireAdmin } from './auth';\n\
     const app = express();\n\
     app.get('/health', (req, res) => res.send('ok'));\n\
     app.delete('/admin/users/:id', requireAdmin, async (req, res) => { await db.users.delete(req.params.id); res.end(); });\n";

const AUTH_HELPER: &str = "import jwt from 'jsonwebtoken';\n\
     export function requireAdmin(req: any, res: any, next: any) {\n\
     \x20 const claims: any = jwt.verify(req.headers.authorization, process.env.JWT_SECRET!, { algorithms: ['HS256'] });\n\
     \x20 if (claims.role !== 'admin') return res.status(403).end();\n\
     \x20 next();\n\
     }\n";

#[test]
fn admin_routes_without_an_enforced_second_factor_are_flagged() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0" } }"#,
        ),
        ("server/app.ts", ADMIN_SERVER),
        ("server/auth.ts", AUTH_HELPER),
    ])?;
    assert_eq!(
        found(&evidence, "source.admin-without-second-factor"),
        [("server/app.ts", Some(5), Confidence::Low)]
    );
    assert_eq!(fact(&evidence, "source.admin-routes"), "1");
    assert_eq!(fact(&evidence, "source.second-factor-enforced"), "no");
    assert_eq!(fact(&evidence, "source.second-factor"), "not seen");
    Ok(())
}

#[test]
fn a_factor_checked_only_in_the_browser_is_offered_not_enforced() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0" } }"#,
        ),
        ("web/vite.config.ts", "export default {};\n"),
        ("server/app.ts", ADMIN_SERVER),
        ("server/auth.ts", AUTH_HELPER),
        (
            "web/src/pages/Mfa.tsx",
            "import { supabase } from '../supabase';\n\
             export async function enrol() { return supabase.auth.mfa.enroll({ factorType: 'totp' }); }\n\
             export async function level() { return supabase.auth.mfa.getAuthenticatorAssuranceLevel(); }\n",
        ),
    ])?;
    let flagged = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.admin-without-second-factor")
        .expect("finding");
    assert_eq!(flagged.confidence, Confidence::Low);
    assert_eq!(flagged.severity, diligence_model::Severity::Low);
    assert!(
        flagged.message.contains("offered but no check"),
        "{}",
        flagged.message
    );
    assert_eq!(
        fact(&evidence, "source.second-factor"),
        "offered, not enforced"
    );
    Ok(())
}

#[test]
fn a_factor_enforced_on_the_server_or_in_policies_clears_admin_routes() -> anyhow::Result<()> {
    let server_check = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0" } }"#,
        ),
        ("server/app.ts", ADMIN_SERVER),
        (
            "server/auth.ts",
            "import { createClient } from '@supabase/supabase-js';\n\
             export async function requireAdmin(req: any, res: any, next: any) {\n\
             \x20 const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!);\n\
             \x20 const { data } = await supabase.auth.getUser(req.headers.authorization);\n\
             \x20 const { data: level } = await supabase.auth.mfa.getAuthenticatorAssuranceLevel();\n\
             \x20 if (!data.user || level?.currentLevel !== 'aal2') return res.status(403).end();\n\
             \x20 next();\n\
             }\n",
        ),
    ])?;
    assert_eq!(
        found(&server_check, "source.admin-without-second-factor"),
        []
    );
    assert_eq!(fact(&server_check, "source.second-factor"), "enforced");

    let policy = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0" } }"#,
        ),
        ("server/app.ts", ADMIN_SERVER),
        ("server/auth.ts", AUTH_HELPER),
        (
            "supabase/migrations/20240101000000_admin.sql",
            "create table public.audit (id bigint primary key);\n\
             alter table public.audit enable row level security;\n\
             create policy \"staff read\" on public.audit for select to authenticated\n\
             \x20 using ((auth.jwt() ->> 'aal') = 'aal2');\n",
        ),
    ])?;
    assert_eq!(found(&policy, "source.admin-without-second-factor"), []);
    Ok(())
}

#[test]
fn hosted_providers_and_apps_without_admin_are_not_flagged() -> anyhow::Result<()> {
    let hosted = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0", "@clerk/express": "^1.0.0" } }"#,
        ),
        ("server/app.ts", ADMIN_SERVER),
        (
            "server/auth.ts",
            "import { getAuth } from '@clerk/express';\n\
             export function requireAdmin(req: any, res: any, next: any) {\n\
             \x20 const auth = getAuth(req);\n\
             \x20 if (auth.sessionClaims?.role !== 'admin') return res.status(403).end();\n\
             \x20 next();\n\
             }\n",
        ),
    ])?;
    // The provider's settings decide: no finding, and the fact says so.
    assert_eq!(found(&hosted, "source.admin-without-second-factor"), []);
    assert_eq!(
        fact(&hosted, "source.second-factor"),
        "left to the identity provider"
    );

    let none = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0" } }"#,
        ),
        (
            "server/app.ts",
            "import express from 'express';\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\n",
        ),
    ])?;
    assert_eq!(found(&none, "source.admin-without-second-factor"), []);
    assert_eq!(fact(&none, "source.admin-surface"), "0");
    Ok(())
}

#[test]
fn supabase_config_names_the_factors_it_enables() {
    let config = SupabaseConfig::parse(
        "[auth.mfa]\nmax_enrolled_factors = 10\n\
         [auth.mfa.totp]\nenroll_enabled = true\nverify_enabled = true\n\
         [auth.mfa.phone]\nenroll_enabled = false\nverify_enabled = false\n",
    );
    assert_eq!(config.mfa, ["TOTP"]);
    assert!(
        SupabaseConfig::parse("[auth]\nenabled = true\n")
            .mfa
            .is_empty()
    );
}
