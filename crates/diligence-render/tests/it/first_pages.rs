//! The first pages: the target profile, reasons in words, strengths, the
//! severity distribution, what to fix first, masked values and the
//! repository's name, each checked on hand-built assessments.

use diligence_model::{
    Assessment, Confidence, ControlStatus, Evidence, EvidenceRef, Excerpt, Fact, Finding,
    Inventory, Location, Redacted, RuleId, Severity, Table, Unit,
};

use crate::fixtures;
use crate::markdown::{parse, render};

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("test ids are well formed")
}

/// The rows of the first table whose head is `head`.
fn table(markdown: &str, head: &[&str]) -> Vec<Vec<String>> {
    let doc = parse(markdown);
    doc.tables
        .into_iter()
        .find(|(_, rows)| rows[0] == head)
        .map(|(_, rows)| rows[1..].to_vec())
        .unwrap_or_else(|| panic!("no table with head {head:?}"))
}

/// The list items under a `### heading`, up to the next heading.
fn items<'a>(markdown: &'a str, heading: &str) -> Vec<&'a str> {
    let start = markdown
        .find(&format!("### {heading}\n"))
        .unwrap_or_else(|| panic!("no heading {heading}"));
    markdown[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("- "))
        .collect()
}

fn tests_evidence(functions: i64) -> Evidence {
    let mut e = Evidence::new(id("tests"));
    e.set_fact(id("tests.functions"), Fact::int(functions, Unit::Count));
    e.set_fact(id("tests.files"), Fact::int(40, Unit::Files));
    e.set_fact(id("tests.lines"), Fact::int(6000, Unit::Lines));
    e.set_fact(id("tests.code.lines"), Fact::int(12000, Unit::Lines));
    e.set_fact(id("tests.ratio.test-to-code"), Fact::ratio(6000, 12000));
    e.inventories.insert(
        "code-by-language".into(),
        Inventory::Table(Table {
            title: "Code and tests by language".into(),
            columns: ["language", "files", "code", "test code"]
                .map(String::from)
                .to_vec(),
            rows: vec![
                ["TypeScript", "80", "11000", "5800"]
                    .map(String::from)
                    .to_vec(),
                ["CSS", "4", "1000", "0"].map(String::from).to_vec(),
                ["Shell", "1", "3", "200"].map(String::from).to_vec(),
            ],
        }),
    );
    e
}

#[test]
fn reasons_read_in_words_with_ids_as_references() {
    let text = render(&fixtures::realistic());
    let start = text
        .find("Why it is not production-ready:")
        .expect("reasons");
    let reasons: Vec<&str> = text[start..]
        .lines()
        .skip(2)
        .map_while(|l| l.strip_prefix("- "))
        .collect();
    assert_eq!(
        reasons[0],
        "Critical control failed: No credentials in code or history (ref. `secrets.no-credentials`)"
    );
    assert!(reasons[1].starts_with("Overall score "), "{reasons:?}");
    assert!(!text.contains("critical control secrets.no-credentials failed"));
}

#[test]
fn profile_names_size_languages_history_and_people() {
    let mut a = fixtures::realistic();
    a.evidence.push(tests_evidence(120));
    let text = render(&a);
    let rows = table(&text, &["", "", "Source"]);
    let row = |label: &str| {
        rows.iter()
            .find(|r| r[0] == label)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no profile row {label}: {rows:?}"))
    };
    assert_eq!(row("Languages"), "TypeScript 91%, CSS 8%, Shell <1%");
    assert_eq!(
        row("Code size"),
        "12,000 lines of product code, 6,000 of tests (50% of the product code) in 40 test files"
    );
    assert_eq!(
        row("History"),
        "148 commits over 19 months, the first on 2023-11-02"
    );
    assert!(row("People").starts_with("4 people; 2 active in the last 90 days"));
    assert!(row("AI assistance").contains("37 commits with an AI-assistant marker"));
    let languages = table(
        &text,
        &[
            "Language",
            "Product code (lines)",
            "Share",
            "Test code (lines)",
        ],
    );
    assert_eq!(languages[0], ["TypeScript", "11,000", "91%", "5,800"]);
    // No training statement without the fact.
    assert!(!text.contains("deliberately vulnerable"));
}

#[test]
fn a_training_application_is_stated_not_scored() {
    let mut a = fixtures::realistic();
    let plain = render(&a);
    let mut e = Evidence::new(id("source"));
    e.set_fact(
        id("source.readme.intentionally-vulnerable"),
        Fact::bool(true).detail("an intentionally insecure web application for security training"),
    );
    a.evidence.push(e);
    let text = render(&a);
    assert!(text.contains(
        "**Note for the reader:** The README declares this a deliberately vulnerable or training application (“an intentionally insecure web application for security training”)"
    ));
    assert!(text.contains("does not change the verdict"));
    // The verdict and its reasons are the same as without the fact.
    let head = |t: &str| t[..t.find("### Strengths").expect("strengths")].to_owned();
    assert_eq!(head(&text), head(&plain));
    // A fact saying no says nothing.
    a.evidence.last_mut().expect("pushed").set_fact(
        id("source.readme.intentionally-vulnerable"),
        Fact::bool(false),
    );
    assert!(!render(&a).contains("deliberately vulnerable"));
}

#[test]
fn strengths_rest_on_evidence_and_none_are_invented() {
    let empty = render(&fixtures::empty());
    assert!(empty.contains("No strength is evidenced"));
    assert!(items(&empty, "Strengths").is_empty());

    let mut a = fixtures::realistic();
    let text = render(&a);
    let strengths = items(&text, "Strengths");
    // The passing control with evidence is a strength; the one that passed
    // on no evidence is not.
    assert!(
        strengths
            .iter()
            .any(|s| s.starts_with("Control met: Deploys go through a pipeline.")),
        "{strengths:?}"
    );
    assert!(!strengths.iter().any(|s| s.contains("Errors reach a human")));

    a.evidence.push(tests_evidence(120));
    let strengths = render(&a);
    let strengths = items(&strengths, "Strengths");
    assert!(
        strengths[0].starts_with("A substantial test suite: 120 test functions in 40 files, with test code 50% the size of the product code. Evidence: `tests.functions`"),
        "{strengths:?}"
    );
    assert!(strengths.len() <= 5);

    // A failed control citing the fact voids the strength.
    let c = &mut a.controls[6];
    c.status = ControlStatus::Fail;
    c.evidence.push(EvidenceRef::Fact {
        name: id("tests.functions"),
        value: "120".into(),
    });
    let text = render(&a);
    assert!(
        !items(&text, "Strengths")
            .iter()
            .any(|s| s.contains("test suite"))
    );
    // Too few tests are no strength either.
    let mut b = fixtures::realistic();
    b.evidence.push(tests_evidence(12));
    assert!(
        !items(&render(&b), "Strengths")
            .iter()
            .any(|s| s.contains("test suite"))
    );
}

#[test]
fn severities_are_counted_in_one_compact_table() {
    let text = render(&fixtures::realistic());
    let rows = table(
        &text,
        &["", "Critical", "High", "Medium", "Low", "Info", "Total"],
    );
    assert_eq!(rows[0], ["Findings", "1", "1", "0", "1", "0", "3"]);
    assert_eq!(
        rows[1],
        ["At medium or high confidence", "1", "1", "0", "1", "0", "3"]
    );
    let empty = render(&fixtures::empty());
    let rows = table(
        &empty,
        &["", "Critical", "High", "Medium", "Low", "Info", "Total"],
    );
    assert_eq!(rows[0], ["Findings", "0", "0", "0", "0", "0", "0"]);
}

#[test]
fn what_to_fix_first_names_files_critical_first() {
    let text = render(&fixtures::realistic());
    let rows = table(
        &text,
        &["#", "Fix", "Control", "Status", "Behind it", "Effort"],
    );
    assert_eq!(rows[0][0], "1");
    assert_eq!(
        rows[0][1],
        "Rotate the Stripe key and purge it from history"
    );
    assert_eq!(rows[0][3], "Fail, critical; worst finding critical");
    assert_eq!(rows[0][4], "config/.env.production");
    assert_eq!(rows[1][4], "api/server|main.ts");
    // A control without findings points at the facts behind it.
    let review = rows
        .iter()
        .find(|r| r[2].contains("change-control.review"))
        .expect("the review control");
    assert_eq!(review[4], "git.review.share: 12% (3/25)");
    assert!(rows.len() <= 5);
    assert!(render(&fixtures::empty()).contains("Nothing to fix"));
}

#[test]
fn red_flags_have_severities_not_statuses() {
    let text = render(&fixtures::realistic());
    let rows = table(&text, &["Kind", "Severity", "Id", "What"]);
    for row in &rows {
        assert!(
            ["critical", "high", "medium", "low", "info"].contains(&row[1].as_str()),
            "{row:?}"
        );
    }
    assert_eq!(rows[0][0], "Critical control failed");
}

#[test]
fn masked_secrets_read_as_masked_not_as_versions() {
    let text = render(&fixtures::realistic());
    assert!(
        text.contains("masked: sk\\_l… (29 chars, fingerprint fp-7c1e20a9)"),
        "the secret row reads as masked"
    );
    assert!(!text.contains("sk\\_l\\*"), "no bare prefix and stars");
    let mut a = fixtures::empty();
    let value = ["1.2.", "3456789", "abcdef0123"].concat();
    let finding = Finding::builder(
        id::<RuleId>("secrets.generic.secret"),
        Severity::Medium,
        Confidence::Medium,
    )
    .message("A secret-like assignment")
    .location(Location::line("config.yml", 3))
    .excerpt(Excerpt::Redacted {
        secret: Redacted::new(&value, "fp-1"),
    })
    .build()
    .expect("valid finding");
    let mut e = Evidence::new(id("secrets"));
    e.findings.push(finding);
    a.evidence.push(e);
    let text = render(&a);
    assert!(
        text.contains("masked: 1.2.… (21 chars, fingerprint fp-1)"),
        "{text}"
    );
    assert!(!text.contains(&value[4..]));
}

#[test]
fn a_local_remote_is_never_printed() {
    let mut a: Assessment = fixtures::realistic();
    let text = render(&a);
    assert!(text.contains("| Repository | https://github.com/acme/shop.git |"));
    for local in [
        "/var/lib/mirrors/acme+shop/git",
        "file:///srv/mirrors/shop.git",
        "../shop",
        "C:\\mirrors\\shop",
    ] {
        if let Some(vcs) = a.target.vcs.as_mut() {
            vcs.remote = Some(local.into());
        }
        let text = render(&a);
        assert!(text.contains("| Repository | acme-shop |"), "{local}");
        assert!(!text.contains("mirror") && !text.contains("srv"), "{local}");
    }
    if let Some(vcs) = a.target.vcs.as_mut() {
        vcs.remote = Some("git@github.com:acme/shop.git".into());
    }
    assert!(render(&a).contains("| Repository | git@github.com:acme/shop.git |"));
}

#[test]
fn a_warning_every_finding_repeats_is_said_once() {
    let warning = "Deleting the file does not remove it from git history: rotate the credential.";
    let mut a = fixtures::empty();
    let mut e = Evidence::new(id("secrets"));
    for (i, path) in ["a.yml", "b.yml", "c.yml"].iter().enumerate() {
        e.findings.push(
            Finding::builder(
                id::<RuleId>("secrets.generic.secret"),
                Severity::Medium,
                Confidence::Low,
            )
            .message(format!("Secret found in {} places. {warning}", i + 1))
            .location(Location::line(*path, 1))
            .build()
            .expect("valid finding"),
        );
    }
    e.findings.push(
        Finding::builder(id::<RuleId>("deploy.root"), Severity::Low, Confidence::High)
            .message(format!("Runs as root. {warning}"))
            .location(Location::file("Dockerfile"))
            .build()
            .expect("valid finding"),
    );
    e.normalise();
    a.evidence.push(e);
    let text = render(&a);
    // Once for the rule, and once on the finding of another rule.
    assert_eq!(
        text.matches("Deleting the file does not remove").count(),
        2,
        "{text}"
    );
    assert!(text.contains("- `secrets.generic.secret`: Deleting the file"));
    assert!(text.contains("| Secret found in 2 places. |"));
}

#[test]
fn red_flags_are_the_products_findings_or_live_credentials() {
    let mut a = fixtures::realistic();
    let finding = |rule: &str, path: &str, live: bool| {
        let mut b = Finding::builder(id::<RuleId>(rule), Severity::Critical, Confidence::High)
            .message(format!("A critical finding in {path}."))
            .location(Location::line(path, 1));
        if live {
            b = b.tag("live");
        }
        b.build().expect("valid finding")
    };
    let mut e = Evidence::new(id("source"));
    e.findings.push(finding(
        "source.db.rls-disabled",
        "fixtures/vulnerable/migrations/init.sql",
        false,
    ));
    e.findings.push(finding(
        "source.db.rls-disabled",
        "docs/examples/schema.sql",
        false,
    ));
    e.findings.push(finding(
        "source.db.signup-role-from-metadata",
        "supabase/migrations/0001_auth.sql",
        false,
    ));
    a.evidence.push(e);
    let mut s = Evidence::new(id("secrets"));
    s.findings.push(finding(
        "secrets.stripe.secret-key-live",
        "tests/fixtures/payments.env",
        true,
    ));
    a.evidence.push(s);
    let text = render(&a);
    let rows = table(&text, &["Kind", "Severity", "Id", "What"]);
    let places: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "Finding")
        .filter_map(|r| r[3].rsplit_once('(').map(|(_, place)| place))
        .collect();
    assert!(
        places
            .iter()
            .any(|p| p.starts_with("supabase/migrations/0001_auth.sql")),
        "{rows:?}"
    );
    assert!(
        places
            .iter()
            .any(|p| p.starts_with("tests/fixtures/payments.env")),
        "a live credential is a red flag wherever it is: {rows:?}"
    );
    assert!(
        !places
            .iter()
            .any(|p| p.starts_with("fixtures/") || p.starts_with("docs/")),
        "{rows:?}"
    );
}
