//! The live validation stage: runs after collection only when asked,
//! writes each finding's check and the hosts asked into the assessment,
//! and opens no socket otherwise. Providers are played by a loopback
//! server; nothing reaches a real service.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diligence::Scan;
use diligence::model::{Assessment, FactValue, LiveStatus, Severity};
use diligence::secrets::live::{LiveOptions, Provider};

use crate::run;

/// A server that accepts GitHub's `/user` as revoked and everything else
/// as live, counting requests.
fn serve() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            seen.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim_end().is_empty() {
                    break;
                }
            }
            let code = if line.contains(" /user ") { 401 } else { 200 };
            let _ = write!(
                stream,
                "HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            );
        }
    });
    (origin, count)
}

/// The first example of a built-in rule (built from parts by the rule file).
fn example(rule: &str) -> String {
    diligence::secrets::RuleSet::builtin()
        .unwrap()
        .get(rule)
        .unwrap()
        .examples[0]
        .clone()
}

fn target() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: String| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "src/config.ts",
        format!(
            "export const token = \"{}\";\n",
            example("secrets.github.personal-access-token").trim_start_matches("GITHUB_TOKEN=")
        ),
    );
    write(
        "tests/fixtures/stripe.env",
        example("secrets.stripe.secret-key-live"),
    );
    let password = format!("{}{}", "Gt8gUerWWl", "tRQWk5l4Bt");
    write(
        "deploy/db.env",
        format!("DATABASE_URL=postgresql://app:{password}@db.diligence-test.invalid/app\n"),
    );
    dir
}

fn count_fact(a: &Assessment, name: &str) -> Option<i64> {
    let ev = a.evidence_of("secrets").expect("secrets evidence");
    ev.facts.get(name).map(|f| match &f.value {
        FactValue::Int { value, .. } => *value,
        other => panic!("{name}: {other:?}"),
    })
}

#[test]
fn without_validate_no_request_is_made_and_nothing_says_it_ran() {
    let (origin, count) = serve();
    let dir = target();
    let (assessment, stages) = run(Scan::new(dir.path()).only(["secrets"]));
    assert_eq!(count.load(Ordering::SeqCst), 0);
    assert!(!stages.iter().any(|s| s == "live validation"));
    assert!(assessment.options.live_validation.is_none());
    let ev = assessment.evidence_of("secrets").unwrap();
    assert!(ev.findings.len() >= 3);
    assert!(ev.findings.iter().all(|f| f.live.is_none()));
    assert_eq!(count_fact(&assessment, "secrets.live"), None);
    let _ = origin;
}

#[test]
fn validate_checks_each_finding_and_records_the_hosts() {
    let (origin, count) = serve();
    let dir = target();
    let options = LiveOptions::default()
        .timeout(Duration::from_secs(5))
        .endpoint(Provider::GitHub, &origin)
        .endpoint(Provider::Stripe, &origin);
    let (assessment, stages) = run(Scan::new(dir.path()).only(["secrets"]).validate(options));
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert!(stages.iter().any(|s| s == "live validation"));

    let info = assessment.options.live_validation.as_ref().unwrap();
    let host = origin.trim_start_matches("http://");
    assert!(info.hosts.iter().any(|h| h == host), "{:?}", info.hosts);
    assert!(
        info.hosts
            .iter()
            .any(|h| h == "db.diligence-test.invalid (name resolution only)")
    );
    assert_eq!((info.checked, info.live), (3, 1));
    assert_eq!(info.timeout_seconds, 5);

    let ev = assessment.evidence_of("secrets").unwrap();
    let of = |rule: &str| {
        ev.findings
            .iter()
            .find(|f| f.rule.as_str() == rule)
            .unwrap_or_else(|| panic!("no {rule}"))
    };
    // A live key in a test fixture is still a live key.
    let stripe = of("secrets.stripe.secret-key-live");
    assert_eq!(stripe.live.as_ref().unwrap().status, LiveStatus::Live);
    assert!(stripe.tags.contains("live"));
    assert_eq!(count_fact(&assessment, "secrets.live"), Some(1));
    // A refused key is a low-severity hygiene finding, out of the counts.
    let github = of("secrets.github.personal-access-token");
    assert_eq!(github.live.as_ref().unwrap().status, LiveStatus::Revoked);
    assert_eq!(github.severity, Severity::Low);
    assert!(github.tags.contains("revoked"));
    assert_eq!(count_fact(&assessment, "secrets.findings.at-head"), Some(0));
    assert!(count_fact(&assessment, "secrets.revoked").unwrap() >= 1);
    // A database is looked up by name, never connected to.
    let db = of("secrets.postgres.connection-uri");
    let check = db.live.as_ref().unwrap();
    assert_ne!(check.status, LiveStatus::Live);
    assert_eq!(check.host.as_deref(), Some("db.diligence-test.invalid"));

    // The JSON carries the checks and never the values.
    let json = serde_json::to_string(&assessment).unwrap();
    assert!(json.contains("\"live_validation\""));
    let token = example("secrets.github.personal-access-token");
    assert!(!json.contains(token.trim_start_matches("GITHUB_TOKEN=")));
}
