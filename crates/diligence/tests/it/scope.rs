//! The scan builder passes the history scope and the identity file on.

use diligence::model::{FactValue, Timestamp};
use diligence::{IdentityConfig, Scan};
use diligence_testkit::{fixture_repo, git};

fn int(a: &diligence::model::Assessment, name: &str) -> i64 {
    let ev = a.evidence_of("git").expect("git evidence");
    match &ev.facts[name].value {
        FactValue::Int { value, .. } => *value,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn all_refs_widens_statistics_and_identities_join_people() -> anyhow::Result<()> {
    let repo = fixture_repo("scope");
    let as_of = Timestamp::from_ymd(2024, 6, 30);
    let assessed = Scan::new(&repo).only(["git"]).as_of(as_of).run()?;
    let head: i64 = git(&repo, &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()?;
    let all: i64 = git(&repo, &["rev-list", "--count", "--all"])
        .trim()
        .parse()?;
    assert_eq!(int(&assessed, "git.commits"), head);
    let wide = Scan::new(&repo)
        .only(["git"])
        .as_of(as_of)
        .all_refs(true)
        .run()?;
    assert_eq!(int(&wide, "git.commits"), all);
    assert_eq!(int(&wide, "git.authors"), 4);

    let identities = IdentityConfig::parse(
        "merge = [[\"carol@acme-widgets.io\", \"dan@acme-widgets.io\"]]\nbots = [\"Bob Jones\"]\n",
        std::path::Path::new("identities.toml"),
    )?;
    let merged = Scan::new(&repo)
        .only(["git"])
        .as_of(as_of)
        .all_refs(true)
        .identities(identities)
        .run()?;
    // Carol and Dan are one person, Bob is automation: Alice and Carol.
    assert_eq!(int(&merged, "git.authors"), 2);
    assert_eq!(int(&merged, "git.identity-merges"), 1);
    Ok(())
}
