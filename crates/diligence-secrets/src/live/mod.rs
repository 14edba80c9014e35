//! Live validation: asks each credential's provider, at its read-only
//! identity endpoint, whether the credential still works. Runs only when
//! the user asks (`--validate`), as a stage after collection, over the
//! sealed values of a [`Vault`]; collectors never open a socket.
//!
//! One request per distinct credential, never retried (a retry can lock an
//! account or trip an alarm), with a time limit per request and a bound on
//! the requests in flight. Redirects are not followed, proxies from the
//! environment are not used, and only HTTPS is spoken. Database URLs are
//! never connected to: their host name is resolved, nothing more.
//!
//! Every outcome is a [`LiveCheck`]: live, revoked or unknown, with a reason
//! that names the answer (a status code, an error name), never the
//! credential nor the identity the provider returned.

mod sigv4;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diligence_model::{Confidence, Evidence, LiveCheck, LiveStatus, Severity};

use crate::sealed::{SealedSecret, Vault};

#[cfg(all(feature = "live-test-endpoints", not(debug_assertions)))]
compile_error!(
    "the `live-test-endpoints` feature is for tests only and is refused in release builds"
);

/// Default time limit of one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The most of a response body read.
const BODY_LIMIT: u64 = 64 * 1024;

/// The providers a live check asks.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[non_exhaustive]
pub enum Provider {
    /// AWS STS `GetCallerIdentity` (signed with Signature Version 4).
    Aws,
    /// GitHub `GET /user`.
    GitHub,
    /// GitLab.com `GET /api/v4/personal_access_tokens/self`.
    GitLab,
    /// Slack `auth.test`.
    Slack,
    /// Stripe `GET /v1/account`.
    Stripe,
    /// OpenAI `GET /v1/models` (admin keys: `GET /v1/organization/projects`).
    OpenAi,
    /// Anthropic `GET /v1/models` (admin keys: `GET /v1/organizations/users`).
    Anthropic,
    /// SendGrid `GET /v3/scopes`.
    SendGrid,
    /// Twilio `GET /2010-04-01/Accounts/{sid}.json`.
    Twilio,
    /// Google API keys: `GET /v1beta/models` of the Generative Language API,
    /// whose answer tells an unknown key from a restricted one.
    Google,
    /// Supabase service-role JWTs: `GET /rest/v1/` of the project the
    /// token names.
    Supabase,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Self; 11] = [
        Self::Aws,
        Self::GitHub,
        Self::GitLab,
        Self::Slack,
        Self::Stripe,
        Self::OpenAi,
        Self::Anthropic,
        Self::SendGrid,
        Self::Twilio,
        Self::Google,
        Self::Supabase,
    ];

    /// The provider's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aws => "AWS",
            Self::GitHub => "GitHub",
            Self::GitLab => "GitLab",
            Self::Slack => "Slack",
            Self::Stripe => "Stripe",
            Self::OpenAi => "OpenAI",
            Self::Anthropic => "Anthropic",
            Self::SendGrid => "SendGrid",
            Self::Twilio => "Twilio",
            Self::Google => "Google",
            Self::Supabase => "Supabase",
        }
    }

    /// The endpoint's scheme and host (Supabase's names the project:
    /// `https://<ref>.supabase.co`).
    pub fn origin(self) -> &'static str {
        match self {
            Self::Aws => "https://sts.amazonaws.com",
            Self::GitHub => "https://api.github.com",
            Self::GitLab => "https://gitlab.com",
            Self::Slack => "https://slack.com",
            Self::Stripe => "https://api.stripe.com",
            Self::OpenAi => "https://api.openai.com",
            Self::Anthropic => "https://api.anthropic.com",
            Self::SendGrid => "https://api.sendgrid.com",
            Self::Twilio => "https://api.twilio.com",
            Self::Google => "https://generativelanguage.googleapis.com",
            Self::Supabase => "https://<ref>.supabase.co",
        }
    }
}

/// How live validation runs.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    timeout: Duration,
    concurrency: usize,
    /// The time of the requests (Unix seconds), for signatures.
    clock: Option<i64>,
    #[cfg(feature = "live-test-endpoints")]
    endpoints: BTreeMap<Provider, String>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            concurrency: DEFAULT_CONCURRENCY,
            clock: None,
            #[cfg(feature = "live-test-endpoints")]
            endpoints: BTreeMap::new(),
        }
    }
}

impl LiveOptions {
    /// The time limit of one request (name resolutions included), between
    /// one and sixty seconds.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.clamp(Duration::from_secs(1), Duration::from_secs(60));
        self
    }

    /// The most requests in flight at once, between 1 and 16.
    #[must_use]
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.clamp(1, 16);
        self
    }

    /// The current time in Unix seconds, which AWS signatures carry (the
    /// library reads no clock; without it AWS keys are not checked).
    #[must_use]
    pub fn clock(mut self, unix_seconds: i64) -> Self {
        self.clock = Some(unix_seconds);
        self
    }

    /// The time limit of one request.
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }

    /// The bound on requests in flight.
    pub fn concurrency_value(&self) -> usize {
        self.concurrency
    }

    /// Tests only: sends `provider`'s requests to a loopback HTTP server
    /// (`http://127.0.0.1:PORT`) instead of the provider. Absent from
    /// builds without the `live-test-endpoints` feature, which release
    /// builds refuse.
    ///
    /// # Panics
    ///
    /// When `origin` is not a loopback `http://` origin.
    #[cfg(feature = "live-test-endpoints")]
    #[must_use]
    pub fn endpoint(mut self, provider: Provider, origin: &str) -> Self {
        let loopback = ["http://127.0.0.1:", "http://[::1]:", "http://localhost:"]
            .iter()
            .any(|p| origin.starts_with(p));
        assert!(
            loopback && !origin.ends_with('/'),
            "a test endpoint is a loopback origin without a path"
        );
        self.endpoints.insert(provider, origin.to_owned());
        self
    }

    fn origin(&self, provider: Provider, project: Option<&str>) -> String {
        #[cfg(feature = "live-test-endpoints")]
        if let Some(origin) = self.endpoints.get(&provider) {
            return origin.clone();
        }
        match (provider, project) {
            (Provider::Supabase, Some(project)) => format!("https://{project}.supabase.co"),
            _ => provider.origin().to_owned(),
        }
    }

    fn plain_http(&self) -> bool {
        #[cfg(feature = "live-test-endpoints")]
        if !self.endpoints.is_empty() {
            return true;
        }
        false
    }
}

/// What live validation found: one check per finding of the vault, and
/// every host contacted.
#[derive(Debug, Clone, Default)]
pub struct LiveReport {
    checks: BTreeMap<(String, String), LiveCheck>,
    hosts: BTreeSet<String>,
}

impl LiveReport {
    /// The check of the finding of `rule` with `fingerprint`.
    pub fn check(&self, rule: &str, fingerprint: &str) -> Option<&LiveCheck> {
        self.checks.get(&(rule.to_owned(), fingerprint.to_owned()))
    }

    /// Every check, by rule id and fingerprint.
    pub fn checks(&self) -> &BTreeMap<(String, String), LiveCheck> {
        &self.checks
    }

    /// Hosts contacted, sorted: provider hosts asked over HTTPS, and
    /// database hosts whose names were resolved (marked so).
    pub fn hosts(&self) -> &BTreeSet<String> {
        &self.hosts
    }
}

/// One HTTP request. Holds a credential: no `Debug`, never logged.
struct Request {
    provider: Provider,
    post: bool,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Option<&'static str>,
    /// Which answer is which for this credential kind.
    admin: bool,
}

impl Request {
    fn get(provider: Provider, url: String) -> Self {
        Self {
            provider,
            post: false,
            url,
            headers: Vec::new(),
            body: None,
            admin: false,
        }
    }

    fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Identical requests are sent once.
    fn key(&self) -> String {
        let mut key = format!("{}\n{}\n", self.post, self.url);
        for (name, value) in &self.headers {
            key.push_str(name);
            key.push(':');
            key.push_str(value);
            key.push('\n');
        }
        key
    }

    fn host(&self) -> String {
        host_of(&self.url)
    }
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest).to_owned()
}

/// What one finding needs.
enum Plan {
    Http(Request),
    Resolve { host: String, srv: bool },
    Unknown(String),
}

/// A job's outcome.
#[derive(Clone)]
struct Verdict {
    status: LiveStatus,
    reason: String,
    host: Option<String>,
}

impl Verdict {
    fn unknown(reason: impl Into<String>) -> Self {
        Self {
            status: LiveStatus::Unknown,
            reason: reason.into(),
            host: None,
        }
    }
}

/// Checks every finding of `vault` with its provider. The only function of
/// the crate that opens sockets.
pub fn validate(vault: &Vault, options: &LiveOptions) -> LiveReport {
    let amz_date = options.clock.map(sigv4::amz_date);

    // Plan every finding; identical jobs are shared.
    let mut jobs: Vec<Plan> = Vec::new();
    let mut job_of_key: HashMap<String, usize> = HashMap::new();
    let mut assigned: Vec<((String, String), Result<usize, String>)> = Vec::new();
    for ((rule, fingerprint), sealed) in &vault.entries {
        let mut chosen: Option<Plan> = None;
        let mut first_reason: Option<String> = None;
        for secret in &sealed.secrets {
            match plan(rule, secret, options, amz_date.as_deref()) {
                Plan::Unknown(reason) => {
                    first_reason.get_or_insert(reason);
                }
                other => {
                    chosen = Some(other);
                    break;
                }
            }
        }
        let slot = match chosen {
            Some(job) => {
                let key = match &job {
                    Plan::Http(request) => request.key(),
                    Plan::Resolve { host, .. } => format!("resolve\n{host}"),
                    Plan::Unknown(_) => String::new(),
                };
                let next = jobs.len();
                let index = *job_of_key.entry(key).or_insert(next);
                if index == next {
                    jobs.push(job);
                }
                Ok(index)
            }
            None => {
                Err(first_reason.unwrap_or_else(|| "no value to check for this finding".to_owned()))
            }
        };
        assigned.push(((rule.clone(), fingerprint.clone()), slot));
    }

    let verdicts = run_jobs(&jobs, options);
    let mut report = LiveReport::default();
    for job in &jobs {
        match job {
            Plan::Http(request) => {
                report.hosts.insert(request.host());
            }
            Plan::Resolve { host, .. } => {
                report
                    .hosts
                    .insert(format!("{host} (name resolution only)"));
            }
            Plan::Unknown(_) => {}
        }
    }
    for (key, slot) in assigned {
        let verdict = match slot {
            Ok(index) => verdicts
                .get(index)
                .cloned()
                .unwrap_or_else(|| Verdict::unknown("the check did not run")),
            Err(reason) => Verdict::unknown(reason),
        };
        report.checks.insert(
            key,
            LiveCheck {
                status: verdict.status,
                reason: verdict.reason,
                host: verdict.host,
            },
        );
    }
    report
}

/// Writes the checks of `report` into the secrets collector's `evidence`:
/// every secret finding gets its [`LiveCheck`] (unknown when no value was
/// kept for it, as for key files); a live one is certain and tagged `live`;
/// a revoked one becomes a low-severity hygiene finding tagged `revoked`.
/// The facts counted from findings are counted again, with `secrets.live`,
/// `secrets.revoked` and `secrets.live-unknown`.
pub fn apply(evidence: &mut Evidence, report: &LiveReport) {
    for finding in &mut evidence.findings {
        if finding.tags.contains("identifier") {
            continue;
        }
        let check = report
            .check(finding.rule.as_str(), &finding.fingerprint)
            .cloned()
            .unwrap_or_else(|| LiveCheck {
                status: LiveStatus::Unknown,
                reason: "no single value was kept for this finding (a key file)".to_owned(),
                host: None,
            });
        match check.status {
            LiveStatus::Live => {
                finding.confidence = Confidence::High;
                finding.tags.insert("live".to_owned());
                finding.message = format!(
                    "{} Checked live: {}; anyone holding a copy can use it today.",
                    finding.message, check.reason
                );
            }
            LiveStatus::Revoked => {
                finding.severity = finding.severity.min(Severity::Low);
                finding.tags.insert("revoked".to_owned());
                finding.message = format!(
                    "{} Checked live: {}; a hygiene matter now, not an open door.",
                    finding.message, check.reason
                );
            }
            LiveStatus::Unknown => {}
        }
        finding.live = Some(check);
    }
    crate::session::recount(evidence);
}

/// Runs the jobs on at most `options.concurrency` threads; each job once.
fn run_jobs(jobs: &[Plan], options: &LiveOptions) -> Vec<Verdict> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let agent = agent(options);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Verdict>>> = Mutex::new(vec![None; jobs.len()]);
    let workers = options.concurrency.min(jobs.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else {
                        break;
                    };
                    let verdict = match job {
                        Plan::Http(request) => send(&agent, request, options),
                        Plan::Resolve { host, srv } => resolve(host, *srv, options.timeout),
                        Plan::Unknown(reason) => Verdict::unknown(reason.clone()),
                    };
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(verdict);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|v| v.unwrap_or_else(|| Verdict::unknown("the check did not run")))
        .collect()
}

fn agent(options: &LiveOptions) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .proxy(None)
        .max_idle_connections(0)
        .max_idle_connections_per_host(0)
        .https_only(!options.plain_http())
        .user_agent(concat!(
            "diligence/",
            env!("CARGO_PKG_VERSION"),
            " (credential check)"
        ))
        .build();
    ureq::Agent::new_with_config(config)
}

/// Sends one request, once.
fn send(agent: &ureq::Agent, request: &Request, options: &LiveOptions) -> Verdict {
    let host = request.host();
    let outcome = if request.post {
        let mut builder = agent.post(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        builder.send(request.body.unwrap_or_default())
    } else {
        let mut builder = agent.get(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        builder.call()
    };
    let mut verdict = match outcome {
        Ok(mut response) => {
            let code = response.status().as_u16();
            let body = response
                .body_mut()
                .with_config()
                .limit(BODY_LIMIT)
                .read_to_string()
                .unwrap_or_default();
            classify(request, code, &body)
        }
        Err(ureq::Error::Timeout(_)) => Verdict::unknown(format!(
            "no answer within {} s (not retried)",
            options.timeout.as_secs()
        )),
        Err(ureq::Error::HostNotFound) if request.provider == Provider::Supabase => Verdict {
            status: LiveStatus::Revoked,
            reason: "the project's host no longer resolves: the project is deleted".to_owned(),
            host: None,
        },
        Err(ureq::Error::HostNotFound) => Verdict::unknown("the provider's host did not resolve"),
        Err(_) => Verdict::unknown("the connection failed (not retried)"),
    };
    verdict.host = Some(host);
    verdict
}

fn live(reason: impl Into<String>) -> Verdict {
    Verdict {
        status: LiveStatus::Live,
        reason: reason.into(),
        host: None,
    }
}

fn revoked(reason: impl Into<String>) -> Verdict {
    Verdict {
        status: LiveStatus::Revoked,
        reason: reason.into(),
        host: None,
    }
}

/// Reads the provider's answer.
fn classify(request: &Request, code: u16, body: &str) -> Verdict {
    let provider = request.provider.name();
    let accepted = || live(format!("{provider} accepted it (HTTP {code})"));
    let refused = || revoked(format!("{provider} refused it as invalid (HTTP {code})"));
    match (request.provider, code) {
        // Slack answers 200 to every call and says in the body.
        (Provider::Slack, 200) => {
            let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            if json.get("ok").and_then(serde_json::Value::as_bool) == Some(true) {
                return live("Slack auth.test answered ok");
            }
            let error = json
                .get("error")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("no error name");
            // Only Slack's own error names, never free text, reach a report.
            let error: String = error
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            match error.as_str() {
                "invalid_auth" | "token_revoked" | "token_expired" | "account_inactive"
                | "not_authed" => revoked(format!("Slack auth.test answered `{error}`")),
                _ => Verdict::unknown(format!("Slack auth.test answered `{error}`")),
            }
        }
        (_, 200) => accepted(),
        (Provider::Aws, 403) if body.contains("SignatureDoesNotMatch") => Verdict::unknown(
            "AWS knows the key id, but the secret found beside it is not its secret",
        ),
        (Provider::Aws, 403) if body.contains("InvalidClientTokenId") => {
            revoked("AWS does not accept the key id (InvalidClientTokenId): deleted or inactive")
        }
        (Provider::Aws, 403) if body.contains("ExpiredToken") => {
            revoked("AWS says the credentials expired (ExpiredToken)")
        }
        (Provider::Stripe | Provider::SendGrid, 403) => live(format!(
            "{provider} knows the key but it may not read this endpoint (HTTP 403): a restricted key"
        )),
        (Provider::Google, 403)
            if [
                "SERVICE_DISABLED",
                "API_KEY_SERVICE_BLOCKED",
                "API_KEY_HTTP_REFERRER_BLOCKED",
                "API_KEY_IP_ADDRESS_BLOCKED",
                "API_KEY_ANDROID_APP_BLOCKED",
                "API_KEY_IOS_APP_BLOCKED",
            ]
            .iter()
            .any(|reason| body.contains(reason)) =>
        {
            live("Google knows the key; it is restricted or the API is off for it (HTTP 403)")
        }
        (Provider::Google, 400) if body.contains("API_KEY_INVALID") => {
            revoked("Google says the key is not valid (API_KEY_INVALID)")
        }
        (Provider::GitLab, 401) => Verdict::unknown(
            "gitlab.com refused it (HTTP 401): revoked or expired, or a token of a self-managed instance",
        ),
        (Provider::Twilio, 401) => revoked("Twilio refused the account SID and token (HTTP 401)"),
        (Provider::Supabase, 401) => revoked(
            "the project refused the token (HTTP 401): its JWT secret was rotated or legacy keys are off",
        ),
        (Provider::Google, _) => {
            Verdict::unknown(format!("Google answered HTTP {code}, which proves neither"))
        }
        (_, 401) => refused(),
        (_, 403) if request.admin => Verdict::unknown(format!(
            "{provider} answered HTTP 403 to an admin endpoint, which proves neither"
        )),
        (_, 403) => Verdict::unknown(format!(
            "{provider} answered HTTP 403 (forbidden or rate limited), which proves neither"
        )),
        (_, 429) => Verdict::unknown(format!("{provider} rate-limited the check (not retried)")),
        (_, 500..=599) => Verdict::unknown(format!(
            "{provider} answered HTTP {code}, a server error (not retried)"
        )),
        (_, _) => Verdict::unknown(format!(
            "{provider} answered HTTP {code}, which proves neither"
        )),
    }
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        crate::decode::base64_encode(format!("{user}:{password}").as_bytes())
    )
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Database URL rules, checked by name resolution only, and whether their
/// host may be an SRV name that has no address of its own.
fn database_rule(rule: &str) -> Option<bool> {
    match rule {
        "secrets.postgres.connection-uri"
        | "secrets.mysql.connection-uri"
        | "secrets.redis.connection-uri"
        | "secrets.rabbitmq.amqp-uri"
        | "secrets.supabase.database-url" => Some(false),
        "secrets.mongodb.connection-uri" => Some(true),
        _ => None,
    }
}

/// The request (or resolution) that checks one sealed value of a finding.
fn plan(rule: &str, secret: &SealedSecret, options: &LiveOptions, amz_date: Option<&str>) -> Plan {
    let value = secret.value();
    let url = |provider: Provider, path: &str| format!("{}{path}", options.origin(provider, None));
    if let Some(srv) = database_rule(rule) {
        return match secret.host() {
            Some(host) if valid_host(host) => Plan::Resolve {
                host: host.to_ascii_lowercase(),
                srv,
            },
            Some(_) => Plan::Unknown("the URL's host is not a plain host name".to_owned()),
            None => Plan::Unknown("the URL names no host".to_owned()),
        };
    }
    let request = match rule {
        "secrets.aws.access-key-id" | "secrets.aws.secret-access-key" => {
            let (key_id, secret_key) = if rule == "secrets.aws.access-key-id" {
                (Some(value), secret.partner())
            } else {
                (secret.partner(), Some(value))
            };
            let (Some(key_id), Some(secret_key)) = (key_id, secret_key) else {
                return Plan::Unknown(
                    "no paired id: the key id and its secret key are not found together".to_owned(),
                );
            };
            if !key_id.starts_with("AKIA") {
                return Plan::Unknown(
                    "a temporary key id: it needs its session token, which is not checked"
                        .to_owned(),
                );
            }
            let Some(amz_date) = amz_date else {
                return Plan::Unknown("no clock was given for the request signature".to_owned());
            };
            let origin = options.origin(Provider::Aws, None);
            let [date, authorization] =
                sigv4::sign(key_id, secret_key, &host_of(&origin), amz_date);
            let mut request = Request::get(Provider::Aws, format!("{origin}/"))
                .header("content-type", sigv4::CONTENT_TYPE.to_owned())
                .header("x-amz-date", date)
                .header("authorization", authorization);
            request.post = true;
            request.body = Some(sigv4::BODY);
            request
        }
        "secrets.github.personal-access-token"
        | "secrets.github.oauth-token"
        | "secrets.github.user-to-server-token"
        | "secrets.github.fine-grained-token" => {
            Request::get(Provider::GitHub, url(Provider::GitHub, "/user"))
                .header("authorization", bearer(value))
                .header("accept", "application/vnd.github+json".to_owned())
        }
        "secrets.gitlab.personal-access-token" => Request::get(
            Provider::GitLab,
            url(Provider::GitLab, "/api/v4/personal_access_tokens/self"),
        )
        .header("private-token", value.to_owned()),
        "secrets.slack.bot-token" | "secrets.slack.user-token" | "secrets.slack.legacy-token" => {
            let mut request = Request::get(Provider::Slack, url(Provider::Slack, "/api/auth.test"))
                .header("authorization", bearer(value))
                .header(
                    "content-type",
                    "application/x-www-form-urlencoded".to_owned(),
                );
            request.post = true;
            request.body = Some("");
            request
        }
        "secrets.slack.incoming-webhook" | "secrets.slack.workflow-webhook" => {
            return Plan::Unknown(
                "a webhook cannot be checked without posting a message, which is never done"
                    .to_owned(),
            );
        }
        "secrets.stripe.secret-key-live"
        | "secrets.stripe.secret-key-test"
        | "secrets.stripe.restricted-key-live"
        | "secrets.stripe.restricted-key-test" => {
            Request::get(Provider::Stripe, url(Provider::Stripe, "/v1/account"))
                .header("authorization", bearer(value))
        }
        "secrets.openai.user-key"
        | "secrets.openai.project-key"
        | "secrets.openai.service-account-key"
        | "secrets.openai.api-key-context" => {
            Request::get(Provider::OpenAi, url(Provider::OpenAi, "/v1/models"))
                .header("authorization", bearer(value))
        }
        "secrets.openai.admin-key" => {
            let mut request = Request::get(
                Provider::OpenAi,
                url(Provider::OpenAi, "/v1/organization/projects?limit=1"),
            )
            .header("authorization", bearer(value));
            request.admin = true;
            request
        }
        "secrets.anthropic.api-key" => {
            Request::get(Provider::Anthropic, url(Provider::Anthropic, "/v1/models"))
                .header("x-api-key", value.to_owned())
                .header("anthropic-version", "2023-06-01".to_owned())
        }
        "secrets.anthropic.admin-key" => {
            let mut request = Request::get(
                Provider::Anthropic,
                url(Provider::Anthropic, "/v1/organizations/users?limit=1"),
            )
            .header("x-api-key", value.to_owned())
            .header("anthropic-version", "2023-06-01".to_owned());
            request.admin = true;
            request
        }
        "secrets.sendgrid.api-key" => {
            Request::get(Provider::SendGrid, url(Provider::SendGrid, "/v3/scopes"))
                .header("authorization", bearer(value))
        }
        "secrets.twilio.auth-token" => {
            let Some(sid) = secret.partner().filter(|s| twilio_sid(s)) else {
                return Plan::Unknown(
                    "no paired id: no Twilio account SID found beside the auth token".to_owned(),
                );
            };
            Request::get(
                Provider::Twilio,
                url(
                    Provider::Twilio,
                    &format!("/2010-04-01/Accounts/{sid}.json"),
                ),
            )
            .header("authorization", basic(sid, value))
        }
        "secrets.gcp.api-key" | "secrets.google.gemini-api-key" if value.starts_with("AIza") => {
            Request::get(
                Provider::Google,
                url(Provider::Google, "/v1beta/models?pageSize=1"),
            )
            .header("x-goog-api-key", value.to_owned())
        }
        "secrets.supabase.service-role-key" => {
            let Some(project) = supabase_project(value) else {
                return Plan::Unknown(
                    "the token names no Supabase project (`ref` claim)".to_owned(),
                );
            };
            let origin = options.origin(Provider::Supabase, Some(&project));
            Request::get(Provider::Supabase, format!("{origin}/rest/v1/"))
                .header("apikey", value.to_owned())
                .header("authorization", bearer(value))
        }
        _ => {
            return Plan::Unknown("no live check exists for this kind of credential".to_owned());
        }
    };
    Plan::Http(request)
}

fn twilio_sid(sid: &str) -> bool {
    sid.len() == 34 && sid.starts_with("AC") && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The project ref a Supabase JWT names: twenty lowercase letters.
fn supabase_project(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = crate::decode::base64url_decode(payload)?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let project = json.get("ref")?.as_str()?;
    (project.len() == 20 && project.bytes().all(|b| b.is_ascii_lowercase()))
        .then(|| project.to_owned())
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-'])
}

/// Resolves a database host name, never connecting to it.
fn resolve(host: &str, srv: bool, timeout: Duration) -> Verdict {
    use std::net::ToSocketAddrs;
    let (sender, receiver) = std::sync::mpsc::channel();
    let name = host.to_owned();
    // The system resolver has no time limit of its own: it runs on a
    // thread that is left behind if it does not answer in time.
    let spawned = std::thread::Builder::new()
        .name("resolve".to_owned())
        .spawn(move || {
            let outcome = (name.as_str(), 0u16)
                .to_socket_addrs()
                .map(|mut addresses| addresses.next().is_some())
                .map_err(|e| e.to_string());
            let _ = sender.send(outcome);
        });
    let mut verdict = match spawned.map(|_| receiver.recv_timeout(timeout)) {
        Err(_) => Verdict::unknown("the name could not be resolved: no thread"),
        Ok(Err(_)) => Verdict::unknown(format!(
            "the name did not resolve within {} s (not retried)",
            timeout.as_secs()
        )),
        Ok(Ok(Ok(true))) => Verdict::unknown(
            "the host name resolves; the credentials were not tried (a database is never connected to)",
        ),
        Ok(Ok(Ok(false))) | Ok(Ok(Err(_))) if srv => Verdict::unknown(
            "the host name has no address; it may be an SRV name, which is not looked up",
        ),
        Ok(Ok(Ok(false))) => {
            revoked("the host name no longer resolves: the database is gone or renamed")
        }
        Ok(Ok(Err(message))) if not_found(&message) => {
            revoked("the host name no longer resolves: the database is gone or renamed")
        }
        Ok(Ok(Err(_))) => Verdict::unknown("the resolver failed (not retried)"),
    };
    verdict.host = Some(host.to_owned());
    verdict
}

/// Whether a resolver error says the name does not exist, rather than that
/// the resolver could not answer.
fn not_found(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "not known",
        "no address associated",
        "no such host",
        "nodename nor servname",
    ]
    .iter()
    .any(|m| message.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_origins() {
        assert_eq!(host_of("https://api.github.com/user"), "api.github.com");
        assert_eq!(host_of("http://127.0.0.1:4000/"), "127.0.0.1:4000");
        assert_eq!(host_of("https://x.example?q=1"), "x.example");
    }

    #[test]
    fn supabase_projects_come_from_the_ref_claim() {
        let payload = crate::decode::base64url_encode(
            br#"{"iss":"supabase","ref":"qwhxkzbnvmtaplrcyeog","role":"service_role"}"#,
        );
        let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
        assert_eq!(
            supabase_project(&jwt).as_deref(),
            Some("qwhxkzbnvmtaplrcyeog")
        );
        let bad = crate::decode::base64url_encode(br#"{"ref":"../evil.example/"}"#);
        assert_eq!(supabase_project(&format!("eyJ.{bad}.c2ln")), None);
        assert_eq!(supabase_project("not-a-jwt"), None);
    }

    #[test]
    fn only_plain_host_names_are_resolved() {
        assert!(valid_host("db.example.com"));
        assert!(valid_host("localhost"));
        assert!(!valid_host("-x.example"));
        assert!(!valid_host("a b"));
        assert!(!valid_host(""));
    }

    #[test]
    fn resolver_errors_that_say_the_name_does_not_exist() {
        assert!(not_found(
            "failed to lookup address information: Name or service not known"
        ));
        assert!(not_found(
            "failed to lookup address information: No address associated with hostname"
        ));
        assert!(!not_found(
            "failed to lookup address information: Temporary failure in name resolution"
        ));
    }

    #[test]
    fn twilio_sids_are_checked_before_they_enter_a_path() {
        assert!(twilio_sid(&format!("AC{}", "0123456789abcdef".repeat(2))));
        assert!(!twilio_sid("AC../../x"));
    }
}
