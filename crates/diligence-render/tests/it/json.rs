use diligence_model::Assessment;

use crate::fixtures;

#[test]
fn snapshots() -> anyhow::Result<()> {
    for (name, assessment) in fixtures::all() {
        let text = diligence_render::json(&assessment)?;
        insta::assert_snapshot!(format!("{name}.json"), text);
    }
    Ok(())
}

#[test]
fn round_trips_deterministically() -> anyhow::Result<()> {
    for (name, assessment) in fixtures::all() {
        let text = diligence_render::json(&assessment)?;
        assert!(text.ends_with("}\n"), "{name}: one trailing newline");
        assert_eq!(text, diligence_render::json(&assessment)?, "{name}");
        let back: Assessment = serde_json::from_str(&text)?;
        assert_eq!(back, assessment, "{name}: JSON must read back equal");
        assert_eq!(diligence_render::json(&back)?, text, "{name}");
    }
    Ok(())
}

#[test]
fn never_holds_the_secret() -> anyhow::Result<()> {
    let secret = fixtures::secret_value();
    let text = diligence_render::json(&fixtures::realistic())?;
    assert!(!text.contains(&secret));
    assert!(!text.contains(&secret[4..]));
    assert!(text.contains("fp-7c1e20a9"), "the fingerprint is kept");
    Ok(())
}
