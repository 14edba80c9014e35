//! Whether continuous integration runs the tests: a light heuristic.
//!
//! CI configuration files are read as text, comment lines dropped, and
//! each line is searched for a command that runs a test suite
//! (`cargo test`, `npm test`, `pytest`, `go test`, `mvn verify`, ...).
//! Nothing is resolved: a test command hidden behind `make ci` or a
//! reusable workflow is not seen, and a command in a job that never runs
//! is. The fact built from this is marked as a heuristic.

/// Whether a path is a CI configuration file this heuristic reads.
pub fn is_ci_config(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    (yaml
        && (lower.starts_with(".github/workflows/")
            || lower.starts_with(".buildkite/")
            || lower.starts_with(".woodpecker/")
            || lower.starts_with(".circleci/")))
        || matches!(
            lower.as_str(),
            ".gitlab-ci.yml"
                | "azure-pipelines.yml"
                | ".travis.yml"
                | "bitbucket-pipelines.yml"
                | ".drone.yml"
                | ".woodpecker.yml"
                | "appveyor.yml"
                | ".appveyor.yml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
                | "buildspec.yml"
                | "codemagic.yaml"
        )
        || name == "jenkinsfile"
        || (lower.starts_with(".gitlab/ci/") && yaml)
}

/// Test commands, each a sequence of words that must appear in order
/// (adjacent words separated by spaces).
const COMMANDS: &[&str] = &[
    "cargo test",
    "cargo nextest",
    "cargo llvm-cov",
    "cargo tarpaulin",
    "cargo hack test",
    "npm test",
    "npm run test",
    "npm t",
    "npm run e2e",
    "npm run ci",
    "yarn test",
    "yarn run test",
    "yarn e2e",
    "pnpm test",
    "pnpm run test",
    "pnpm e2e",
    "bun test",
    "npx jest",
    "npx vitest",
    "npx playwright test",
    "npx cypress run",
    "jest",
    "vitest",
    "playwright test",
    "cypress run",
    "pytest",
    "py.test",
    "python -m pytest",
    "python -m unittest",
    "python3 -m pytest",
    "python3 -m unittest",
    "tox",
    "nox",
    "go test",
    "gotestsum",
    "mvn test",
    "mvn verify",
    "mvn install",
    "mvn -B verify",
    "mvn -B test",
    "gradle test",
    "gradle check",
    "gradlew test",
    "gradlew check",
    "gradlew build",
    "dotnet test",
    "rspec",
    "bundle exec rspec",
    "bundle exec rake",
    "rails test",
    "phpunit",
    "mix test",
    "flutter test",
    "swift test",
    "make test",
    "make check",
    "just test",
    "ctest",
];

/// The test commands a CI file runs, in order of first appearance.
pub fn test_commands(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let words: Vec<&str> = line
            .split(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '&' | ';' | '(' | ')' | '|')
            })
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_start_matches("./").trim_end_matches(':'))
            .collect();
        for command in COMMANDS {
            if !found.contains(command) && contains_words(&words, command) {
                found.push(*command);
            }
        }
    }
    found
}

fn contains_words(words: &[&str], command: &str) -> bool {
    let wanted: Vec<&str> = command.split(' ').collect();
    words.windows(wanted.len()).any(|window| {
        window.iter().zip(&wanted).enumerate().all(|(i, (w, c))| {
            // The program may be named by path (`./gradlew`, `vendor/bin/phpunit`).
            if i == 0 {
                *w == *c || w.ends_with(&format!("/{c}"))
            } else {
                // `npm run test:unit` runs a test script too.
                *w == *c || (i == wanted.len() - 1 && *c == "test" && w.starts_with("test:"))
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_commands() {
        let workflow = "jobs:\n  test:\n    steps:\n      - run: cargo test --workspace\n      - run: |\n          npm ci && npm run test:unit\n      - run: ./gradlew check\n      - run: python -m pytest -q\n";
        assert_eq!(
            test_commands(workflow),
            [
                "cargo test",
                "npm run test",
                "gradlew check",
                "pytest",
                "python -m pytest"
            ]
        );
    }

    #[test]
    fn ignores_builds_and_comments() {
        let workflow = "steps:\n  - run: cargo build --release\n  # - run: cargo test\n  - run: npm run build\n  - name: test-report\n    run: echo testing\n  - run: docker build -t attest .\n";
        assert!(test_commands(workflow).is_empty());
    }

    #[test]
    fn knows_ci_files() {
        assert!(is_ci_config(".github/workflows/ci.yml"));
        assert!(is_ci_config(".gitlab-ci.yml"));
        assert!(is_ci_config("Jenkinsfile"));
        assert!(is_ci_config(".circleci/config.yml"));
        assert!(!is_ci_config("docs/ci.yml"));
        assert!(!is_ci_config(".github/dependabot.yml"));
    }
}
