//! The `source` collector's evidence: facts, findings and the routes
//! inventory, read from a [`SourceModel`].

use diligence_model::{
    Catalog, CollectorId, Confidence, Evidence, Fact, FactName, FileClass, Finding, FindingBuilder,
    Inventory, Location, RuleId, Severity, Table, Unit,
};

use crate::routes::{Route, RouteGuard};
use crate::supabase::{self, EdgeFunction, Guard};
use crate::{SkipReason, SourceModel};

/// The collector's id.
pub const COLLECTOR: &str = "source";

const FACTS: &[(&str, &str)] = &[
    (
        "source.frameworks",
        "Frameworks and platforms recognised from manifests and code (React, Next.js, Supabase Edge Functions, Express ...)",
    ),
    (
        "source.not-analysed",
        "Stacks present in the target that no source detector reads yet",
    ),
    (
        "source.files.parsed",
        "JavaScript, TypeScript and Python files parsed",
    ),
    (
        "source.files.skipped",
        "Source files not parsed because they are vendored, generated, minified or too large",
    ),
    (
        "source.files.failed",
        "Source files that did not parse (syntax errors, nesting too deep, unreadable)",
    ),
    ("source.routes", "Server routes found in production files"),
    (
        "source.error-handlers",
        "Global error handlers set up in production code",
    ),
    (
        "source.logging",
        "Structured-logging libraries imported by production code",
    ),
    (
        "source.errors-swallowed",
        "Error handlers in production code that drop the error",
    ),
    (
        "source.admin-routes",
        "Production routes that serve staff: an admin path or folder, or an admin, superuser or staff check",
    ),
    (
        "source.second-factor",
        "Whether a second factor is enforced, offered, left to a hosted identity provider, or not seen",
    ),
    (
        "source.admin-in-client-bundle",
        "Admin screens among the files shipped to the browser",
    ),
    (
        "source.second-factor-enforced",
        "Whether a second factor is checked on the server or in row-level policies",
    ),
    (
        "source.admin-surface",
        "Admin routes plus admin screens in the browser bundle",
    ),
    (
        "source.personal-data.fields",
        "Schema fields whose names say they hold personal data",
    ),
    (
        "source.personal-data.kinds",
        "Kinds of personal data the schemas hold",
    ),
    (
        "source.data-inventory",
        "Documents that look like a data inventory or classification",
    ),
    ("source.deletion-paths", "Code that deletes a user account"),
    (
        "source.soft-delete",
        "Tables that mark rows deleted instead of removing them",
    ),
    (
        "source.firebase.rules",
        "Firebase security rules files read (Firestore, Storage, Realtime Database)",
    ),
    (
        "source.client-files",
        "Production files that ship to the browser",
    ),
    (
        "source.cors",
        "How the server code answers cross-origin requests (every origin, reflected with credentials, an allow-list)",
    ),
    (
        "source.cors.wildcard",
        "Routes or server files that answer every origin",
    ),
    (
        "source.rate-limiters",
        "Rate-limiting libraries and limiting calls seen in server code",
    ),
    (
        "source.paid-calls",
        "Calls to language models and paid messaging APIs in production server code",
    ),
    (
        "source.paid-routes",
        "Production routes that reach a paid API",
    ),
    (
        "source.paid-routes.unlimited",
        "Paid routes with no rate limiter seen",
    ),
    (
        "source.error-tracking",
        "Error trackers and tracing SDKs initialised in production code",
    ),
    (
        "source.routes.unguarded",
        "Routes whose handler never checks who calls (no caller check, no webhook signature)",
    ),
    (
        "source.identity-providers",
        "Identity providers and authentication libraries the production code imports (Auth.js/NextAuth, Clerk, Auth0, Supabase Auth, Firebase Auth, Passport, better-auth, Lucia, Kinde, custom JWT)",
    ),
    (
        "source.routes.validated",
        "Share of state-changing production routes whose handler validates its input with a schema library",
    ),
    (
        "source.db.migrations",
        "SQL migration files read (Supabase, Prisma, Drizzle and generic migration folders)",
    ),
    (
        "source.db.tables",
        "Tables in the exposed schemas after every migration is replayed",
    ),
    (
        "source.db.tables.without-rls",
        "Tables in the exposed schemas without row-level security after replay",
    ),
    (
        "source.db.policies",
        "Row-level security policies after replay",
    ),
    (
        "source.db.tenant-columns",
        "Exposed tables with a tenant key column (tenant_id, org_id, workspace_id ...)",
    ),
    (
        "source.db.tenant-unenforced",
        "Tables with a tenant key column that no policy reads",
    ),
    (
        "source.db.user-tables",
        "Tables with row-level security and a user column (user_id, owner_id, profile_id, created_by), as `table (column)`",
    ),
    (
        "source.db.user-unenforced",
        "Of those, tables whose policies do not keep each user to their own rows",
    ),
    (
        "source.tenant-models",
        "ORM models and tables (Prisma, Drizzle, Django) with a tenant key field",
    ),
    (
        "source.tenant-queries",
        "ORM queries on models with a tenant key that filter by a tenant or user key (heuristic)",
    ),
];

const RULES: &[(&str, &str)] = &[
    (
        "source.parse-failed",
        "A source or configuration file could not be parsed, so it was not analysed",
    ),
    (
        "source.edge-function-unauthenticated",
        "A Supabase edge function with verify_jwt = false whose handler never checks the caller",
    ),
    (
        "source.edge-function-no-caller-check",
        "A Supabase edge function that acts with the service-role key and never checks who the caller is",
    ),
    (
        "source.route-unguarded",
        "A server route that changes state and never checks who calls, in the handler, a middleware or a helper",
    ),
    (
        "source.admin-without-second-factor",
        "Admin routes reachable with a password alone: no second factor enforced",
    ),
    (
        "source.error-swallowed",
        "Error handlers in production code that drop the error (empty catch blocks, except: pass)",
    ),
    (
        "source.object-not-owned",
        "A signed-in route that changes the record the request names without relating it to the caller",
    ),
    (
        "source.route-guarded-only-in-ui",
        "A server route with no server-side check of the caller, called from browser code that only signed-in users reach",
    ),
    (
        "source.webhook-unverified",
        "A webhook route that acts on the request without verifying the provider's signature",
    ),
    (
        "source.card-data-stored",
        "Payment card data stored in the product's own database",
    ),
    (
        "source.password-column-unhashed",
        "A password field with no password hashing seen in the code",
    ),
    (
        "source.firebase-rules-open",
        "Firebase rules that allow reading or writing to everyone",
    ),
    (
        "source.firebase-rules-test-mode",
        "Firebase rules still in test mode (everyone until a date)",
    ),
    (
        "source.firebase-rules-any-user",
        "Firebase rules that let any signed-in user write, or read everything",
    ),
    (
        "source.client-service-role",
        "The Supabase service-role key is read in code that ships to the browser",
    ),
    (
        "source.client-secret-env",
        "A secret or paid provider's key is read through a client-exposed environment variable",
    ),
    (
        "source.client-paid-sdk",
        "Browser code imports a paid provider's server SDK",
    ),
    (
        "source.client-paid-api-call",
        "Browser code calls a paid provider's API directly",
    ),
    (
        "source.cors-wildcard",
        "Server entry points answer every origin (Access-Control-Allow-Origin: *)",
    ),
    (
        "source.cors-reflected-credentials",
        "A server reflects any request origin and allows credentials",
    ),
    (
        "source.paid-route-unlimited",
        "A route that calls a paid API with no rate limit seen",
    ),
    (
        "source.llm-max-tokens-unset",
        "A language-model call without an output-token cap",
    ),
    (
        "source.service-role-on-request-ids",
        "A service-role Supabase client queried with ids taken from the request body, without an ownership check",
    ),
    (
        "source.jwt-literal-secret",
        "A JWT signed or verified with a secret written in the code",
    ),
    (
        "source.jwt-decode-unverified",
        "A JWT decoded on the server without verifying its signature in the same function",
    ),
    (
        "source.jwt-none-alg",
        "JWT options that allow the `none` algorithm (no signature)",
    ),
    ("source.jwt-no-expiry", "A JWT issued without an expiry"),
    (
        "source.weak-password-hash",
        "Passwords hashed with MD5 or SHA-1",
    ),
    (
        "source.token-in-localstorage",
        "A session or access token stored in localStorage",
    ),
    (
        "source.sql-injection",
        "SQL built from request input by concatenation, interpolation or formatting and passed to a query call",
    ),
    (
        "source.command-injection",
        "A shell command built from request input",
    ),
    ("source.eval-input", "Request input evaluated as code"),
    (
        "source.ssrf",
        "A server-side request to a URL taken from the request",
    ),
    (
        "source.open-redirect",
        "A redirect to a URL taken from the request",
    ),
    (
        "source.csrf-exempt",
        "A Django view that changes state with CSRF protection turned off",
    ),
    (
        "source.db.rls-disabled",
        "A table in an exposed schema without row-level security after every migration",
    ),
    (
        "source.db.policy-always-true",
        "A row-level security policy whose USING or WITH CHECK is always true",
    ),
    (
        "source.db.policy-without-rls",
        "Policies on a table whose row-level security is off, so they do nothing",
    ),
    (
        "source.db.rls-no-policy",
        "A table with row-level security and no policy (deny-all for clients)",
    ),
    (
        "source.db.user-metadata-in-policy",
        "A policy or function that trusts user metadata, which users can write themselves",
    ),
    (
        "source.db.signup-role-from-metadata",
        "A sign-up trigger that copies a role or plan from the new user's metadata",
    ),
    (
        "source.db.self-update-privileged-column",
        "An update policy that lets users change privileged columns of their own row",
    ),
    (
        "source.db.definer-function-callable",
        "A SECURITY DEFINER function that writes, checks no caller and clients can call",
    ),
    (
        "source.db.security-definer-view",
        "A view in an exposed schema that bypasses row-level security",
    ),
    (
        "source.db.grant-to-anon",
        "Write privileges granted to the anon role",
    ),
    ("source.db.public-bucket", "A storage bucket created public"),
    (
        "source.tenant-unfiltered-query",
        "An ORM query on a model with a tenant key that filters by no tenant or user key",
    ),
    (
        "source.db.storage-policy-no-owner",
        "A storage policy that lets users reach files that are not theirs",
    ),
];

/// Every fact and rule the `source` collector can emit.
pub fn catalog() -> Catalog {
    Catalog::from_tables(FACTS, RULES).expect("built-in fact names and rule ids are valid")
}

pub(crate) fn fact_name(name: &str) -> FactName {
    FactName::new(name).expect("built-in fact names are valid")
}

pub(crate) fn rule(id: &str) -> RuleId {
    RuleId::new(id).expect("built-in rule ids are valid")
}

pub(crate) const HEURISTIC: &str = "heuristic";

impl SourceModel {
    /// The `source` collector's evidence.
    pub fn evidence(&self) -> Evidence {
        let mut evidence =
            Evidence::new(CollectorId::new(COLLECTOR).expect("`source` is a valid collector id"));
        let functions = supabase::edge_functions(self);

        self.parse_failures(&mut evidence);
        for function in &functions {
            function_findings(self, function, &mut evidence);
        }

        let set = |e: &mut Evidence, name: &str, fact: Fact| e.set_fact(fact_name(name), fact);
        // Routes are read once; a stack whose routes were found is named
        // even when no manifest names it (a Netlify function without
        // `@netlify/functions`).
        let routes = crate::routes::routes_with(self, &functions);
        let mut frameworks = self.stacks.frameworks.clone();
        frameworks.extend(
            routes
                .iter()
                .filter(|r| r.class == FileClass::Production)
                .map(|r| r.framework.clone()),
        );
        set(&mut evidence, "source.frameworks", Fact::list(frameworks));
        set(
            &mut evidence,
            "source.not-analysed",
            Fact::list(self.stacks.not_analysed.iter().cloned()).detail(
                "Stacks recognised from manifests and file kinds whose code no detector reads yet; their routes and checks are not evidenced.",
            ),
        );
        set(
            &mut evidence,
            "source.files.parsed",
            Fact::count(self.files.len(), Unit::Files),
        );
        let skipped = |reason| self.skipped.iter().filter(|s| s.reason == reason).count();
        set(
            &mut evidence,
            "source.files.skipped",
            Fact::count(self.skipped.len(), Unit::Files).detail(format!(
                "{} vendored, {} generated, {} minified, {} larger than {} KiB.",
                skipped(SkipReason::Vendored),
                skipped(SkipReason::Generated),
                skipped(SkipReason::Minified),
                skipped(SkipReason::TooLarge),
                crate::MAX_FILE_SIZE / 1024
            )),
        );
        set(
            &mut evidence,
            "source.files.failed",
            Fact::count(self.failed.len(), Unit::Files),
        );
        // Routes of the product only: a route in a test fixture or an
        // example is listed in the inventory, not counted.
        let product: Vec<&Route> = routes
            .iter()
            .filter(|r| r.class == FileClass::Production)
            .collect();
        let mut kinds: Vec<&str> = product.iter().map(|r| r.framework.as_str()).collect();
        kinds.dedup();
        set(
            &mut evidence,
            "source.routes",
            Fact::count(product.len(), Unit::Count).detail(format!(
                "Routes in production files ({}); stacks no detector reads are listed in source.not-analysed.",
                if kinds.is_empty() { "none found".to_owned() } else { kinds.join(", ") }
            )),
        );
        let unguarded = product
            .iter()
            .filter(|r| r.analysed() && !r.checks_caller())
            .count();
        set(
            &mut evidence,
            "source.routes.unguarded",
            Fact::count(unguarded, Unit::Count)
                .heuristic(Confidence::Medium)
                .detail("Routes whose handler (or a middleware or helper that covers it) never asks who the caller is and verifies no webhook signature; Supabase's verify_jwt alone does not count, since the public anon key passes it."),
        );
        for route in &routes {
            route_findings(self, route, &mut evidence);
        }
        crate::py_injection::findings(self, &routes, &mut evidence);
        crate::rust_injection::findings(self, &routes, &mut evidence);
        crate::django::findings(&routes, &mut evidence);
        crate::surface::evidence::add(self, &routes, &mut evidence);
        crate::firebase::add_evidence(&self.firebase, &mut evidence);
        // The data models are read once, for personal data and tenants.
        let data_models = crate::schema::models(self);
        crate::personal::add_evidence(self, &data_models, &mut evidence);
        crate::tenant::add_evidence(self, &data_models, &mut evidence);
        crate::identity::findings(self, &mut evidence);
        crate::admin::add_evidence(self, &routes, &mut evidence);
        crate::ownership::findings(self, &routes, &mut evidence);
        crate::observability::add_evidence(self, &mut evidence);
        crate::injection::findings(self, &mut evidence);
        set(
            &mut evidence,
            "source.identity-providers",
            Fact::list(crate::identity::providers(self)).detail(
                "From the imports of production files (and Supabase Auth calls); `custom JWT` means the code signs its own tokens.",
            ),
        );
        let mutating: Vec<&&Route> = product
            .iter()
            .filter(|r| r.analysed() && r.mutating())
            .collect();
        if !mutating.is_empty() {
            let validated = mutating.iter().filter(|r| r.validation.is_some()).count();
            set(
                &mut evidence,
                "source.routes.validated",
                Fact::ratio(validated as u64, mutating.len() as u64)
                    .heuristic(Confidence::Medium)
                    .detail("State-changing production routes whose handler calls a schema library's parse or validate; a validation the detectors cannot see (a shared wrapper two calls away) is not counted."),
            );
        }
        crate::sql::database_evidence(self, &mut evidence);
        if !routes.is_empty() {
            evidence
                .inventories
                .insert("routes".to_owned(), routes_table(&routes));
        }
        evidence
    }

    fn parse_failures(&self, evidence: &mut Evidence) {
        let config_errors = self
            .supabase
            .iter()
            .filter_map(|(path, c)| c.error.as_ref().map(|e| (path.as_str(), e)));
        let failures = self
            .failed
            .iter()
            .map(|f| (f.path.as_str(), &f.error))
            .chain(config_errors);
        for (path, error) in failures {
            let location = match error.line() {
                Some(line) => Location::line(path, line),
                None => Location::file(path),
            };
            let built = Finding::builder(
                rule("source.parse-failed"),
                Severity::Low,
                Confidence::High,
            )
            .message(format!("{path} was not analysed: {error}"))
            .location(location)
            .remediation("Check that the file is valid; if it is, its routes and checks need a manual review, since no detector read it.")
            .build();
            if let Ok(finding) = built {
                evidence.findings.push(finding);
            }
        }
    }
}

fn function_findings(model: &SourceModel, function: &EdgeFunction, evidence: &mut Evidence) {
    if !function.parsed {
        return;
    }
    let at = match function.line {
        Some(line) => Location::line(&function.path, line),
        None => Location::file(&function.path),
    };
    let route = function.route();
    if !function.checks_caller() {
        let built = if !function.verifies_jwt() {
            let confidence = if function.unresolved_imports == 0 {
                Confidence::High
            } else {
                Confidence::Medium
            };
            (Finding::builder(
                rule("source.edge-function-unauthenticated"),
                Severity::High,
                confidence,
            )
            .message(format!(
                "Edge function `{}` ({route}) sets verify_jwt = false and its handler never checks who calls: anyone on the internet can invoke it.",
                function.name
            ))
            .remediation("Turn verify_jwt back on, or check the caller in the handler (`supabase.auth.getUser(token)` with the request's bearer token); for a webhook, verify the provider's signature before acting."), confidence)
        } else if let Some(helper) = &function.service_role {
            (Finding::builder(
                rule("source.edge-function-no-caller-check"),
                Severity::Medium,
                Confidence::Medium,
            )
            .message(format!(
                "Edge function `{}` ({route}) acts with the service-role key ({helper}) and never checks who calls: verify_jwt accepts the public anon key, so any visitor can use it.",
                function.name
            ))
            .remediation("Read the caller with `supabase.auth.getUser(token)` and act only on their records, or use a client built with the caller's JWT so that row-level security applies."), Confidence::Medium)
        } else {
            return push_body_ids(function, evidence);
        };
        let built = ui_only(model, &function.to_route(), built);
        if let Ok(finding) = built.location(at).tag(HEURISTIC).build() {
            evidence.findings.push(finding);
        }
    }
    push_body_ids(function, evidence);
}

/// The "guarded only in the UI" finding that replaces `unguarded` (a
/// finding about a route with no server-side check) when signed-in browser
/// code calls the route; `unguarded` itself when none does. Its confidence
/// is the better of the two: the missing check is the route's own
/// evidence, the signed-in page only sharpens it.
fn ui_only(
    model: &SourceModel,
    route: &Route,
    (unguarded, base): (FindingBuilder, Confidence),
) -> FindingBuilder {
    let Some(call) = crate::ui::caller(model, route) else {
        return unguarded;
    };
    if call.confidence() < Confidence::Medium {
        return unguarded;
    }
    let confidence = call.confidence().max(base);
    let notes = if route.notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", route.notes.join("; "))
    };
    Finding::builder(
        rule("source.route-guarded-only-in-ui"),
        Severity::High,
        confidence,
    )
    .message(format!(
        "{} route {} {}{notes} is guarded only in the interface: {}, but the server never checks who calls. A login page does not stop a direct request: anyone who knows the URL (and the app's public key) can call it.",
        route.framework,
        route.method,
        route.path,
        call.describe()
    ))
    .remediation("Check the caller on the server (the session or bearer token, `auth.getUser(token)` in a Supabase function) and take the user's id from that check, never from the request; keep the interface guard for convenience only.")
}

fn push_body_ids(function: &EdgeFunction, evidence: &mut Evidence) {
    for used in &function.body_ids {
        if used.compared {
            continue;
        }
        // Without a caller check anyone chooses the id; with one, the
        // caller is known but may still name someone else's id.
        let confidence = match (&function.guard, used.confidence) {
            (Guard::Caller { .. }, _) => Confidence::Low,
            (_, confidence) => confidence,
        };
        let built = Finding::builder(
            rule("source.service-role-on-request-ids"),
            Severity::High,
            confidence,
        )
        .message(format!(
            "Edge function `{}` passes `{}` from the request body to `{}` on a service-role client, which bypasses row-level security, without checking that the caller owns it.",
            function.name, used.field, used.call
        ))
        .location(Location::line(&function.path, used.line))
        .remediation("Take the user id from the verified caller (`auth.getUser`), not from the body, or compare the two and refuse a mismatch; prefer a client built with the caller's JWT so that row-level security applies.")
        .tag(HEURISTIC)
        .build();
        if let Ok(finding) = built {
            evidence.findings.push(finding);
        }
    }
}

/// Path segments of routes that are public by design: signing in and up,
/// password resets, health checks, public forms.
const PUBLIC_SEGMENTS: &[&str] = &[
    "login",
    "signin",
    "sign-in",
    "signup",
    "sign-up",
    "register",
    "logout",
    "signout",
    "sign-out",
    "auth",
    "callback",
    "oauth",
    "forgot-password",
    "reset-password",
    "password-reset",
    "password-recovery",
    "recover-password",
    "verify-email",
    "health",
    "healthz",
    "ready",
    "status",
    "contact",
    "newsletter",
    "subscribe",
    "unsubscribe",
    "csp-report",
];

/// Whether a route's path says it is public by design. A camel-case
/// name (a server action's, `signInWithEmail`) is public when it starts
/// with such a segment (`sign-in-with-email`).
fn public_by_design(path: &str) -> bool {
    path.split(['/', '.'])
        .map(|s| s.trim_matches(|c| c == '[' || c == ']' || c == ':'))
        .any(|s| {
            let lower = s.to_ascii_lowercase();
            if PUBLIC_SEGMENTS.contains(&lower.as_str()) {
                return true;
            }
            let mut kebab = String::new();
            for (i, c) in s.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    kebab.push('-');
                }
                kebab.push(c.to_ascii_lowercase());
            }
            kebab != lower
                && PUBLIC_SEGMENTS
                    .iter()
                    .any(|p| kebab.strip_prefix(p).is_some_and(|r| r.starts_with('-')))
        })
}

/// Whether a route's file sits in a folder of authentication routes
/// (`server/auth/email.ts`, `routes/oauth/index.ts`): a router there is
/// mounted where people sign in, and its relative paths (`/token`)
/// do not say so themselves. Route groups in parentheses are not read:
/// `(auth)` may as well mean the signed-in area.
fn auth_folder(file: &str) -> bool {
    let mut dirs = file.rsplit('/').skip(1);
    dirs.any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "auth" | "oauth" | "login" | "sso"
        )
    })
}

/// Whether a route receives a provider's webhooks: a part of its path
/// ends with the word webhook (`/api/webhooks/stripe`, `stripe-webhook`,
/// `github.webhooks`, `handleWebhook`), or is a webhook's handler,
/// receiver or listener. A route that manages webhook settings
/// (`webhookSubscriptions.create`) is not one, nor is a route that checks
/// a signed-in caller: providers hold no user session.
fn is_webhook(route: &Route) -> bool {
    if matches!(route.guard, RouteGuard::Caller { .. }) {
        return false;
    }
    route.path.split(['/', '.']).any(|part| {
        let words =
            crate::supabase::name_words(part.trim_matches(|c| c == '[' || c == ']' || c == ':'));
        match words
            .iter()
            .rposition(|w| w == "webhook" || w == "webhooks")
        {
            Some(i) if i + 1 == words.len() => true,
            Some(i) => matches!(
                words[i + 1].as_str(),
                "handler" | "receiver" | "listener" | "endpoint" | "callback" | "events" | "event"
            ),
            None => false,
        }
    })
}

/// Findings every stack's routes share. Supabase edge functions have
/// their own, finer rules (verify_jwt, the service-role key), so they are
/// left out here.
fn route_findings(model: &SourceModel, route: &Route, evidence: &mut Evidence) {
    if route.framework == "Supabase Edge Functions" || !route.analysed() {
        return;
    }
    let at = match route.line {
        Some(line) => Location::line(&route.file, line),
        None => Location::file(&route.file),
    };
    let built = if is_webhook(route) {
        if matches!(route.guard, RouteGuard::Signature { .. }) {
            return;
        }
        Finding::builder(
            rule("source.webhook-unverified"),
            Severity::High,
            Confidence::Medium,
        )
        .message(format!(
            "{} webhook route {} {} never verifies the provider's signature: anyone who finds the URL can forge events (payments marked paid, subscriptions granted).",
            route.framework, route.method, route.path
        ))
        .remediation("Verify the signature with the provider's SDK (`stripe.webhooks.constructEvent` with the raw body and the endpoint secret) before acting, and reject stale timestamps.")
    } else {
        if route.checks_caller()
            || !route.mutating()
            || public_by_design(&route.path)
            || auth_folder(&route.file)
            || crate::entry::answers_only(model, route)
            || crate::entry::auth_entry_point(model, route)
            || crate::entry::navigation_only(model, route)
            || (matches!(route.method.as_str(), "ANY" | "ACTION")
                && !crate::entry::any_route_writes(model, route)
                && !crate::entry::reads_data(model, route))
            || route.declared_public()
        {
            return;
        }
        let severity = if matches!(route.method.as_str(), "DELETE" | "PUT" | "PATCH") {
            Severity::High
        } else {
            Severity::Medium
        };
        let reads_only = matches!(route.method.as_str(), "ANY" | "ACTION")
            && !crate::entry::any_route_writes(model, route);
        let what = match (reads_only, route.method.as_str()) {
            (true, "ACTION") => "reads stored data for any caller",
            (true, _) => "answers every method and reads stored data",
            _ => "changes state",
        };
        let built = Finding::builder(rule("source.route-unguarded"), severity, Confidence::Medium)
            .message(format!(
                "{} route {} {} {what} and no check of the caller was found in its handler, its middleware or the helpers it calls: anyone who can reach the server can call it.",
                route.framework, route.method, route.path
            ))
            .remediation("Check the session or token on the server before acting (in the handler or a middleware that covers the route), and act only on records the caller owns; if the route is public by design, say so in a comment and rate-limit it.");
        ui_only(model, route, (built, Confidence::Medium))
    };
    if let Ok(finding) = built.location(at).tag(HEURISTIC).build() {
        evidence.findings.push(finding);
    }
}

fn routes_table(routes: &[Route]) -> Inventory {
    let mut rows: Vec<(bool, bool, Vec<String>)> = routes
        .iter()
        .map(|r| {
            let guard = match &r.guard {
                RouteGuard::NotAnalysed => "not analysed (parse failed)".to_owned(),
                RouteGuard::Caller {
                    check, via: None, ..
                } => format!("caller check `{check}`"),
                RouteGuard::Caller {
                    check,
                    via: Some(path),
                    ..
                } => format!("caller check `{check}` via {path}"),
                RouteGuard::Signature { check } => format!("webhook signature `{check}`"),
                RouteGuard::None => "none".to_owned(),
            };
            (
                r.analysed() && r.checks_caller(),
                !r.mutating(),
                vec![
                    r.method.clone(),
                    r.path.clone(),
                    guard,
                    r.validation
                        .clone()
                        .unwrap_or_else(|| "none seen".to_owned()),
                    r.handler(),
                    r.class.to_string(),
                    r.notes.join("; "),
                ],
            )
        })
        .collect();
    // Unguarded first, mutating before reading, then by path.
    rows.sort_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| a.2[1].cmp(&b.2[1]))
    });
    Inventory::Table(Table {
        title: "Routes".to_owned(),
        columns: [
            "method",
            "path",
            "guard",
            "validation",
            "handler",
            "class",
            "notes",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect(),
        rows: rows.into_iter().map(|(_, _, row)| row).collect(),
    })
}
