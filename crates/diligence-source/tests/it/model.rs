//! The per-file model.

use diligence_model::FileClass;
use diligence_source::{Arg, Language, Runtime};

use crate::{fixture, model_of};

#[test]
fn parses_each_file_once_into_owned_facts() -> anyhow::Result<()> {
    let model = model_of(&fixture("vulnerable"))?;
    let paths: Vec<&str> = model.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "src/App.tsx",
            "src/supabase.ts",
            "supabase/functions/_shared/cors.ts",
            "supabase/functions/send-invoice/index.ts",
            "supabase/functions/update-profile/index.ts",
            "vite.config.ts",
        ]
    );

    let app = model.file("src/App.tsx").expect("parsed");
    assert_eq!(app.language, Language::Tsx);
    assert_eq!(app.runtime, Runtime::Client);
    assert_eq!(app.class, FileClass::Production);
    assert_eq!(app.exports, ["App"]);
    assert!(app.imports.iter().any(|i| i.specifier == "./supabase"));
    assert!(
        app.calls
            .iter()
            .any(|c| c.callee == "supabase.functions.invoke" && c.line == 8)
    );

    let client = model.file("src/supabase.ts").expect("parsed");
    let env: Vec<&str> = client.env_reads.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(env, ["VITE_SUPABASE_URL", "VITE_SUPABASE_ANON_KEY"]);

    let handler = model
        .file("supabase/functions/update-profile/index.ts")
        .expect("parsed");
    assert_eq!(handler.runtime, Runtime::Server);
    let imports: Vec<(&str, &[String])> = handler
        .imports
        .iter()
        .map(|i| (i.specifier.as_str(), i.names.as_slice()))
        .collect();
    assert_eq!(
        imports,
        [
            (
                "npm:@supabase/supabase-js@2",
                &["createClient".to_owned()][..]
            ),
            ("../_shared/cors.ts", &["corsHeaders".to_owned()][..]),
        ]
    );
    let serve = handler
        .calls_named("Deno.serve")
        .next()
        .expect("serve call");
    assert_eq!(serve.line, 7);
    let create = handler.calls_named("createClient").next().expect("client");
    assert_eq!(create.bound_to.as_deref(), Some("admin"));
    assert_eq!(
        create.args,
        [
            Arg::Ident("supabaseUrl".into()),
            Arg::Ident("serviceRoleKey".into())
        ]
    );
    let service = handler
        .env_bindings
        .iter()
        .find(|b| b.name == "serviceRoleKey")
        .expect("binding");
    assert_eq!(
        (service.env.as_str(), service.line),
        ("SUPABASE_SERVICE_ROLE_KEY", 5)
    );
    let fields: Vec<(&str, &str, u32)> = handler
        .body_fields
        .iter()
        .map(|f| (f.field.as_str(), f.local.as_str(), f.line))
        .collect();
    assert_eq!(
        fields,
        [("userId", "userId", 12), ("displayName", "displayName", 12)]
    );
    let eq = handler
        .calls
        .iter()
        .find(|c| c.method() == "eq")
        .expect("eq call");
    assert_eq!(eq.callee, "admin.from().update().eq");
    assert_eq!(eq.root(), "admin");
    assert_eq!(eq.line, 16);
    Ok(())
}

#[test]
fn directives_decide_the_runtime() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path();
    std::fs::create_dir_all(dir.join("app/settings"))?;
    std::fs::write(
        dir.join("app/settings/form.tsx"),
        "'use client';\nexport function Form() { return <form />; }\n",
    )?;
    std::fs::write(
        dir.join("app/settings/actions.ts"),
        "'use server';\nexport async function save(data: FormData) { return data.get('x'); }\n",
    )?;
    let model = model_of(dir)?;
    let runtime = |p: &str| model.file(p).map(|f| f.runtime);
    assert_eq!(runtime("app/settings/form.tsx"), Some(Runtime::Client));
    assert_eq!(runtime("app/settings/actions.ts"), Some(Runtime::Server));
    assert_eq!(
        model
            .file("app/settings/actions.ts")
            .map(|f| f.exports.clone()),
        Some(vec!["save".to_owned()])
    );
    Ok(())
}
