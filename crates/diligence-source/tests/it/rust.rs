//! The Rust model: what one syn parse leaves behind, and its bounds.

use diligence_source::rust::nesting_depth;
use diligence_source::{Arg, FileModel, Language};

use crate::model_of;

fn model(source: &str) -> anyhow::Result<FileModel> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("src"))?;
    std::fs::write(temp.path().join("src/main.rs"), source)?;
    let model = model_of(temp.path())?;
    anyhow::ensure!(model.failed.is_empty(), "failed: {:?}", model.failed);
    model
        .files
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no model"))
}

const APP: &str = r#"use axum::{routing::{get, post}, Router, extract::{Json, State}};
use crate::handlers::{self, users::create as create_user};
use std::env;

/// Runs.
#[tokio::main]
async fn main() {
    let key = env::var("API_KEY").expect("set");
    let app = Router::new()
        .route("/", get(root))
        .route("/users", post(create_user).layer(middleware::from_fn(|req, next| async move { next.run(req).await })));
    axum::serve(listener, app).await.unwrap();
}

#[derive(Deserialize, Validate)]
pub struct CreateUser {
    #[validate(email)]
    email: String,
}

impl<S> FromRequestParts<S> for AuthUser {
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, StatusCode> {
        if parts.headers.get("authorization") == None { return Err(StatusCode::UNAUTHORIZED) }
        Ok(AuthUser)
    }
}

#[post("/p", data = "<x>")]
pub async fn create(State(state): State<AppState>, Json(payload): Json<CreateUser>) -> String {
    let q = format!("SELECT * FROM users WHERE name = '{}' AND id = {id}", payload.name);
    sqlx::query(&q).fetch_all(&state.db).await;
    let r = "DELETE FROM t WHERE id = ".to_owned() + &payload.id;
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn works() {}
}
"#;

#[test]
fn reads_imports_functions_calls_and_macros() -> anyhow::Result<()> {
    let file = model(APP)?;
    assert_eq!(file.language, Language::Rust);
    let imports: Vec<(&str, &str)> = file
        .imports
        .iter()
        .map(|i| (i.specifier.as_str(), i.names[0].as_str()))
        .collect();
    assert_eq!(
        imports,
        [
            ("axum::routing::get", "get"),
            ("axum::routing::post", "post"),
            ("axum::Router", "Router"),
            ("axum::extract::Json", "Json"),
            ("axum::extract::State", "State"),
            ("crate::handlers", "handlers"),
            ("crate::handlers::users::create", "create_user"),
            ("std::env", "env"),
        ]
    );
    let callees: Vec<&str> = file.calls.iter().map(|c| c.callee.as_str()).collect();
    for expected in [
        "env::var",
        "Router::new",
        "Router::new().route",
        "Router::new().route().route",
        "get",
        "post().layer",
        "middleware::from_fn",
        "next.run",
        "axum::serve",
        "post",
        "format!",
        "sqlx::query",
        "sqlx::query().fetch_all",
    ] {
        assert!(callees.contains(&expected), "{expected} in {callees:?}");
    }
    assert_eq!(file.env_reads[0].name, "API_KEY");
    assert_eq!(file.env_bindings[0].name, "key");

    let main = &file.functions[0];
    assert_eq!(main.name.as_deref(), Some("main"));
    assert_eq!(main.decorators, ["tokio::main"]);
    assert_eq!((main.line, main.is_async), (5, true));
    let closure = file
        .functions
        .iter()
        .find(|f| f.name.is_none())
        .expect("closure");
    assert_eq!(closure.passed_to.as_deref(), Some("middleware::from_fn"));
    assert_eq!(closure.params, ["req", "next"]);

    let method = file
        .functions
        .iter()
        .find(|f| f.name.as_deref() == Some("from_request_parts"))
        .expect("method");
    assert_eq!(method.class.as_deref(), Some("AuthUser"));
    assert_eq!(file.rust.impls_of("FromRequestParts").count(), 1);

    let create = file
        .functions
        .iter()
        .find(|f| f.name.as_deref() == Some("create"))
        .expect("create");
    assert!(create.exported);
    assert_eq!(create.params, ["state", "payload"]);
    let types: Vec<&str> = file
        .rust
        .params_of(create)
        .filter_map(|p| p.annotation.as_deref())
        .collect();
    assert_eq!(types, ["State<AppState>", "Json<CreateUser>"]);
    let attribute = file
        .calls
        .iter()
        .find(|c| c.callee == "post" && c.line == 28);
    let attribute = attribute.expect("the attribute as a call");
    assert_eq!(attribute.args, [Arg::Str("/p".into())]);
    assert_eq!(
        attribute.keywords,
        [("data".into(), Arg::Str("<x>".into()))]
    );

    let q = file.binding("q", 40).expect("q");
    assert_eq!(
        q.value,
        Arg::Template {
            parts: vec![
                "SELECT * FROM users WHERE name = '".into(),
                "' AND id = ".into(),
                String::new()
            ],
            exprs: vec!["payload.name".into(), "id".into()],
        }
    );
    let r = file.binding("r", 40).expect("r");
    assert!(
        matches!(&r.value, Arg::Template { exprs, .. } if exprs == &["payload.id"]),
        "{r:?}"
    );
    let query = file
        .calls
        .iter()
        .find(|c| c.callee == "sqlx::query")
        .expect("query");
    assert_eq!(query.args, [Arg::Ident("q".into())]);

    let class = &file.classes[0];
    assert_eq!(class.name, "CreateUser");
    assert_eq!(class.decorators, ["Deserialize", "Validate"]);
    assert!(file.rust.in_test_module(39));
    assert!(!file.rust.in_test_module(30));
    assert_eq!(file.rust.modules[0].line, 36);
    Ok(())
}

#[test]
fn depth_scan_skips_strings_comments_and_char_literals() {
    assert_eq!(nesting_depth("fn f() { g(1) }"), 2);
    // Brackets in strings, raw strings, comments and chars do not count.
    assert_eq!(
        nesting_depth("fn f() { \"((((\"; r#\"[[[\"#; /* {{ /* (( */ */ '('; }"),
        1
    );
    // A lifetime is no character literal: the brackets after it count.
    assert_eq!(nesting_depth("fn f<'a>(x: &'a [u8]) { ((x)) }"), 3);
    // Generic angle brackets nest like brackets.
    let generic = format!("type T = {}u8{};", "Vec<".repeat(50), ">".repeat(50));
    assert!(nesting_depth(&generic) >= 50);
    // Comparisons are reset at each statement.
    let compare = "fn f() { if a < b {} }\n".repeat(2_000);
    assert!(nesting_depth(&compare) < 10);
}

#[test]
fn hostile_rust_is_refused_or_parsed_never_a_crash() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let write = |name: &str, text: String| std::fs::write(temp.path().join(name), text);
    // One construct a line, so nothing looks minified.
    write(
        "brackets.rs",
        format!(
            "fn f() {{ {}1{} }}",
            "(\n".repeat(5_000),
            ")\n".repeat(5_000)
        ),
    )?;
    write(
        "generics.rs",
        format!(
            "type T = {}u8{};",
            "Vec<\n".repeat(100_000),
            ">\n".repeat(100_000)
        ),
    )?;
    write(
        "assign.rs",
        format!("fn f() {{ {}1; }}", "a =\n".repeat(100_000)),
    )?;
    write(
        "returns.rs",
        format!("fn f() {{ {}1 }}", "return\n".repeat(100_000)),
    )?;
    write(
        "closures.rs",
        format!("fn f() {{ let _ = {}1; }}", "||\n".repeat(100_000)),
    )?;
    write(
        "unary.rs",
        format!("fn f() {{ let _ = {}1; }}", "-\n".repeat(100_000)),
    )?;
    write(
        "sum.rs",
        format!("fn f() {{ let _ = 1{}; }}", "\n+ 1".repeat(100_000)),
    )?;
    write(
        "chain.rs",
        format!("fn f() {{ x{}; }}", "\n.a()".repeat(100_000)),
    )?;
    write("broken.rs", "fn f( {\n".to_owned())?;
    let model = model_of(temp.path())?;
    let failed: Vec<(&str, bool)> = model
        .failed
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                matches!(f.error, diligence_source::ParseError::TooDeep { .. }),
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            ("assign.rs", true),
            ("brackets.rs", true),
            ("broken.rs", false),
            ("chain.rs", true),
            ("closures.rs", true),
            ("generics.rs", true),
            ("returns.rs", true),
            ("sum.rs", true),
            ("unary.rs", true),
        ]
    );
    assert_eq!(model.failed[2].error.line(), Some(1));
    Ok(())
}

#[test]
fn cargo_manifests_name_frameworks_renamed_or_in_a_workspace() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("Cargo.toml"),
        "[workspace]\nmembers = [\"api\"]\n\n[workspace.dependencies]\nweb = { package = \"actix-web\", version = \"4\" }\nwarp = \"0.3\"\n",
    )?;
    // A dev-dependency of a fixture crate does not make the product one.
    std::fs::create_dir_all(temp.path().join("tests/fixtures/app"))?;
    std::fs::write(
        temp.path().join("tests/fixtures/app/Cargo.toml"),
        "[dependencies]\nrocket = \"0.5\"\n",
    )?;
    let model = model_of(temp.path())?;
    let frameworks: Vec<&str> = model.stacks.frameworks.iter().map(String::as_str).collect();
    assert_eq!(frameworks, ["actix-web", "warp"]);
    let unread: Vec<&str> = model
        .stacks
        .not_analysed
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(unread, ["warp routes"]);
    Ok(())
}

#[test]
fn doc_blocks_count_on_every_item_and_rust_fences_only() -> anyhow::Result<()> {
    let file = model(
        "//! ```\n//! x();\n//! ```\n\n/// ```text\n/// no\n/// ```\npub trait T {\n    /// ```\n    /// y();\n    /// ```\n    fn f(&self);\n}\n\n/// ```rust,no_run\n/// z();\n/// ```\nimpl T for u8 { fn f(&self) {} }\n\n/// ```\n/// w();\n/// ```\npub const C: u8 = 1;\n",
    )?;
    assert_eq!(file.rust.doc_code_blocks, 4);
    Ok(())
}

#[test]
fn rust_error_trackers_are_read_from_their_init_call() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("src"))?;
    std::fs::write(
        temp.path().join("src/main.rs"),
        "fn main() {\n    let _guard = sentry::init((\"https://key@o0.ingest.example/1\", sentry::ClientOptions::default()));\n}\n",
    )?;
    // A mention is no initialisation.
    std::fs::write(
        temp.path().join("src/lib.rs"),
        "pub fn dsn() -> &'static str {\n    \"sentry::init\"\n}\n",
    )?;
    let model = model_of(temp.path())?;
    assert_eq!(
        diligence_source::surface::trackers(&model),
        [("Sentry".to_owned(), "src/main.rs".to_owned(), 2)]
    );
    Ok(())
}
