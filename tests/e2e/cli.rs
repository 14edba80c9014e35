//! Command-line behaviour: exit codes, output routing, framework commands.

use crate::{diligence, stderr, stdout, workspace};

#[test]
fn frameworks_list_names_the_default() {
    let out = diligence(workspace(), &["frameworks", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().contains("(default)"), "{text}");
    assert!(text.contains("production-readiness"), "{text}");
}

#[test]
fn framework_check_accepts_the_embedded_file() {
    let out = diligence(
        workspace(),
        &["framework", "check", "scoring/production-readiness.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(": ok"), "{}", stdout(&out));
}

#[test]
fn framework_check_points_at_file_and_line() {
    let out = diligence(
        workspace(),
        &[
            "framework",
            "check",
            "fixtures/frameworks/unknown-fact.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unknown-fact.toml:"), "{err}");
    assert!(err.contains("git.no-such-fact"), "{err}");
}

#[test]
fn framework_check_warns_on_renamed_facts() {
    let out = diligence(
        workspace(),
        &[
            "framework",
            "check",
            "fixtures/frameworks/old-fact-name.toml",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("warning: fixtures/frameworks/old-fact-name.toml:24:8:")
            && text.contains("fact `git.commits.head` was renamed `git.commits`"),
        "{text}"
    );
    assert!(
        text.contains(": ok (legacy 1.0.0, 1 controls, 1 warnings)"),
        "{text}"
    );
}

#[test]
fn a_bad_identity_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ids.toml"), "merges = [[\"a@x.io\"]]\n").unwrap();
    let out = diligence(
        dir.path(),
        &["scan", ".", "--identities", "ids.toml", "--only", "git"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cannot use the identity file ids.toml"),
        "{err}"
    );
    assert!(err.contains("unknown field `merges`"), "{err}");
}

#[test]
fn missing_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = diligence(dir.path(), &["scan", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: scan of does-not-exist failed"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let out = diligence(workspace(), &["scan", "--fail-under", "101"]);
    assert_eq!(out.status.code(), Some(2));
    let out = diligence(workspace(), &["scan", "-f", "pdfx"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn several_formats_need_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = diligence(dir.path(), &["scan", ".", "-f", "md", "-f", "json"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("-o DIR"), "{}", stderr(&out));
}

#[test]
fn rules_check_accepts_a_good_folder_and_names_problems_in_a_bad_one() {
    let out = diligence(workspace(), &["rules", "check", "fixtures/rules/good"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("1 rules in 1 files, 0 errors"),
        "{}",
        stdout(&out)
    );

    let out = diligence(workspace(), &["rules", "check", "fixtures/rules/bad"]);
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("acme.yml"), "{text}");
    assert!(text.contains("secrets.acme.internal-token"), "{text}");
}

#[test]
fn cached_advisory_databases_are_listed_and_used_and_fetch_names_are_checked() {
    let cache = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("requirements.txt"), "requests==2.0.0\n").unwrap();
    let with_cache = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_diligence"))
            .args(args)
            .current_dir(repo.path())
            .env("DILIGENCE_CACHE", cache.path())
            .output()
            .unwrap()
    };
    let out = with_cache(&["db", "list"]);
    assert!(
        stdout(&out).contains("no advisory databases"),
        "{}",
        stdout(&out)
    );
    let out = with_cache(&["db", "fetch", "nope"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("unknown database `nope`"),
        "{}",
        stderr(&out)
    );

    // A PyPA-shaped cache entry with one OSV advisory for requests < 2.3.
    let vulns = cache.path().join("advisory-db/pypa/vulns/requests");
    std::fs::create_dir_all(&vulns).unwrap();
    std::fs::write(
        vulns.join("PYSEC-0000-1.yaml"),
        "id: PYSEC-0000-1\nmodified: 2024-01-01T00:00:00Z\nsummary: test advisory\naffected:\n- package:\n    name: requests\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: \"2.3.0\"\n",
    )
    .unwrap();
    let out = with_cache(&["db", "list"]);
    assert!(stdout(&out).contains("pypa"), "{}", stdout(&out));
    let out = with_cache(&["scan", ".", "-q", "-f", "json", "--only", "deps"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = report.to_string();
    assert!(text.contains("PYSEC-0000-1"), "the cached database is used");
    let out = with_cache(&[
        "scan",
        ".",
        "-q",
        "-f",
        "json",
        "--only",
        "deps",
        "--no-cached-db",
    ]);
    assert!(
        !stdout(&out).contains("PYSEC-0000-1"),
        "--no-cached-db ignores the cache"
    );
}

/// Every string value under a key named `key`, anywhere in `value`.
fn strings_under(value: &serde_json::Value, key: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == key
                    && let Some(text) = v.as_str()
                {
                    out.push(text.to_owned());
                }
                strings_under(v, key, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                strings_under(item, key, out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_private_fingerprint_key_changes_fingerprints_and_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let value = ["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"].concat();
    std::fs::write(tree.join("pay.env"), format!("STRIPE_KEY={value}\n")).unwrap();
    // Built from parts: a whole key-shaped literal would read as a leak.
    let key = ["engagement-2026-", "acme-7f3c9d2e"].concat();
    let key = key.as_str();
    std::fs::write(dir.path().join("key.txt"), format!("{key}\n")).unwrap();
    std::fs::write(dir.path().join("short.txt"), "tiny\n").unwrap();

    let scan = |extra: &[&str], env: Option<&str>| {
        let mut args = vec![
            "scan", "tree", "--only", "secrets", "-q", "-f", "json", "-o", "out.json",
        ];
        args.extend_from_slice(extra);
        let mut command = crate::diligence_command(dir.path(), &args);
        if let Some(env) = env {
            command.env("DILIGENCE_FINGERPRINT_KEY", env);
        }
        let out = command.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let text = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
        assert!(!text.contains(key), "the key never appears in the report");
        assert!(!text.contains(&value));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut prints = Vec::new();
        strings_under(&json, "fingerprint", &mut prints);
        assert!(!prints.is_empty(), "{text}");
        (prints, json)
    };
    let (default, default_json) = scan(&[], None);
    let (from_file, keyed_json) = scan(&["--fingerprint-key-file", "key.txt"], None);
    let (from_env, _) = scan(&[], Some(key));
    assert_ne!(default, from_file, "a private key gives other fingerprints");
    assert_eq!(
        from_file, from_env,
        "the file and the variable are the same key"
    );
    let private = |json: &serde_json::Value| {
        json["evidence"][0]["facts"]["secrets.fingerprint-key.private"]["value"]["value"].as_bool()
    };
    assert_eq!(private(&default_json), None);
    assert_eq!(private(&keyed_json), Some(true));

    let out = diligence(
        dir.path(),
        &[
            "scan",
            "tree",
            "--only",
            "secrets",
            "-q",
            "--fingerprint-key-file",
            "short.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("at least 16 bytes"),
        "{}",
        stderr(&out)
    );
}
