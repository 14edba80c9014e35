//! The source model is built once, only when a selected collector reads
//! it, and its findings reach the identity-and-authorisation control.

use std::path::Path;

use diligence::Scan;
use diligence::model::ControlStatus;

use crate::{copy_tree, run};

/// A copy of a fixture app outside this repository (inside it, the scan
/// would resolve the enclosing repository and class the app as fixtures).
fn fixture(name: &str) -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/source")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&from, dir.path());
    dir
}

const CONTROL: &str = "identity-and-authorisation.server-side-authorisation";

#[test]
fn vulnerable_app_fails_server_side_authorisation() {
    let app = fixture("vulnerable");
    let (assessment, stages) = run(Scan::new(app.path()).only(["source"]));
    assert_eq!(stages, ["source model", "source"]);
    let control = assessment
        .controls
        .iter()
        .find(|c| c.id.as_str() == CONTROL)
        .unwrap();
    assert_eq!(
        control.status,
        ControlStatus::Fail,
        "{:?}",
        control.rationale
    );
    let rules: Vec<(&str, String)> = assessment
        .evidence
        .iter()
        .flat_map(|e| &e.findings)
        .map(|f| (f.rule.as_str(), f.location.to_string()))
        .collect();
    assert_eq!(
        rules,
        [
            // The shared CORS headers answer every origin: one finding for
            // the pattern, at the file that sets them.
            (
                "source.cors-wildcard",
                "supabase/functions/_shared/cors.ts:2".to_owned()
            ),
            (
                "source.edge-function-no-caller-check",
                "supabase/functions/send-invoice/index.ts:8".to_owned()
            ),
            // The page that invokes it reads the session and sends the
            // user's own id: guarded only in the interface.
            (
                "source.route-guarded-only-in-ui",
                "supabase/functions/update-profile/index.ts:7".to_owned()
            ),
            (
                "source.service-role-on-request-ids",
                "supabase/functions/update-profile/index.ts:16".to_owned()
            ),
        ]
    );
    let question = control.question.as_deref().unwrap_or_default();
    assert!(
        question.contains("supabase/functions/update-profile/index.ts"),
        "{question}"
    );
}

#[test]
fn sound_app_passes_and_other_collectors_skip_the_parse() {
    let app = fixture("sound");
    let (assessment, _) = run(Scan::new(app.path()).only(["source"]));
    let control = assessment
        .controls
        .iter()
        .find(|c| c.id.as_str() == CONTROL)
        .unwrap();
    assert_eq!(
        control.status,
        ControlStatus::Pass,
        "{:?}",
        control.rationale
    );

    let (_, stages) = run(Scan::new(app.path()).only(["deps"]));
    assert!(!stages.iter().any(|s| s == "source model"), "{stages:?}");
}
