//! The context class of a file: production, test, example or docs,
//! template, vendored third-party code, or generated.
//!
//! One classifier for every stage: the history walk, the collectors and
//! scoring all call [`classify`] (a pure function of the path) or
//! [`classify_content`] (the path plus the file's first bytes, which is how
//! generated files announce themselves). A finding's class is a field of its
//! location, and only production evidence can fail a critical control when
//! the framework's check says so.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a file sits in the target, as far as a reader of a finding cares.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FileClass {
    /// Code and configuration that ship or run the product.
    Production,
    /// Tests, fixtures and mocks.
    Test,
    /// Examples, samples, demos and documentation.
    Example,
    /// Templates a generator fills in (cookiecutter, copier, `.tmpl`).
    Template,
    /// Third-party code committed into the tree.
    Vendored,
    /// Build output and generated code.
    Generated,
}

impl FileClass {
    /// Every class, production first.
    pub const ALL: [Self; 6] = [
        Self::Production,
        Self::Test,
        Self::Example,
        Self::Template,
        Self::Vendored,
        Self::Generated,
    ];

    /// The kebab-case name used in JSON and framework files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Test => "test",
            Self::Example => "example",
            Self::Template => "template",
            Self::Vendored => "vendored",
            Self::Generated => "generated",
        }
    }

    /// Words for a report: "test code", "an example or docs" …
    pub fn describe(self) -> &'static str {
        match self {
            Self::Production => "production code",
            Self::Test => "tests and fixtures",
            Self::Example => "examples and docs",
            Self::Template => "generator templates",
            Self::Vendored => "vendored third-party code",
            Self::Generated => "generated files",
        }
    }

    /// Parses a kebab-case name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for FileClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const VENDORED_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "thirdparty",
    "bower_components",
    "jspm_packages",
    "site-packages",
    "dist-packages",
    ".venv",
    "venv",
    "virtualenv",
    ".virtualenv",
    ".tox",
    ".nox",
    "pods",
    "carthage",
    ".bundle",
    ".yarn",
    ".pnpm-store",
    ".cargo",
];

const GENERATED_DIRS: &[&str] = &[
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".output",
    ".vercel",
    ".netlify",
    "target",
    "coverage",
    "htmlcov",
    "__generated__",
    "generated",
    "gen",
    "__pycache__",
    ".terraform",
    "storybook-static",
];

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "testing",
    "spec",
    "specs",
    "fixture",
    "fixtures",
    "__fixtures__",
    "testdata",
    "test-data",
    "test_data",
    "mocks",
    "__mocks__",
    "mock",
    "e2e",
    "cypress",
    "playwright",
    "integration-tests",
    "testutils",
    "test-utils",
    "testkit",
    // Storybook: components shown with made-up data, never shipped.
    "__stories__",
    ".storybook",
];

/// Folders of documentation: their files are examples, and a test folder
/// inside one is documentation too.
const DOCS_DIRS: &[&str] = &["docs", "doc", "documentation"];

const EXAMPLE_DIRS: &[&str] = &[
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
    "demos",
    "tutorial",
    "tutorials",
    "playground",
    "showcase",
    "website",
];

const TEMPLATE_DIRS: &[&str] = &[
    "project_template",
    "project-template",
    "app_template",
    "app-template",
    "skeleton",
    "skel",
    "boilerplate",
    "scaffold",
    "scaffolds",
    "cookiecutter",
    "copier-template",
];

fn dir_in(dirs: &[&str], list: &[&str]) -> bool {
    dirs.iter().any(|d| list.contains(d))
}

/// The class of one path segment list (no archive members).
fn classify_one(path: &str) -> FileClass {
    let lower = path.replace('\\', "/").to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').filter(|p| !p.is_empty()).collect();
    let name = parts.pop().unwrap_or("");
    let dirs = parts;
    let original_name = path
        .rsplit(['/', '\\'])
        .find(|p| !p.is_empty())
        .unwrap_or("");

    // A browser's copy of someone else's page: "Save page as" names the
    // scripts and styles of `page_files/` `main.js.download`.
    if dir_in(&dirs, VENDORED_DIRS)
        || (name.ends_with(".download") && dirs.last().is_some_and(|d| d.ends_with("_files")))
    {
        return FileClass::Vendored;
    }
    if dirs
        .iter()
        .chain(std::iter::once(&name))
        .any(|p| p.contains("{{") || p.contains("{%") || p.contains("cookiecutter."))
        || dir_in(&dirs, TEMPLATE_DIRS)
        || [".jinja", ".jinja2", ".j2", ".tmpl", ".tpl", ".template"]
            .iter()
            .any(|ext| name.ends_with(ext))
    {
        return FileClass::Template;
    }
    if dir_in(&dirs, GENERATED_DIRS)
        || [
            ".min.js",
            ".min.css",
            ".min.mjs",
            ".map",
            ".pb.go",
            "_pb2.py",
            "_pb2_grpc.py",
            ".g.dart",
            ".freezed.dart",
            ".pb.ts",
            ".tsbuildinfo",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
        || name.contains(".generated.")
        || is_hashed_build_output(original_name, &dirs)
        || name.contains(".gen.")
    {
        return FileClass::Generated;
    }
    let test_name = name.contains(".test.")
        || name.contains(".spec.")
        || name.contains("_test.")
        || name.contains("-test.")
        || name.contains("_spec.")
        || name.contains(".stories.")
        || name.contains(".story.")
        || (name.starts_with("test_") && name.ends_with(".py"))
        || name == "conftest.py"
        || name.ends_with("test.java")
        || name.ends_with("tests.java")
        || name.ends_with("test.kt")
        || name.ends_with("tests.cs")
        || name.ends_with("test.php")
        // The environment of a test run: `.env.test`, Laravel's
        // `.env.testing` and `.env.dusk.local`, the one a CI job copies
        // before the tests (`.env.ci`, `.env.travis`), PHPUnit's
        // configurations.
        || name.starts_with(".env.test")
        || name.starts_with(".env.dusk")
        || name == ".env.ci"
        || name == ".env.travis"
        // A GitHub Actions workflow that runs the tests (`e2e.yml`,
        // `tests.yml`, `integration-tests.yml`): the credentials of its
        // throwaway services.
        || (dirs.ends_with(&[".github", "workflows"])
            && name
                .rsplit_once('.')
                .map_or(name, |(stem, _)| stem)
                .split(['-', '_', '.'])
                .any(|word| matches!(word, "test" | "tests" | "e2e")))
        || (name.starts_with("phpunit") && name.contains(".xml"));
    // `src/test/` of Maven and Gradle layouts is caught by TEST_DIRS. A
    // test folder inside a documentation folder (`docs/specs/` of design
    // specifications) is documentation: the outer folder says what the
    // tree is.
    let first_test_dir = dirs.iter().position(|d| TEST_DIRS.contains(d));
    let first_docs_dir = dirs.iter().position(|d| DOCS_DIRS.contains(d));
    let test_in_docs =
        matches!((first_docs_dir, first_test_dir), (Some(docs), Some(test)) if docs < test);
    if test_name || (first_test_dir.is_some() && !test_in_docs) {
        return FileClass::Test;
    }
    let doc_ext = [".md", ".mdx", ".rst", ".adoc", ".asciidoc", ".ipynb"]
        .iter()
        .any(|ext| name.ends_with(ext));
    let example_name = name.contains(".example")
        || name.contains(".sample")
        || name.ends_with("-example")
        || name.ends_with("_example")
        || name.starts_with("example.")
        || name.starts_with("sample.");
    // Documentation sites under a name of their own (`api-docs/`,
    // `apidocs/`, `docs-site/`).
    let docs_dir = dirs.iter().any(|d| {
        d.ends_with("-docs")
            || d.ends_with("_docs")
            || *d == "apidocs"
            || d.starts_with("docs-")
            || d.starts_with("docs_")
    });
    if doc_ext
        || example_name
        || docs_dir
        || first_docs_dir.is_some()
        || dir_in(&dirs, EXAMPLE_DIRS)
    {
        return FileClass::Example;
    }
    FileClass::Production
}

/// Whether a script or style sheet is named by a bundler's content hash,
/// wherever the build was committed (`server/public/assets/`): webpack's,
/// Angular's and older Vite's hexadecimal hash (`main.3f2a1b9c.chunk.js`,
/// `CodeEditor-4caff52a.js`), or Vite's eight base64url characters under
/// an `assets/` folder (`index-BO8yDKnL.js`). A capitalised word is a
/// name (`user-Overview.js`), not a hash.
fn is_hashed_build_output(name: &str, dirs: &[&str]) -> bool {
    let Some(stem) = [".chunk.js", ".bundle.js", ".js", ".mjs", ".css"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
    else {
        return false;
    };
    let hex_hash = stem.rsplit(['.', '-']).next().is_some_and(|h| {
        (8..=32).contains(&h.len())
            && h.bytes().all(|b| b.is_ascii_hexdigit())
            && h.bytes().any(|b| b.is_ascii_digit())
            && h.bytes().any(|b| b.is_ascii_alphabetic())
    });
    if hex_hash {
        return true;
    }
    // Vite: `-` and eight base64url characters, which may themselves hold
    // `-` or `_` (`index--dZ7-tlE.js`).
    let vite_hash = stem.len() > 9
        && stem.is_char_boundary(stem.len() - 9)
        && stem[..stem.len() - 8].ends_with('-')
        && {
            let h = &stem[stem.len() - 8..];
            let upper = h.bytes().filter(u8::is_ascii_uppercase).count();
            let word = h.as_bytes()[0].is_ascii_uppercase()
                && h.bytes().skip(1).all(|b| b.is_ascii_lowercase());
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && upper >= 1
                && h.bytes()
                    .any(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && !word
        };
    vite_hash && dirs.last().is_some_and(|d| *d == "assets")
}

/// The class of a path, `/` separated, relative to the repository root. A
/// member of an archive (`bundle.zip!config/app.env`) takes the least
/// production-like class of the archive and the member.
pub fn classify(path: &str) -> FileClass {
    path.split('!')
        .map(classify_one)
        .max_by_key(|c| *c != FileClass::Production)
        .unwrap_or(FileClass::Production)
}

/// Markers that generators write near the top of a file.
const GENERATED_MARKERS: &[&str] = &[
    "@generated",
    "code generated by",
    "do not edit",
    "auto-generated",
    "autogenerated",
    "automatically generated",
    "this file is generated",
    "this file was generated",
    "generated by the protocol buffer compiler",
];

/// The class of a file from its path and its first bytes: a file whose
/// first 1 KiB carries a generator's marker ("Code generated by … DO NOT
/// EDIT", `@generated`) is generated wherever it sits, unless its path
/// already says vendored.
pub fn classify_content(path: &str, head: &[u8]) -> FileClass {
    let by_path = classify(path);
    if by_path != FileClass::Production {
        return by_path;
    }
    let head = &head[..head.len().min(1024)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if GENERATED_MARKERS.iter().any(|m| text.contains(m)) {
        FileClass::Generated
    } else {
        by_path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_both_sides() {
        for (path, class) in [
            ("src/main.rs", FileClass::Production),
            ("app/api/users/route.ts", FileClass::Production),
            ("supabase/functions/pay/index.ts", FileClass::Production),
            ("config/settings.py", FileClass::Production),
            (".env.production", FileClass::Production),
            ("Dockerfile", FileClass::Production),
            ("src/contest.rs", FileClass::Production),
            ("src/latest/handler.ts", FileClass::Production),
            ("src/templates/email.html", FileClass::Production),
            ("tests/api.rs", FileClass::Test),
            ("src/__tests__/App.tsx", FileClass::Test),
            ("pkg/auth/auth_test.go", FileClass::Test),
            ("web/src/App.test.tsx", FileClass::Test),
            ("app/test_views.py", FileClass::Test),
            ("conftest.py", FileClass::Test),
            ("src/test/java/com/acme/AppTest.java", FileClass::Test),
            ("fixtures/secrets/aws.txt", FileClass::Test),
            ("spec/models/user_spec.rb", FileClass::Test),
            (
                "web/components/auth/ResetPasswordForm.stories.tsx",
                FileClass::Test,
            ),
            ("web/components/auth/__stories__/Form.tsx", FileClass::Test),
            (".storybook/mocks/fixtures.ts", FileClass::Test),
            ("src/components/StoryCard.tsx", FileClass::Production),
            ("src/history/story.ts", FileClass::Production),
            ("examples/basic/main.py", FileClass::Example),
            ("docs/setup.md", FileClass::Example),
            ("README.md", FileClass::Example),
            (".env.example", FileClass::Example),
            ("api-docs/index.html", FileClass::Example),
            ("public/apidocs/index.html", FileClass::Example),
            ("docs-site/src/pages/index.tsx", FileClass::Example),
            ("src/mydocsx/handler.ts", FileClass::Production),
            (".env.testing", FileClass::Test),
            (".env.test.local", FileClass::Test),
            ("phpunit.xml.dist", FileClass::Test),
            ("phpunit.e2e.xml", FileClass::Test),
            (".env.dusk.local", FileClass::Test),
            (".env.travis", FileClass::Test),
            (".env.ci", FileClass::Test),
            (".env.client", FileClass::Production),
            (".github/workflows/e2e.yml", FileClass::Test),
            (".github/workflows/integration-tests.yaml", FileClass::Test),
            (".github/workflows/deploy.yml", FileClass::Production),
            (".github/workflows/latest.yml", FileClass::Production),
            ("ci/e2e.yml", FileClass::Production),
            (".env.travis.production", FileClass::Production),
            (".env.staging", FileClass::Production),
            ("phpunit/src/Runner.php", FileClass::Production),
            ("config/app.sample.yml", FileClass::Example),
            (
                "{{cookiecutter.project_slug}}/settings.py",
                FileClass::Template,
            ),
            ("template/{{ project_name }}/.env", FileClass::Template),
            ("deploy/values.yaml.tmpl", FileClass::Template),
            ("ansible/app.conf.j2", FileClass::Template),
            ("project_template/manage.py", FileClass::Template),
            ("node_modules/left-pad/index.js", FileClass::Vendored),
            ("web/vendor/jquery.js", FileClass::Vendored),
            (
                ".venv/lib/python3.12/site-packages/x/y.py",
                FileClass::Vendored,
            ),
            ("third_party/zlib/inflate.c", FileClass::Vendored),
            (
                "assets/page.zip!page_files/main.b9b4c07.js.download",
                FileClass::Vendored,
            ),
            ("site/checkout_files/gtm.js.download", FileClass::Vendored),
            ("downloads/report.pdf.download", FileClass::Production),
            ("static_files/app.js", FileClass::Production),
            // Bundles named by their content hash, wherever committed.
            ("server/assets/index-BO8yDKnL.js", FileClass::Generated),
            (
                "server/public/assets/index--dZ7-tlE.js",
                FileClass::Generated,
            ),
            ("web/static/js/main.3f2a1b9c.chunk.js", FileClass::Generated),
            ("public/main.b9b4c0738645a645.js", FileClass::Generated),
            ("ui/assets/CodeEditor-4caff52a.css", FileClass::Generated),
            ("src/assets/user-Overview.js", FileClass::Production),
            ("src/assets/date-settings.js", FileClass::Production),
            ("src/lib/index-BO8yDKnL.js", FileClass::Production),
            ("src/lib/sha-deadbeef.ts", FileClass::Production),
            ("src/lib/cafe-facade.js", FileClass::Production),
            ("dist/assets/index-4f3a.js", FileClass::Generated),
            ("static/app.min.js", FileClass::Generated),
            ("apps/web/tsconfig.tsbuildinfo", FileClass::Generated),
            ("api/user.pb.go", FileClass::Generated),
            (".next/server/app.js", FileClass::Generated),
            ("backup.zip!tests/key.pem", FileClass::Test),
            // A specification folder of the documentation is documentation;
            // documentation kept with the tests is test material.
            (
                "docs/superpowers/specs/2026-04-21-design.md",
                FileClass::Example,
            ),
            ("docs/tests/setup.md", FileClass::Example),
            ("tests/docs/fixture.md", FileClass::Test),
            ("spec/docs/readme_spec.rb", FileClass::Test),
            ("docs/examples/auth.test.ts", FileClass::Test),
            ("release.zip!config/prod.env", FileClass::Production),
        ] {
            assert_eq!(classify(path), class, "{path}");
        }
    }

    #[test]
    fn generated_by_content() {
        let generated = b"// Code generated by protoc-gen-go. DO NOT EDIT.\npackage api\n";
        assert_eq!(
            classify_content("api/user.go", generated),
            FileClass::Generated
        );
        let ordinary = b"package api\n\n// Handles users.\nfunc Get() {}\n";
        assert_eq!(
            classify_content("api/user.go", ordinary),
            FileClass::Production
        );
        // The marker far down the file is not a header.
        let mut late = vec![b' '; 4096];
        late.extend_from_slice(b"// @generated");
        assert_eq!(classify_content("src/a.ts", &late), FileClass::Production);
        // A path class wins over content.
        assert_eq!(classify_content("tests/gen.go", generated), FileClass::Test);
    }

    #[test]
    fn names_round_trip() {
        for class in FileClass::ALL {
            assert_eq!(FileClass::parse(class.as_str()), Some(class));
        }
        assert_eq!(FileClass::parse("prod"), None);
    }
}
