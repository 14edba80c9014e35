//! People, not identities; automation apart from people; what built it.

use diligence_model::Inventory;
use diligence_testkit::{fixture_repo, git};

use crate::{int, list, ratio, walk};

#[test]
fn identities_merge_into_people_and_bots_stand_apart() {
    let repo = fixture_repo("people");
    let (_, history) = walk(&repo);
    let ev = history.evidence();
    let shortlog = git(&repo, &["shortlog", "-sne", "HEAD"]);
    assert_eq!(
        int(&ev, "git.author-identities"),
        shortlog.lines().count() as i64
    );
    // Alice (four identities), Bob Jones, Bob at a webmail address, Carol
    // and Dave behind root@localhost, Erin.
    assert_eq!(int(&ev, "git.authors"), 6);
    assert_eq!(int(&ev, "git.identity-merges"), 3);
    let total = git_total(&repo);
    // dependabot 10, Copilot 1, the Lovable bot 2.
    assert_eq!(ratio(&ev, "git.automation.share"), (13, total));
    let accounts = list(&ev, "git.automation.accounts");
    assert!(
        accounts
            .iter()
            .any(|a| a.starts_with("dependabot[bot] (dependency updates): 10")),
        "{accounts:?}"
    );
    // Top author among people: Alice's 8 of 14 human commits, not the bot.
    assert_eq!(ratio(&ev, "git.top-author.share-12m"), (8, 14));
    let Inventory::Table(contributors) = &ev.inventories["contributors"] else {
        panic!("table")
    };
    assert_eq!(contributors.rows[0][0], "Alice Smith");
    assert_eq!(contributors.rows[0][1], "8");
    assert_eq!(contributors.rows[0][4], "4");
    assert!(
        contributors
            .rows
            .iter()
            .all(|r| !r[0].contains("[bot]") && r[0] != "Copilot"),
        "{contributors:?}"
    );
    let Inventory::Table(key) = &ev.inventories["key-people"] else {
        panic!("table")
    };
    assert!(key.rows.iter().all(|r| !r[0].contains("bot")), "{key:?}");
    let Inventory::Table(merges) = &ev.inventories["identity-merges"] else {
        panic!("table")
    };
    assert_eq!(merges.rows.len(), 3);
    assert!(merges.rows.iter().all(|r| r[0].starts_with("Alice Smith")));
    assert!(ev.inventories.contains_key("automation"));
}

#[test]
fn builders_are_named_with_their_share() {
    let repo = fixture_repo("people");
    let (_, history) = walk(&repo);
    let ev = history.evidence();
    let total = git_total(&repo);
    let builders = list(&ev, "git.ai.builders");
    for (name, n) in [
        ("Bolt", 2),
        ("GitHub Copilot coding agent", 1),
        ("Lovable", 2),
        ("Replit Agent", 1),
    ] {
        let expected = format!("{name}: {n} of {total} commits");
        assert!(
            builders.iter().any(|b| b.starts_with(&expected)),
            "{expected} in {builders:?}"
        );
    }
    assert_eq!(builders.len(), 4);
    let markers = list(&ev, "git.ai.generator-markers");
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert!(markers[0].starts_with("bolt: .bolt/config.json (committed"));
    assert!(markers[0].ends_with("no longer in the tree)"));
}

#[test]
fn human_look_alikes_are_people() {
    // The basic fixture has no automation: nothing is counted as a bot,
    // and "Updated ..." subjects without a Bolt marker are not Bolt's.
    let (_, history) = walk(&fixture_repo("basic"));
    let ev = history.evidence();
    assert_eq!(ratio(&ev, "git.automation.share").0, 0);
    assert!(list(&ev, "git.ai.builders").is_empty());
    assert!(!ev.inventories.contains_key("automation"));
}

fn git_total(repo: &std::path::Path) -> u64 {
    crate::git_count(repo, &["rev-list", "--count", "HEAD"]) as u64
}
