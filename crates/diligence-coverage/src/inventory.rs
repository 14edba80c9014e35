//! Test files by each ecosystem's conventions, test frameworks from
//! manifests and configuration files, and end-to-end suites.

use std::collections::BTreeMap;

/// Directories whose content is not the project's own code: dependencies,
/// build output, generated coverage. Never counted as code or tests.
pub fn is_vendored(path: &str) -> bool {
    const DIRS: &[&str] = &[
        "node_modules",
        "vendor",
        "third_party",
        "third-party",
        "target",
        "dist",
        "build",
        "out",
        ".next",
        ".nuxt",
        ".svelte-kit",
        "coverage",
        "htmlcov",
        "__pycache__",
        ".venv",
        "venv",
        "site-packages",
        ".tox",
        "bower_components",
        "Pods",
        ".gradle",
        ".git",
    ];
    let mut parts = path.split('/');
    let name = parts.next_back().unwrap_or(path);
    parts.any(|d| DIRS.contains(&d))
        || name.ends_with(".min.js")
        || name.ends_with(".bundle.js")
        || name.ends_with(".pb.go")
        || name.ends_with("_pb2.py")
        || name.contains(".generated.")
}

/// Whether a path is test code by the conventions of its ecosystem:
/// `tests/`, `test/`, `spec/`, `__tests__/`, `src/test/` (Maven and
/// Gradle), `e2e/`, `cypress/`, and file names such as `*_test.go`,
/// `test_*.py`, `*.test.ts`, `*.spec.js`, `*Test.java`, `*_spec.rb`,
/// `conftest.py`; Rust `tests.rs` modules. Benchmarks (`benches/`) are not
/// tests.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    const TEST_DIRS: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "spec",
        "specs",
        "e2e",
        "cypress",
        "playwright",
        "testing",
        "integration-tests",
        "e2e-tests",
        "testdata",
        "fixtures",
        "__mocks__",
    ];
    if parts.iter().any(|d| {
        TEST_DIRS.contains(d)
            || d.ends_with(".tests")
            || d.ends_with("-tests")
            || d.ends_with("_tests")
    }) {
        return true;
    }
    let original = path.rsplit('/').next().unwrap_or(path);
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let (orig_stem, _) = original.rsplit_once('.').unwrap_or((original, ""));
    match ext {
        "go" => stem.ends_with("_test"),
        "py" => {
            stem.starts_with("test_")
                || stem.ends_with("_test")
                || stem == "conftest"
                || stem == "tests"
        }
        "rs" => {
            stem == "tests" || stem == "test" || stem.ends_with("_test") || stem.ends_with("_tests")
        }
        "rb" => stem.ends_with("_spec") || stem.ends_with("_test"),
        "java" | "kt" | "scala" | "cs" | "php" | "swift" | "groovy" => {
            orig_stem.ends_with("Test")
                || orig_stem.ends_with("Tests")
                || orig_stem.ends_with("IT")
                || orig_stem.ends_with("Spec")
        }
        "dart" => stem.ends_with("_test"),
        "exs" => stem.ends_with("_test"),
        _ => {
            // JavaScript and friends: `x.test.ts`, `x.spec.jsx`, `x.e2e.ts`,
            // `x.e2e-spec.ts`, `x.cy.ts`.
            let inner = stem.rsplit_once('.').map(|(_, i)| i);
            matches!(
                inner,
                Some("test" | "spec" | "e2e" | "e2e-spec" | "cy" | "tests")
            )
        }
    }
}

/// Whether a path belongs to an end-to-end suite (browser or API level).
pub fn is_e2e_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    parts.iter().any(|d| {
        matches!(
            *d,
            "e2e" | "e2e-tests" | "end-to-end" | "cypress" | "playwright"
        )
    }) || name.contains(".e2e.")
        || name.contains(".e2e-spec.")
        || name.contains(".cy.")
}

/// A test framework, where it was seen and whether it runs end-to-end.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct FrameworkUse {
    /// Framework name (`jest`, `pytest`, `cargo`, ...).
    pub name: &'static str,
    /// Ecosystem (`JavaScript`, `Python`, `Rust`, ...).
    pub ecosystem: &'static str,
    /// The first file that shows it.
    pub evidence: String,
    /// Whether it is an end-to-end framework.
    pub e2e: bool,
}

/// Frameworks by name, first evidence wins (paths are visited in order).
#[derive(Default, Debug)]
pub struct Frameworks {
    found: BTreeMap<&'static str, FrameworkUse>,
}

const E2E: &[&str] = &[
    "playwright",
    "cypress",
    "selenium",
    "webdriverio",
    "puppeteer",
    "testcafe",
    "nightwatch",
    "detox",
];

impl Frameworks {
    /// Records a framework (once).
    pub fn add(&mut self, name: &'static str, ecosystem: &'static str, evidence: &str) {
        self.found.entry(name).or_insert_with(|| FrameworkUse {
            name,
            ecosystem,
            evidence: evidence.to_owned(),
            e2e: E2E.contains(&name),
        });
    }

    /// Everything found, by name.
    pub fn into_vec(self) -> Vec<FrameworkUse> {
        self.found.into_values().collect()
    }

    /// Whether a framework was found.
    pub fn contains(&self, name: &str) -> bool {
        self.found.contains_key(name)
    }

    /// Looks at a file's name: configuration files that name a framework.
    pub fn from_name(&mut self, path: &str) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = name.split('.').next().unwrap_or(name);
        match stem {
            "jest" if name.starts_with("jest.config.") => self.add("jest", "JavaScript", path),
            "vitest"
                if name.starts_with("vitest.config.") || name.starts_with("vitest.workspace.") =>
            {
                self.add("vitest", "JavaScript", path);
            }
            "" if name.starts_with(".mocharc") => self.add("mocha", "JavaScript", path),
            "playwright" if name.starts_with("playwright.config.") => {
                self.add("playwright", "JavaScript", path);
            }
            "cypress" if name.starts_with("cypress.config.") || name == "cypress.json" => {
                self.add("cypress", "JavaScript", path);
            }
            "karma" if name.starts_with("karma.conf") => self.add("karma", "JavaScript", path),
            "wdio" if name.starts_with("wdio.conf") => self.add("webdriverio", "JavaScript", path),
            "pytest" if name == "pytest.ini" => self.add("pytest", "Python", path),
            "conftest" if name == "conftest.py" => self.add("pytest", "Python", path),
            "phpunit" if name.starts_with("phpunit.xml") => self.add("phpunit", "PHP", path),
            _ => {}
        }
        if name == ".rspec" {
            self.add("rspec", "Ruby", path);
        }
        if name.ends_with("_test.go") {
            self.add("go test", "Go", path);
        }
    }

    /// Looks at a manifest's content for framework dependencies.
    pub fn from_manifest(&mut self, path: &str, text: &str) {
        let name = path.rsplit('/').next().unwrap_or(path);
        match name {
            "package.json" => self.read_package_json(path, text),
            // A `[tool.pytest...]`, `[tool:pytest]` or `[pytest]` section
            // names the word too.
            "pyproject.toml" | "setup.cfg" | "tox.ini" | "Pipfile" | "setup.py"
                if mentions_word(text, "pytest") =>
            {
                self.add("pytest", "Python", path);
            }
            n if n.starts_with("requirements")
                && n.ends_with(".txt")
                && text
                    .lines()
                    .any(|l| l.trim_start().to_ascii_lowercase().starts_with("pytest")) =>
            {
                self.add("pytest", "Python", path);
            }
            "pom.xml" | "build.gradle" | "build.gradle.kts" => {
                let lower = text.to_ascii_lowercase();
                if lower.contains("junit") {
                    self.add("junit", "JVM", path);
                }
                if lower.contains("testng") {
                    self.add("testng", "JVM", path);
                }
            }
            "Gemfile" => {
                if text.contains("rspec") {
                    self.add("rspec", "Ruby", path);
                }
                if text.contains("minitest") {
                    self.add("minitest", "Ruby", path);
                }
            }
            "composer.json" if text.contains("phpunit/phpunit") => self.add("phpunit", "PHP", path),
            n if n.ends_with(".csproj") => {
                let lower = text.to_ascii_lowercase();
                for (needle, fw) in [("xunit", "xunit"), ("nunit", "nunit"), ("mstest", "mstest")] {
                    if lower.contains(needle) {
                        self.add(fw, ".NET", path);
                    }
                }
            }
            _ => {}
        }
    }

    fn read_package_json(&mut self, path: &str, text: &str) {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            return;
        };
        const DEPS: &[(&str, &str)] = &[
            ("jest", "jest"),
            ("vitest", "vitest"),
            ("mocha", "mocha"),
            ("@playwright/test", "playwright"),
            ("playwright", "playwright"),
            ("cypress", "cypress"),
            ("jasmine", "jasmine"),
            ("ava", "ava"),
            ("karma", "karma"),
            ("selenium-webdriver", "selenium"),
            ("webdriverio", "webdriverio"),
            ("puppeteer", "puppeteer"),
            ("testcafe", "testcafe"),
            ("nightwatch", "nightwatch"),
            ("detox", "detox"),
        ];
        for section in [
            "dependencies",
            "devDependencies",
            "peerDependencies",
            "optionalDependencies",
        ] {
            let Some(deps) = value.get(section).and_then(|d| d.as_object()) else {
                continue;
            };
            for (dep, fw) in DEPS {
                if deps.contains_key(*dep) {
                    self.add(fw, "JavaScript", path);
                }
            }
        }
        // `node --test` is the built-in runner.
        if let Some(test) = value.pointer("/scripts/test").and_then(|t| t.as_str())
            && test.contains("node --test")
        {
            self.add("node:test", "JavaScript", path);
        }
    }

    /// Looks at a test file's content for frameworks known only by imports.
    pub fn from_test_source(&mut self, path: &str, text: &str) {
        if path.ends_with(".py") {
            if text.contains("import unittest") || text.contains("from unittest") {
                self.add("unittest", "Python", path);
            }
            if text.contains("import pytest") || text.contains("from pytest") {
                self.add("pytest", "Python", path);
            }
        }
        if path.ends_with(".java") || path.ends_with(".kt") {
            if text.contains("org.junit") {
                self.add("junit", "JVM", path);
            }
            if text.contains("org.testng") {
                self.add("testng", "JVM", path);
            }
        }
        if (path.ends_with(".js") || path.ends_with(".ts")) && text.contains("node:test") {
            self.add("node:test", "JavaScript", path);
        }
    }
}

fn mentions_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_paths_by_convention() {
        for path in [
            "tests/it/main.rs",
            "crates/x/tests/a.rs",
            "src/foo/tests.rs",
            "pkg/calc/calc_test.go",
            "tests/test_api.py",
            "app/test_models.py",
            "conftest.py",
            "src/App.test.tsx",
            "src/util.spec.js",
            "src/__tests__/x.js",
            "src/test/java/com/acme/AppTest.java",
            "src/main/java/com/acme/AppIT.java",
            "spec/models/user_spec.rb",
            "e2e/login.spec.ts",
            "cypress/e2e/home.cy.ts",
            "Acme.Tests/CalcTests.cs",
        ] {
            assert!(is_test_path(path), "{path} is a test");
        }
        for path in [
            "src/main.rs",
            "src/testing_utils_helper.py.bak",
            "src/contest.py",
            "pkg/calc/calc.go",
            "src/latest.js",
            "src/attestation.ts",
            "src/main/java/com/acme/Contest.java",
            "benches/speed.rs",
            "src/protest.rb",
        ] {
            assert!(!is_test_path(path), "{path} is not a test");
        }
    }

    #[test]
    fn e2e_paths() {
        assert!(is_e2e_path("e2e/login.spec.ts"));
        assert!(is_e2e_path("apps/web/cypress/e2e/home.cy.ts"));
        assert!(is_e2e_path("test/app.e2e-spec.ts"));
        assert!(!is_e2e_path("src/App.test.tsx"));
        assert!(!is_e2e_path("tests/integration/api.rs"));
    }

    #[test]
    fn vendored_paths() {
        assert!(is_vendored("web/node_modules/x/index.js"));
        assert!(is_vendored("static/app.min.js"));
        assert!(!is_vendored("src/builder.rs"));
    }

    #[test]
    fn frameworks_from_manifests_and_names() {
        let mut f = Frameworks::default();
        f.from_manifest(
            "package.json",
            r#"{"devDependencies": {"vitest": "1", "@playwright/test": "1"}, "dependencies": {"react": "18"}}"#,
        );
        f.from_manifest(
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
        );
        f.from_manifest("pom.xml", "<artifactId>junit-jupiter</artifactId>");
        f.from_name("cypress.config.ts");
        f.from_name("svc/calc_test.go");
        f.from_test_source("tests/test_a.py", "import unittest\n");
        let names: Vec<_> = f.into_vec().into_iter().map(|u| (u.name, u.e2e)).collect();
        assert_eq!(
            names,
            [
                ("cypress", true),
                ("go test", false),
                ("junit", false),
                ("playwright", true),
                ("pytest", false),
                ("unittest", false),
                ("vitest", false)
            ]
        );
    }

    #[test]
    fn no_frameworks_from_unrelated_manifests() {
        let mut f = Frameworks::default();
        f.from_manifest(
            "package.json",
            r#"{"dependencies": {"jest-diff-like": "1", "react": "18"}}"#,
        );
        f.from_manifest(
            "pyproject.toml",
            "[project]\ndependencies = [\"flask\", \"pytesting\"]\n",
        );
        f.from_manifest("requirements.txt", "flask\n# pytest later\n");
        f.from_manifest("package.json", "{ not json");
        f.from_name("jest.setup.js");
        assert!(f.into_vec().is_empty());
    }
}
