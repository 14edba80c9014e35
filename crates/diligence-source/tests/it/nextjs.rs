//! Next.js on both sides: route handlers, API routes and server actions
//! of the vulnerable app are flagged at their handlers, and the sound
//! look-alikes (a middleware matcher, a helper one alias away, a verified
//! webhook) are not.

use diligence_model::{Confidence, Evidence, Inventory, Severity};

use crate::{evidence_of, found};

/// The routes table as (method, path, guard, validation, handler) rows,
/// sorted.
pub(crate) fn routes(evidence: &Evidence) -> Vec<[String; 5]> {
    let Some(Inventory::Table(table)) = evidence.inventories.get("routes") else {
        return Vec::new();
    };
    let mut rows: Vec<[String; 5]> = table
        .rows
        .iter()
        .map(|r| {
            [
                r[0].clone(),
                r[1].clone(),
                r[2].clone(),
                r[3].clone(),
                r[4].clone(),
            ]
        })
        .collect();
    rows.sort();
    rows
}

fn row(cells: [&str; 5]) -> [String; 5] {
    cells.map(str::to_owned)
}

#[test]
fn vulnerable_routes_are_read_with_their_paths_and_guards() -> anyhow::Result<()> {
    let evidence = evidence_of("nextjs/vulnerable")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "ACTION",
                "deleteAccount",
                "none",
                "none seen",
                "src/app/actions.ts:5"
            ]),
            row([
                "ANY",
                "/api/calc",
                "none",
                "none seen",
                "src/pages/api/calc.ts:3"
            ]),
            row([
                "ANY",
                "/api/convert",
                "none",
                "none seen",
                "src/pages/api/convert.ts:4"
            ]),
            row([
                "DELETE",
                "/api/users/[id]",
                "none",
                "none seen",
                "src/app/api/users/[id]/route.ts:11"
            ]),
            row([
                "GET",
                "/api/go",
                "none",
                "none seen",
                "src/app/api/go/route.ts:4"
            ]),
            row([
                "GET",
                "/api/preview",
                "none",
                "none seen",
                "src/app/api/preview/route.ts:1"
            ]),
            row([
                "GET",
                "/api/users/[id]",
                "caller check `getServerSession`",
                "none seen",
                "src/app/api/users/[id]/route.ts:4"
            ]),
            row([
                "POST",
                "/api/login",
                "none",
                "none seen",
                "src/app/api/login/route.ts:4"
            ]),
            row([
                "POST",
                "/api/orders",
                "none",
                "none seen",
                "src/app/api/orders/route.ts:4"
            ]),
            row([
                "POST",
                "/api/webhooks/stripe",
                "none",
                "none seen",
                "src/app/api/webhooks/stripe/route.ts:3"
            ]),
        ]
    );
    // The middleware only covers /dashboard: the DELETE stays unguarded,
    // and the helper `requireUser` decodes without verifying.
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/app/actions.ts", Some(5), Confidence::Medium),
            ("src/app/api/orders/route.ts", Some(4), Confidence::Medium),
            (
                "src/app/api/users/[id]/route.ts",
                Some(11),
                Confidence::Medium
            ),
            ("src/pages/api/calc.ts", Some(3), Confidence::Medium),
            ("src/pages/api/convert.ts", Some(4), Confidence::Medium),
        ]
    );
    let delete = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.route-unguarded" && f.location.line == Some(11))
        .expect("finding");
    assert_eq!(delete.severity, Severity::High);
    assert!(delete.tags.contains("heuristic"));
    assert_eq!(
        found(&evidence, "source.webhook-unverified"),
        [(
            "src/app/api/webhooks/stripe/route.ts",
            Some(3),
            Confidence::Medium
        )]
    );
    let not_analysed = evidence
        .facts
        .get("source.not-analysed")
        .map(|f| f.value.to_string());
    assert_eq!(not_analysed.as_deref(), Some("none"));
    Ok(())
}

#[test]
fn sound_routes_are_guarded_by_middleware_helpers_and_signatures() -> anyhow::Result<()> {
    let evidence = evidence_of("nextjs/sound")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "ACTION",
                "deleteAccount",
                "caller check `auth`",
                "none seen",
                "src/app/actions.ts:6"
            ]),
            row([
                "ANY",
                "/api/calc",
                "caller check `getServerSession`",
                "none seen",
                "src/pages/api/calc.ts:4"
            ]),
            row([
                "ANY",
                "/api/convert",
                "caller check `getServerSession`",
                "none seen",
                "src/pages/api/convert.ts:5"
            ]),
            row([
                "DELETE",
                "/api/users/[id]",
                "caller check `auth` via src/middleware.ts",
                "none seen",
                "src/app/api/users/[id]/route.ts:4"
            ]),
            row([
                "GET",
                "/api/go",
                "none",
                "none seen",
                "src/app/api/go/route.ts:6"
            ]),
            row([
                "GET",
                "/api/preview",
                "none",
                "none seen",
                "src/app/api/preview/route.ts:1"
            ]),
            row([
                "POST",
                "/api/login",
                "none",
                "none seen",
                "src/app/api/login/route.ts:4"
            ]),
            row([
                "POST",
                "/api/orders",
                "caller check `requireUser → auth` via src/lib/session.ts",
                "zod",
                "src/app/api/orders/route.ts:7"
            ]),
            row([
                "POST",
                "/api/webhooks/stripe",
                "webhook signature `stripe.webhooks.constructEvent`",
                "none seen",
                "src/app/api/webhooks/stripe/route.ts:6"
            ]),
        ]
    );
    let serious: Vec<(&str, String)> = evidence
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium && f.confidence >= Confidence::Medium)
        .map(|f| (f.rule.as_str(), f.location.to_string()))
        .collect();
    assert_eq!(serious, Vec::<(&str, String)>::new());
    Ok(())
}

fn hit(
    rule: &str,
    path: &str,
    line: u32,
    severity: Severity,
    confidence: Confidence,
) -> (String, String, u32, Severity, Confidence) {
    (rule.to_owned(), path.to_owned(), line, severity, confidence)
}

#[test]
fn planted_identity_and_injection_problems_are_found_where_they_are() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Low, Medium};
    let evidence = evidence_of("nextjs/vulnerable")?;
    assert_eq!(
        crate::planted(&evidence),
        [
            hit(
                "source.command-injection",
                "src/pages/api/convert.ts",
                5,
                High,
                M
            ),
            hit("source.eval-input", "src/pages/api/calc.ts", 4, High, M),
            hit(
                "source.jwt-decode-unverified",
                "src/lib/session.ts",
                6,
                Medium,
                M
            ),
            hit(
                "source.jwt-literal-secret",
                "src/app/api/login/route.ts",
                7,
                High,
                H
            ),
            hit(
                "source.jwt-no-expiry",
                "src/app/api/login/route.ts",
                7,
                Low,
                M
            ),
            hit("source.jwt-none-alg", "src/lib/session.ts", 11, High, H),
            hit(
                "source.open-redirect",
                "src/app/api/go/route.ts",
                6,
                Medium,
                M
            ),
            hit(
                "source.sql-injection",
                "src/app/api/orders/route.ts",
                7,
                High,
                M
            ),
            hit("source.ssrf", "src/app/api/preview/route.ts", 4, Medium, M),
            hit(
                "source.token-in-localstorage",
                "src/components/LoginForm.tsx",
                7,
                Medium,
                M
            ),
            hit(
                "source.weak-password-hash",
                "src/lib/password.ts",
                4,
                High,
                H
            ),
        ]
    );
    let sql = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.sql-injection")
        .expect("finding");
    // The source line and the sink line are both named.
    assert!(
        sql.message.contains("the body field `note` (line 6)"),
        "{}",
        sql.message
    );
    assert!(sql.message.contains("at line 7"), "{}", sql.message);
    assert!(sql.tags.contains("heuristic"));
    assert!(sql.remediation.is_some());
    let fact = |name: &str| evidence.facts.get(name).map(|f| f.value.to_string());
    assert_eq!(
        fact("source.identity-providers").as_deref(),
        Some("Auth.js/NextAuth, custom JWT")
    );
    assert_eq!(fact("source.routes.validated").as_deref(), Some("0% (0/7)"));

    // The sound look-alikes: verified tokens with an expiry, bcrypt beside
    // an MD5 etag, a theme in localStorage, parameters, a fixed origin, a
    // redirect from a fixed table, execFile and JSON.parse.
    // Only a low note: the middleware checks sign-in, and the handler
    // deletes whichever user the path names without knowing who calls.
    let sound = evidence_of("nextjs/sound")?;
    assert_eq!(
        crate::planted(&sound),
        [hit(
            "source.object-not-owned",
            "src/app/api/users/[id]/route.ts",
            5,
            Severity::Low,
            Confidence::Low
        )]
    );
    let fact = |name: &str| sound.facts.get(name).map(|f| f.value.to_string());
    assert_eq!(
        fact("source.routes.validated").as_deref(),
        Some("14% (1/7)")
    );
    Ok(())
}

#[test]
fn sign_in_actions_are_public_by_design_and_others_are_not() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("app"))?;
    std::fs::write(
        temp.path().join("app/actions.ts"),
        "'use server';\n\
         export async function signInWithEmail(form: FormData) { return form; }\n\
         export async function signUp(form: FormData) { return form; }\n\
         export async function deleteProject(id: string) { return db.project.delete({ where: { id } }); }\n\
         export async function authorsList() { return db.author.findMany(); }\n\
         export async function allPosts() { return fs.readdir('content/blog'); }\n\
         function createExcerpt(text: string) { return text.slice(0, 10); }\n\
         export async function firstPost() { return createExcerpt(await fs.readFile('content/blog/a.mdx', 'utf8')); }\n",
    )?;
    let mut evidence = crate::model_of(temp.path())?.evidence();
    evidence.normalise();
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("app/actions.ts", Some(4), Confidence::Medium),
            ("app/actions.ts", Some(5), Confidence::Medium),
        ]
    );
    // An action that only reads says so; one that reads no stored data
    // (files shipped with the app) is not a finding.
    let reads = evidence
        .findings
        .iter()
        .find(|f| f.location.line == Some(5))
        .expect("the reading action");
    assert!(
        reads.message.contains("reads stored data for any caller"),
        "{}",
        reads.message
    );
    Ok(())
}

#[test]
fn hand_written_validators_count_and_methods_on_other_objects_do_not() -> anyhow::Result<()> {
    let actions = "\
'use server';
import { isValidEmail } from '@/utils/helpers';
export async function requestReset(form: FormData) {
  const email = String(form.get('email'));
  if (!isValidEmail(email)) return '/error';
  return '/sent';
}
export async function rename(form: FormData) {
  const name = String(form.get('name'));
  if (!name.isValid()) return '/error';
  return '/done';
}
export async function remember(form: FormData) {
  return validator.isEmail(String(form.get('email')));
}
";
    let evidence = crate::evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "next": "14.2.0" } }"#,
        ),
        ("app/actions.ts", actions),
        (
            "utils/helpers.ts",
            "export const isValidEmail = (e: string) => /^[^@]+@[^@]+$/.test(e);\n",
        ),
    ])?;
    let validation: Vec<(String, String)> = routes(&evidence)
        .into_iter()
        .map(|r| (r[1].clone(), r[3].clone()))
        .collect();
    assert_eq!(
        validation,
        [
            ("remember".to_owned(), "none seen".to_owned()),
            ("rename".to_owned(), "none seen".to_owned()),
            (
                "requestReset".to_owned(),
                "hand-written (isValidEmail)".to_owned()
            ),
        ]
    );
    Ok(())
}
