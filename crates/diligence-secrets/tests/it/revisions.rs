//! Many values of one rule in one file over its history: one finding for
//! the file, not one per value; a few values stay separate findings.

use std::path::Path;

use diligence_collect::Options;
use diligence_model::{Evidence, Excerpt};
use diligence_secrets::REVISION_GROUP_MIN;

use crate::common::{self, Rng, alnum, write};

/// Runs git with the date of day `day` of March 2025.
fn git(dir: &Path, args: &[&str], day: u32) {
    common::git(dir, args, &format!("2025-03-{day:02}T12:00:00Z"));
}

fn collect(dir: &Path) -> Evidence {
    common::collect(dir, &Options::default())
}

fn password(rng: &mut Rng) -> String {
    ["Xk29", &rng.string(&alnum(), 16)].concat()
}

#[test]
fn many_values_of_one_file_become_one_finding() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("repo dir");
    git(&dir, &["init", "-q", "-b", "main"], 1);
    let mut rng = Rng::new(61);
    let revisions = 9;
    let mut newest = String::new();
    for day in 1..=revisions {
        newest = password(&mut rng);
        // The fixture is renamed half way; its values still count together.
        let path = if day <= 4 {
            "tests/fixtures/seed.env"
        } else {
            "config/seed.env"
        };
        if day == 5 {
            std::fs::create_dir_all(dir.join("config")).expect("config dir");
            git(
                &dir,
                &["mv", "tests/fixtures/seed.env", "config/seed.env"],
                day,
            );
            git(&dir, &["commit", "-q", "-m", "move the seed file"], day);
        }
        write(&dir, path, &format!("DB_PASSWORD={newest}\n"));
        // A second file holds only two values over its history, and a
        // third six values written at once.
        if day <= 2 {
            write(
                &dir,
                "deploy/app.env",
                &format!("DB_PASSWORD={}\n", password(&mut rng)),
            );
        }
        if day == 1 {
            let keys: String = (0..6)
                .map(|k| format!("SERVICE_{k}_PASSWORD={}\n", password(&mut rng)))
                .collect();
            write(&dir, "deploy/services.env", &keys);
        }
        git(&dir, &["add", "-A"], day);
        git(&dir, &["commit", "-q", "-m", &format!("seed {day}")], day);
    }
    let evidence = collect(&dir);
    let generic: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "secrets.generic.password")
        .collect();
    let grouped: Vec<_> = generic
        .iter()
        .filter(|f| f.tags.contains("many-values"))
        .collect();
    assert_eq!(grouped.len(), 1, "{generic:#?}");
    let finding = grouped[0];
    assert_eq!(finding.location.path.as_deref(), Some("config/seed.env"));
    assert!(
        finding
            .message
            .contains(&format!("{revisions} distinct values"))
            && finding
                .message
                .contains(&format!("over {revisions} revisions")),
        "{}",
        finding.message
    );
    // The newest value's mask is the one shown.
    let Some(Excerpt::Redacted { secret }) = &finding.excerpt else {
        panic!("a redacted excerpt: {finding:?}");
    };
    assert!(secret.to_string().starts_with(&newest[..4]), "{secret}");
    assert_eq!(
        secret.fingerprint(),
        crate::common::engine().fingerprint(&newest)
    );
    // Two values in another file stay two findings.
    let other: Vec<_> = generic
        .iter()
        .filter(|f| f.location.path.as_deref() == Some("deploy/app.env"))
        .collect();
    assert_eq!(other.len(), 2, "{generic:#?}");
    assert!(other.iter().all(|f| !f.tags.contains("many-values")));
    let at_once = generic
        .iter()
        .filter(|f| f.location.path.as_deref() == Some("deploy/services.env"))
        .count();
    assert_eq!(at_once, 6, "{generic:#?}");
    assert_eq!(generic.len(), 9, "{generic:#?}");
    assert!(REVISION_GROUP_MIN <= revisions as usize);
}
