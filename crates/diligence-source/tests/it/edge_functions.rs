//! Supabase edge functions on both sides: the vulnerable app is flagged at
//! the right places, the sound look-alikes are not.

use diligence_model::{Confidence, FactValue, Inventory, Severity};

use crate::{evidence_of, found};

const UPDATE: &str = "supabase/functions/update-profile/index.ts";

#[test]
fn vulnerable_app_is_flagged_at_the_handler_and_the_query() -> anyhow::Result<()> {
    let evidence = evidence_of("vulnerable")?;
    // The page that calls `update-profile` reads the session and sends the
    // user's own id: the function is guarded only in the interface, which
    // replaces the plain "unauthenticated" finding.
    assert_eq!(
        found(&evidence, "source.route-guarded-only-in-ui"),
        [(UPDATE, Some(7), Confidence::High)]
    );
    assert_eq!(found(&evidence, "source.edge-function-unauthenticated"), []);
    assert_eq!(
        found(&evidence, "source.service-role-on-request-ids"),
        [(UPDATE, Some(16), Confidence::High)]
    );
    assert_eq!(
        found(&evidence, "source.edge-function-no-caller-check"),
        [(
            "supabase/functions/send-invoice/index.ts",
            Some(8),
            Confidence::Medium
        )]
    );
    let unauthenticated = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.route-guarded-only-in-ui")
        .expect("finding");
    assert!(
        unauthenticated.message.contains("src/App.tsx:8")
            && unauthenticated.message.contains("supabase.auth.getSession")
            && unauthenticated.message.contains("sends the user's own id")
            && unauthenticated.message.contains("verify_jwt off"),
        "{}",
        unauthenticated.message
    );
    assert_eq!(unauthenticated.severity, Severity::High);
    assert!(unauthenticated.tags.contains("heuristic"));
    assert!(unauthenticated.remediation.is_some());
    assert_eq!(
        unauthenticated.location.class,
        Some(diligence_model::FileClass::Production)
    );

    let fact = |name: &str| evidence.facts.get(name).map(|f| f.value.clone());
    assert_eq!(fact("source.routes"), Some(int(2)));
    assert_eq!(fact("source.routes.unguarded"), Some(int(2)));
    assert_eq!(
        fact("source.frameworks"),
        Some(list(&[
            "React",
            "Supabase Edge Functions",
            "Supabase client",
            "Vite"
        ]))
    );
    assert_eq!(fact("source.not-analysed"), Some(list(&[])));
    // The minified bundle under dist/ is skipped and counted.
    assert_eq!(
        fact("source.files.skipped").map(|v| v.to_string()),
        Some("1 file".into())
    );
    assert_eq!(
        fact("source.files.parsed").map(|v| v.to_string()),
        Some("6 files".into())
    );

    let Some(Inventory::Table(routes)) = evidence.inventories.get("routes") else {
        panic!("no routes table");
    };
    assert_eq!(
        routes.columns,
        [
            "method",
            "path",
            "guard",
            "validation",
            "handler",
            "class",
            "notes"
        ]
    );
    assert_eq!(
        routes.rows,
        [
            [
                "ANY",
                "/functions/v1/send-invoice",
                "none",
                "none seen",
                "supabase/functions/send-invoice/index.ts:8",
                "production",
                "verify_jwt on (default); service role"
            ],
            [
                "ANY",
                "/functions/v1/update-profile",
                "none",
                "none seen",
                "supabase/functions/update-profile/index.ts:7",
                "production",
                "verify_jwt off; service role"
            ],
        ]
    );
    Ok(())
}

#[test]
fn sound_app_has_no_finding_at_medium_or_above() -> anyhow::Result<()> {
    let evidence = evidence_of("sound")?;
    let serious: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium && f.confidence >= Confidence::Medium)
        .map(|f| (f.rule.as_str(), f.location.to_string()))
        .collect();
    assert_eq!(serious, Vec::<(&str, String)>::new());
    assert!(evidence.findings.is_empty(), "{:?}", evidence.findings);
    assert_eq!(
        evidence
            .facts
            .get("source.routes.unguarded")
            .map(|f| f.value.clone()),
        Some(int(0))
    );
    let Some(Inventory::Table(routes)) = evidence.inventories.get("routes") else {
        panic!("no routes table");
    };
    let guards: Vec<&str> = routes.rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        guards,
        [
            "caller check `supabase.auth.getUser` via supabase/functions/_shared/auth.ts",
            "caller check `admin.auth.getUser`",
        ]
    );
    Ok(())
}

#[test]
fn webhook_that_verifies_its_signature_is_not_unauthenticated() -> anyhow::Result<()> {
    let evidence = evidence_of("webhook")?;
    assert!(evidence.findings.is_empty(), "{:?}", evidence.findings);
    let Some(Inventory::Table(routes)) = evidence.inventories.get("routes") else {
        panic!("no routes table");
    };
    assert_eq!(
        routes.rows[0][2],
        "webhook signature `stripe.webhooks.constructEventAsync`"
    );
    assert_eq!(routes.rows[0][6], "verify_jwt off; service role");
    // Next.js routes are read now: nothing is left unread.
    assert_eq!(
        evidence
            .facts
            .get("source.not-analysed")
            .map(|f| f.value.clone()),
        Some(list(&[]))
    );
    Ok(())
}

fn int(value: i64) -> FactValue {
    FactValue::Int {
        value,
        unit: diligence_model::Unit::Count,
    }
}

fn list(values: &[&str]) -> FactValue {
    FactValue::List {
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

#[test]
fn monorepo_projects_and_broken_config_are_read() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let app = temp.path().join("apps/web/supabase");
    std::fs::create_dir_all(app.join("functions/open"))?;
    std::fs::create_dir_all(app.join("functions/admin-only"))?;
    std::fs::write(
        app.join("config.toml"),
        "[functions.open]\nverify_jwt = false\n",
    )?;
    std::fs::write(
        app.join("functions/open/index.ts"),
        "Deno.serve(() => new Response(\"hi\"));\n",
    )?;
    std::fs::write(
        app.join("functions/admin-only/index.ts"),
        "import { createClient } from \"npm:@supabase/supabase-js@2\";\n\
         const c = createClient(Deno.env.get(\"SUPABASE_URL\")!, Deno.env.get(\"SUPABASE_ANON_KEY\")!);\n\
         Deno.serve(async (req) => {\n\
           const { data } = await c.auth.getClaims(req.headers.get(\"Authorization\")!);\n\
           return new Response(JSON.stringify(data));\n\
         });\n",
    )?;
    // A second project whose configuration does not parse.
    let broken = temp.path().join("apps/other/supabase");
    std::fs::create_dir_all(&broken)?;
    std::fs::write(broken.join("config.toml"), "[functions.x]\nverify_jwt = \n")?;

    let evidence = crate::model_of(temp.path())?.evidence();
    assert_eq!(
        found(&evidence, "source.edge-function-unauthenticated"),
        [(
            "apps/web/supabase/functions/open/index.ts",
            Some(1),
            Confidence::High
        )]
    );
    assert_eq!(
        found(&evidence, "source.parse-failed"),
        [("apps/other/supabase/config.toml", Some(2), Confidence::High)]
    );
    let Some(Inventory::Table(routes)) = evidence.inventories.get("routes") else {
        panic!("no routes table");
    };
    let guards: Vec<(&str, &str)> = routes
        .rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        guards,
        [
            ("/functions/v1/open", "none"),
            (
                "/functions/v1/admin-only",
                "caller check `c.auth.getClaims`"
            ),
        ]
    );
    Ok(())
}

#[test]
fn functions_in_fixtures_are_listed_not_counted() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp
        .path()
        .join("tests/fixtures/app/supabase/functions/open");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("index.ts"),
        "Deno.serve(() => new Response(\"hi\"));\n",
    )?;
    std::fs::write(
        temp.path().join("tests/fixtures/app/package.json"),
        r#"{"dependencies":{"express":"4"}}"#,
    )?;
    let evidence = crate::model_of(temp.path())?.evidence();
    let fact = |name: &str| evidence.facts.get(name).map(|f| f.value.clone());
    assert_eq!(fact("source.routes"), Some(int(0)));
    assert_eq!(fact("source.not-analysed"), Some(list(&[])));
    let Some(Inventory::Table(routes)) = evidence.inventories.get("routes") else {
        panic!("no routes table");
    };
    assert_eq!(routes.rows.len(), 1);
    assert_eq!(routes.rows[0][5], "test");
    Ok(())
}
