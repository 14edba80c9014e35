//! The `source` collector's evidence: facts, findings and the routes
//! inventory, read from a [`SourceModel`].

use diligence_model::{
    Catalog, CollectorId, Confidence, Evidence, Fact, FactName, FileClass, Finding, Inventory,
    Location, RuleId, Severity, Table, Unit,
};

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
        "JavaScript and TypeScript files parsed",
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
        "source.routes.unguarded",
        "Routes whose handler never checks who calls (no caller check, no webhook signature)",
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
        "source.service-role-on-request-ids",
        "A service-role Supabase client queried with ids taken from the request body, without an ownership check",
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
            function_findings(function, &mut evidence);
        }

        let set = |e: &mut Evidence, name: &str, fact: Fact| e.set_fact(fact_name(name), fact);
        set(
            &mut evidence,
            "source.frameworks",
            Fact::list(self.stacks.frameworks.iter().cloned()),
        );
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
        // Routes of the product only: a function in a test fixture or an
        // example is listed in the inventory, not counted.
        let product: Vec<&EdgeFunction> = functions
            .iter()
            .filter(|f| f.class == FileClass::Production)
            .collect();
        set(
            &mut evidence,
            "source.routes",
            Fact::count(product.len(), Unit::Count).detail(
                "Supabase edge functions in production files; other route kinds are listed in source.not-analysed.",
            ),
        );
        let unguarded = product
            .iter()
            .filter(|f| f.parsed && !f.checks_caller())
            .count();
        set(
            &mut evidence,
            "source.routes.unguarded",
            Fact::count(unguarded, Unit::Count)
                .heuristic(Confidence::Medium)
                .detail("Routes whose handler (or a local helper it calls) never asks who the caller is and verifies no webhook signature; verify_jwt alone does not count, since the public anon key passes it."),
        );
        crate::sql::database_evidence(self, &mut evidence);
        if !functions.is_empty() {
            evidence
                .inventories
                .insert("routes".to_owned(), routes_table(&functions));
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

fn function_findings(function: &EdgeFunction, evidence: &mut Evidence) {
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
            Finding::builder(
                rule("source.edge-function-unauthenticated"),
                Severity::High,
                confidence,
            )
            .message(format!(
                "Edge function `{}` ({route}) sets verify_jwt = false and its handler never checks who calls: anyone on the internet can invoke it.",
                function.name
            ))
            .remediation("Turn verify_jwt back on, or check the caller in the handler (`supabase.auth.getUser(token)` with the request's bearer token); for a webhook, verify the provider's signature before acting.")
        } else if let Some(helper) = &function.service_role {
            Finding::builder(
                rule("source.edge-function-no-caller-check"),
                Severity::Medium,
                Confidence::Medium,
            )
            .message(format!(
                "Edge function `{}` ({route}) acts with the service-role key ({helper}) and never checks who calls: verify_jwt accepts the public anon key, so any visitor can use it.",
                function.name
            ))
            .remediation("Read the caller with `supabase.auth.getUser(token)` and act only on their records, or use a client built with the caller's JWT so that row-level security applies.")
        } else {
            return push_body_ids(function, evidence);
        };
        if let Ok(finding) = built.location(at).tag(HEURISTIC).build() {
            evidence.findings.push(finding);
        }
    }
    push_body_ids(function, evidence);
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

fn routes_table(functions: &[EdgeFunction]) -> Inventory {
    let mut rows: Vec<(bool, Vec<String>)> = functions
        .iter()
        .map(|f| {
            let guard = match &f.guard {
                _ if !f.parsed => "not analysed (parse failed)".to_owned(),
                Guard::Caller { call, path, .. } if *path == f.path => {
                    format!("caller check `{call}`")
                }
                Guard::Caller { call, path, .. } => format!("caller check `{call}` via {path}"),
                Guard::Signature { call } => format!("webhook signature `{call}`"),
                Guard::None => "none".to_owned(),
            };
            let verify = match f.verify_jwt {
                Some(true) => "on",
                Some(false) => "off",
                None => "on (default)",
            };
            let service = match &f.service_role {
                Some(path) if *path == f.path => "yes".to_owned(),
                Some(path) => format!("yes (via {path})"),
                None => "no".to_owned(),
            };
            let handler = match f.line {
                Some(line) => format!("{}:{line}", f.path),
                None => f.path.clone(),
            };
            (
                f.parsed && f.checks_caller(),
                vec![
                    "ANY".to_owned(),
                    f.route(),
                    guard,
                    verify.to_owned(),
                    service,
                    handler,
                    f.class.to_string(),
                ],
            )
        })
        .collect();
    // Unguarded first, then by path.
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1[1].cmp(&b.1[1])));
    Inventory::Table(Table {
        title: "Routes".to_owned(),
        columns: [
            "method",
            "path",
            "guard",
            "verify_jwt",
            "service role",
            "handler",
            "class",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect(),
        rows: rows.into_iter().map(|(_, row)| row).collect(),
    })
}
