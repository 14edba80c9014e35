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

#[test]
fn functions_carry_their_names_lines_and_the_call_they_are_passed_to() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("server");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("app.ts"),
        [
            "import express from 'express';",
            "const app = express();",
            "export async function requireAuth(req, res, next) {",
            "  next();",
            "}",
            "app.post('/items', requireAuth, async (req, res) => {",
            "  await save(req.body);",
            "});",
            "export default function () {}",
            "class Items {",
            "  @Get(':id')",
            "  find(id) { return lookup(id); }",
            "}",
            "const helpers = { load: (x) => x };",
        ]
        .join("\n"),
    )?;
    let model = model_of(temp.path())?;
    let file = model.file("server/app.ts").expect("parsed");
    type Summary<'a> = (Option<&'a str>, Option<&'a str>, bool, u32, u32);
    let summary: Vec<Summary<'_>> = file
        .functions
        .iter()
        .map(|f| {
            (
                f.name.as_deref(),
                f.passed_to.as_deref(),
                f.exported,
                f.line,
                f.end_line,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some("requireAuth"), None, true, 3, 5),
            (None, Some("app.post"), false, 6, 8),
            (Some("default"), None, true, 9, 9),
            (Some("find"), None, false, 12, 12),
            (Some("load"), None, false, 14, 14),
        ]
    );
    let handler = &file.functions[1];
    assert_eq!(handler.params, ["req", "res"]);
    assert!(handler.is_async);
    let inside: Vec<&str> = file.calls_in(handler).map(|c| c.callee.as_str()).collect();
    assert_eq!(inside, ["save"]);
    let method = &file.functions[3];
    assert_eq!(method.class.as_deref(), Some("Items"));
    assert_eq!(method.decorators, ["Get"]);
    assert_eq!(file.classes.len(), 1);
    assert_eq!(
        file.function_at(7).and_then(|f| f.passed_to.as_deref()),
        Some("app.post")
    );
    Ok(())
}

#[test]
fn arguments_keep_templates_options_and_call_results() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("server.ts"),
        [
            "const sql = `SELECT * FROM t WHERE id = ${req.query.id}`;",
            "const glued = 'DELETE FROM t WHERE id = ' + id + ';';",
            "const config = { matcher: ['/api/:path*', { source: '/admin' }], deep: { a: { b: { c: 1 } } } };",
            "const { q, page: p } = req.query;",
            "spawn('ls', [dir], { shell: true });",
            "fetch(searchParams.get('url'));",
            "const plain = other;",
            "const n = 3;",
        ]
        .join("\n"),
    )?;
    let model = model_of(temp.path())?;
    let file = model.file("server.ts").expect("parsed");
    let value = |name: &str| file.binding(name, u32::MAX).map(|b| b.value.clone());
    assert_eq!(
        value("sql"),
        Some(Arg::Template {
            parts: vec!["SELECT * FROM t WHERE id = ".into(), String::new()],
            exprs: vec!["req.query.id".into()],
        })
    );
    assert_eq!(
        value("glued"),
        Some(Arg::Template {
            parts: vec!["DELETE FROM t WHERE id = ".into(), ";".into()],
            exprs: vec!["id".into()],
        })
    );
    let config = value("config").expect("config");
    assert_eq!(
        config.property("matcher"),
        Some(&Arg::Array(vec![
            Arg::Str("/api/:path*".into()),
            Arg::Object(vec![("source".into(), Arg::Str("/admin".into()))]),
        ]))
    );
    // Three levels are read; deeper values are `Other`.
    assert_eq!(
        config.property("deep").and_then(|d| d.property("a")),
        Some(&Arg::Object(vec![("b".into(), Arg::Other)]))
    );
    assert_eq!(value("q"), Some(Arg::Member("req.query.q".into())));
    assert_eq!(value("p"), Some(Arg::Member("req.query.page".into())));
    assert_eq!(value("plain"), Some(Arg::Ident("other".into())));
    // A number is not a value detectors read.
    assert_eq!(value("n"), None);
    let spawn = file.calls_named("spawn").next().expect("spawn");
    assert_eq!(
        spawn.args[2],
        Arg::Object(vec![("shell".into(), Arg::Bool(true))])
    );
    let fetch = file.calls_named("fetch").next().expect("fetch");
    assert_eq!(
        fetch.args,
        [Arg::Call {
            callee: "searchParams.get".into(),
            args: vec![Arg::Str("url".into())],
        }]
    );
    Ok(())
}

#[test]
fn a_literal_secret_in_a_test_file_is_low_and_a_production_one_high() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("src"))?;
    std::fs::create_dir_all(temp.path().join("test"))?;
    let code = "import jwt from 'jsonwebtoken';\nconst KEY = 'not-a-real-key';\nexport const t = jwt.sign({ sub: 1, exp: 2 }, KEY);\n";
    std::fs::write(temp.path().join("src/token.ts"), code)?;
    std::fs::write(temp.path().join("test/token.test.ts"), code)?;
    // A key from the environment, and a look-alike `sign` of another library.
    std::fs::write(
        temp.path().join("src/other.ts"),
        "import jwt from 'jsonwebtoken';\nimport { sign } from './crypto';\nexport const a = jwt.sign({ sub: 1 }, process.env.KEY!, { expiresIn: '1h' });\nexport const b = sign('payload', 'literal');\n",
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    let secrets: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.jwt-literal-secret")
        .map(|f| {
            (
                f.location.path.clone().unwrap_or_default(),
                f.location.line,
                f.severity,
                f.confidence,
            )
        })
        .collect();
    use diligence_model::{Confidence, Severity};
    assert_eq!(
        secrets,
        [
            (
                "src/token.ts".to_owned(),
                Some(3),
                Severity::High,
                Confidence::High
            ),
            (
                "test/token.test.ts".to_owned(),
                Some(3),
                Severity::Low,
                Confidence::Medium
            ),
        ]
    );
    // `exp` in the payload is an expiry.
    assert!(
        !evidence
            .findings
            .iter()
            .any(|f| f.rule.as_str() == "source.jwt-no-expiry")
    );
    Ok(())
}

#[test]
fn a_signing_secret_that_falls_back_to_a_literal_is_reported_with_its_variable()
-> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("src"))?;
    // Bound to a name, and in place; `||` and `??`.
    std::fs::write(
        temp.path().join("src/auth.ts"),
        "import jwt from 'jsonwebtoken';\n\
         const JWT_SECRET = process.env.JWT_SECRET || 'your-secret-key';\n\
         export const a = jwt.sign({ sub: 1 }, JWT_SECRET, { expiresIn: '1h' });\n\
         export const b = jwt.verify(token, process.env.SESSION_SECRET ?? `dev-secret`);\n\
         export const c = jwt.sign(\n\
           { sub: 1, role: 'user' },\n\
           { algorithm: 'HS256' },\n\
           process.env.JWT_SECRET || 'another-default',\n\
         );\n",
    )?;
    // Look-alikes: no fallback, an empty one, another variable, and a
    // fallback to a literal of a variable the call does not use.
    std::fs::write(
        temp.path().join("src/strict.ts"),
        "import jwt from 'jsonwebtoken';\n\
         const port = process.env.PORT || '3000';\n\
         export const c = jwt.sign({ sub: 1 }, process.env.JWT_KEY!, { expiresIn: '1h' });\n\
         export const d = jwt.sign({ sub: 1 }, process.env.EMPTY || '', { expiresIn: '1h' });\n\
         export const e = jwt.sign({ sub: 1 }, process.env.A || process.env.B, { expiresIn: '1h' });\n\
         const STRICT = process.env.STRICT_SECRET;\n\
         if (!STRICT) throw new Error('STRICT_SECRET is required');\n\
         export const f = jwt.verify(token, process.env.STRICT_SECRET || 'elsewhere');\n\
         export const g = jwt.sign({ sub: 1 }, STRICT, { expiresIn: '1h' });\n",
    )?;
    let model = model_of(temp.path())?;
    let auth = model
        .files
        .iter()
        .find(|f| f.path == "src/auth.ts")
        .expect("parsed");
    let fallbacks: Vec<_> = auth
        .env_reads
        .iter()
        .map(|r| (r.name.as_str(), r.fallback.as_deref()))
        .collect();
    assert_eq!(
        fallbacks,
        [
            ("JWT_SECRET", Some("your-secret-key")),
            ("SESSION_SECRET", Some("dev-secret")),
            ("JWT_SECRET", Some("another-default"))
        ]
    );
    let mut evidence = model.evidence();
    evidence.normalise();
    let found: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.jwt-literal-secret")
        .map(|f| {
            (
                f.location.path.clone().unwrap_or_default(),
                f.location.line,
                f.confidence,
                ["JWT_SECRET", "SESSION_SECRET"]
                    .iter()
                    .any(|env| f.message.contains(&format!("where `{env}` is unset"))),
            )
        })
        .collect();
    use diligence_model::Confidence;
    assert_eq!(
        found,
        [
            ("src/auth.ts".to_owned(), Some(3), Confidence::Medium, true),
            ("src/auth.ts".to_owned(), Some(4), Confidence::Medium, true),
            (
                "src/strict.ts".to_owned(),
                Some(8),
                Confidence::Medium,
                false
            ),
        ]
    );
    Ok(())
}

#[test]
fn python_jwt_secrets_written_in_the_code_or_as_a_fallback_are_reported() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("app"))?;
    // PyJWT with a module constant that falls back to a literal; python-jose
    // with a literal; a fallback with `or`, in place.
    std::fs::write(
        temp.path().join("app/auth.py"),
        "import os\n\
         import jwt\n\
         SECRET_KEY = os.getenv(\"SECRET_KEY\", \"your-secret-key\")\n\
         def issue(user):\n\
         \x20   return jwt.encode({\"sub\": user}, SECRET_KEY, algorithm=\"HS256\")\n\
         def check(token):\n\
         \x20   return jwt.decode(token, os.getenv(\"JWT_SECRET\") or \"dev-secret\", algorithms=[\"HS256\"])\n",
    )?;
    std::fs::write(
        temp.path().join("app/tokens.py"),
        "from jose import jwt\n\
         KEY = \"hard-coded-signing-key\"\n\
         def issue(claims):\n\
         \x20   return jwt.encode(claims, KEY, algorithm=\"HS256\")\n",
    )?;
    // Look-alikes: a strict read, a public key, another library's encode.
    std::fs::write(
        temp.path().join("app/strict.py"),
        "import os\n\
         import jwt\n\
         import base64\n\
         PUBLIC_KEY = \"-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----\"\n\
         def issue(user):\n\
         \x20   return jwt.encode({\"sub\": user}, os.environ[\"SECRET_KEY\"], algorithm=\"HS256\")\n\
         def check(token):\n\
         \x20   return jwt.decode(token, PUBLIC_KEY, algorithms=[\"RS256\"])\n\
         def pack(data):\n\
         \x20   return base64.b64encode(data, b\"-_\")\n",
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    let found: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.jwt-literal-secret")
        .map(|f| {
            (
                f.location.path.clone().unwrap_or_default(),
                f.location.line,
                f.message.contains("is unset"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("app/auth.py".to_owned(), Some(5), true),
            ("app/auth.py".to_owned(), Some(7), true),
            ("app/tokens.py".to_owned(), Some(4), false),
        ]
    );
    Ok(())
}
