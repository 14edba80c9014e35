//! Look-alikes found on real repositories that generic rules must not
//! report, each beside a real secret in the same place that they must.

use diligence_secrets::BlobOutcome;

use crate::common::{Rng, alnum, base64url, engine};

fn rule_ids(text: &str, path: &str) -> Vec<String> {
    let engine = engine();
    match engine.scan(text.as_bytes(), path) {
        BlobOutcome::Scanned(found) => found
            .into_iter()
            .map(|m| engine.rules().rules()[m.rule].id.to_string())
            .collect(),
        other => panic!("not scanned: {other:?}"),
    }
}

fn value(seed: u64) -> String {
    ["Xk29", &Rng::new(seed).string(&alnum(), 20)].concat()
}

fn hex(seed: u64, len: usize) -> String {
    Rng::new(seed).string("0123456789abcdef", len)
}

#[test]
fn look_alikes_are_not_reported() {
    let uuid = {
        let h = hex(31, 32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    };
    let cases = [
        // Container images and tags.
        ("image: registry.acme.test/token-service:1.2.3\n".to_owned(), "k8s/deploy.yaml"),
        (format!("FROM node:20-alpine@sha256:{}\n", hex(32, 64)), "Dockerfile"),
        (format!("secret_sync_image: ghcr.io/acme/secret-sync@sha256:{}\n", hex(33, 64)), "values.yaml"),
        // A secret scanner's baseline.
        (format!("      \"hashed_secret\": \"{}\",\n", hex(34, 40)), ".secrets.baseline"),
        (format!("  \"hashed_secret\": \"{}\"\n", hex(35, 40)), "audit/report.json"),
        // UI strings in resource bundles.
        ("password.label=Enter your password\npassword.hint=Min8Chars+1Digit\n".to_owned(), "src/main/resources/messages.properties"),
        ("token.expired=Sitzung_abgelaufen2\n".to_owned(), "src/main/resources/app_de.properties"),
        ("\"password.placeholder\": \"e.g. Tr0ub4dor&3\",\n".to_owned(), "web/src/i18n.ts"),
        // Screenshots and their alt texts.
        ("![API key page](docs/img/api_key-page-2.png)\napi_key_screenshot: docs/img/ApiKey2.png\n".to_owned(), "README.md"),
        (
            "<img src=\"docs/token.png\" alt=\"token: Ab12Cd34Ef56\" />\n".to_owned(),
            "docs/index.html",
        ),
        (
            "![Settings, api_key=Zq8vR2mKx7Lp4N](docs/settings.png)\n".to_owned(),
            "README.md",
        ),
        // Type annotations and code.
        ("token: Annotated[str, Depends(oauth2_scheme)]\n".to_owned(), "app/deps.py"),
        ("secret_value: Union[str, None] = None\n".to_owned(), "app/models.py"),
        ("const passwordInput = forwardRef<HTMLInputElement, Props>(Input)\n".to_owned(), "web/Input.tsx"),
        ("let token = person::table\n".to_owned(), "src/db.rs"),
        ("let api_key = models::api_key::dsl::api_keys2;\n".to_owned(), "src/db.rs"),
        ("$token = $this->tokenRepository2;\n".to_owned(), "src/Auth.php"),
        // Shell defaults and HTML attributes.
        ("      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Variable not set}\n".to_owned(), "docker-compose.yml"),
        ("API_TOKEN=${API_TOKEN:-dev0nly_token}\n".to_owned(), "scripts/run.sh"),
        ("<input type=\"password\" name=\"password\" id=\"password-2\" autocomplete=\"new-password\">\n".to_owned(), "templates/login.html"),
        (
            "<input [type]=\"hide ? 'password' : 'text'\" formControlName=\"passwd\">\n".to_owned(),
            "src/app/login.component.html",
        ),
        (
            "<input id=\"password\" type=\"password\" pattern=\"^(?=.*[a-z])(?=.*[A-Z]).{8,}$\">\n"
                .to_owned(),
            "templates/signup.html",
        ),
        // Licence lines of an about page.
        (
            "<li>js-tokens@4.0.0 (MIT): https://github.com/lydell/js-tokens</li>\n<li>keytar:MIT:https://github.com/atom/node-keytar</li>\n<td>@auth/secret-store@2.1.0</td><td>MIT</td>\n".to_owned(),
            "public/about.html",
        ),
        // An Ethereum contract address is public.
        (format!("TOKEN_ADDRESS=0x{}\n", hex(36, 40)), ".env"),
        (format!("tokenAddress: \"0x{}\",\n", hex(37, 40)), "src/contracts.ts"),
        // CPE names in an SBOM.
        ("\"cpe\": \"cpe:2.3:a:acme:token_lib:1.2.3:*:*:*:*:*:*:*\",\n".to_owned(), "sbom.cdx.json"),
        ("secret_lib_cpe: cpe:2.3:a:acme:secret-lib:2.0.1:*:*:*:*:*:*:*\n".to_owned(), "sbom.yaml"),
        // Jenkins credential ids and the NAME of a secret.
        (format!("withCredentials([string(credentialsId: '{uuid}', variable: 'TOKEN')])\n"), "Jenkinsfile"),
        ("def apiKeyName = \"NEXUS-GPT4-API-KEY\"\n".to_owned(), "Jenkinsfile"),
        ("secret_name: PROD_DB_PASSWORD_V2\n".to_owned(), "deploy/values.yaml"),
        // A value longer than a credential (a ciphertext line out of its
        // SealedSecret) is not cut to the rule's limit and reported.
        (
            format!(
                "    DB_PASSWORD: Ag{}\n",
                Rng::new(43).string(&(alnum() + "+/"), 300)
            ),
            "deploy/values.yaml",
        ),
        // Template placeholders and masked values.
        ("access_key = {SumoAccessKey}\n".to_owned(), "docs/sumo.md"),
        ("api_token: \"{{api_token_2}}\"\napi_key = %(api_key)s2\n".to_owned(), "conf/app.ini"),
        ("password: ab12####cd34####\nsecret: \"########x9\"\n".to_owned(), "docs/setup.md"),
        // Password managers' identifiers, and expressions.
        (format!("export enum Brand {{\n  GooglePasswordManager = \"{uuid}\",\n}}\n"), "shared/passkeys.ts"),
        ("xhr.withCredentials = !requiresPreflightRequest;\n".to_owned(), "app/files.ts"),
        ("  privateKey: GitHubApp.key!,\n".to_owned(), "server/github.ts"),
        ("const hasApiKey = !!updatedProfile[providerKey]\n".to_owned(), "components/settings.tsx"),
        // Member, index and optional-chaining expressions; type applications.
        ("  token={document.Recipient[0].token}\n".to_owned(), "components/success.tsx"),
        ("const recipientToken = nextInboxDocument?.Recipient[0]?.token ?? null;\n".to_owned(), "components/inbox.tsx"),
        ("  const recipientToken: string = context.query[\"token\"];\n".to_owned(), "pages/sign.tsx"),
        ("        const credential = credentials?.credential;\n".to_owned(), "lib/auth.ts"),
        ("              token: recipients[0].token,\n".to_owned(), "lib/webhooks.ts"),
        ("type TEmailPasswordSignin = InferRequestType<\n".to_owned(), "auth/client.ts"),
        ("export type TSendForgotPasswordEmailJobDefinition = z.infer<\n".to_owned(), "jobs/email.ts"),
        // Names and expressions without quotes in code that quotes its
        // strings: Angular's compiled factories, Go composite literals.
        ("deps: [{ token: i0.NgZone }, { token: i0.Renderer2 }],\n".to_owned(), "src/app/file-drop.component.mjs"),
        ("\t\t\"passwordAuth\": validation.Errors{\n".to_owned(), "core/auth_options.go"),
        ("\tonMailerBeforeAdminResetPasswordSend: &hook.Hook[*MailerAdminEvent]{},\n".to_owned(), "core/base.go"),
        ("var defaultResetPassword2Template = EmailTemplate{\n".to_owned(), "core/templates.go"),
        ("\tnameKey := oauth2RedirectKey + form.Code\n".to_owned(), "apis/oauth2.go"),
        ("    secret_key = settings.SECRET_KEY_2\n".to_owned(), "app/signing.py"),
        // A call's keyword arguments, not a connection string.
        ("redis_connection = redis.StrictRedis(host=url.hostname, port=url.port, db=0, password=url.password)\n".to_owned(), "redash/__init__.py"),
        ("    r = redis.StrictRedis(host=redis_url.hostname, port=redis_url.port, db=redis_db, password=redis_password)\n".to_owned(), "redash/__init__.py"),
        // A literal that opens a value made at run time.
        ("  password: 'auth0-generated-' + Math.random().toString(36),\n".to_owned(), "server/auth.ts"),
        ("const secret = \"Xk29vLq8Tr0ub-\" + crypto.randomUUID();\n".to_owned(), "server/auth.js"),
        // PowerShell: a static call on a type, and a variable.
        ("    $Password = [System.Runtime.InteropServices.Marshal]::PtrToStringAuto($BSTR)\n".to_owned(), "scripts/migrate.ps1"),
        ("$DbPassword = $env:DB_PASSWORD_2\n".to_owned(), "scripts/migrate.ps1"),
        // .NET's id of a developer's secrets file and an assembly's public
        // key token.
        (format!("    <UserSecretsId>{uuid}</UserSecretsId>\n"), "src/Api/Api.csproj"),
        ("<assemblyIdentity name=\"System.Memory\" publicKeyToken=\"cc7b13ffcd2ddd51\" culture=\"neutral\" />\n".to_owned(), "src/BuildHost.dll.config"),
    ];
    for (text, path) in &cases {
        let ids = rule_ids(text, path);
        assert!(ids.is_empty(), "{text:?} in {path}: {ids:?}");
    }
}

#[test]
fn real_values_beside_the_look_alikes_are_still_reported() {
    let v = value(41);
    let cases = [
        (
            format!("image: registry.acme.test/app:1.2.3\nREGISTRY_PASSWORD={v}\n"),
            "k8s/deploy.yaml",
        ),
        (
            format!("db.password={v}\n"),
            "src/main/resources/application.properties",
        ),
        (
            format!("token: Annotated[str, Depends(x)]\nAPI_TOKEN = \"{v}\"\n"),
            "app/deps.py",
        ),
        (format!("let token = \"{v}\";\n"), "src/db.rs"),
        (format!("POSTGRES_PASSWORD: {v}\n"), "docker-compose.yml"),
        (format!("TOKEN_PRIVATE_KEY=0x{}\n", hex(42, 64)), ".env"),
        (format!("credentials: \"{v}\"\n"), "Jenkinsfile"),
        (format!("api_key = \"{v}\"\n"), "docs/sumo.md"),
        (
            format!("<img alt=\"key\" src=\"k.png\"> api_key={v}\n"),
            "docs/index.html",
        ),
        (format!("NEXUS_API_KEY=\"{v}\"\n"), "Jenkinsfile"),
        (
            format!("  passwordManagerPassword = \"{v}\",\n"),
            "shared/passkeys.ts",
        ),
        (format!("  password: \"!{v}\",\n"), "server/github.ts"),
        (format!("  token=\"{v}\"\n"), "components/success.tsx"),
        (
            format!("const recipientToken = \"{v}\" ?? null;\n"),
            "components/inbox.tsx",
        ),
        (
            "  const credential = \"Xq7[29Vp9Rt4]Zw8\";\n".to_owned(),
            "lib/auth.ts",
        ),
        (format!("  token: \"{v}[0]\",\n"), "lib/webhooks.ts"),
        // Quoted in code, in a comment of code, or in a file that does
        // not quote its values.
        (
            format!("deps: [{{ token: '{v}' }}],\n"),
            "src/app/file-drop.component.mjs",
        ),
        (format!("\t// password: {v}\n"), "core/base.go"),
        (
            format!("[string]$Password = \"{v}\"\n"),
            "scripts/migrate.ps1",
        ),
        // Connection strings, with a port after a comma.
        (
            format!("Driver={{ODBC Driver 18}};Server=tcp:db.acme.io,1433;Uid=app;Pwd={v};\n"),
            "config/db.txt",
        ),
        (
            format!("conn = \"Host=db.acme.io; Port=5432; Password={v}; Database=app\"\n"),
            "app/db.py",
        ),
        // Joined to another literal, or to code in a file that is not code.
        (
            format!("const secret = \"{v}\" + \"x9\";\n"),
            "server/auth.js",
        ),
        (format!("API_SECRET=\"{v}\" + suffix\n"), "notes.txt"),
        (format!("# secret_key = {v}\n"), "app/signing.py"),
        (" * api_token: Xk29.vLq8Tr0ub\n".to_owned(), "src/client.ts"),
        ("API_TOKEN=Xk29.vLq8Tr0ub\n".to_owned(), ".env"),
        ("api_token: Xk29.vLq8Tr0ub\n".to_owned(), "config/app.yml"),
    ];
    for (text, path) in &cases {
        let ids = rule_ids(text, path);
        assert!(
            ids.iter().any(|id| id.starts_with("secrets.")),
            "{text:?} in {path}: {ids:?}"
        );
    }
}

#[test]
fn identifiers_tokens_of_forms_types_and_masks_are_not_reported() {
    let csrf = Rng::new(51).string(&alnum(), 64);
    let cases = [
        // The name of a secret in Azure Key Vault, not its value.
        ("az keyvault secret show --vault-name kv-prod-weu --name SqlAdminPassword2\n".to_owned(), "scripts/deploy.sh"),
        ("  keyVaultSecretName: \"sql-admin-password-v2\"\n  secretName: storage-account-key-2\n".to_owned(), "infra/main.parameters.yaml"),
        ("api_key_secret_name = \"prod-openai-api-key\"\n".to_owned(), "terraform/main.tf"),
        // CSRF tokens are per session and public to the page.
        (format!("<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"{csrf}\">\n"), "templates/form.html"),
        (format!("<meta name=\"csrf-token\" content=\"{csrf}\">\n"), "templates/layout.html"),
        (format!("csrf_token = \"{csrf}\"\n"), "tests/fixtures/session.py"),
        // Maven coordinates and versions.
        ("<artifactId>spring-security-oauth2-client</artifactId>\n<version>6.2.1</version>\n".to_owned(), "pom.xml"),
        ("implementation 'io.jsonwebtoken:jjwt-api:0.12.5'\n".to_owned(), "build.gradle"),
        ("secret_manager_version = \"2.16.0-beta.1\"\ntoken_lib = \"com.acme:token-lib:3.4.1-SNAPSHOT\"\n".to_owned(), "gradle.properties"),
        // XSD type names.
        ("<xs:element name=\"password\" type=\"xs:string\"/>\n<xs:element name=\"apiKey\" type=\"tns:ApiKeyType2\"/>\n".to_owned(), "schema/auth.xsd"),
        // Templates and masks.
        ("DB_PASSWORD=${DB_PASSWORD}\napi_token = \"${API_TOKEN_V2}\"\n".to_owned(), "deploy/app.env"),
        ("password: \"****************\"\napi_key=sk_****************3f9a\n".to_owned(), "docs/setup.md"),
        // Keyword-named variables holding short non-secrets.
        ("token_type = \"Bearer\"\npassword_min_length = 12\nsecret_key_prefix = \"sk\"\napi_key_header = \"X-API-Key\"\n".to_owned(), "app/settings.py"),
    ];
    for (text, path) in &cases {
        let ids = rule_ids(text, path);
        assert!(ids.is_empty(), "{text:?} in {path}: {ids:?}");
    }
}

#[test]
fn real_values_in_the_same_places_are_reported() {
    let v = value(52);
    let cases = [
        (
            format!("csrf_token = \"{v}\"\nsession_token = \"{v}\"\n"),
            "tests/fixtures/session.py",
        ),
        (
            format!("  sqlAdminPassword: \"{v}\"\n"),
            "infra/main.parameters.yaml",
        ),
        (format!("<password>{v}</password>\n"), "pom.xml"),
        (format!("api_token = \"{v}\"\n"), "deploy/app.env"),
        (format!("api_key_value = \"{v}\"\n"), "app/settings.py"),
    ];
    for (text, path) in &cases {
        let ids = rule_ids(text, path);
        assert!(
            ids.iter().any(|id| id.starts_with("secrets.generic.")),
            "{text:?} in {path}: {ids:?}"
        );
    }
}

#[test]
fn credential_ids_coordinates_schema_types_templates_and_settings_are_not_reported() {
    let id = {
        let h = hex(53, 32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    };
    let cases = [
        // Jenkins credential ids in every form a pipeline names them.
        (format!("environment {{\n  DB_CREDS = credentials('{id}')\n}}\n"), "Jenkinsfile"),
        ("withCredentials([usernamePassword(credentialsId: 'nexus-deploy-creds', passwordVariable: 'NEXUS_PASSWORD', usernameVariable: 'NEXUS_USER')]) {\n".to_owned(), "Jenkinsfile"),
        (format!("git credentialsId: \"{id}\", url: 'https://git.acme.test/app.git'\n"), "Jenkinsfile"),
        // Azure Key Vault references and names.
        (format!("  secretUri: https://kv-prod-weu.vault.azure.net/secrets/DbPassword2/{}\n", hex(54, 32)), "infra/app.yaml"),
        ("DB_PASSWORD=@Microsoft.KeyVault(SecretUri=https://kv-prod.vault.azure.net/secrets/db-password/)\n".to_owned(), "app.settings"),
        ("  \"keyVaultName\": \"kv-prod-weu-01\",\n  \"passwordSecretName\": \"SqlAdminPassword2\"\n".to_owned(), "azuredeploy.parameters.json"),
        // Variables holding the NAME of a secret.
        ("api_key_secret: \"NEXUS-GPT4-API-KEY\"\nopenai_api_key: NEXUS_OPENAI_API_KEY_2\n    token: OPENAI-API-KEY-PROD\n".to_owned(), "pipeline.yml"),
        // Maven and Gradle coordinates and versions.
        ("<secret-manager.version>2.16.0</secret-manager.version>\n<jjwt.version>0.11.5</jjwt.version>\n".to_owned(), "pom.xml"),
        ("implementation(\"com.google.cloud:google-cloud-secretmanager:2.31.0\")\nimplementation 'io.jsonwebtoken:jjwt-impl:0.11.5'\n".to_owned(), "build.gradle.kts"),
        ("jsonwebtoken_version=0.12.5\nsecretsmanager.version=2.20.93\ntoken_lib = \"com.acme.security:token-client:3.4.1-RC2\"\n".to_owned(), "gradle.properties"),
        // XSD and WSDL type names.
        ("<xs:attribute name=\"token\" type=\"tns:TokenType2\"/>\n<xsd:element name=\"secretKey\" type=\"xsd:base64Binary\"/>\n<element name=\"accessKey\" type=\"ns1:AccessKeyType\"/>\n".to_owned(), "service.wsdl"),
        // Template placeholders of many engines.
        ("api_key: \"{{ .Values.apiKey2 }}\"\npassword: <%= ENV['DB_PASSWORD'] %>\napi_token=%API_TOKEN_2%\nsecret = $(SECRET_V2)\ntoken=@TOKEN_2@\naccess_key=__ACCESS_KEY_2__\nsecret_key=[[SECRET_KEY_2]]\npassword: \"#{dbPassword2}\"\n".to_owned(), "conf/app.conf"),
        // Masked values.
        ("password: ####\napi_key=AKIA####2####\ntoken: \"ab12************\"\nsecret: xxxx-xxxx-xxxx-2\n".to_owned(), "docs/setup.md"),
        (format!("credentials: {{ apiKey: '{}*****{}', secretKey: '{}••••' }}\n", &hex(63, 5), hex(64, 22), hex(65, 6)), "src/pages/Integrations.tsx"),
        // Settings about a credential, named after it.
        ("token_ttl = \"3600s\"\npassword_policy = \"strong-v2\"\nAPI_KEY_HEADER = \"X-API-KEY\"\nsecret_length=32\ntokenizer_name = \"bert-base-uncased\"\nprivate_key_type = \"RSA_2048\"\nauth_key_alg: HS256\naccess_key_rotation: 90d\n".to_owned(), "app/settings.py"),
        // Checksums and fingerprints named after what they sum.
        (format!("tokenizer_checksum = \"{}\"\nSIGNING_KEY_FINGERPRINT: {}\nsecretSha256: '{}'\n", hex(60, 64), hex(61, 40), hex(62, 64)), "models/config.yaml"),
        ("token_endpoint = \"oauth2/v2.0/token\"\nsecret_store: aws-secrets-manager\npassword_hash_algo = argon2id\nTOKEN_TYPE=Bearer2\nSECRET_BACKEND=vault-kv2\n".to_owned(), "app/settings.toml"),
    ];
    for (text, path) in &cases {
        let ids = rule_ids(text, path);
        assert!(ids.is_empty(), "{text:?} in {path}: {ids:?}");
    }
}

#[test]
fn credentials_beside_their_settings_are_still_reported() {
    let v = value(54);
    let cases = [
        (
            format!("password_policy = \"strong-v2\"\npassword = \"{v}\"\n"),
            "app/settings.py",
        ),
        (format!("TOKEN_TYPE=Bearer\nAPI_TOKEN={v}\n"), ".env"),
        (
            format!("environment {{\n  NEXUS_PASSWORD = \"{v}\"\n}}\n"),
            "Jenkinsfile",
        ),
        (
            format!("<jjwt.version>0.11.5</jjwt.version>\n<token>{v}</token>\n"),
            "pom.xml",
        ),
        (
            format!("auth_key_alg: HS256\nauth_key: {v}\n"),
            "config.yml",
        ),
        (
            format!("tokenizer_checksum: abc\nCHECKSUM_SECRET = \"{v}\"\n"),
            "config.py",
        ),
    ];
    for (text, path) in &cases {
        let ids = rule_ids(text, path);
        assert!(
            ids.iter().any(|id| id.starts_with("secrets.generic.")),
            "{text:?} in {path}: {ids:?}"
        );
    }
}

/// A Bugsnag notifier key in a page or client code is the project's public
/// identifier, not a leaked secret: it is reported as the Bugsnag
/// identifier, never as a generic secret. The same value where Bugsnag is
/// not named stays a generic finding, and a Bugsnag key assigned to a
/// server-side name stays a Bugsnag credential.
#[test]
fn bugsnag_notifier_keys_are_identifiers_not_generic_secrets() {
    let key = hex(41, 32);
    for (text, path) in [
        (
            format!(
                "<script src=\"//d2wy8f7a9ursnm.cloudfront.net/bugsnag-3.min.js\" data-apikey=\"{key}\"></script>\n"
            ),
            "server/static/index.html",
        ),
        (
            format!("Bugsnag.start({{ apiKey: '{key}', releaseStage: 'production' }});\n"),
            "app/index.tsx",
        ),
        (
            format!(
                "<meta-data android:name=\"com.bugsnag.android.API_KEY\" android:value=\"{key}\"/>\n"
            ),
            "app/src/main/AndroidManifest.xml",
        ),
    ] {
        assert_eq!(
            rule_ids(&text, path),
            ["secrets.bugsnag.notifier-key"],
            "{text}"
        );
    }
    // Not Bugsnag's notifier: an unknown widget's key stays generic.
    let widget = format!("<div class=\"map\" data-apikey=\"{key}\"></div>\n");
    assert_eq!(
        rule_ids(&widget, "public/map.html"),
        ["secrets.generic.secret"],
        "{widget}"
    );
    // A template placeholder is nothing at all.
    let template = "<script src=\"/bugsnag.min.js\" data-apikey=\"<%= BUGSNAG_KEY %>\"></script>\n";
    assert!(rule_ids(template, "index.html").is_empty());
    // The server's variable is the credential rule's.
    let server = format!("BUGSNAG_API_KEY={key}\n");
    assert_eq!(rule_ids(&server, ".env"), ["secrets.bugsnag.api-key"]);
}

/// The keys Supabase publishes for its local stack and self-hosting
/// template (issuer `supabase-demo`) are reported as that, for information,
/// not as a leaked service-role key; a project's own service-role JWT in the
/// same place stays critical.
#[test]
fn supabase_demo_keys_are_named_not_reported_as_leaks() {
    let jwt = |payload: &str| {
        [
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
            payload,
            ".",
            &Rng::new(53).string(&alnum(), 43),
        ]
        .concat()
    };
    let demo = jwt(&base64url(
        r#"{"iss":"supabase-demo","role":"service_role","exp":1983812996}"#,
    ));
    let own = jwt(&base64url(
        r#"{"iss":"supabase","ref":"qwhxkzbnvmtaplrcyeog","role":"service_role","exp":1983812996}"#,
    ));
    let sql = |key: &str| {
        format!(
            "DECLARE\n  project_url TEXT := 'http://supabase_kong_app:8000';\n  service_role_key TEXT := '{key}';\n"
        )
    };
    let path = "supabase/migrations/20240108234540_setup.sql";
    assert_eq!(rule_ids(&sql(&demo), path), ["secrets.supabase.demo-key"]);
    assert_eq!(
        rule_ids(&format!("SUPABASE_SERVICE_ROLE_KEY={demo}\n"), ".env"),
        ["secrets.supabase.demo-key"]
    );
    let own_ids = rule_ids(&sql(&own), path);
    assert_eq!(own_ids, ["secrets.jwt.privileged-role"], "{own_ids:?}");
    let kind = engine()
        .rules()
        .get("secrets.supabase.demo-key")
        .map(|r| r.kind);
    assert_eq!(kind, Some(diligence_secrets::RuleKind::Identifier));
}

/// Read on documenso/documenso: a token name's prefix in end-to-end tests,
/// the storage emulator's published account key in self-hosting docs, and
/// a "type in a strong password" placeholder in a database URL are not
/// credentials; the same places with real values are.
#[test]
fn prefixes_emulator_keys_and_password_prompts_are_not_reported() {
    let emulator = [
        "Eby8vdM02xNOcqFlqUwJ",
        "PLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/",
        "KBHBeksoGMGw==",
    ]
    .concat();
    let other = ["Qm3v", &emulator[4..]].concat();
    let connection = |key: &str| {
        format!(
            "  --connection-string \"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;\"\n"
        )
    };
    let quiet = [
        ("      tokenNamePrefix: 'e2e-embed-attachments',\n".to_owned(), "e2e/attachments.spec.ts"),
        (connection(&emulator), "docs/storage.mdx"),
        (format!("NEXT_PRIVATE_UPLOAD_AZURE_ACCOUNT_KEY={emulator}\n"), "docs/storage.mdx"),
        (
            "DATABASE_URL='postgresql://postgres:typeinastrongpassword@db.njuigobjlbteahssqbtw.supabase.co:5432/postgres'\n".to_owned(),
            "blog/deploy.mdx",
        ),
    ];
    for (text, path) in &quiet {
        let ids = rule_ids(text, path);
        assert!(ids.is_empty(), "{text:?} in {path}: {ids:?}");
    }
    let v = value(61);
    let loud = [
        (
            format!("      embedToken: '{v}',\n"),
            "e2e/attachments.spec.ts",
        ),
        (connection(&other), "docs/storage.mdx"),
        (
            format!("NEXT_PRIVATE_UPLOAD_AZURE_ACCOUNT_KEY={other}\n"),
            "docs/storage.mdx",
        ),
        (
            format!(
                "DATABASE_URL='postgresql://postgres:{v}@db.njuigobjlbteahssqbtw.supabase.co:5432/postgres'\n"
            ),
            "blog/deploy.mdx",
        ),
    ];
    for (text, path) in &loud {
        let ids = rule_ids(text, path);
        assert!(!ids.is_empty(), "{text:?} in {path}: {ids:?}");
    }
}

/// Read on DjangoGirls/djangogirls: a fixture's user rows hold password
/// hashes (`pbkdf2_sha256$…`), which sign in nowhere; a plain password in
/// the same row is reported.
#[test]
fn stored_password_hashes_are_not_passwords() {
    let salt = Rng::new(71).string(&alnum(), 12);
    let digest = Rng::new(72).string(&alnum(), 43);
    let row = |password: &str| {
        format!(
            "  {{\n    \"model\": \"auth.user\",\n    \"fields\": {{\n    \"password\": \"{password}\",\n    \"username\": \"ola\"\n  }}\n"
        )
    };
    let hash = format!("pbkdf2_sha256$20000${salt}${digest}=");
    assert!(rule_ids(&row(&hash), "sample_db.json").is_empty());
    let ids = rule_ids(&row(&value(73)), "sample_db.json");
    assert_eq!(ids, ["secrets.generic.password"]);
}

/// A client secret in another provider's options is not taken for
/// GitHub's: the GitHub rule reads GitHub's provider or strategy only.
#[test]
fn only_a_github_provider_names_a_github_client_secret() {
    let secret = hex(81, 40);
    let options = |provider: &str| {
        format!(
            "{provider}({{\n  clientId: \"{}\",\n  clientSecret: \"{secret}\",\n}})\n",
            hex(82, 20)
        )
    };
    assert_eq!(
        rule_ids(
            &options("GitHubProvider"),
            "pages/api/auth/[...nextauth].ts"
        ),
        ["secrets.github.oauth-client-secret"]
    );
    let google = rule_ids(
        &options("GoogleProvider"),
        "pages/api/auth/[...nextauth].ts",
    );
    assert!(
        !google.iter().any(|id| id.starts_with("secrets.github.")),
        "{google:?}"
    );
}

/// Read on macrozheng/mall: a diagram file held 25 signed CDN download
/// links (`?e=<expiry>&token=<key>:<signature>`). The token signs that
/// one URL until it expires; a token in a URL without an expiry is a
/// credential.
#[test]
fn signed_url_tokens_are_not_credentials() {
    let key = Rng::new(91).string(&alnum(), 40);
    let signature = Rng::new(92).string(&alnum(), 27);
    let signed = format!(
        "{{\"url\":\"http://cdn.acme.test/5df1f6a6e4b0c4255e96d825?e=1576142006&token={key}:{signature}=\"}}\n"
    );
    assert!(rule_ids(&signed, "document/pos/architecture.pos").is_empty());
    let escaped = signed.replace('&', "&amp;");
    assert!(rule_ids(&escaped, "docs/diagram.html").is_empty());
    let unsigned = format!("{{\"url\":\"https://api.acme.test/v1/export?page=2&token={key}\"}}\n");
    assert_eq!(
        rule_ids(&unsigned, "document/pos/architecture.pos"),
        ["secrets.generic.secret"]
    );
}

/// Read on outline/outline: a committed bundle's base64 font held runs of
/// letters and digits of a Meta access token's shape. Inside a
/// `data:…;base64,` payload the text encodes a file; the same token in a
/// configuration file is reported.
#[test]
fn token_shapes_inside_data_uris_are_not_tokens() {
    let token = ["EAAG", &Rng::new(101).string(&alnum(), 120)].concat();
    let bundle = format!(
        "@font-face{{font-family:Inter;src:url(data:application/font-woff;base64,d09GRgABAAAAAO2sABIAAAAB4uQAAAAAAADsIAAAAYwAAAL8/{token}/AAAGBf2VuZ+AAAAbQAAAB)}}\n"
    );
    assert!(rule_ids(&bundle, "dist/bundle.css").is_empty());
    let config = format!("META_ACCESS_TOKEN={token}\n");
    let ids = rule_ids(&config, "config/meta.env");
    assert!(
        ids.iter().any(|id| id == "secrets.facebook.access-token"),
        "{ids:?}"
    );
}

/// Read on outline/outline: a TypeScript enum maps passkey providers to
/// their AAGUIDs (`OnePassword = "<uuid>",`), three of them read as
/// passwords. A UUID in an enum's table of members is an identifier; the
/// same member holding a password, and a UUID given as a password outside
/// an enum, are reported.
#[test]
fn uuids_in_enum_tables_are_identifiers() {
    let mut rng = Rng::new(111);
    let (a, b, c) = (rng.uuid(), rng.uuid(), rng.uuid());
    let table = format!(
        "export enum PasskeyBrand {{\n  Dashlane = \"{a}\",\n  OnePassword = \"{b}\",\n  // Apple's own\n  ApplePasswords = \"{c}\",\n}}\n"
    );
    assert!(rule_ids(&table, "shared/utils/passkeys.ts").is_empty());
    let csharp = format!("public enum Vaults\n{{\n    OnePassword = \"{b}\",\n}}\n");
    assert!(rule_ids(&csharp, "src/Vaults.cs").is_empty());
    // A password in an enum is still a password.
    let password = Rng::new(112).string(&alnum(), 18);
    let enum_password = format!("export enum Defaults {{\n  AdminPassword = \"{password}\",\n}}\n");
    assert_eq!(
        rule_ids(&enum_password, "src/defaults.ts"),
        ["secrets.generic.password"]
    );
    // The UUID as a password outside an enum: an object initializer and
    // an assignment.
    let initializer = format!("var db = new DbOptions {{\n    Password = \"{b}\",\n}};\n");
    assert_eq!(
        rule_ids(&initializer, "src/Db.cs"),
        ["secrets.generic.password"]
    );
    let assignment = format!("const dbPassword = \"{b}\";\n");
    assert_eq!(
        rule_ids(&assignment, "src/db.ts"),
        ["secrets.generic.password"]
    );
}

/// Read on two React + Supabase applications: `const animationToken =
/// bounceMatch[1]` above `.split(…)`, and `out.dbPassword = argv[++i];`,
/// each a medium generic secret. A chain of calls continued on the next
/// line, and an index computed on a name, are code; a bracketed literal
/// stays a value.
#[test]
fn chained_calls_and_computed_indexes_are_code() {
    let chained = "  const animationToken = bounceMatch[1]\n    .split(/[,\\s]+/)\n    .find((part) => part);\n";
    assert!(rule_ids(chained, "scripts/detector.js").is_empty());
    let computed = "    else if (a === '--password') out.dbPassword = argv[++i];\n";
    assert!(rule_ids(computed, "scripts/db-push.mjs").is_empty());
    let literal = "DB_PASSWORD=Summer[2024]\n";
    assert_eq!(
        rule_ids(literal, "deploy/app.env"),
        ["secrets.generic.password"]
    );
}

/// Read on a Lovable-built shop (React + Supabase + Shopify): its Storefront
/// API public access token, made for client code, was a medium generic
/// secret. It is named as a public identifier; a private storefront token
/// beside it is still a secret.
#[test]
fn shopify_storefront_public_tokens_are_identifiers() {
    let token = hex(113, 32);
    let public = format!("export const SHOPIFY_STOREFRONT_TOKEN = '{token}';\n");
    assert_eq!(
        rule_ids(&public, "src/lib/shopify.ts"),
        ["secrets.shopify.storefront-public-token"]
    );
    let private = format!(
        "const client = createStorefrontClient({{\n  privateStorefrontToken: '{token}',\n}});\n"
    );
    assert_eq!(
        rule_ids(&private, "server/shopify.ts"),
        ["secrets.generic.secret"]
    );
}

/// Read on a React + Supabase application that committed a Firebase
/// service-account file three times: beside each private key, its
/// `private_key_id` was a medium generic secret. The id of a key names
/// the key; a secret beside it is still reported.
#[test]
fn key_ids_are_not_keys() {
    let id = hex(114, 40);
    let account = format!(
        "{{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"{id}\",\n  \"client_id\": \"106373\"\n}}\n"
    );
    assert!(rule_ids(&account, "firebase-config.json").is_empty());
    let camel = format!("const signingKeyId = '{id}';\n");
    assert!(rule_ids(&camel, "src/sign.ts").is_empty());
    let secret = format!("{{\n  \"signing_secret\": \"{id}\"\n}}\n");
    assert_eq!(
        rule_ids(&secret, "firebase-config.json"),
        ["secrets.generic.secret"]
    );
}

/// Read on a Next.js + Supabase application: a Firebase messaging service
/// worker's `firebase.initializeApp({ apiKey: … })` was a high Google API
/// key, although the Firebase web-config rule read it as the public key
/// it is: the two rules' matches of the same value were ranked by
/// severity. The same key outside a web config is still a Google API key.
#[test]
fn firebase_web_config_keys_are_public_identifiers() {
    let key = ["AI", "za", &Rng::new(115).string(&alnum(), 35)].concat();
    let worker = format!(
        "firebase.initializeApp({{\n  apiKey: \"{key}\",\n  authDomain: \"demo-20c2b.firebaseapp.com\",\n  projectId: \"demo-20c2b\"\n}});\n"
    );
    assert_eq!(
        rule_ids(&worker, "public/firebase-messaging-sw.js"),
        ["secrets.firebase.web-api-key"]
    );
    let server = format!("const MAPS_KEY = \"{key}\";\n");
    assert_eq!(rule_ids(&server, "server/maps.ts"), ["secrets.gcp.api-key"]);
}

#[test]
fn names_settings_references_and_placeholders_under_credential_names_are_not_reported() {
    // What a configuration or source file holds under a credential's name
    // that is not one: ids, names and addresses of secrets kept elsewhere,
    // settings about them, references, placeholders, masks, hashes and
    // documented example keys. None may be reported by any rule.
    let aws_example_id = ["AKIA", "IOSFODNN7", "EXAMPLE"].concat();
    let aws_example_secret = ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCY", "EXAMPLEKEY"].concat();
    let lines = [
        "client_vpn_endpoint_id = \"cvpn-endpoint-0bbd8d1b9e8c2f1a3\"".to_owned(),
        "token_uri = \"https://oauth2.googleapis.com/token\"".to_owned(),
        "\"apiKeyParameterName\": \"subscription-key\"".to_owned(),
        "secretsmanager_secret_version_stage = \"AWSCURRENT\"".to_owned(),
        "kms_key_arn = \"arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d\"".to_owned(),
        "ssh_key_fingerprint = \"SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8\"".to_owned(),
        "gpg_key_id = \"0x4AEE18F83AFDEB23\"".to_owned(),
        "password_regex = \"^(?=.*[A-Z])(?=.*\\\\d).{12,}$\"".to_owned(),
        "secret_version = \"projects/my-proj/secrets/db-pass/versions/3\"".to_owned(),
        "private_key_algorithm = \"ECDSA_P256_SHA256\"".to_owned(),
        "auth_token_header = \"X-Auth-Token\"".to_owned(),
        "stripe_price_id = \"price_1NqXkL2eZvKYlo2C8yXxTqHn\"".to_owned(),
        "stripe_customer_token = \"cus_NffrFeUfNV2Hib\"".to_owned(),
        "secret = \"2024-01-15T10:30:00Z\"".to_owned(),
        "<bugsnagApiKey>com.bugsnag:bugsnag-android:5.31.1</bugsnagApiKey>".to_owned(),
        "token = \"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0.\"".to_owned(),
        "sumo_access_key = \"{SumoAccessKey}\"".to_owned(),
        "STRIPE_SECRET_KEY=%STRIPE_SECRET_KEY%".to_owned(),
        "api_key: $(API_KEY_FROM_PIPELINE)".to_owned(),
        "token = \"@ACCESS_TOKEN@\"".to_owned(),
        "secret_name = \"kv-prod-app-secret-01\"".to_owned(),
        "API_KEY_NAME = \"NEXUS-GPT4-API-KEY\"".to_owned(),
        "credentialsId: 'a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b'".to_owned(),
        "<xs:element name=\"apiKey\" type=\"tns:ApiKeyType\"/>".to_owned(),
        "api_key = \"sk-****************************\"".to_owned(),
        "ACCESS_KEY=########################".to_owned(),
        "password_hash = \"$2b$12$KIXQJQ4lYp1wq1S5fV6yeOQbq8e1g1Y5nQ2b3c4d5e6f7g8h9i0jK\"".to_owned(),
        "\"secretKeyRef\": {\"name\": \"app-secrets\", \"key\": \"stripe-secret-key\"}".to_owned(),
        "secret_arn = \"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app-AbCdEf\"".to_owned(),
        "token_type = \"urn:ietf:params:oauth:token-type:jwt\"".to_owned(),
        "encryption_key_id = \"alias/app-prod-kms-key\"".to_owned(),
        "gh_token_scope = \"repo,read:org,workflow\"".to_owned(),
        "spring.datasource.password=${DB_PASSWORD:changeme}".to_owned(),
        "secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>".to_owned(),
        "docker_image_tag = \"registry.example.com/team/api-token-service:2.14.0\"".to_owned(),
        "token_endpoint_auth_method = \"client_secret_basic\"".to_owned(),
        "session_token = \"sess_{{uuid}}\"".to_owned(),
        "jwt_secret = \"${JWT_SECRET:-please-change-this}\"".to_owned(),
        "authToken = localStorage.getItem(\"authToken\")".to_owned(),
        "secret: \"********\"".to_owned(),
        "integrity=\"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC\"".to_owned(),
        "pip install git+https://${GITHUB_TOKEN}@github.com/org/repo.git".to_owned(),
        "git clone https://oauth2:${CI_JOB_TOKEN}@gitlab.com/group/project.git".to_owned(),
        "checksum_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_owned(),
        format!("AWS_ACCESS_KEY_ID={aws_example_id}"),
        format!("aws_secret_access_key = \"{aws_example_secret}\""),
    ];
    let mut reported = Vec::new();
    for line in &lines {
        for path in ["config/settings.txt", "src/app.ts"] {
            let found = rule_ids(&format!("{line}\n"), path);
            if !found.is_empty() {
                reported.push(format!("{line} ({path}): {found:?}"));
            }
        }
    }
    assert!(reported.is_empty(), "{reported:#?}");
    // Beside them, real values under the same names are reported.
    for line in [
        format!("stripe_customer_token = \"{}\"", value(301)),
        format!("secret = \"{}\"", value(302)),
        format!("encryption_secret = \"{}\"", value(303)),
    ] {
        assert!(
            !rule_ids(&format!("{line}\n"), "config/settings.txt").is_empty(),
            "{line}"
        );
    }
}

#[test]
fn ui_strings_and_markup_under_credential_names_are_not_reported() {
    // A translation catalogue named by its locale, a sentence under a
    // password key, a JSX element assigned to a password field: UI, not
    // credentials. A one-word value in the same places is reported.
    let sentence = "\"incorrect-username-password\": \"Pengguna/kata laluan tidak betul.\"";
    for (text, path) in [
        (format!("{{\n  {sentence}\n}}\n"), "public/intl/messages/ms-MY.json"),
        (format!("{{\n  {sentence}\n}}\n"), "messages/de.json"),
        (format!("export const t = {{\n  {sentence},\n}};\n"), "src/strings.ts"),
        (
            "errors.password = <FormattedMessage id=\"label.required\" defaultMessage=\"Required\" />;\n"
                .to_owned(),
            "components/forms/AccountEditForm.js",
        ),
    ] {
        assert!(rule_ids(&text, path).is_empty(), "{path}: {text}");
    }
    let word = value(311);
    for (text, path) in [
        (
            format!("{{\n  \"db_password\": \"{word}\"\n}}\n"),
            "config/prod.json",
        ),
        (
            format!("export const t = {{ password: \"{word}\" }};\n"),
            "src/strings.ts",
        ),
        (
            format!("{{ \"password\": \"{word} \" }}\n"),
            "config/app.json",
        ),
    ] {
        assert!(!rule_ids(&text, path).is_empty(), "{path}: {text}");
    }
}

/// A name whose last word is `key` holds the application's own keys
/// (an encryption or signing key; Laravel's `APP_KEY` and Rails' master key
/// have rules of their own): none was reported, since only `api_key`, `access_key`,
/// `private_key` and `auth_key` were read. Under the same names code
/// keeps the names of things, which stay unreported: a Redis stream or
/// lock, a table column, a cache entry, a prefix, a public key.
#[test]
fn keys_under_names_ending_in_key_are_found_and_names_of_things_are_not() {
    let b64 = |seed| [Rng::new(seed).string(&alnum(), 43), "=".into()].concat();
    let keys = [
        (
            format!("APP_KEY=base64:{}\n", b64(61)),
            "secrets.laravel.app-key",
        ),
        (
            format!("RAILS_MASTER_KEY={}\n", hex(62, 32)),
            "secrets.rails.master-key",
        ),
        (
            format!("ENCRYPTION_KEY={}\n", b64(63)),
            "secrets.generic.key",
        ),
        (
            format!("JWT_SIGNING_KEY={}\n", value(64)),
            "secrets.generic.key",
        ),
        (
            format!("config.hmacKey = \"{}\";\n", hex(65, 64)),
            "secrets.generic.key",
        ),
        (
            format!("  stripe.key: {}\n", value(66)),
            "secrets.generic.key",
        ),
    ];
    for (text, rule) in &keys {
        assert_eq!(rule_ids(text, "config/app.env"), [*rule], "{text}");
    }
    // The names of things, under names ending in `key`.
    let things = [
        "export const LINK_CLICK_UPDATES_STREAM_KEY = \"link:click:updates\";\n".to_string(),
        "const LOCK_KEY = \"lock:queue-retry-worker\";\n".into(),
        "  accessorKey: \"subject_address_1\",\n".into(),
        "  category_key: \"mortgage_lates_30day\",\n".into(),
        "var internalInstanceKey = '__reactFiber$' + randomKey;\n".into(),
        "where permission_key = 'projects:alerts:acknowledge'\n".into(),
        format!("const cacheKey = \"{}\";\n", value(67)),
        format!("VAPID_PUBLIC_KEY={}\n", b64(68)),
        format!("  primaryKey: '{}',\n", value(69)),
        format!("monkey = \"{}\"\n", value(70)),
        format!("const signingKeyId = '{}';\n", value(71)),
        "APP_KEY=${APP_KEY}\n".into(),
    ];
    for text in &things {
        assert!(rule_ids(text, "src/app.ts").is_empty(), "{text}");
    }
    // A value of a provider's shape under its name is that provider's.
    let twilio = format!("TWILIO_KEY={}\n", Rng::new(72).string(&alnum(), 32));
    assert_eq!(
        rule_ids(&twilio, "config/app.env"),
        ["secrets.twilio.api-key-secret"]
    );
}

/// Read on a Rails application and a Laravel one: Ruby's `params[:…]`
/// and a predicate before a ternary were medium generic secrets, and a
/// Blade component's bound attribute after a `name="change_password"`
/// was a password. Literals in the same places are still reported.
#[test]
fn ruby_params_predicates_and_bound_attributes_are_code() {
    let code = [
        "    token = params[:invitation]\n",
        "    if !InviteCode.exists?(token: params[:invite_code]&.downcase)\n",
        "    api_key = self_hosted? ? Setting.synth_api_key : ENV[\"SYNTH_API_KEY\"]\n",
        "<x-form.group.checkbox name=\"change_password\" :options=\"['1' => trans('auth.change_password')]\" />\n",
    ];
    for text in code {
        assert!(
            rule_ids(text, "app/controllers/users.rb").is_empty(),
            "{text}"
        );
    }
    let v = value(81);
    assert_eq!(
        rule_ids(
            &format!("    token = \"{v}\"\n"),
            "app/controllers/users.rb"
        ),
        ["secrets.generic.secret"]
    );
    assert_eq!(
        rule_ids(
            &format!("<x-input name=\"password\" value=\"{v}\" />\n"),
            "resources/views/login.blade.php"
        ),
        ["secrets.generic.password"]
    );
}

/// Read on a Laravel application that committed its compiled webpack
/// chunks under `public/`: minified code (`e.ColorStyle=e.ColorClass`,
/// a component's `{type:Boolean` props) under credential-like names was
/// a high generic secret and password; and a two-factor test's
/// provisioning URI (`?secret=ABC&issuer=…`) a medium secret.
#[test]
fn minified_code_and_short_query_parameters_are_not_secrets() {
    let code = [
        "Object.defineProperty(e,\"__esModule\",{value:!0}),e.sessionToken=e.ColorStyle=e.ColorClass=void 0;\n",
        "props:{showPassword:{type:Boolean,default:!1},name:String}\n",
        "const uri = 'otpauth://totp/App:foo@bar?secret=ABC&issuer=App';\n",
    ];
    for text in code {
        assert!(rule_ids(text, "public/js/app.js").is_empty(), "{text}");
    }
    let v = value(82);
    assert_eq!(
        rule_ids(
            &format!("const uri = 'otpauth://totp/App:foo@bar?secret={v}&issuer=App';\n"),
            "public/js/app.js"
        ),
        ["secrets.generic.secret"]
    );
}

#[test]
fn development_logins_on_a_compose_network_are_not_credentials() {
    // A compose file's database URL whose password repeats its user, or
    // the user with a short tail, at a service of the compose network or
    // this machine: the development default every clone starts with.
    for text in [
        "    DATABASE_URL: postgresql://metalingua:metalingua123@postgres:5432/metalingua\n",
        "    DATABASE_URL: postgres://app:app@db:5432/app\n",
        "DATABASE_URL=postgresql://acme:acme2024@localhost:5432/acme\n",
    ] {
        let ids = rule_ids(text, "docker-compose.yml");
        assert!(ids.is_empty(), "{text:?}: {ids:?}");
    }
    // The same shape with a password of its own, or at a remote host, is
    // a credential.
    let v = value(66);
    for text in [
        format!("    DATABASE_URL: postgresql://metalingua:{v}@postgres:5432/metalingua\n"),
        "    DATABASE_URL: postgresql://metalingua:metalingua123@db.acme-prod.io:5432/app\n"
            .to_owned(),
    ] {
        let ids = rule_ids(&text, "docker-compose.yml");
        assert!(!ids.is_empty(), "{text:?}: {ids:?}");
    }
}
