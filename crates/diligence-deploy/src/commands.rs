//! What a shell command in a pipeline does: run tests, or deploy.
//!
//! Both are vocabularies of word sequences matched against the words of a
//! command line (`npm run test:unit` runs tests, `flyctl deploy --remote-only`
//! deploys). Nothing is executed and nothing is resolved here; following a
//! `make` target or a `package.json` script to the commands behind it is
//! [`crate::resolve`]'s job.

/// Test commands, each a sequence of words that must appear in order
/// (adjacent words separated by spaces).
pub const TEST_COMMANDS: &[&str] = &[
    "cargo test",
    "cargo nextest",
    "cargo llvm-cov",
    "cargo tarpaulin",
    "cargo hack test",
    "npm test",
    "npm run test",
    "npm t",
    "npm run e2e",
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
    "manage.py test",
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
    "deno test",
    "make test",
    "make check",
    "just test",
    "ctest",
];

/// Commands that ship something, with the platform they ship to.
pub const DEPLOY_COMMANDS: &[(&str, &str)] = &[
    ("aws s3 sync", "aws"),
    ("aws ecs update-service", "aws"),
    ("aws ecs deploy", "aws"),
    ("aws lambda update-function-code", "aws"),
    ("aws cloudformation deploy", "aws"),
    ("aws deploy create-deployment", "aws"),
    ("aws apprunner start-deployment", "aws"),
    ("sam deploy", "aws"),
    ("cdk deploy", "aws"),
    ("eb deploy", "aws"),
    ("serverless deploy", "serverless"),
    ("sls deploy", "serverless"),
    ("gcloud run deploy", "gcp"),
    ("gcloud app deploy", "gcp"),
    ("gcloud functions deploy", "gcp"),
    ("gcloud run services update", "gcp"),
    ("az webapp deploy", "azure"),
    ("az webapp up", "azure"),
    ("az functionapp deployment", "azure"),
    ("az containerapp update", "azure"),
    ("az containerapp up", "azure"),
    ("az deployment group create", "azure"),
    ("func azure functionapp publish", "azure"),
    ("flyctl deploy", "fly"),
    ("fly deploy", "fly"),
    ("vercel deploy", "vercel"),
    ("vercel --prod", "vercel"),
    ("vercel --prebuilt", "vercel"),
    ("netlify deploy", "netlify"),
    ("railway up", "railway"),
    ("railway deploy", "railway"),
    ("git push heroku", "heroku"),
    ("heroku container:release", "heroku"),
    ("firebase deploy", "firebase"),
    ("wrangler deploy", "cloudflare"),
    ("wrangler publish", "cloudflare"),
    ("wrangler pages deploy", "cloudflare"),
    ("docker push", "container-registry"),
    ("docker compose push", "container-registry"),
    ("docker-compose push", "container-registry"),
    ("kubectl apply", "kubernetes"),
    ("kubectl rollout restart", "kubernetes"),
    ("kubectl set image", "kubernetes"),
    ("helm upgrade", "kubernetes"),
    ("helm install", "kubernetes"),
    ("terraform apply", "terraform"),
    ("tofu apply", "terraform"),
    ("pulumi up", "pulumi"),
    ("supabase db push", "supabase"),
    ("supabase functions deploy", "supabase"),
    ("npm publish", "package-registry"),
    ("cargo publish", "package-registry"),
    ("twine upload", "package-registry"),
    ("poetry publish", "package-registry"),
];

/// Actions (`owner/repo`, lowercase) that deploy, with the platform.
pub const DEPLOY_ACTIONS: &[(&str, &str)] = &[
    ("aws-actions/amazon-ecs-deploy-task-definition", "aws"),
    ("aws-actions/aws-cloudformation-github-deploy", "aws"),
    ("google-github-actions/deploy-cloudrun", "gcp"),
    ("google-github-actions/deploy-appengine", "gcp"),
    ("google-github-actions/deploy-cloud-functions", "gcp"),
    ("azure/webapps-deploy", "azure"),
    ("azure/functions-action", "azure"),
    ("azure/container-apps-deploy-action", "azure"),
    ("azure/static-web-apps-deploy", "azure"),
    ("azure/k8s-deploy", "kubernetes"),
    ("superfly/flyctl-actions", "fly"),
    ("amondnet/vercel-action", "vercel"),
    ("nwtgck/actions-netlify", "netlify"),
    ("cloudflare/wrangler-action", "cloudflare"),
    ("cloudflare/pages-action", "cloudflare"),
    ("peaceiris/actions-gh-pages", "github-pages"),
    ("actions/deploy-pages", "github-pages"),
    ("jamesives/github-pages-deploy-action", "github-pages"),
    ("akhileshns/heroku-deploy", "heroku"),
    ("firebaseextended/action-hosting-deploy", "firebase"),
    ("pulumi/actions", "pulumi"),
    ("appleboy/ssh-action", "ssh"),
    ("pypa/gh-action-pypi-publish", "package-registry"),
];

/// The words of a shell line: split on blanks and shell punctuation,
/// `./` prefixes and trailing colons dropped.
pub fn words(line: &str) -> Vec<&str> {
    line.split(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '&' | ';' | '(' | ')' | '|')
    })
    .filter(|w| !w.is_empty())
    .map(|w| w.trim_start_matches("./").trim_end_matches(':'))
    .filter(|w| !w.is_empty())
    .collect()
}

/// Lines of a script that are not comments.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with('#') && !l.starts_with("//"))
}

/// The test commands a script runs, in order of first appearance.
pub fn test_commands(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for line in code_lines(text) {
        let words = words(line);
        for command in TEST_COMMANDS {
            if !found.contains(command) && contains_words(&words, command) {
                found.push(*command);
            }
        }
    }
    found
}

/// The deploy commands a script runs, each with its platform, in order of
/// first appearance.
pub fn deploy_commands(text: &str) -> Vec<(&'static str, &'static str)> {
    let mut found: Vec<(&'static str, &'static str)> = Vec::new();
    for line in code_lines(text) {
        let words = words(line);
        for (command, platform) in DEPLOY_COMMANDS {
            if !found.iter().any(|(c, _)| c == command) && contains_words(&words, command) {
                found.push((command, platform));
            }
        }
        // `docker buildx build --push` and `docker build --push` push too.
        if words
            .windows(2)
            .any(|w| w[0] == "docker" && matches!(w[1], "build" | "buildx"))
            && words.contains(&"--push")
            && !found.iter().any(|(c, _)| *c == "docker push")
        {
            found.push(("docker push", "container-registry"));
        }
    }
    found
}

/// The platform an action deploys to, from its `uses:` name (`owner/repo`
/// or `owner/repo/path`, any case).
pub fn deploy_action(action: &str) -> Option<&'static str> {
    let lower = action.to_ascii_lowercase();
    let mut parts = lower.split('/');
    let owner_repo = match (parts.next(), parts.next()) {
        (Some(owner), Some(repo)) => format!("{owner}/{repo}"),
        _ => return None,
    };
    // `superfly/flyctl-actions/setup-flyctl` installs a tool, nothing more.
    if parts.next().is_some_and(|sub| sub.starts_with("setup")) {
        return None;
    }
    DEPLOY_ACTIONS
        .iter()
        .find(|(name, _)| *name == owner_repo)
        .map(|(_, platform)| *platform)
}

/// Whether `words` holds `command`'s words contiguously. The program may be
/// named by path (`./gradlew`, `vendor/bin/phpunit`), and `test:unit`
/// stands for `test` as a script name's last word.
pub fn contains_words(words: &[&str], command: &str) -> bool {
    let wanted: Vec<&str> = command.split(' ').collect();
    words.windows(wanted.len()).any(|window| {
        window.iter().zip(&wanted).enumerate().all(|(i, (w, c))| {
            if i == 0 {
                *w == *c || w.ends_with(&format!("/{c}"))
            } else {
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
        let script = "cargo test --workspace\nnpm ci && npm run test:unit\n./gradlew check\npython -m pytest -q\n";
        assert_eq!(
            test_commands(script),
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
        let script = "cargo build --release\n# cargo test\nnpm run build\necho testing\ndocker build -t attest .\n";
        assert!(test_commands(script).is_empty());
    }

    #[test]
    fn finds_deploy_commands_and_actions() {
        let script = "flyctl deploy --remote-only\ndocker buildx build --push -t app .\nnpx supabase functions deploy hello\n";
        assert_eq!(
            deploy_commands(script),
            [
                ("flyctl deploy", "fly"),
                ("docker push", "container-registry"),
                ("supabase functions deploy", "supabase")
            ]
        );
        assert_eq!(deploy_action("Azure/webapps-deploy"), Some("azure"));
        assert_eq!(deploy_action("superfly/flyctl-actions"), Some("fly"));
        assert_eq!(deploy_action("superfly/flyctl-actions/setup-flyctl"), None);
        assert_eq!(deploy_action("actions/checkout"), None);
    }

    #[test]
    fn build_and_plan_are_not_deploys() {
        let script = "docker build -t app .\nterraform plan\nhelm lint chart\nkubectl get pods\n";
        assert!(deploy_commands(script).is_empty());
    }
}
