//! Live validation against a loopback HTTP server that plays each
//! provider: live, revoked and undecided answers, timeouts, the shape of
//! every request, and name resolution of database hosts. Never against a
//! real service.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diligence_model::{Evidence, LiveStatus};
use diligence_secrets::live::{self, LiveOptions, LiveReport, Provider};
use diligence_secrets::{FinishOptions, Origin, Session, Vault};

use crate::common::engine;

/// One request as the server saw it.
#[derive(Clone)]
struct Seen {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

/// What the server answers.
enum Reply {
    Status(u16, String),
    /// Holds the connection past the client's time limit.
    Hang,
}

struct Server {
    origin: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(reply: fn(&Seen) -> Reply) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or_default().to_owned();
                let path = parts.next().unwrap_or_default().to_owned();
                let mut headers = BTreeMap::new();
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                    }
                }
                let length: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let request = Seen {
                    method,
                    path,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                let answer = reply(&request);
                log.lock().unwrap().push(request);
                match answer {
                    Reply::Status(code, body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    Reply::Hang => std::thread::sleep(Duration::from_secs(4)),
                }
            });
        }
    });
    Server { origin, seen }
}

/// The first example of a built-in rule: a well-formed value built from
/// parts by the rule file, so no test holds a whole one.
fn example(rule: &str) -> String {
    engine().rules().get(rule).unwrap().examples[0].clone()
}

/// Findings and sealed values of files holding one credential of each
/// provider (and the pairs AWS and Twilio need).
fn scanned(files: &[(&str, String)]) -> (Evidence, Vault) {
    let session = Session::new(engine()).with_sealed_values();
    for (path, text) in files {
        session.scan(text.as_bytes(), path, Origin::Worktree);
    }
    session.finish_sealed(&FinishOptions::default())
}

fn provider_files() -> Vec<(&'static str, String)> {
    vec![
        (
            "config/aws.env",
            format!(
                "{}\n{}\n",
                example("secrets.aws.access-key-id"),
                example("secrets.aws.secret-access-key")
            ),
        ),
        (
            "config/twilio.env",
            format!(
                "{}\n{}\n",
                example("secrets.twilio.account-sid"),
                example("secrets.twilio.auth-token")
            ),
        ),
        (
            "config/github.env",
            example("secrets.github.personal-access-token"),
        ),
        (
            "config/gitlab.env",
            example("secrets.gitlab.personal-access-token"),
        ),
        ("config/slack.env", example("secrets.slack.bot-token")),
        (
            "config/stripe.env",
            example("secrets.stripe.secret-key-live"),
        ),
        ("config/openai.env", example("secrets.openai.project-key")),
        ("config/anthropic.env", example("secrets.anthropic.api-key")),
        ("config/sendgrid.env", example("secrets.sendgrid.api-key")),
        ("config/google.env", example("secrets.gcp.api-key")),
        (
            "config/supabase.env",
            example("secrets.supabase.service-role-key"),
        ),
    ]
}

/// The rule whose finding each provider's check decides.
const CHECKED: &[(&str, &str)] = &[
    ("secrets.aws.access-key-id", "/"),
    ("secrets.aws.secret-access-key", "/"),
    ("secrets.twilio.auth-token", "/2010-04-01/Accounts/"),
    ("secrets.github.personal-access-token", "/user"),
    (
        "secrets.gitlab.personal-access-token",
        "/api/v4/personal_access_tokens/self",
    ),
    ("secrets.slack.bot-token", "/api/auth.test"),
    ("secrets.stripe.secret-key-live", "/v1/account"),
    ("secrets.openai.project-key", "/v1/models"),
    ("secrets.anthropic.api-key", "/v1/models"),
    ("secrets.sendgrid.api-key", "/v3/scopes"),
    ("secrets.gcp.api-key", "/v1beta/models"),
    ("secrets.supabase.service-role-key", "/rest/v1/"),
];

fn options(server: &Server) -> LiveOptions {
    Provider::ALL.iter().fold(
        LiveOptions::default()
            .timeout(Duration::from_secs(1))
            .concurrency(16)
            .clock(1_764_680_645),
        |options, &provider| options.endpoint(provider, &server.origin),
    )
}

fn status_of(report: &LiveReport, evidence: &Evidence, rule: &str) -> (LiveStatus, String) {
    let finding = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == rule)
        .unwrap_or_else(|| panic!("no finding of {rule}"));
    let check = report
        .check(rule, &finding.fingerprint)
        .unwrap_or_else(|| panic!("no check of {rule}"));
    (check.status, check.reason.clone())
}

/// Which provider a request is for, by the headers it carries.
fn is_slack(seen: &Seen) -> bool {
    seen.path == "/api/auth.test"
}

fn live_reply(seen: &Seen) -> Reply {
    if is_slack(seen) {
        return Reply::Status(200, r#"{"ok":true,"user_id":"U1"}"#.to_owned());
    }
    Reply::Status(200, r#"{"id":"identity"}"#.to_owned())
}

fn revoked_reply(seen: &Seen) -> Reply {
    if is_slack(seen) {
        return Reply::Status(200, r#"{"ok":false,"error":"invalid_auth"}"#.to_owned());
    }
    if seen.headers.contains_key("x-amz-date") {
        return Reply::Status(
            403,
            "<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>"
                .to_owned(),
        );
    }
    if seen.headers.contains_key("x-goog-api-key") {
        return Reply::Status(
            400,
            r#"{"error":{"status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}"#
                .to_owned(),
        );
    }
    Reply::Status(401, r#"{"error":"unauthorized"}"#.to_owned())
}

fn error_reply(_: &Seen) -> Reply {
    Reply::Status(500, "{}".to_owned())
}

fn hang_reply(_: &Seen) -> Reply {
    Reply::Hang
}

#[test]
fn every_provider_s_live_answer_marks_its_finding_live() {
    let (evidence, vault) = scanned(&provider_files());
    let server = serve(live_reply);
    let report = live::validate(&vault, &options(&server));
    for (rule, _) in CHECKED {
        let (status, reason) = status_of(&report, &evidence, rule);
        assert_eq!(status, LiveStatus::Live, "{rule}: {reason}");
    }
    // One request per distinct credential: the AWS pair is asked once for
    // both of its findings.
    let requests = server.requests();
    assert_eq!(requests.len(), CHECKED.len() - 1);
    let host = server.origin.trim_start_matches("http://");
    assert!(report.hosts().contains(host), "{:?}", report.hosts());
}

#[test]
fn requests_have_each_provider_s_shape() {
    let files = provider_files();
    let (_, vault) = scanned(&files);
    let server = serve(live_reply);
    let _ = live::validate(&vault, &options(&server));
    let requests = server.requests();
    let find = |prefix: &str| -> Seen {
        requests
            .iter()
            .find(|r| r.path.starts_with(prefix))
            .unwrap_or_else(|| panic!("no request to {prefix}"))
            .clone()
    };
    // The value a header carries, compared without printing either side.
    let carries = |seen: &Seen, header: &str, expected: &str| {
        let value = seen.headers.get(header).map(String::as_str);
        assert!(value == Some(expected), "{} {header} differs", seen.path);
    };
    let value_of = |rule: &str| -> String {
        let rule = engine().rules().get(rule).unwrap();
        let text = example(rule.id.as_str());
        regex::Regex::new(&rule.pattern)
            .unwrap()
            .captures(&text)
            .and_then(|c| c.get(rule.secret_group))
            .map(|m| m.as_str().to_owned())
            .unwrap_or_else(|| panic!("{}: no value in its example", rule.id))
    };

    let aws = requests
        .iter()
        .find(|r| r.headers.contains_key("x-amz-date"))
        .expect("an STS request");
    assert_eq!(aws.method, "POST");
    assert_eq!(aws.path, "/");
    assert_eq!(aws.body, "Action=GetCallerIdentity&Version=2011-06-15");
    assert_eq!(
        aws.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    let authorization = aws.headers.get("authorization").expect("signed");
    assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIA"));
    assert!(authorization.contains("/us-east-1/sts/aws4_request, "));
    assert!(authorization.contains("SignedHeaders=content-type;host;x-amz-date, Signature="));
    let secret_key = value_of("secrets.aws.secret-access-key");
    assert!(
        !authorization.contains(&secret_key),
        "the secret key is sent"
    );

    let github = find("/user");
    assert_eq!(github.method, "GET");
    carries(
        &github,
        "authorization",
        &format!(
            "Bearer {}",
            value_of("secrets.github.personal-access-token")
        ),
    );
    assert!(github.headers.contains_key("user-agent"));

    let gitlab = find("/api/v4/personal_access_tokens/self");
    carries(
        &gitlab,
        "private-token",
        &value_of("secrets.gitlab.personal-access-token"),
    );

    let slack = find("/api/auth.test");
    assert_eq!(slack.method, "POST");
    carries(
        &slack,
        "authorization",
        &format!("Bearer {}", value_of("secrets.slack.bot-token")),
    );

    let stripe = find("/v1/account");
    carries(
        &stripe,
        "authorization",
        &format!("Bearer {}", value_of("secrets.stripe.secret-key-live")),
    );

    let models: Vec<&Seen> = requests.iter().filter(|r| r.path == "/v1/models").collect();
    assert_eq!(models.len(), 2, "OpenAI and Anthropic");
    let anthropic = models
        .iter()
        .find(|r| r.headers.contains_key("x-api-key"))
        .expect("Anthropic's header");
    carries(
        anthropic,
        "x-api-key",
        &value_of("secrets.anthropic.api-key"),
    );
    carries(anthropic, "anthropic-version", "2023-06-01");
    let openai = models
        .iter()
        .find(|r| !r.headers.contains_key("x-api-key"))
        .expect("OpenAI's request");
    carries(
        openai,
        "authorization",
        &format!("Bearer {}", value_of("secrets.openai.project-key")),
    );

    let sendgrid = find("/v3/scopes");
    carries(
        &sendgrid,
        "authorization",
        &format!("Bearer {}", value_of("secrets.sendgrid.api-key")),
    );

    let twilio = find("/2010-04-01/Accounts/AC");
    assert!(twilio.path.ends_with(".json"));
    let sid = value_of("secrets.twilio.account-sid");
    assert_eq!(twilio.path, format!("/2010-04-01/Accounts/{sid}.json"));
    let expected = diligence_secrets::base64_encode(
        format!("{sid}:{}", value_of("secrets.twilio.auth-token")).as_bytes(),
    );
    carries(&twilio, "authorization", &format!("Basic {expected}"));

    let google = find("/v1beta/models");
    carries(&google, "x-goog-api-key", &value_of("secrets.gcp.api-key"));
    assert!(
        !google.path.contains("AIza"),
        "the key stays out of the URL"
    );

    let supabase = find("/rest/v1/");
    let jwt = value_of("secrets.supabase.service-role-key");
    carries(&supabase, "apikey", &jwt);
    carries(&supabase, "authorization", &format!("Bearer {jwt}"));
}

#[test]
fn refusals_mark_findings_revoked_except_where_a_refusal_proves_nothing() {
    let (evidence, vault) = scanned(&provider_files());
    let server = serve(revoked_reply);
    let report = live::validate(&vault, &options(&server));
    for (rule, _) in CHECKED {
        let (status, reason) = status_of(&report, &evidence, rule);
        if *rule == "secrets.gitlab.personal-access-token" {
            // A self-managed instance's token is refused by gitlab.com too.
            assert_eq!(status, LiveStatus::Unknown, "{rule}: {reason}");
            assert!(reason.contains("self-managed"), "{reason}");
        } else {
            assert_eq!(status, LiveStatus::Revoked, "{rule}: {reason}");
        }
    }
    let (_, reason) = status_of(&report, &evidence, "secrets.slack.bot-token");
    assert_eq!(reason, "Slack auth.test answered `invalid_auth`");
}

#[test]
fn server_errors_and_timeouts_are_unknown_and_not_retried() {
    let (evidence, vault) = scanned(&provider_files());
    for (reply, needle) in [
        (error_reply as fn(&Seen) -> Reply, "HTTP 500"),
        (hang_reply, "no answer within 1 s (not retried)"),
    ] {
        let server = serve(reply);
        let report = live::validate(&vault, &options(&server));
        for (rule, _) in CHECKED {
            let (status, reason) = status_of(&report, &evidence, rule);
            assert_eq!(status, LiveStatus::Unknown, "{rule}: {reason}");
            assert!(reason.contains(needle), "{rule}: {reason}");
        }
        // Exactly one request per distinct credential: no retry.
        assert_eq!(server.requests().len(), CHECKED.len() - 1);
    }
}

#[test]
fn pairs_are_needed_where_a_provider_needs_both_halves() {
    let files = vec![
        (
            "a/aws.env",
            format!(
                "{}\n{}\n",
                example("secrets.aws.access-key-id"),
                "\n".repeat(30)
            ),
        ),
        ("b/twilio.env", example("secrets.twilio.auth-token")),
    ];
    let (evidence, vault) = scanned(&files);
    let server = serve(live_reply);
    let report = live::validate(&vault, &options(&server));
    for rule in ["secrets.aws.access-key-id", "secrets.twilio.auth-token"] {
        let (status, reason) = status_of(&report, &evidence, rule);
        assert_eq!(status, LiveStatus::Unknown, "{rule}");
        assert!(reason.starts_with("no paired id"), "{rule}: {reason}");
    }
    assert!(server.requests().is_empty(), "nothing asked without a pair");
    assert!(report.hosts().is_empty());
}

#[test]
fn database_hosts_are_resolved_never_connected_to() {
    let password = format!("{}{}", "Gt8gUerWWl", "tRQWk5l4Bt");
    let other = format!("{}{}", "Wk4sN8p3oh", "hiYEbWnLU8");
    let files = vec![
        (
            "config/local.env",
            format!("DATABASE_URL=postgresql://app:{password}@localhost:5432/app\n"),
        ),
        (
            "config/gone.env",
            format!("DATABASE_URL=postgresql://app:{other}@db-gone.diligence-test.invalid/app\n"),
        ),
    ];
    let (evidence, vault) = scanned(&files);
    // No endpoint is set: a database check never uses one.
    let report = live::validate(
        &vault,
        &LiveOptions::default().timeout(Duration::from_secs(5)),
    );
    let check = |path: &str| {
        let finding = evidence
            .findings
            .iter()
            .find(|f| f.location.path.as_deref() == Some(path))
            .unwrap();
        report
            .check(finding.rule.as_str(), &finding.fingerprint)
            .unwrap()
            .clone()
    };
    let local = check("config/local.env");
    assert_eq!(local.status, LiveStatus::Unknown, "{}", local.reason);
    assert!(local.reason.contains("never connected"), "{}", local.reason);
    assert_eq!(local.host.as_deref(), Some("localhost"));
    let gone = check("config/gone.env");
    // A resolver that cannot answer at all (no network) says so instead.
    assert!(
        gone.status == LiveStatus::Revoked || gone.reason.contains("resolver"),
        "{gone:?}"
    );
    assert_ne!(gone.status, LiveStatus::Live);
    assert!(report.hosts().contains("localhost (name resolution only)"));
    assert!(
        report
            .hosts()
            .contains("db-gone.diligence-test.invalid (name resolution only)")
    );
}

#[test]
fn kinds_without_a_check_say_so() {
    let files = vec![
        ("config/hook.env", example("secrets.slack.incoming-webhook")),
        ("config/npm.env", example("secrets.npm.access-token")),
    ];
    let (evidence, vault) = scanned(&files);
    let server = serve(live_reply);
    let report = live::validate(&vault, &options(&server));
    let (status, reason) = status_of(&report, &evidence, "secrets.slack.incoming-webhook");
    assert_eq!(status, LiveStatus::Unknown);
    assert!(reason.contains("never done"), "{reason}");
    let (status, reason) = status_of(&report, &evidence, "secrets.npm.access-token");
    assert_eq!(status, LiveStatus::Unknown);
    assert_eq!(reason, "no live check exists for this kind of credential");
    assert!(server.requests().is_empty());
}

#[test]
fn a_session_keeps_no_values_unless_asked() {
    let session = Session::new(engine());
    session.scan(
        example("secrets.github.personal-access-token").as_bytes(),
        "config/github.env",
        Origin::Worktree,
    );
    let (evidence, vault) = session.finish_sealed(&FinishOptions::default());
    assert_eq!(evidence.findings.len(), 1);
    assert!(vault.is_empty());
    assert!(format!("{vault:?}").len() < 100);
}
