//! Browser exposure, CORS, paid calls and their limits, error tracking.

use diligence_model::{Confidence, FactValue, Inventory, Severity};

use crate::{evidence_of, found};

fn list(values: &[&str]) -> FactValue {
    FactValue::List {
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

#[test]
fn keys_and_paid_sdks_in_browser_code_are_flagged_where_they_are_read() -> anyhow::Result<()> {
    let evidence = evidence_of("cost/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.client-paid-sdk"),
        [("src/lib/ai.ts", Some(1), Confidence::High)]
    );
    assert_eq!(
        found(&evidence, "source.client-secret-env"),
        [("src/lib/ai.ts", Some(4), Confidence::High)]
    );
    assert_eq!(
        found(&evidence, "source.client-service-role"),
        [("src/lib/admin.ts", Some(5), Confidence::High)]
    );
    let service = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.client-service-role")
        .expect("found");
    assert_eq!(service.severity, Severity::Critical);
    Ok(())
}

#[test]
fn wildcard_cors_is_one_finding_listing_the_functions() -> anyhow::Result<()> {
    let evidence = evidence_of("cost/vulnerable")?;
    let wildcard: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.cors-wildcard")
        .collect();
    assert_eq!(wildcard.len(), 1);
    let finding = wildcard[0];
    assert_eq!(finding.severity, Severity::Low);
    assert_eq!(
        finding.location.path.as_deref(),
        Some("supabase/functions/_shared/cors.ts")
    );
    assert_eq!(finding.location.line, Some(2));
    assert!(
        finding.message.contains("/functions/v1/chat")
            && finding.message.contains("/functions/v1/summarise"),
        "{}",
        finding.message
    );
    assert_eq!(
        evidence.facts.get("source.cors").map(|f| f.value.clone()),
        Some(list(&["every origin (*)"]))
    );
    Ok(())
}

#[test]
fn paid_routes_without_a_limit_are_high_when_anyone_can_call_them() -> anyhow::Result<()> {
    let evidence = evidence_of("cost/vulnerable")?;
    let unlimited: Vec<(&str, Option<u32>, Severity)> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.paid-route-unlimited")
        .map(|f| {
            (
                f.location.path.as_deref().unwrap_or(""),
                f.location.line,
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        unlimited,
        [
            (
                "supabase/functions/chat/index.ts",
                Some(4),
                Severity::Medium
            ),
            // Through a helper function that calls another one.
            ("supabase/functions/ideas/index.ts", Some(3), Severity::High),
            (
                "supabase/functions/summarise/index.ts",
                Some(6),
                Severity::High
            ),
        ]
    );
    // `profile` imports the same helper module but not the function that
    // calls the model.
    assert!(!evidence.findings.iter().any(|f| {
        f.location.path.as_deref() == Some("supabase/functions/profile/index.ts")
            && f.rule.as_str() == "source.paid-route-unlimited"
    }));
    // The chat call sets no token cap; the summary's does.
    assert_eq!(
        found(&evidence, "source.llm-max-tokens-unset"),
        [(
            "supabase/functions/chat/index.ts",
            Some(12),
            Confidence::Medium
        )]
    );
    let Some(Inventory::Table(cost)) = evidence.inventories.get("cost") else {
        panic!("no cost table");
    };
    let rows: Vec<(&str, &str, &str, &str)> = cost
        .rows
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "OpenAI",
                "supabase/functions/_shared/ai.ts:6",
                "ANY /functions/v1/ideas",
                "none"
            ),
            (
                "OpenAI",
                "supabase/functions/chat/index.ts:12",
                "ANY /functions/v1/chat",
                "caller checked"
            ),
            (
                "Anthropic",
                "supabase/functions/summarise/index.ts:8",
                "ANY /functions/v1/summarise",
                "none"
            ),
        ]
    );
    assert!(cost.rows.iter().all(|r| r[5] == "none seen"));
    assert_eq!(
        evidence
            .facts
            .get("source.error-tracking")
            .map(|f| f.value.clone()),
        Some(list(&[]))
    );
    Ok(())
}

#[test]
fn the_sound_app_has_no_finding_at_medium_or_above() -> anyhow::Result<()> {
    let evidence = evidence_of("cost/sound")?;
    let serious: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .map(|f| (f.rule.as_str(), f.location.path.clone(), f.location.line))
        .collect();
    assert!(serious.is_empty(), "{serious:?}");
    assert!(found(&evidence, "source.cors-wildcard").is_empty());
    assert!(found(&evidence, "source.llm-max-tokens-unset").is_empty());
    let fact = |name: &str| evidence.facts.get(name).map(|f| f.value.clone());
    assert_eq!(fact("source.cors"), Some(list(&["an allow-list"])));
    assert_eq!(fact("source.error-tracking"), Some(list(&["Sentry"])));
    assert_eq!(
        fact("source.paid-routes.unlimited"),
        Some(FactValue::Int {
            value: 0,
            unit: diligence_model::Unit::Count
        })
    );
    assert_eq!(
        fact("source.rate-limiters"),
        Some(list(&["@upstash/ratelimit", "`ratelimit.limit`"]))
    );
    Ok(())
}

#[test]
fn client_env_names_that_are_public_by_design_are_not_secrets() {
    use diligence_source::surface::client_secret_env;
    for public in [
        "VITE_SUPABASE_ANON_KEY",
        "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
        "VITE_RECAPTCHA_SITE_KEY",
        "VITE_SUPABASE_URL",
        "OPENAI_API_KEY",
        "NEXT_PUBLIC_GOOGLE_CLIENT_ID",
    ] {
        assert!(!client_secret_env(public), "{public}");
    }
    for secret in [
        "VITE_OPENAI_API_KEY",
        "NEXT_PUBLIC_STRIPE_SECRET_KEY",
        "REACT_APP_SUPABASE_SERVICE_ROLE_KEY",
        "EXPO_PUBLIC_ANTHROPIC_KEY",
    ] {
        assert!(client_secret_env(secret), "{secret}");
    }
}

#[test]
fn paid_sdks_are_recognised_through_deno_specifiers_and_versions() {
    use diligence_source::surface::paid_sdk;
    assert_eq!(paid_sdk("npm:openai@4"), Some("OpenAI"));
    assert_eq!(paid_sdk("npm:@anthropic-ai/sdk@0.27.0"), Some("Anthropic"));
    assert_eq!(paid_sdk("https://esm.sh/openai@4.20.0"), Some("OpenAI"));
    assert_eq!(paid_sdk("openai/resources"), Some("OpenAI"));
    assert_eq!(paid_sdk("@stripe/stripe-js"), None);
    assert_eq!(paid_sdk("openai-edge-helpers"), None);
}
