//! Admin routes and second factors: which routes serve staff, whether a
//! second factor is enforced, merely offered, or left to a hosted identity
//! provider, and whether admin screens ship in the public browser bundle.
//!
//! Enforcement is what counts: an app that lets users enrol a TOTP factor
//! but never checks the assurance level of the session (`aal2` in Supabase)
//! lets a stolen password in all the same.

use std::collections::BTreeSet;

use diligence_model::{Confidence, Evidence, Fact, FileClass, Finding, Location, Severity, Unit};

use crate::SourceModel;
use crate::evidence::{HEURISTIC, fact_name, rule};
use crate::model::{FileModel, Runtime};
use crate::routes::{Route, RouteGuard};

/// Calls that check the session's assurance level or demand a verified
/// second factor before acting.
const ENFORCING_CALLS: &[&str] = &[
    "getAuthenticatorAssuranceLevel",
    "otp_required",
    "requireMfa",
    "requireMFA",
    "require_mfa",
    "requireTwoFactor",
    "verified_otp_required",
];

/// Decorators, mixins and permission classes that demand a verified
/// second factor (django-otp, django-two-factor-auth).
const ENFORCING_NAMES: &[&str] = &["otp_required", "OTPRequiredMixin", "IsOTPVerified"];

/// Modules and calls that let users enrol a second factor.
const OFFERING_MODULES: &[&str] = &[
    "otplib",
    "speakeasy",
    "otpauth",
    "@simplewebauthn/",
    "pyotp",
    "django_otp",
    "two_factor",
    "webauthn",
];

/// Calls that enrol or verify a second factor.
const OFFERING_CALLS: &[&str] = &[
    "mfa.enroll",
    "mfa.challenge",
    "mfa.verify",
    "mfa.challengeAndVerify",
    "multiFactor",
    "enrollFactor",
    "verifyTotp",
];

/// Hosted identity providers whose second factor is configured in their
/// dashboard, out of the code's sight.
const HOSTED_PROVIDERS: &[(&str, &str)] = &[
    ("@clerk/", "Clerk"),
    ("@auth0/", "Auth0"),
    ("auth0", "Auth0"),
    ("aws-amplify", "Amazon Cognito"),
    ("@aws-amplify/", "Amazon Cognito"),
    ("@workos-inc/", "WorkOS"),
    ("@kinde-oss/", "Kinde"),
    ("@stytch/", "Stytch"),
];

/// What the code shows of second factors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecondFactor {
    /// Where a check of the second factor is made (`file:line`, what).
    pub enforced: Vec<String>,
    /// What offers one (enrolment calls, libraries, platform settings).
    pub offered: BTreeSet<String>,
    /// Hosted identity providers in use, which may enforce one in their
    /// own settings.
    pub hosted: BTreeSet<String>,
}

impl SecondFactor {
    /// Reads the model.
    pub fn read(model: &SourceModel) -> Self {
        let mut found = Self::default();
        for file in model
            .files
            .iter()
            .filter(|f| f.class == FileClass::Production)
        {
            found.read_file(file);
        }
        for (path, config) in &model.supabase {
            for factor in &config.mfa {
                found
                    .offered
                    .insert(format!("Supabase MFA ({factor}) enabled in {path}"));
            }
        }
        // Row-level policies that demand `aal2` enforce it in the database.
        for database in &model.databases {
            for table in database.tables.values() {
                for policy in table.policies.values() {
                    let text = format!(
                        "{} {}",
                        policy.using.as_deref().unwrap_or(""),
                        policy.check.as_deref().unwrap_or("")
                    );
                    if text.contains("aal2") {
                        found.enforced.push(format!(
                            "{}:{} (policy `{}` demands aal2)",
                            policy.at.path, policy.at.line, policy.name
                        ));
                    }
                }
            }
        }
        found.enforced.sort();
        found.enforced.dedup();
        found
    }

    fn read_file(&mut self, file: &FileModel) {
        for call in &file.calls {
            let method = call.method();
            let compares_aal2 = call.args.iter().any(|a| a.as_str() == Some("aal2"));
            if ENFORCING_CALLS.contains(&method) || compares_aal2 {
                if file.runtime == Runtime::Client {
                    // A check in the browser steers the interface; a direct
                    // request skips it.
                    self.offered.insert(format!(
                        "`{}` in {} (checked in the browser only)",
                        call.callee, file.path
                    ));
                } else {
                    self.enforced
                        .push(format!("{}:{} (`{}`)", file.path, call.line, call.callee));
                }
            }
            if OFFERING_CALLS.iter().any(|c| call.callee.ends_with(c)) {
                self.offered
                    .insert(format!("`{}` in {}", call.callee, file.path));
            }
        }
        for function in &file.functions {
            if let Some(name) = function
                .decorators
                .iter()
                .find(|d| ENFORCING_NAMES.iter().any(|n| d.ends_with(n)))
            {
                self.enforced
                    .push(format!("{}:{} (`{name}`)", file.path, function.line));
            }
        }
        for class in &file.classes {
            if let Some(name) = class
                .bases
                .iter()
                .find(|b| ENFORCING_NAMES.iter().any(|n| b.ends_with(n)))
            {
                self.enforced
                    .push(format!("{}:{} (`{name}`)", file.path, class.line));
            }
        }
        for import in &file.imports {
            if let Some(module) = OFFERING_MODULES.iter().find(|m| {
                import.specifier.starts_with(*m) || import.specifier == m.trim_end_matches('/')
            }) {
                self.offered.insert(format!(
                    "`{}` in {}",
                    module.trim_end_matches('/'),
                    file.path
                ));
            }
            if let Some((_, provider)) = HOSTED_PROVIDERS
                .iter()
                .find(|(m, _)| import.specifier.starts_with(m))
            {
                self.hosted.insert((*provider).to_owned());
            }
        }
    }
}

/// Whether a route serves staff: a path segment or handler folder named
/// `admin`, or a caller check that asks for an admin or superuser.
pub fn is_admin(route: &Route) -> bool {
    let admin_word = |s: &str| {
        let s = s.to_ascii_lowercase();
        s == "admin"
            || s.starts_with("admin-")
            || s.starts_with("admin_")
            || s == "administrator"
            || s == "backoffice"
            || s == "staff"
    };
    // Names in the check that ask for a role; a receiver (`admin.auth.getUser`
    // on a client named `admin`) names an object, not a role.
    let guard_says = match &route.guard {
        RouteGuard::Caller { check, .. } => {
            let mut words = Vec::new();
            let mut rest = check.as_str();
            while let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '_') {
                let tail = &rest[start..];
                let end = tail
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(tail.len());
                if !tail[end..].starts_with('.') {
                    words.push(tail[..end].to_ascii_lowercase());
                }
                rest = &tail[end..];
            }
            words
                .iter()
                .any(|w| w.contains("admin") || w.contains("superuser") || w.contains("staff"))
        }
        _ => false,
    };
    route.path.split(['/', '.']).any(admin_word)
        || route.file.split('/').rev().skip(1).any(admin_word)
        || guard_says
}

/// Browser files that hold admin screens: shipped to every visitor, they
/// show where the admin functions are and how they are called.
fn admin_client_files(model: &SourceModel) -> Vec<&str> {
    model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production && f.runtime == Runtime::Client)
        .filter(|f| {
            f.path.split('/').any(|s| {
                let stem = s.split('.').next().unwrap_or(s).to_ascii_lowercase();
                stem == "admin" || stem.starts_with("admin")
            })
        })
        .map(|f| f.path.as_str())
        .collect()
}

/// The admin facts and the second-factor finding.
pub(crate) fn add_evidence(model: &SourceModel, routes: &[Route], evidence: &mut Evidence) {
    let admin: Vec<&Route> = routes
        .iter()
        .filter(|r| r.class == FileClass::Production && is_admin(r))
        .collect();
    let factor = SecondFactor::read(model);
    let set = |e: &mut Evidence, name: &str, fact: Fact| e.set_fact(fact_name(name), fact);
    let mut shown: Vec<String> = admin
        .iter()
        .take(5)
        .map(|r| format!("{} {} ({})", r.method, r.path, r.handler()))
        .collect();
    if admin.len() > 5 {
        shown.push(format!("and {} more", admin.len() - 5));
    }
    set(
        evidence,
        "source.admin-routes",
        Fact::count(admin.len(), Unit::Count)
            .heuristic(Confidence::Medium)
            .detail(if shown.is_empty() {
                "No production route whose path, folder or caller check names an admin, superuser or staff role.".to_owned()
            } else {
                format!("By path, folder or an admin, superuser or staff check: {}.", shown.join("; "))
            }),
    );
    let status = if !factor.enforced.is_empty() {
        "enforced"
    } else if !factor.offered.is_empty() {
        "offered, not enforced"
    } else if !factor.hosted.is_empty() {
        "left to the identity provider"
    } else {
        "not seen"
    };
    let mut detail = Vec::new();
    if !factor.enforced.is_empty() {
        detail.push(format!(
            "checked at {}",
            factor
                .enforced
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !factor.offered.is_empty() {
        detail.push(format!(
            "offered by {}",
            factor
                .offered
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !factor.hosted.is_empty() {
        detail.push(format!(
            "{} may enforce one in its own settings, which the code does not show",
            factor.hosted.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    set(
        evidence,
        "source.second-factor",
        Fact::text(status).heuristic(Confidence::Medium).detail(if detail.is_empty() {
            "No enrolment, verification or assurance-level check of a second factor in the production code or the Supabase configuration.".to_owned()
        } else {
            format!("{}.", detail.join("; "))
        }),
    );
    let client = admin_client_files(model);
    set(
        evidence,
        "source.admin-in-client-bundle",
        Fact::count(client.len(), Unit::Files).detail(if client.is_empty() {
            "No admin screen among the browser files.".to_owned()
        } else {
            format!(
                "Admin screens shipped to every visitor: {}.",
                client
                    .iter()
                    .take(3)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    );

    set(
        evidence,
        "source.admin-surface",
        Fact::count(admin.len() + client.len(), Unit::Count)
            .detail("Admin routes plus admin screens in the browser bundle: what a second factor would have to protect."),
    );
    set(
        evidence,
        "source.second-factor-enforced",
        Fact::bool(!factor.enforced.is_empty()).heuristic(Confidence::Medium),
    );
    if !factor.enforced.is_empty() || (admin.is_empty() && client.is_empty()) {
        return;
    }
    // A hosted provider may enforce a factor in its own settings: the
    // `source.second-factor-enforced` fact leaves that open, no finding.
    let why = if !factor.offered.is_empty() {
        "a second factor is offered but no check of it (an assurance level of aal2, a verified-OTP decorator) guards anything"
    } else if !factor.hosted.is_empty() {
        return;
    } else {
        "no second factor is seen anywhere in the code"
    };
    // A hardening gap rather than a hole by itself, and one a single sign-on
    // proxy or a VPN in front of the admin may close out of the code's
    // sight: low severity, low confidence.
    let built = Finding::builder(
        rule("source.admin-without-second-factor"),
        Severity::Low,
        Confidence::Low,
    )
    .message(match admin.first() {
        Some(first) => format!(
            "{} admin route{} ({} {} first) {} reachable with a password alone: {why}.",
            admin.len(),
            if admin.len() == 1 { "" } else { "s" },
            first.method,
            first.path,
            if admin.len() == 1 { "is" } else { "are" },
        ),
        None => format!(
            "The app has admin screens ({} browser file{}, {} first) and staff reach them with a password alone: {why}.",
            client.len(),
            if client.len() == 1 { "" } else { "s" },
            client[0]
        ),
    })
    .location(match admin.first() {
        Some(Route { file, line: Some(line), .. }) => Location::line(file, *line),
        Some(route) => Location::file(&route.file),
        None => Location::file(client[0]),
    })
    .remediation("Require a verified second factor for staff sessions (Supabase: check `getAuthenticatorAssuranceLevel()` is `aal2` in the admin routes and `auth.jwt()->>'aal' = 'aal2'` in admin policies; Django: `otp_required`), and keep admin screens out of the public bundle.")
    .tag(HEURISTIC)
    .build();
    if let Ok(finding) = built {
        evidence.findings.push(finding);
    }
}
