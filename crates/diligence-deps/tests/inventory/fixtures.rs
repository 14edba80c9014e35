//! Every fixture format parses, and the hygiene rules fire where the
//! fixtures were written to make them fire.

use diligence_deps::{Ecosystem, FileKind, Source};

use crate::{analyse_dir, findings, fixtures};

fn has(list: &[(&str, &str)], path: &str, needle: &str) -> bool {
    list.iter().any(|(p, m)| *p == path && m.contains(needle))
}

#[test]
fn every_format_parses_and_malformed_files_do_not_stop_the_rest() {
    let a = analyse_dir(&fixtures());
    let kinds: Vec<FileKind> = a.parsed.iter().map(|p| p.kind).collect();
    for kind in [
        FileKind::CargoToml,
        FileKind::CargoLock,
        FileKind::PackageJson,
        FileKind::PackageLock,
        FileKind::YarnLock,
        FileKind::PnpmLock,
        FileKind::Requirements,
        FileKind::PyProject,
        FileKind::Pipfile,
        FileKind::PoetryLock,
        FileKind::UvLock,
        FileKind::PipfileLock,
        FileKind::GoMod,
        FileKind::GoSum,
        FileKind::GemfileLock,
        FileKind::ComposerLock,
        FileKind::GradleLockfile,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} not parsed");
    }
    let errors: Vec<String> = a.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].starts_with("malformed/bad-toml/Cargo.lock:7:"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("malformed/truncated-json/package-lock.json:7:"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].starts_with("malformed/yaml-bomb/pnpm-lock.yaml"),
        "{}",
        errors[2]
    );
    let malformed = findings(&a, "deps.lockfile-malformed");
    assert_eq!(malformed.len(), 3);
    assert!(has(
        &malformed,
        "malformed/bad-toml/Cargo.lock",
        "Cargo.lock:7:"
    ));
}

#[test]
fn versions_and_lines() {
    let a = analyse_dir(&fixtures());
    let find = |file: &str, name: &str| {
        a.packages
            .iter()
            .find(|p| p.file == file && p.name == name)
            .unwrap_or_else(|| panic!("{name} in {file}"))
    };
    let serde = find("cargo/Cargo.lock", "serde");
    assert_eq!(
        (serde.version.as_str(), serde.line, serde.direct),
        ("1.0.203", Some(26), Some(true))
    );
    assert_eq!(
        find("npm-v1/package-lock.json", "express").direct,
        Some(true)
    );
    assert_eq!(
        find("npm-v1/package-lock.json", "debug").direct,
        Some(false)
    );
    assert_eq!(find("npm-v1/package-lock.json", "mocha").dev, Some(true));
    let esbuild = find("npm-v3/package-lock.json", "esbuild");
    assert!(esbuild.install_script && esbuild.dev == Some(true));
    assert_eq!(esbuild.license.as_deref(), Some("MIT"));
    assert_eq!(
        find("shrinkwrap/npm-shrinkwrap.json", "chalk").version,
        "5.3.0"
    );
    assert_eq!(find("yarn-classic/yarn.lock", "axios").direct, Some(true));
    assert_eq!(
        find("yarn-classic/yarn.lock", "follow-redirects").direct,
        Some(false)
    );
    assert!(matches!(
        find("yarn-berry/yarn.lock", "internal-sdk").source,
        Source::Git { .. }
    ));
    assert!(find("pnpm-v6/pnpm-lock.yaml", "sharp").install_script);
    assert_eq!(find("pnpm-v9/pnpm-lock.yaml", "vite").dev, Some(true));
    assert_eq!(find("pnpm-v9/pnpm-lock.yaml", "vue").version, "3.4.27");
    assert_eq!(
        find("requirements/requirements-base.in", "celery").version,
        "5.4.0"
    );
    assert_eq!(find("poetry/poetry.lock", "fastapi").direct, Some(true));
    assert_eq!(find("poetry/poetry.lock", "starlette").direct, Some(false));
    assert_eq!(find("uv/uv.lock", "httpx").direct, Some(true));
    assert_eq!(find("pipenv/Pipfile.lock", "werkzeug").direct, Some(false));
    assert_eq!(find("go/go.mod", "golang.org/x/crypto").direct, Some(false));
    assert_eq!(find("ruby/Gemfile.lock", "rails").direct, Some(true));
    assert_eq!(find("php/composer.lock", "phpunit/phpunit").dev, Some(true));
    assert_eq!(
        find("gradle/gradle.lockfile", "junit:junit").ecosystem,
        Ecosystem::Maven
    );
    // go.sum is not inventory; go.mod is.
    assert!(a.packages.iter().all(|p| p.file != "go/go.sum"));
    // A manifest without lockfile contributes its requirements, unpinned.
    let express = find("no-lockfile/package.json", "express");
    assert!(!express.pinned);
}

#[test]
fn hygiene_rules_fire_where_expected() {
    let a = analyse_dir(&fixtures());
    let missing = findings(&a, "deps.lockfile-missing");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0].0, "no-lockfile/package.json");

    let sync = findings(&a, "deps.lockfile-out-of-sync");
    assert!(has(
        &sync,
        "cargo/crates/cli/Cargo.toml",
        "regex missing from cargo/Cargo.lock"
    ));
    assert!(has(
        &sync,
        "npm-v3/package.json",
        "missing-from-lock missing"
    ));
    assert!(has(
        &sync,
        "npm-v3/package.json",
        "react ^18.2.0 locked at 17.0.2"
    ));
    assert!(has(&sync, "poetry/pyproject.toml", "stripe missing"));
    // Present and in range: not flagged.
    for clean in [
        "uv/pyproject.toml",
        "yarn-classic/package.json",
        "pnpm-v9/package.json",
        "npm-v1/package.json",
    ] {
        assert!(!sync.iter().any(|(p, _)| *p == clean), "{clean}: {sync:?}");
    }
    assert!(!sync.iter().any(|(_, m)| m.contains("next ")), "{sync:?}");

    let unpinned = findings(&a, "deps.unpinned");
    assert!(has(&unpinned, "cargo/crates/cli/Cargo.toml", "anyhow *"));
    assert!(has(&unpinned, "no-lockfile/package.json", "express latest"));
    assert!(has(
        &unpinned,
        "requirements/requirements.txt",
        "gunicorn >=21.0"
    ));
    assert!(has(
        &unpinned,
        "requirements/requirements.txt",
        "requests (any version)"
    ));
    assert!(has(
        &unpinned,
        "requirements/requirements-base.in",
        "redis >=5"
    ));
    assert!(
        !unpinned
            .iter()
            .any(|(_, m)| m.contains("Django") || m.contains("celery"))
    );
    // `>=` without an upper bound is flagged even beside a lockfile.
    assert!(has(&unpinned, "uv/pyproject.toml", "httpx >=0.27"));
    assert!(
        !unpinned
            .iter()
            .any(|(p, _)| p.starts_with("pnpm") || p.starts_with("yarn-classic"))
    );

    let git = findings(&a, "deps.git-source");
    assert!(has(&git, "cargo/Cargo.lock", "forked"));
    assert!(has(&git, "requirements/requirements.txt", "private-lib"));
    assert!(has(&git, "yarn-berry/yarn.lock", "internal-sdk"));
    assert!(!git.iter().any(|(p, _)| p.starts_with("npm-")));

    let registries = findings(&a, "deps.non-default-registry");
    assert!(has(
        &registries,
        "npm-v3/package-lock.json",
        "@acme/ui (https://npm.acme.example)"
    ));
    assert!(has(
        &registries,
        "requirements/requirements.txt",
        "pypi.acme.example"
    ));
    assert!(
        !registries
            .iter()
            .any(|(p, _)| p.starts_with("yarn-classic") || p.starts_with("pipenv"))
    );

    let scripts = findings(&a, "deps.install-script");
    assert!(has(&scripts, "npm-v3/package-lock.json", "esbuild"));
    assert!(has(&scripts, "pnpm-v6/pnpm-lock.yaml", "sharp"));
    assert_eq!(scripts.len(), 2);

    let majors = findings(&a, "deps.multiple-majors");
    assert!(has(&majors, "cargo/Cargo.lock", "syn (1, 2)"));
    assert!(has(&majors, "npm-v3/package-lock.json", "react (17, 18)"));
    assert_eq!(majors.len(), 2);

    assert!(findings(&a, "deps.large-tree").is_empty());
    // Renovate is configured in npm-v3/package.json.
    assert!(a.update_tool.is_some());
    assert!(findings(&a, "deps.update-tool-missing").is_empty());
}

#[test]
fn licence_findings_by_class() {
    let a = analyse_dir(&fixtures());
    assert_eq!(findings(&a, "deps.licence.network-copyleft").len(), 1);
    assert!(
        findings(&a, "deps.licence.network-copyleft")[0]
            .1
            .contains("ghostscript-js")
    );
    assert!(
        findings(&a, "deps.licence.non-commercial")[0]
            .1
            .contains("@acme/ui")
    );
    assert!(findings(&a, "deps.licence.unknown")[0].1.contains("weird"));
    assert!(findings(&a, "deps.licence.strong-copyleft").is_empty());
    // Permissive licences (MIT, Apache-2.0, WTFPL, BSD-3-Clause) give no finding.
    assert!(
        !a.findings
            .iter()
            .any(|f| f.message.contains("chalk") && f.rule.as_str().starts_with("deps.licence"))
    );
}
