//! How long the model of a large Python tree takes to build. Ignored by
//! default; run it in release:
//! `cargo test --release -p diligence-source --test it -- --ignored --nocapture python_model_speed`.

use std::fmt::Write as _;
use std::time::Instant;

use crate::model_of;

/// One generated module: a router, a model, a dependency and handlers.
fn module(i: usize) -> String {
    let mut text = format!(
        "import os\nfrom fastapi import APIRouter, Depends, HTTPException\nfrom pydantic import BaseModel\n\nfrom ..auth import get_current_user\n\nrouter = APIRouter(prefix=\"/m{i}\")\nTIMEOUT = int(os.getenv(\"TIMEOUT_{i}\", \"30\"))\n\n\nclass Item{i}(BaseModel):\n    name: str\n    size: int = 0\n\n"
    );
    for h in 0..20 {
        let _ = write!(
            text,
            "\n@router.post(\"/items/{{item_id}}/{h}\")\nasync def handler_{h}(item_id: int, body: Item{i}, user=Depends(get_current_user)):\n    \"\"\"Handler {h} of module {i}.\"\"\"\n    if body.size > {h} and user is not None:\n        raise HTTPException(status_code=400, detail=f\"too big: {{body.size}}\")\n    values = [x * 2 for x in range(item_id) if x % 3 == 0]\n    return {{\"id\": item_id, \"values\": values, \"name\": body.name.upper()}}\n"
        );
    }
    text
}

#[test]
#[ignore = "a measurement, run by hand in release"]
fn python_model_speed() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let root = temp.path();
    std::fs::create_dir_all(root.join("app/routers"))?;
    std::fs::write(
        root.join("app/auth.py"),
        "import jwt\n\n\ndef get_current_user(token: str = ''):\n    return jwt.decode(token, 'k', algorithms=['HS256'])\n",
    )?;
    let mut bytes = 0;
    for i in 0..2_000 {
        let text = module(i);
        bytes += text.len();
        std::fs::write(root.join(format!("app/routers/m{i}.py")), text)?;
    }
    let started = Instant::now();
    let model = model_of(root)?;
    let built = started.elapsed();
    let started = Instant::now();
    let routes = diligence_source::routes::routes(&model);
    let routed = started.elapsed();
    println!(
        "{} files, {} KiB: model {:?} ({} threads), routes {:?} ({} routes)",
        model.files.len(),
        bytes / 1024,
        built,
        rayon::current_num_threads(),
        routed,
        routes.len()
    );
    assert_eq!(model.files.len(), 2_001);
    assert!(model.failed.is_empty());
    Ok(())
}

/// One generated axum module: a router function, an extractor, a body
/// type and handlers.
fn rust_module(i: usize) -> String {
    let mut text = format!(
        "use axum::{{extract::{{Json, Path, State}}, routing::{{get, post}}, Router}};\nuse serde::Deserialize;\n\nuse crate::auth::AuthUser;\n\n#[derive(Deserialize)]\npub struct Item{i} {{\n    pub name: String,\n    pub size: i64,\n}}\n\npub fn router() -> Router<crate::AppState> {{\n    Router::new()\n"
    );
    for h in 0..20 {
        let _ = writeln!(
            text,
            "        .route(\"/m{i}/items/{{id}}/{h}\", get(show_{h}).post(update_{h}))"
        );
    }
    text.push_str("}\n");
    for h in 0..20 {
        let _ = write!(
            text,
            "\n/// Handler {h} of module {i}.\npub async fn show_{h}(Path(id): Path<i64>) -> String {{\n    format!(\"item {{id}} of {h}\")\n}}\n\npub async fn update_{h}(\n    _user: AuthUser,\n    State(state): State<crate::AppState>,\n    Path(id): Path<i64>,\n    Json(body): Json<Item{i}>,\n) -> Result<String, String> {{\n    if body.size > {h} {{\n        return Err(format!(\"too big: {{}}\", body.size));\n    }}\n    sqlx::query(\"UPDATE items SET name = $1 WHERE id = $2\")\n        .bind(&body.name)\n        .bind(id)\n        .execute(&state.db)\n        .await\n        .map_err(|e| e.to_string())?;\n    Ok(body.name.to_uppercase())\n}}\n"
        );
    }
    text
}

#[test]
#[ignore = "a measurement, run by hand in release"]
fn rust_model_speed() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let root = temp.path();
    std::fs::create_dir_all(root.join("src/routes"))?;
    std::fs::write(
        root.join("src/auth.rs"),
        "use axum::{extract::FromRequestParts, http::{request::Parts, StatusCode}};\n\npub struct AuthUser;\n\nimpl<S: Send + Sync> FromRequestParts<S> for AuthUser {\n    type Rejection = StatusCode;\n    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {\n        parts.headers.get(\"authorization\").ok_or(StatusCode::UNAUTHORIZED)?;\n        Ok(Self)\n    }\n}\n",
    )?;
    let mut bytes = 0;
    for i in 0..2_000 {
        let text = rust_module(i);
        bytes += text.len();
        std::fs::write(root.join(format!("src/routes/m{i}.rs")), text)?;
    }
    let started = Instant::now();
    let model = model_of(root)?;
    let built = started.elapsed();
    let started = Instant::now();
    let routes = diligence_source::routes::routes(&model);
    let routed = started.elapsed();
    println!(
        "{} files, {} KiB: model {:?} ({} threads), routes {:?} ({} routes)",
        model.files.len(),
        bytes / 1024,
        built,
        rayon::current_num_threads(),
        routed,
        routes.len()
    );
    assert_eq!(model.files.len(), 2_001);
    assert!(model.failed.is_empty());
    Ok(())
}

#[test]
#[ignore = "a measurement, run by hand in release"]
fn rust_parse_one_module_speed() {
    let text = rust_module(7);
    let started = Instant::now();
    for _ in 0..200 {
        let _ = diligence_source::rust::nesting_depth(&text);
    }
    let scan = started.elapsed();
    let started = Instant::now();
    for _ in 0..200 {
        assert!(diligence_source::rust::parse_text("src/m.rs", &text).is_ok());
    }
    println!(
        "{} bytes: depth scan {:?}, parse {:?} per file",
        text.len(),
        scan / 200,
        started.elapsed() / 200
    );
}
