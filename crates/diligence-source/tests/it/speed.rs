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
