//! Python: the model of a file, and the routes of FastAPI, Django and
//! Flask apps.

use diligence_model::{Confidence, Severity};
use diligence_source::routes::{RouteGuard, routes};
use diligence_source::{Arg, Language, Runtime};

use crate::{evidence_of, fixture, found, model_of};

/// A route as (method, path, handler, guard, notes).
type Guarded = (String, String, String, String, String);

/// A route as (method, path, handler, guarded, validation).
type Row = (String, String, String, bool, Option<String>);

/// A finding as (rule, path, line, severity).
type Found = (String, String, Option<u32>, Severity);

/// The routes of a fixture app.
fn table(name: &str) -> anyhow::Result<Vec<Row>> {
    let model = model_of(&fixture(name))?;
    Ok(routes(&model)
        .into_iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.handler(),
                r.checks_caller(),
                r.validation.clone(),
            )
        })
        .collect())
}

/// Findings at medium confidence or above.
fn serious(name: &str) -> anyhow::Result<Vec<Found>> {
    let evidence = evidence_of(name)?;
    Ok(evidence
        .findings
        .iter()
        .filter(|f| f.confidence >= Confidence::Medium)
        .map(|f| {
            (
                f.rule.to_string(),
                f.location.path.clone().unwrap_or_default(),
                f.location.line,
                f.severity,
            )
        })
        .collect())
}

#[test]
fn a_python_file_is_parsed_into_the_shared_model() -> anyhow::Result<()> {
    let model = model_of(&fixture("fastapi/vulnerable"))?;
    let main = model.file("app/main.py").expect("parsed");
    assert_eq!(main.language, Language::Python);
    assert_eq!(main.runtime, Runtime::Server);
    let imports: Vec<(&str, &[String])> = main
        .imports
        .iter()
        .map(|i| (i.specifier.as_str(), i.names.as_slice()))
        .collect();
    assert_eq!(imports[0], ("os", &["os".to_owned()][..]));
    assert_eq!(imports[4], (".auth", &["get_current_user".to_owned()][..]));
    assert_eq!(imports[6], (".routers", &["items".to_owned()][..]));
    assert_eq!(main.env_reads[0].name, "PARTNER_API_KEY");
    assert_eq!(main.env_reads[0].line, 14);
    // A decorator is a call at its own line, with its path as argument.
    let post = main.calls_named("app.post").next().expect("decorator call");
    assert_eq!(
        (post.line, post.args.clone()),
        (27, vec![Arg::Str("/notes".into())])
    );
    let include = main.calls_named("app.include_router").next().expect("call");
    assert_eq!(include.args, [Arg::Member("items.router".into())]);
    assert_eq!(
        include.keywords,
        [("prefix".to_owned(), Arg::Str("/api".into()))]
    );
    let create = main
        .functions
        .iter()
        .find(|f| f.name.as_deref() == Some("create_note"))
        .expect("function");
    assert_eq!((create.line, create.end_line), (28, 29));
    assert_eq!(create.params, ["note", "user"]);
    assert_eq!(create.decorators, ["app.post"]);
    let params: Vec<(&str, Option<&str>, Option<&str>)> = main
        .python
        .params_of(create)
        .map(|p| {
            (
                p.name.as_str(),
                p.annotation.as_deref(),
                p.default.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        params,
        [
            ("note", Some("Note"), None),
            ("user", None, Some("Depends(get_current_user)"))
        ]
    );
    // The decorator's call is outside the function; the body's inside.
    assert!(main.calls_in(create).all(|c| c.callee != "app.post"));
    let note = main
        .classes
        .iter()
        .find(|c| c.name == "Note")
        .expect("class");
    assert_eq!(note.bases, ["BaseModel"]);
    let built = &main.python.built_args[0];
    assert_eq!((built.how.as_str(), built.line), ("f-string", 34));
    assert_eq!(built.names, ["note_id"]);
    Ok(())
}

#[test]
fn fastapi_routes_join_prefixes_and_read_dependencies() -> anyhow::Result<()> {
    let routes = table("fastapi/vulnerable")?;
    let row = |m: &str, p: &str, h: &str, g: bool, v: Option<&str>| {
        (
            m.to_owned(),
            p.to_owned(),
            h.to_owned(),
            g,
            v.map(str::to_owned),
        )
    };
    assert_eq!(
        routes,
        [
            row("GET", "/health", "app/main.py:23", false, None),
            row("POST", "/notes", "app/main.py:28", true, Some("pydantic")),
            row("DELETE", "/notes/{note_id}", "app/main.py:33", false, None),
            row("GET", "/preview", "app/main.py:39", false, None),
            row("GET", "/api/items/", "app/routers/items.py:12", false, None),
            row(
                "POST",
                "/api/items/",
                "app/routers/items.py:17",
                false,
                Some("pydantic")
            ),
            row(
                "PATCH",
                "/api/items/{item_id}",
                "app/routers/items.py:22",
                false,
                Some("pydantic")
            ),
            row(
                "PUT",
                "/api/items/{item_id}",
                "app/routers/items.py:22",
                false,
                Some("pydantic")
            ),
        ]
    );
    let model = model_of(&fixture("fastapi/vulnerable"))?;
    let notes = routes_of(&model, "/notes");
    assert_eq!(
        notes,
        RouteGuard::Caller {
            check: "Depends(get_current_user) → jwt.decode".into(),
            via: Some("app/auth.py".into()),
            confidence: Confidence::High
        }
    );
    Ok(())
}

fn routes_of(model: &diligence_source::SourceModel, path: &str) -> RouteGuard {
    routes(model)
        .into_iter()
        .find(|r| r.path == path)
        .map_or(RouteGuard::NotAnalysed, |r| r.guard)
}

#[test]
fn fastapi_vulnerable_app_has_its_planted_problems() -> anyhow::Result<()> {
    let evidence = evidence_of("fastapi/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("app/main.py", Some(33), Confidence::Medium),
            ("app/routers/items.py", Some(17), Confidence::Medium),
            ("app/routers/items.py", Some(22), Confidence::Medium),
            ("app/routers/items.py", Some(22), Confidence::Medium),
        ]
    );
    let delete = evidence
        .findings
        .iter()
        .find(|f| f.location.line == Some(33) && f.rule.as_str() == "source.route-unguarded")
        .expect("finding");
    assert_eq!(delete.severity, Severity::High);
    Ok(())
}

#[test]
fn fastapi_sound_app_has_no_serious_finding() -> anyhow::Result<()> {
    assert_eq!(serious("fastapi/sound")?, []);
    let model = model_of(&fixture("fastapi/sound"))?;
    let admin = routes_of(&model, "/admin/users/{user_id}");
    assert_eq!(
        admin,
        RouteGuard::Caller {
            check: "Depends(require_admin) → HTTPException".into(),
            via: Some("app/auth.py".into()),
            confidence: Confidence::High
        }
    );
    let items = routes_of(&model, "/api/items/");
    assert!(matches!(
        items,
        RouteGuard::Caller {
            confidence: Confidence::Medium,
            ..
        }
    ));
    Ok(())
}

/// Routes as (method, path, handler, guard check or "none", notes).
fn guards(name: &str) -> anyhow::Result<Vec<Guarded>> {
    let model = model_of(&fixture(name))?;
    Ok(routes(&model)
        .into_iter()
        .map(|r| {
            let guard = match &r.guard {
                RouteGuard::Caller { check, .. } => check.clone(),
                _ => "none".to_owned(),
            };
            (
                r.method.clone(),
                r.path.clone(),
                r.handler(),
                guard,
                r.notes.join("; "),
            )
        })
        .collect())
}

fn row5(m: &str, p: &str, h: &str, g: &str, n: &str) -> Guarded {
    (m.into(), p.into(), h.into(), g.into(), n.into())
}

#[test]
fn django_routes_follow_includes_routers_and_permissions() -> anyhow::Result<()> {
    assert_eq!(
        guards("django/vulnerable")?,
        [
            row5(
                "ANY",
                "/api/admin/users/",
                "api/views.py:7",
                "none",
                "ViewSet: every action; permission AllowAny"
            ),
            row5(
                "GET",
                "/api/reports/",
                "api/views.py:12",
                "none",
                "DEFAULT_PERMISSION_CLASSES is AllowAny"
            ),
            row5(
                "POST",
                "/api/reports/",
                "api/views.py:15",
                "none",
                "DEFAULT_PERMISSION_CLASSES is AllowAny"
            ),
            row5("ANY", "/notes/", "notes/views.py:12", "@login_required", ""),
            row5(
                "POST",
                "/notes/<int:pk>/delete/",
                "notes/views.py:18",
                "none",
                "csrf_exempt"
            ),
            row5(
                "ANY",
                "/notes/search/",
                "notes/views.py:25",
                "@login_required",
                ""
            ),
            row5("POST", "/notes/archive/", "notes/views.py:32", "none", ""),
        ]
    );
    assert_eq!(
        guards("django/sound")?,
        [
            row5(
                "ANY",
                "/api/admin/users/",
                "api/views.py:7",
                "permission_classes IsAdminUser",
                "ViewSet: every action"
            ),
            row5(
                "GET",
                "/api/reports/",
                "api/views.py:12",
                "permission_classes IsAuthenticated",
                ""
            ),
            row5(
                "POST",
                "/api/reports/",
                "api/views.py:15",
                "permission_classes IsAuthenticated",
                ""
            ),
            row5("ANY", "/notes/", "notes/views.py:13", "@login_required", ""),
            row5(
                "POST",
                "/notes/<int:pk>/delete/",
                "notes/views.py:19",
                "@login_required",
                ""
            ),
            row5(
                "ANY",
                "/notes/search/",
                "notes/views.py:26",
                "@login_required",
                ""
            ),
            row5(
                "POST",
                "/notes/archive/",
                "notes/views.py:33",
                "LoginRequiredMixin",
                ""
            ),
        ]
    );
    Ok(())
}

#[test]
fn django_unguarded_routes_are_found_and_the_sound_app_is_clean() -> anyhow::Result<()> {
    let evidence = evidence_of("django/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("api/views.py", Some(7), Confidence::Medium),
            ("api/views.py", Some(15), Confidence::Medium),
            ("notes/views.py", Some(18), Confidence::Medium),
            ("notes/views.py", Some(32), Confidence::Medium),
        ]
    );
    assert_eq!(serious("django/sound")?, []);
    Ok(())
}

#[test]
fn flask_routes_join_blueprint_prefixes_and_read_guards() -> anyhow::Result<()> {
    let hook = "admin.before_request require_admin → verify_session";
    assert_eq!(
        guards("flask/sound")?,
        [
            row5(
                "DELETE",
                "/admin/users/<int:user_id>",
                "shop/admin.py:16",
                hook,
                ""
            ),
            row5(
                "POST",
                "/admin/users/<int:user_id>",
                "shop/admin.py:16",
                hook,
                ""
            ),
            row5("GET", "/", "shop/app.py:12", "none", ""),
            row5("GET", "/login", "shop/app.py:17", "none", ""),
            row5("POST", "/login", "shop/app.py:17", "none", ""),
            row5(
                "DELETE",
                "/orders/<order_id>",
                "shop/app.py:23",
                "@login_required",
                ""
            ),
            row5("POST", "/profile", "shop/app.py:30", "@login_required", ""),
        ]
    );
    let evidence = evidence_of("flask/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("shop/admin.py", Some(8), Confidence::Medium),
            ("shop/admin.py", Some(8), Confidence::Medium),
            ("shop/app.py", Some(22), Confidence::Medium),
        ]
    );
    let severities: Vec<Severity> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.route-unguarded")
        .map(|f| f.severity)
        .collect();
    assert_eq!(
        severities,
        [Severity::High, Severity::Medium, Severity::High]
    );
    assert_eq!(serious("flask/sound")?, []);
    Ok(())
}

/// An injection finding as (rule, path, line, severity, confidence).
type Injection = (String, String, u32, Severity, Confidence);

/// The injection findings of a fixture app.
fn injections(name: &str) -> anyhow::Result<Vec<Injection>> {
    let evidence = evidence_of(name)?;
    Ok(evidence
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule.as_str(),
                "source.sql-injection"
                    | "source.command-injection"
                    | "source.eval-input"
                    | "source.ssrf"
                    | "source.open-redirect"
            )
        })
        .map(|f| {
            assert!(f.tags.iter().any(|t| t == "heuristic"), "{f:?}");
            (
                f.rule.to_string(),
                f.location.path.clone().unwrap_or_default(),
                f.location.line.unwrap_or(0),
                f.severity,
                f.confidence,
            )
        })
        .collect())
}

#[test]
fn injections_are_found_at_their_sinks_with_their_sources() -> anyhow::Result<()> {
    let row = |r: &str, p: &str, l: u32, s: Severity, c: Confidence| {
        (r.to_owned(), p.to_owned(), l, s, c)
    };
    use Confidence::{High as Seen, Medium as Param};
    assert_eq!(
        injections("fastapi/vulnerable")?,
        [
            row(
                "source.sql-injection",
                "app/main.py",
                34,
                Severity::High,
                Param
            ),
            row("source.ssrf", "app/main.py", 40, Severity::Medium, Param),
        ]
    );
    assert_eq!(
        injections("django/vulnerable")?,
        [
            row(
                "source.eval-input",
                "api/views.py",
                17,
                Severity::High,
                Seen
            ),
            row(
                "source.sql-injection",
                "notes/views.py",
                20,
                Severity::High,
                Param
            ),
            row(
                "source.open-redirect",
                "notes/views.py",
                21,
                Severity::Low,
                Seen
            ),
            row(
                "source.command-injection",
                "notes/views.py",
                27,
                Severity::High,
                Seen
            ),
        ]
    );
    assert_eq!(
        injections("flask/vulnerable")?,
        [
            row("source.ssrf", "shop/admin.py", 15, Severity::Medium, Seen),
            row(
                "source.open-redirect",
                "shop/app.py",
                18,
                Severity::Low,
                Seen
            ),
            row(
                "source.sql-injection",
                "shop/app.py",
                23,
                Severity::High,
                Param
            ),
        ]
    );
    // The message names the sink and the input's line.
    let evidence = evidence_of("django/vulnerable")?;
    let command = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.command-injection")
        .expect("finding");
    assert_eq!(
        command.message,
        "`subprocess.run` at line 27 runs a shell command built with + from `term` from `request.GET.get` (input at line 26)."
    );
    // Look-alikes: parameterised SQL, a constant in an f-string, an
    // argument list without a shell, a redirect to a named page.
    for sound in ["fastapi/sound", "django/sound", "flask/sound"] {
        assert_eq!(injections(sound)?, [], "{sound}");
    }
    Ok(())
}

#[test]
fn csrf_exempt_on_a_mutating_view_is_a_low_finding() -> anyhow::Result<()> {
    let evidence = evidence_of("django/vulnerable")?;
    assert_eq!(
        found(&evidence, "source.csrf-exempt"),
        [("notes/views.py", Some(18), Confidence::Medium)]
    );
    let finding = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.csrf-exempt")
        .expect("finding");
    assert_eq!(finding.severity, Severity::Low);
    assert_eq!(
        found(&evidence_of("django/sound")?, "source.csrf-exempt"),
        []
    );
    Ok(())
}

#[test]
fn the_python_walk_keeps_what_detectors_ask_about() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("views.py"),
        r#"import a.b as c
from . import views
import os, subprocess

KEY = os.environ["C"]


class ItemView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        user = get_user(request.headers.get("Authorization"))
        if user.id == request.data.owner_id:
            subprocess.run("ls " + os.getenv("A"), shell=True)
        q = "SELECT %s" % user.id
        r = "SELECT {}".format(os.environ.get("B"))
        return run(q, r, timeout=None)
"#,
    )?;
    std::fs::write(temp.path().join("types.pyi"), "def f() -> int: ...\n")?;
    let model = model_of(temp.path())?;
    assert_eq!(model.files.len(), 1, "a stub is not parsed");
    let file = model.file("views.py").expect("parsed");
    let imports: Vec<(&str, Vec<&str>)> = file
        .imports
        .iter()
        .map(|i| {
            (
                i.specifier.as_str(),
                i.names.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        imports,
        [
            ("a.b", vec!["c"]),
            (".", vec!["views"]),
            ("os", vec!["os"]),
            ("subprocess", vec!["subprocess"]),
        ]
    );
    let env: Vec<(&str, u32)> = file
        .env_reads
        .iter()
        .map(|e| (e.name.as_str(), e.line))
        .collect();
    assert_eq!(env, [("C", 5), ("A", 14), ("B", 16)]);
    assert_eq!(file.env_bindings[0].name, "KEY");
    let get_user = file.calls_named("get_user").next().expect("call");
    assert_eq!(get_user.bound_to.as_deref(), Some("user"));
    assert_eq!(
        (
            file.comparisons[0].left.as_str(),
            file.comparisons[0].right.as_str()
        ),
        ("user.id", "request.data.owner_id")
    );
    let run = file.calls_named("subprocess.run").next().expect("call");
    assert_eq!(
        run.keywords,
        [("shell".to_owned(), Arg::Ident("True".into()))]
    );
    let built: Vec<(&str, &[String])> = file
        .python
        .built_args
        .iter()
        .map(|b| (b.how.as_str(), b.names.as_slice()))
        .collect();
    assert_eq!(built, [("+", &["os.getenv".to_owned()][..])]);
    let assigned: Vec<(&str, Option<&str>, Option<&str>, bool)> = file
        .python
        .assignments
        .iter()
        .map(|a| {
            (
                a.target.as_str(),
                a.class.as_deref(),
                a.built.as_deref(),
                a.in_function,
            )
        })
        .collect();
    assert_eq!(
        assigned,
        [
            ("KEY", None, None, false),
            ("permission_classes", Some("ItemView"), None, false),
            ("user", None, None, true),
            ("q", None, Some("%"), true),
            ("r", None, Some("format"), true),
        ]
    );
    let post = file
        .functions
        .iter()
        .find(|f| f.name.as_deref() == Some("post"))
        .expect("method");
    assert_eq!(post.class.as_deref(), Some("ItemView"));
    assert_eq!((post.line, post.end_line), (11, 17));
    assert_eq!(file.classes[0].bases, ["APIView"]);
    Ok(())
}
