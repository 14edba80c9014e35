//! What the browser can reach and what costs money: CORS, keys and paid
//! SDKs in client code, paid calls and the limits in front of them, and
//! whether error tracking is initialised.
//!
//! Every detector here reads the per-file model and the route inventory;
//! none parses. Each says in its finding what it could see: CORS set by a
//! platform config or a proxy, a limit kept in a database or an API
//! gateway, and an error tracker loaded from a script tag are invisible to
//! it.

use std::collections::BTreeSet;

use diligence_model::FileClass;

use crate::model::{Arg, Call, FileModel, Runtime};
use crate::routes::Route;
use crate::{SourceModel, supabase};

/// Environment-variable prefixes that bundlers inline into the browser
/// bundle.
pub const CLIENT_ENV_PREFIXES: &[&str] = &[
    "VITE_",
    "NEXT_PUBLIC_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "PUBLIC_",
];

/// Name parts that mark a secret, a privileged key or a paid provider's key.
const SECRET_NAME_PARTS: &[&str] = &[
    "SECRET",
    "SERVICE_ROLE",
    "PRIVATE",
    "PASSWORD",
    "OPENAI",
    "ANTHROPIC",
    "CLAUDE",
    "GEMINI",
    "GROQ",
    "MISTRAL",
    "REPLICATE",
    "ELEVENLABS",
    "DEEPSEEK",
    "PERPLEXITY",
    "OPENROUTER",
    "SENDGRID",
    "RESEND",
    "TWILIO",
    "MAILGUN",
    "POSTMARK",
];

/// Name parts that mark a key meant to be public.
const PUBLIC_NAME_PARTS: &[&str] = &[
    "PUBLISHABLE",
    "ANON",
    "PUBLIC_KEY",
    "SITE_KEY",
    "CLIENT_ID",
    "URL",
];

/// Whether an environment variable is inlined into the browser bundle and
/// its name says it holds a secret or a paid provider's key.
pub fn client_secret_env(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let Some(rest) = CLIENT_ENV_PREFIXES
        .iter()
        .find_map(|p| upper.strip_prefix(p))
    else {
        return false;
    };
    database_url_name(rest)
        || (SECRET_NAME_PARTS.iter().any(|p| rest.contains(p))
            && !PUBLIC_NAME_PARTS.iter().any(|p| rest.contains(p)))
}

/// Name parts of variables that hold a database connection string, which
/// carries the database's password.
const DATABASE_URL_NAMES: &[&str] = &[
    "DATABASE_URL",
    "DB_URL",
    "POSTGRES_URL",
    "POSTGRES_PRISMA_URL",
    "POSTGRES_URL_NON_POOLING",
    "MYSQL_URL",
    "MONGODB_URI",
    "MONGODB_URL",
    "MONGO_URI",
    "MONGO_URL",
    "REDIS_URL",
    "DIRECT_URL",
];

/// Whether a variable name (without its client prefix) names a database
/// connection string.
fn database_url_name(rest: &str) -> bool {
    DATABASE_URL_NAMES
        .iter()
        .any(|n| rest == *n || rest.ends_with(&format!("_{n}")))
}

/// Schemes of database connection strings.
const DATABASE_SCHEMES: &[&str] = &[
    "postgres://",
    "postgresql://",
    "mysql://",
    "mariadb://",
    "mongodb://",
    "mongodb+srv://",
    "redis://",
    "rediss://",
    "sqlserver://",
    "mssql://",
];

/// A database connection string with a password (`postgres://user:pw@host/db`),
/// masked for a message: the scheme, user and host with the password
/// replaced. Placeholders (`password`, `<password>`, `${PASSWORD}`) and
/// URLs without a password are not connection secrets.
pub fn database_url_with_password(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let scheme = DATABASE_SCHEMES.iter().find(|s| lower.starts_with(**s))?;
    let rest = &trimmed[scheme.len()..];
    let (userinfo, host) = rest.split_once('@')?;
    let (user, password) = userinfo.split_once(':')?;
    let placeholder = password.is_empty()
        || password.contains(['<', '>', '{', '}', '$', '*'])
        || matches!(
            password.to_ascii_lowercase().as_str(),
            "password" | "pass" | "passwd" | "secret" | "changeme" | "postgres" | "root" | "xxx"
        );
    if placeholder || host.is_empty() || trimmed.contains(char::is_whitespace) {
        return None;
    }
    let host = host.split(['/', '?']).next().unwrap_or(host);
    Some(format!("{scheme}{user}:****@{host}"))
}

/// A paid provider's server SDK: (module specifier, provider).
const PAID_SDKS: &[(&str, &str)] = &[
    ("openai", "OpenAI"),
    ("@anthropic-ai/sdk", "Anthropic"),
    ("@google/generative-ai", "Google Gemini"),
    ("@google/genai", "Google Gemini"),
    ("groq-sdk", "Groq"),
    ("@mistralai/mistralai", "Mistral"),
    ("cohere-ai", "Cohere"),
    ("replicate", "Replicate"),
    ("@ai-sdk/openai", "OpenAI"),
    ("@ai-sdk/anthropic", "Anthropic"),
    ("@ai-sdk/google", "Google Gemini"),
    ("@langchain/openai", "OpenAI"),
    ("@langchain/anthropic", "Anthropic"),
    ("elevenlabs", "ElevenLabs"),
    ("stripe", "Stripe"),
    ("twilio", "Twilio"),
    ("resend", "Resend"),
    ("@sendgrid/mail", "SendGrid"),
    ("postmark", "Postmark"),
    ("mailgun.js", "Mailgun"),
];

/// The provider of an import specifier, when it is a paid server SDK.
/// `npm:` and `https://esm.sh/` specifiers (Deno) and version suffixes are
/// read through.
pub fn paid_sdk(specifier: &str) -> Option<&'static str> {
    let bare = specifier
        .strip_prefix("npm:")
        .or_else(|| specifier.strip_prefix("https://esm.sh/"))
        .unwrap_or(specifier);
    // `openai@4.2.0`, `@anthropic-ai/sdk@0.20`, `openai/resources`: the
    // package name without its version or subpath.
    let mut parts = bare.split('/');
    let first = parts.next().unwrap_or_default();
    let name = if first.starts_with('@') {
        let second = parts.next().unwrap_or_default();
        format!("{first}/{}", second.split('@').next().unwrap_or_default())
    } else {
        first.split('@').next().unwrap_or_default().to_owned()
    };
    PAID_SDKS
        .iter()
        .find(|(module, _)| *module == name)
        .map(|(_, provider)| *provider)
}

/// Hosts of paid APIs: (host, provider).
const PAID_HOSTS: &[(&str, &str)] = &[
    ("api.openai.com", "OpenAI"),
    ("api.anthropic.com", "Anthropic"),
    ("generativelanguage.googleapis.com", "Google Gemini"),
    ("api.groq.com", "Groq"),
    ("api.mistral.ai", "Mistral"),
    ("api.replicate.com", "Replicate"),
    ("api.elevenlabs.io", "ElevenLabs"),
    ("api.deepseek.com", "DeepSeek"),
    ("api.perplexity.ai", "Perplexity"),
    ("openrouter.ai/api", "OpenRouter"),
    ("api.together.xyz", "Together AI"),
    ("api.x.ai", "xAI"),
    ("api.sendgrid.com", "SendGrid"),
    ("api.resend.com", "Resend"),
    ("api.twilio.com", "Twilio"),
    ("api.mailgun.net", "Mailgun"),
    ("ai.gateway.lovable.dev", "Lovable AI gateway"),
];

/// The provider of a URL, when it is a paid API.
pub fn paid_host(url: &str) -> Option<&'static str> {
    PAID_HOSTS
        .iter()
        .find(|(host, _)| url.contains(host))
        .map(|(_, provider)| *provider)
}

/// The literal text of a URL argument: a string, or the literal parts of a
/// template (`https://api.openai.com/v1/${path}`).
fn literal_url(arg: &Arg) -> Option<String> {
    match arg {
        Arg::Str(url) => Some(url.clone()),
        Arg::Template { parts, .. } => Some(parts.concat()),
        _ => None,
    }
}

/// Method paths of SDK calls that cost money per call, by their last
/// names.
const PAID_METHODS: &[&str] = &[
    "chat.completions.create",
    "responses.create",
    "completions.create",
    "messages.create",
    "messages.stream",
    "embeddings.create",
    "images.generate",
    "audio.speech.create",
    "audio.transcriptions.create",
    "generateContent",
    "generateContentStream",
    "models.generateContent",
    "replicate.run",
    "emails.send",
    "sgMail.send",
];

/// AI SDK (`ai`) functions that call a model.
const AI_SDK_CALLS: &[&str] = &[
    "generateText",
    "streamText",
    "generateObject",
    "streamObject",
];

/// One call that costs money per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidCall {
    /// The provider.
    pub provider: String,
    /// The call as written.
    pub call: String,
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// Whether the call is to a language model (where `max_tokens` bounds
    /// the cost of one call).
    pub model: bool,
    /// Whether a token cap (`max_tokens` and its spellings) is set near the
    /// call (in the same function, or the same file outside functions).
    pub max_tokens: bool,
}

/// The provider a file's paid SDK imports name, if any.
fn file_provider(file: &FileModel) -> Option<&'static str> {
    file.imports.iter().find_map(|i| paid_sdk(&i.specifier))
}

/// Providers whose SDK calls are to a language model.
fn is_model_provider(provider: &str) -> bool {
    !matches!(
        provider,
        "Stripe" | "Twilio" | "Resend" | "SendGrid" | "Postmark" | "Mailgun"
    )
}

fn paid_call(file: &FileModel, call: &Call) -> Option<(String, bool)> {
    let fetch_like = matches!(
        call.callee.as_str(),
        "fetch" | "axios" | "axios.post" | "axios.get" | "ky.post" | "got.post" | "$fetch"
    );
    if fetch_like && let Some(url) = call.args.first().and_then(literal_url) {
        return paid_host(&url).map(|p| (p.to_owned(), is_model_provider(p)));
    }
    let provider = file_provider(file)?;
    let method_hit = PAID_METHODS.iter().any(|m| {
        call.callee == *m
            || call
                .callee
                .strip_suffix(m)
                .is_some_and(|rest| rest.ends_with('.'))
    });
    if method_hit {
        // `stripe.*` calls earn money rather than spend it.
        if provider == "Stripe" {
            return None;
        }
        return Some((provider.to_owned(), is_model_provider(provider)));
    }
    if AI_SDK_CALLS.contains(&call.callee.as_str()) {
        return Some((provider.to_owned(), true));
    }
    None
}

const MAX_TOKEN_KEYS: &[&str] = &[
    "max_tokens",
    "maxTokens",
    "max_completion_tokens",
    "max_output_tokens",
    "maxOutputTokens",
    "maxOutputTokenCount",
];

/// Every paid call in production server code, by file and line.
pub fn paid_calls(model: &SourceModel) -> Vec<PaidCall> {
    let mut out = Vec::new();
    for file in &model.files {
        if file.class != FileClass::Production || file.runtime == Runtime::Client {
            continue;
        }
        for call in &file.calls {
            let Some((provider, is_model)) = paid_call(file, call) else {
                continue;
            };
            let scope = file.function_at(call.line);
            let max_tokens = file.properties.iter().any(|p| {
                MAX_TOKEN_KEYS.contains(&p.key.as_str())
                    && scope.is_none_or(|f| f.span.0 <= p.offset && p.offset < f.span.1)
            });
            out.push(PaidCall {
                provider,
                call: call.callee.clone(),
                file: file.path.clone(),
                line: call.line,
                model: is_model,
                max_tokens,
            });
        }
    }
    out
}

/// Server-only SDKs and database drivers that must never ship to a
/// browser: (module, what it is).
const ADMIN_MODULES: &[(&str, &str)] = &[
    ("firebase-admin", "the Firebase Admin SDK"),
    ("pg", "a PostgreSQL driver"),
    ("postgres", "a PostgreSQL driver"),
    ("mysql2", "a MySQL driver"),
    ("mongodb", "a MongoDB driver"),
    ("mongoose", "a MongoDB driver"),
    ("@prisma/client", "the Prisma client"),
    ("@neondatabase/serverless", "a Neon database driver"),
    ("@planetscale/database", "a PlanetScale database driver"),
];

/// Rate-limiting libraries: (module specifier, name).
const LIMITERS: &[(&str, &str)] = &[
    ("express-rate-limit", "express-rate-limit"),
    ("@upstash/ratelimit", "@upstash/ratelimit"),
    ("rate-limiter-flexible", "rate-limiter-flexible"),
    ("@nestjs/throttler", "@nestjs/throttler"),
    ("hono-rate-limiter", "hono-rate-limiter"),
    ("@fastify/rate-limit", "@fastify/rate-limit"),
    ("next-rate-limit", "next-rate-limit"),
    ("limiter", "limiter"),
    ("bottleneck", "bottleneck"),
    ("@arcjet/", "Arcjet"),
    ("slowapi", "slowapi"),
    ("fastapi_limiter", "fastapi-limiter"),
    ("flask_limiter", "Flask-Limiter"),
    ("django_ratelimit", "django-ratelimit"),
    ("ratelimit.decorators", "django-ratelimit"),
    ("tower_governor", "tower_governor"),
    ("actix_governor", "actix-governor"),
    ("governor", "governor"),
];

/// Whether a call's name says it applies a rate limit
/// (`ratelimit.limit`, `checkRateLimit`, `rpc('check_rate_limit')`).
fn limiting_call(call: &Call) -> bool {
    let lower = call.callee.to_ascii_lowercase();
    let named =
        lower.contains("ratelimit") || lower.contains("rate_limit") || lower.contains("throttle");
    let rpc = call.method() == "rpc"
        && matches!(call.args.first(), Some(Arg::Str(name)) if {
            let name = name.to_ascii_lowercase();
            name.contains("rate") || name.contains("limit") || name.contains("quota")
        });
    named || rpc
}

/// Limiters seen in a file: library imports and limiting calls.
fn file_limiters(file: &FileModel) -> Vec<String> {
    let mut seen: Vec<String> = file
        .imports
        .iter()
        .filter_map(|i| {
            LIMITERS
                .iter()
                .find(|(module, _)| i.specifier.contains(module))
                .map(|(_, name)| (*name).to_owned())
        })
        .collect();
    // A limiting call counts when no library import already says so.
    if seen.is_empty()
        && let Some(call) = file.calls.iter().find(|c| limiting_call(c))
    {
        seen.push(format!("`{}`", call.callee));
    }
    // Django REST framework throttles: the settings' default classes or a
    // view's `throttle_classes`.
    let throttles = file.python.assignments.iter().any(|a| {
        (a.target == "throttle_classes" && !a.names.is_empty())
            || a.entries
                .iter()
                .any(|(key, names)| key == "DEFAULT_THROTTLE_CLASSES" && !names.is_empty())
    });
    if throttles {
        seen.push("Django REST framework throttling".to_owned());
    }
    seen.sort();
    seen.dedup();
    seen
}

/// Rate limiters seen anywhere in production server code.
pub fn limiters(model: &SourceModel) -> BTreeSet<String> {
    model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production && f.runtime != Runtime::Client)
        .flat_map(file_limiters)
        .collect()
}

/// A route that reaches paid calls, with the limit in front of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidRoute<'r> {
    /// The route.
    pub route: &'r Route,
    /// Its paid calls.
    pub calls: Vec<&'r PaidCall>,
    /// The limiters seen in its handler's file or in the helpers it
    /// imports (empty when none).
    pub limits: Vec<String>,
}

/// Routes whose handler file (or, for an edge function, its local
/// helpers) makes paid calls.
pub fn paid_routes<'r>(
    model: &SourceModel,
    routes: &'r [Route],
    calls: &'r [PaidCall],
) -> Vec<PaidRoute<'r>> {
    let mut out = Vec::new();
    for route in routes {
        let Some(handler) = model.file(&route.file) else {
            continue;
        };
        // The handler file and the local modules it imports (one hop).
        let mut reach: Vec<&FileModel> = vec![handler];
        for import in &handler.imports {
            if import.specifier.starts_with('.')
                && let Some(file) = supabase::resolve(model, &handler.path, &import.specifier)
            {
                reach.push(file);
            }
        }
        let paths: Vec<&str> = reach.iter().map(|f| f.path.as_str()).collect();
        // In a file with several routes, only the calls inside this
        // route's handler function count; with one route, the whole file.
        let siblings = routes.iter().filter(|r| r.file == route.file).count();
        let own = route.line.and_then(|line| {
            handler
                .functions
                .iter()
                .find(|f| f.line == line || (f.line > line && f.line <= line + 1))
        });
        let mine: Vec<&PaidCall> = calls
            .iter()
            .filter(|c| paths.contains(&c.file.as_str()))
            .filter(|c| {
                if c.file == route.file {
                    siblings < 2 || own.is_some_and(|f| f.contains(c.line))
                } else {
                    // A helper module's call counts only when the handler
                    // calls the helper function that (directly or through
                    // other functions of that module) makes it.
                    reach
                        .iter()
                        .find(|f| f.path == c.file)
                        .is_some_and(|helper| handler_reaches(handler, helper, c.line))
                }
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut limits: Vec<String> = reach.iter().flat_map(|f| file_limiters(f)).collect();
        // Django REST framework's default throttles, in the settings, cover
        // every Django view.
        if route.framework == "Django" {
            limits.extend(
                model
                    .files
                    .iter()
                    .filter(|f| {
                        f.class == FileClass::Production && f.language == crate::Language::Python
                    })
                    .flat_map(file_limiters)
                    .filter(|name| name == "Django REST framework throttling"),
            );
        }
        limits.sort();
        limits.dedup();
        out.push(PaidRoute {
            route,
            calls: mine,
            limits,
        });
    }
    out
}

/// Whether `handler` calls a function of `helper` that makes the call at
/// `line`, directly or through other functions of the helper module.
fn handler_reaches(handler: &FileModel, helper: &FileModel, line: u32) -> bool {
    // Names of the helper's functions that reach the line, to a fixpoint
    // (bounded by the number of functions).
    let mut reaching: Vec<&str> = helper
        .functions
        .iter()
        .filter(|f| f.contains(line))
        .filter_map(|f| f.name.as_deref())
        .collect();
    if reaching.is_empty() {
        // A call at the module's top level runs when it is imported.
        return true;
    }
    for _ in 0..helper.functions.len() {
        let before = reaching.len();
        for function in &helper.functions {
            let Some(name) = function.name.as_deref() else {
                continue;
            };
            if reaching.contains(&name) {
                continue;
            }
            let calls_one = helper
                .calls_in(function)
                .any(|c| reaching.iter().any(|r| c.callee == *r || c.method() == *r));
            if calls_one {
                reaching.push(name);
            }
        }
        if reaching.len() == before {
            break;
        }
    }
    handler
        .calls
        .iter()
        .any(|c| reaching.iter().any(|r| c.callee == *r || c.method() == *r))
}

/// How a file answers cross-origin requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cors {
    /// `Access-Control-Allow-Origin: *`, `cors()` without options or
    /// `origin: '*'`.
    Wildcard,
    /// The request's origin reflected (`origin: true`) with credentials.
    ReflectedWithCredentials,
    /// An explicit origin or list.
    AllowList,
}

const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";

/// Origin patterns that let every origin in.
fn any_origin(pattern: &str) -> bool {
    matches!(
        pattern.trim(),
        "*" | ".*" | ".+" | "^.*$" | "https?://.*" | "^https?://.*$"
    )
}

/// How a Python server file configures CORS: Starlette's and FastAPI's
/// `CORSMiddleware`, Flask-CORS, and django-cors-headers settings. With
/// credentials allowed, each of them answers a wildcard with the caller's
/// own origin: a reflection.
fn python_cors(file: &FileModel) -> Option<(Cors, u32)> {
    let is_true = |arg: &Arg| matches!(arg, Arg::Ident(name) if name == "True");
    fn keyword<'c>(call: &'c Call, key: &str) -> Option<&'c Arg> {
        call.keywords
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value)
    }
    let judge = |origins: Option<Vec<String>>, credentials: bool, line: u32| {
        let kind = match origins {
            Some(origins) if !origins.iter().any(|o| any_origin(o)) => Cors::AllowList,
            _ if credentials => Cors::ReflectedWithCredentials,
            _ => Cors::Wildcard,
        };
        (kind, line)
    };
    for call in &file.calls {
        let middleware = call.method() == "add_middleware"
            && matches!(call.args.first(), Some(Arg::Ident(n) | Arg::Member(n)) if n.ends_with("CORSMiddleware"));
        if middleware {
            let credentials = keyword(call, "allow_credentials").is_some_and(is_true);
            let regex = keyword(call, "allow_origin_regex").and_then(Arg::as_str);
            let listed = file
                .python
                .arg_values(call, "allow_origins")
                .map(|v| (v.strings.clone(), v.names.is_empty()))
                .or_else(|| match keyword(call, "allow_origins")? {
                    Arg::Str(origin) => Some((vec![origin.clone()], true)),
                    // A name: origins from the settings or the environment.
                    _ => Some((Vec::new(), false)),
                });
            let origins = match (listed, regex) {
                (_, Some(regex)) if any_origin(regex) => None,
                (Some((strings, true)), _) => Some(strings),
                // Origins from settings or the environment: not a wildcard
                // this code shows.
                (Some((_, false)), _) | (None, Some(_)) => Some(Vec::new()),
                (None, None) => return None,
            };
            return Some(judge(origins, credentials, call.line));
        }
        let flask = matches!(
            call.callee.as_str(),
            "CORS" | "flask_cors.CORS" | "cross_origin"
        ) && file
            .imports
            .iter()
            .any(|i| i.specifier.starts_with("flask_cors"));
        if flask {
            let credentials = keyword(call, "supports_credentials").is_some_and(is_true);
            let origins = ["origins", "resources"].iter().find_map(|key| {
                let values = file.python.arg_values(call, key)?;
                Some(if values.names.is_empty() {
                    values.strings.clone()
                } else {
                    Vec::new()
                })
            });
            let origins = origins.or_else(|| {
                keyword(call, "origins")
                    .map(|a| a.as_str().map(|s| vec![s.to_owned()]).unwrap_or_default())
            });
            return Some(judge(origins, credentials, call.line));
        }
    }
    // django-cors-headers settings.
    let setting = |name: &str| {
        file.python
            .assignments
            .iter()
            .find(|a| !a.in_function && a.class.is_none() && a.target == name)
    };
    let allow_all = setting("CORS_ALLOW_ALL_ORIGINS").or_else(|| setting("CORS_ORIGIN_ALLOW_ALL"));
    let listed = setting("CORS_ALLOWED_ORIGINS")
        .or_else(|| setting("CORS_ORIGIN_WHITELIST"))
        .or_else(|| setting("CORS_ALLOWED_ORIGIN_REGEXES"));
    let credentials = setting("CORS_ALLOW_CREDENTIALS").is_some_and(|a| is_true(&a.value));
    match (allow_all, listed) {
        (Some(all), _) if is_true(&all.value) => Some(judge(None, credentials, all.line)),
        (_, Some(list)) => Some((Cors::AllowList, list.line)),
        _ => None,
    }
}

/// How a Rust server file configures CORS: tower-http's `CorsLayer`
/// (`permissive()` answers every origin; `very_permissive()` and
/// `AllowOrigin::mirror_request()` with credentials reflect the caller's)
/// and actix-cors (`Cors::permissive()` reflects with credentials;
/// `allow_any_origin()`, with `supports_credentials()` a reflection).
fn rust_cors(file: &FileModel) -> Option<(Cors, u32)> {
    let credentials = file.calls.iter().any(|c| {
        let name = c.last_name();
        name == "supports_credentials"
            || (name == "allow_credentials" && c.args.first() == Some(&Arg::Bool(true)))
    });
    let any = |arg: &Arg| match arg {
        Arg::Ident(name) | Arg::Member(name) => name == "Any" || name.ends_with("::Any"),
        Arg::Call { callee, .. } => callee.ends_with("any") || callee.ends_with("::Any"),
        _ => false,
    };
    let mirror =
        |arg: &Arg| matches!(arg, Arg::Call { callee, .. } if callee.ends_with("mirror_request"));
    let mut found: Option<(Cors, u32)> = None;
    for call in &file.calls {
        let name = call.last_name();
        let cors_type = call.callee.contains("CorsLayer") || call.callee.contains("Cors");
        let kind = match name {
            "very_permissive" if cors_type => Cors::ReflectedWithCredentials,
            "permissive" if call.callee.contains("CorsLayer") => Cors::Wildcard,
            "permissive" if cors_type => Cors::ReflectedWithCredentials,
            "allow_any_origin" if credentials => Cors::ReflectedWithCredentials,
            "allow_any_origin" => Cors::Wildcard,
            "allow_origin" | "allowed_origin" => match call.args.first() {
                Some(arg) if mirror(arg) && credentials => Cors::ReflectedWithCredentials,
                Some(arg) if any(arg) || mirror(arg) => Cors::Wildcard,
                Some(Arg::Str(origin)) if origin.trim() == "*" => Cors::Wildcard,
                Some(_) => Cors::AllowList,
                None => continue,
            },
            _ => continue,
        };
        // The most permissive setting of the file wins.
        let rank = |k: Cors| match k {
            Cors::ReflectedWithCredentials => 0,
            Cors::Wildcard => 1,
            Cors::AllowList => 2,
        };
        if found.is_none_or(|(k, _)| rank(kind) < rank(k)) {
            found = Some((kind, call.line));
        }
    }
    found
}

/// How a server file configures CORS, with the line, when it does.
pub fn cors_of(file: &FileModel) -> Option<(Cors, u32)> {
    if file.language == crate::Language::Python {
        return python_cors(file);
    }
    if file.language == crate::Language::Rust {
        return rust_cors(file);
    }
    // Headers written as object literals (the edge-function pattern).
    if let Some(property) = file.properties_named(ALLOW_ORIGIN).next() {
        return Some(match &property.value {
            Arg::Str(origin) if origin.trim() == "*" => (Cors::Wildcard, property.line),
            _ => (Cors::AllowList, property.line),
        });
    }
    // Headers set by calls: `res.setHeader('Access-Control-Allow-Origin', '*')`.
    for call in &file.calls {
        if let [Arg::Str(name), value, ..] = call.args.as_slice()
            && name.eq_ignore_ascii_case(ALLOW_ORIGIN)
        {
            return Some(match value {
                Arg::Str(origin) if origin.trim() == "*" => (Cors::Wildcard, call.line),
                _ => (Cors::AllowList, call.line),
            });
        }
    }
    // The `cors` middleware (Express, Koa, Fastify's plugin, Hono's).
    let uses_cors = file.imports.iter().any(|i| {
        matches!(
            i.specifier.as_str(),
            "cors" | "@koa/cors" | "@fastify/cors" | "hono/cors"
        )
    });
    let enable = file.calls_named("enableCors").next();
    let cors_call = file
        .calls
        .iter()
        .find(|c| {
            uses_cors
                && matches!(
                    c.callee.as_str(),
                    "cors" | "app.register" | "fastify.register"
                )
        })
        .or(enable);
    let call = cors_call?;
    let in_call = |key: &str| {
        let scope_end = file
            .calls
            .iter()
            .find(|c| c.offset > call.offset && c.line > call.line + 20)
            .map_or(u32::MAX, |c| c.offset);
        file.properties
            .iter()
            .find(|p| p.key == key && p.offset > call.offset && p.offset < scope_end)
    };
    let origin = in_call("origin");
    let credentials = in_call("credentials").is_some_and(|p| p.value == Arg::Bool(true));
    let kind = match origin.map(|p| &p.value) {
        None if call.args.is_empty() || call.callee == "enableCors" => Cors::Wildcard,
        None => return None,
        Some(Arg::Str(o)) if o.trim() == "*" => Cors::Wildcard,
        Some(Arg::Bool(true)) if credentials => Cors::ReflectedWithCredentials,
        Some(Arg::Bool(true)) => Cors::Wildcard,
        Some(_) => Cors::AllowList,
    };
    Some((kind, call.line))
}

/// Error trackers and tracing SDKs, initialised (not only declared):
/// (module specifier part, call names that initialise it, name).
const TRACKERS: &[(&str, &[&str], &str)] = &[
    (
        "@sentry/",
        &["Sentry.init", "init", "withSentryConfig", "wrapHandler"],
        "Sentry",
    ),
    (
        "@opentelemetry/",
        &[
            "new NodeSDK",
            "sdk.start",
            "registerInstrumentations",
            "new NodeTracerProvider",
        ],
        "OpenTelemetry",
    ),
    ("@vercel/otel", &["registerOTel"], "OpenTelemetry"),
    ("dd-trace", &["tracer.init", "init"], "Datadog"),
    ("@datadog/browser-rum", &["datadogRum.init"], "Datadog"),
    ("@datadog/browser-logs", &["datadogLogs.init"], "Datadog"),
    ("@bugsnag/", &["Bugsnag.start", "start"], "Bugsnag"),
    ("rollbar", &["new Rollbar", "Rollbar.init"], "Rollbar"),
    (
        "@honeybadger-io/",
        &["Honeybadger.configure", "configure"],
        "Honeybadger",
    ),
    ("logrocket", &["LogRocket.init"], "LogRocket"),
    ("@highlight-run/", &["H.init", "init"], "Highlight"),
    ("newrelic", &["newrelic"], "New Relic"),
];

/// Rust error trackers and tracing exporters, by the call that
/// initialises them (called by path, often without a `use`).
const RUST_TRACKERS: &[(&str, &str)] = &[
    ("sentry::init", "Sentry"),
    (
        "opentelemetry::global::set_tracer_provider",
        "OpenTelemetry",
    ),
    ("global::set_tracer_provider", "OpenTelemetry"),
    ("opentelemetry_otlp::new_pipeline", "OpenTelemetry"),
];

/// Error trackers initialised in production code, with where.
pub fn trackers(model: &SourceModel) -> Vec<(String, String, u32)> {
    let mut out = Vec::new();
    for file in model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production)
    {
        if file.language == crate::Language::Rust {
            for call in &file.calls {
                if let Some((_, name)) = RUST_TRACKERS.iter().find(|(c, _)| call.callee == *c) {
                    out.push(((*name).to_owned(), file.path.clone(), call.line));
                }
            }
            continue;
        }
        for (module, inits, name) in TRACKERS {
            let imported = file.imports.iter().find(|i| i.specifier.contains(module));
            let Some(import) = imported else {
                continue;
            };
            // `import 'newrelic'` as the first line is New Relic's setup.
            if *name == "New Relic" {
                out.push(((*name).to_owned(), file.path.clone(), import.line));
                continue;
            }
            let init = file.calls.iter().find(|c| {
                inits.iter().any(|i| {
                    c.callee == *i
                        || (!i.contains('.')
                            && !i.starts_with("new ")
                            && c.callee.ends_with(&format!(".{i}")))
                })
            });
            if let Some(call) = init {
                out.push(((*name).to_owned(), file.path.clone(), call.line));
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// Facts, findings and the cost inventory of this module.
pub(crate) mod evidence {
    use std::collections::{BTreeMap, BTreeSet};

    use diligence_model::{
        Confidence, Evidence, Fact, FileClass, Finding, Inventory, Location, Severity, Table, Unit,
    };

    use super::{
        Cors, client_secret_env, cors_of, limiters, paid_calls, paid_host, paid_routes, paid_sdk,
        trackers,
    };
    use crate::evidence::{HEURISTIC, fact_name, rule};
    use crate::model::{Arg, FileModel, Runtime};
    use crate::routes::Route;
    use crate::{SourceModel, supabase};

    fn push(evidence: &mut Evidence, built: diligence_model::FindingBuilder) {
        if let Ok(finding) = built.tag(HEURISTIC).build() {
            evidence.findings.push(finding);
        }
    }

    /// Adds this module's evidence.
    pub(crate) fn add(model: &SourceModel, routes: &[Route], evidence: &mut Evidence) {
        client_exposure(model, evidence);
        cors(model, routes, evidence);
        cost(model, routes, evidence);
        let found = trackers(model);
        if !model.files.is_empty() {
            let where_ = found
                .iter()
                .map(|(name, file, line)| format!("{name} at {file}:{line}"))
                .collect::<Vec<_>>()
                .join(", ");
            evidence.set_fact(
                fact_name("source.error-tracking"),
                Fact::list(found.iter().map(|(name, _, _)| name.clone())).detail(if where_.is_empty() {
                    "No error tracker or tracing SDK is initialised in the code read; a dependency that is never initialised is not evidence, and a tracker loaded by a script tag or configured on the platform is not seen.".to_owned()
                } else {
                    format!("Initialised in code: {where_}.")
                }),
            );
        }
    }

    fn client_exposure(model: &SourceModel, evidence: &mut Evidence) {
        let client: Vec<_> = model
            .files
            .iter()
            .filter(|f| f.class == FileClass::Production && f.runtime == Runtime::Client)
            .collect();
        evidence.set_fact(
            fact_name("source.client-files"),
            Fact::count(client.len(), Unit::Files).detail("Production files that ship to the browser: 'use client' modules and the src/ of a Vite app."),
        );
        for file in &model.files {
            if file.class != FileClass::Production || file.runtime == Runtime::Server {
                continue;
            }
            let confidence = if file.runtime == Runtime::Client {
                Confidence::High
            } else {
                Confidence::Medium
            };
            let mut seen = BTreeSet::new();
            for read in &file.env_reads {
                if !client_secret_env(&read.name) || !seen.insert(read.name.clone()) {
                    continue;
                }
                let service = read.name.to_ascii_uppercase().contains("SERVICE_ROLE");
                let built = if service {
                    Finding::builder(rule("source.client-service-role"), Severity::Critical, confidence)
                        .message(format!("`{}` is read in browser code: the bundler inlines it, so every visitor gets the Supabase service-role key, which bypasses row-level security on every table.", read.name))
                        .remediation("Rotate the service-role key now, remove it from every client-exposed variable, and move the privileged work into an edge function or server route that checks the caller.")
                } else {
                    Finding::builder(rule("source.client-secret-env"), Severity::High, confidence)
                        .message(format!("`{}` is read in browser code: variables with this prefix are inlined into the bundle, so the secret it names ships to every visitor.", read.name))
                        .remediation("Rotate the key, drop the client prefix, and call the provider from a server route or edge function that holds the key and checks the caller.")
                };
                push(
                    evidence,
                    built.location(Location::line(&file.path, read.line)),
                );
            }
            if file.runtime != Runtime::Client {
                continue;
            }
            database_urls(file, evidence);
            let opted_in = file
                .properties_named("dangerouslyAllowBrowser")
                .any(|p| p.value == Arg::Bool(true));
            // Admin SDKs and database drivers in browser code: they need a
            // service account or the database's own credentials.
            for import in &file.imports {
                let admin = super::ADMIN_MODULES.iter().find(|(module, _)| {
                    import.specifier == *module
                        || import.specifier.starts_with(&format!("{module}/"))
                });
                if let Some((module, what)) = admin {
                    push(
                        evidence,
                        Finding::builder(rule("source.client-service-role"), Severity::Critical, Confidence::Medium)
                            .message(format!(
                                "Browser code imports `{}` ({what}): it works only with credentials that bypass every access rule, and whatever it is given ships to every visitor.",
                                import.specifier
                            ))
                            .location(Location::line(&file.path, import.line))
                            .remediation(format!("Move the `{module}` calls into a server route or function that checks the caller, and rotate any service account or database credential the bundle carried.")),
                    );
                }
            }
            for import in &file.imports {
                let Some(provider) = paid_sdk(&import.specifier) else {
                    continue;
                };
                let message = if opted_in {
                    format!(
                        "Browser code imports the {provider} server SDK (`{}`) and sets `dangerouslyAllowBrowser: true`: the API key ships to every visitor, who can spend on the company's account.",
                        import.specifier
                    )
                } else {
                    format!(
                        "Browser code imports the {provider} server SDK (`{}`): its key has to ship with the bundle for the calls to work.",
                        import.specifier
                    )
                };
                push(
                    evidence,
                    Finding::builder(
                        rule("source.client-paid-sdk"),
                        Severity::High,
                        if opted_in { Confidence::High } else { Confidence::Medium },
                    )
                    .message(message)
                    .location(Location::line(&file.path, import.line))
                    .remediation("Move the calls behind an authenticated, rate-limited server route or edge function that holds the key; rotate the key the bundle carried."),
                );
            }
            for call in &file.calls {
                if let Some(url) = call.args.first().and_then(super::literal_url)
                    && matches!(
                        call.callee.as_str(),
                        "fetch" | "axios" | "axios.post" | "axios.get" | "ky.post"
                    )
                    && let Some(provider) = paid_host(&url)
                {
                    push(
                        evidence,
                        Finding::builder(rule("source.client-paid-api-call"), Severity::High, Confidence::Medium)
                            .message(format!("Browser code calls the {provider} API directly (`{url}`): the key it sends is visible to every visitor."))
                            .location(Location::line(&file.path, call.line))
                            .remediation("Proxy the call through a server route or edge function that holds the key, checks the caller and limits the rate."),
                    );
                }
            }
        }
    }

    /// Database connection strings with a password, written as literals
    /// in browser code: one finding per file, at the first.
    fn database_urls(file: &FileModel, evidence: &mut Evidence) {
        fn strings<'a>(arg: &'a Arg, depth: usize, out: &mut Vec<&'a str>) {
            match arg {
                Arg::Str(s) => out.push(s),
                Arg::Template { parts, .. } => out.extend(parts.iter().map(String::as_str)),
                Arg::Object(items) if depth < 4 => {
                    for (_, v) in items {
                        strings(v, depth + 1, out);
                    }
                }
                Arg::Array(items) if depth < 4 => {
                    for v in items {
                        strings(v, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
        let mut sites: Vec<(u32, &Arg)> = Vec::new();
        sites.extend(file.bindings.iter().map(|b| (b.line, &b.value)));
        sites.extend(file.properties.iter().map(|p| (p.line, &p.value)));
        sites.extend(
            file.calls
                .iter()
                .flat_map(|c| c.args.iter().map(move |a| (c.line, a))),
        );
        sites.sort_by_key(|(line, _)| *line);
        let found = sites.iter().find_map(|(line, arg)| {
            let mut out = Vec::new();
            strings(arg, 0, &mut out);
            out.iter()
                .find_map(|s| super::database_url_with_password(s))
                .map(|masked| (*line, masked))
        });
        if let Some((line, masked)) = found {
            push(
                evidence,
                Finding::builder(rule("source.client-service-role"), Severity::Critical, Confidence::High)
                    .message(format!(
                        "Browser code holds a database connection string with its password (`{masked}`): every visitor gets direct access to the database, past every API check and row-level policy."
                    ))
                    .location(Location::line(&file.path, line))
                    .remediation("Change the database password now, remove the connection string from the client code, and reach the database only from a server route or function."),
            );
        }
    }

    fn cors(model: &SourceModel, routes: &[Route], evidence: &mut Evidence) {
        let server: Vec<_> = model
            .files
            .iter()
            .filter(|f| f.class == FileClass::Production && f.runtime != Runtime::Client)
            .collect();
        let mut wildcard: Vec<(&str, u32)> = Vec::new();
        let mut kinds = BTreeSet::new();
        // Django settings in layers: a production settings module that
        // turns allow-all off decides what is deployed.
        let production_override = server.iter().any(|f| {
            f.language == crate::Language::Python
                && f.path.to_ascii_lowercase().contains("prod")
                && f.python.assignments.iter().any(|a| {
                    matches!(
                        a.target.as_str(),
                        "CORS_ALLOW_ALL_ORIGINS" | "CORS_ORIGIN_ALLOW_ALL"
                    ) && matches!(&a.value, Arg::Ident(v) if v == "False")
                })
        });
        for file in &server {
            let Some((mut kind, line)) = cors_of(file) else {
                continue;
            };
            if production_override
                && file.language == crate::Language::Python
                && file.calls.iter().all(|c| c.method() != "add_middleware")
            {
                kind = Cors::AllowList;
            }
            kinds.insert(match kind {
                Cors::Wildcard => "every origin (*)",
                Cors::ReflectedWithCredentials => "the caller's origin, with credentials",
                Cors::AllowList => "an allow-list",
            });
            match kind {
                Cors::Wildcard => wildcard.push((file.path.as_str(), line)),
                Cors::ReflectedWithCredentials => push(
                    evidence,
                    Finding::builder(rule("source.cors-reflected-credentials"), Severity::High, Confidence::Medium)
                        .message(format!("{} reflects any request origin and allows credentials: any website a signed-in user visits can call the API with the user's cookies and read the answers.", file.path))
                        .location(Location::line(&file.path, line))
                        .remediation("Replace the reflected origin with an explicit allow-list of the product's own origins."),
                ),
                Cors::AllowList => {}
            }
        }
        if !server.is_empty() || !routes.is_empty() {
            evidence.set_fact(
                fact_name("source.cors"),
                Fact::list(kinds.iter().map(|k| (*k).to_owned())).detail("How the server code read answers cross-origin requests; empty when it sets no CORS header (same-origin only), which is not a failure. Headers set by a platform config or a proxy are not seen here."),
            );
        }
        if wildcard.is_empty() {
            return;
        }
        // One finding for the pattern: the routes that answer every origin,
        // through their own file or a helper they import.
        let sources: BTreeSet<&str> = wildcard.iter().map(|(p, _)| *p).collect();
        let mut affected: BTreeSet<String> = BTreeSet::new();
        for route in routes.iter().filter(|r| r.class == FileClass::Production) {
            let Some(handler) = model.file(&route.file) else {
                continue;
            };
            let imports_source = handler.imports.iter().any(|i| {
                i.specifier.starts_with('.')
                    && supabase::resolve(model, &handler.path, &i.specifier)
                        .is_some_and(|f| sources.contains(f.path.as_str()))
            });
            // Python apps set CORS once for the whole app (a middleware or
            // the settings): every Python route answers the same way.
            let app_wide = handler.language == crate::Language::Python
                && sources.iter().any(|s| {
                    model
                        .file(s)
                        .is_some_and(|f| f.language == crate::Language::Python)
                });
            if sources.contains(route.file.as_str()) || imports_source || app_wide {
                affected.insert(route.path.clone());
            }
        }
        let count = affected.len().max(sources.len());
        evidence.set_fact(
            fact_name("source.cors.wildcard"),
            Fact::count(count, Unit::Count).detail("Routes (or, without routes, server files) that answer every origin with `Access-Control-Allow-Origin: *`."),
        );
        let (first, line) = wildcard[0];
        let mut names: Vec<String> = affected.iter().take(5).cloned().collect();
        if affected.len() > 5 {
            names.push(format!("and {} more", affected.len() - 5));
        }
        let mut set_in: Vec<String> = sources.iter().take(3).map(|s| (*s).to_owned()).collect();
        if sources.len() > 3 {
            set_in.push(format!("and {} more files", sources.len() - 3));
        }
        let set_in = set_in.join(", ");
        let listed = if names.is_empty() {
            sources.iter().copied().collect::<Vec<_>>().join(", ")
        } else {
            names.join(", ")
        };
        push(
            evidence,
            Finding::builder(rule("source.cors-wildcard"), Severity::Low, Confidence::High)
                .message(format!(
                    "{count} server entry points answer every origin (`Access-Control-Allow-Origin: *`, set in {set_in}): {listed}. With bearer tokens in headers the browser sends no credentials on its own, so the risk is limited, but any website can call these endpoints from a visitor's browser."
                ))
                .location(Location::line(first, line))
                .remediation("Answer only the product's own origins: read the request's Origin, compare it with an allow-list, and echo it back only when it matches."),
        );
    }

    fn cost(model: &SourceModel, routes: &[Route], evidence: &mut Evidence) {
        let calls = paid_calls(model);
        let limits = limiters(model);
        evidence.set_fact(
            fact_name("source.rate-limiters"),
            Fact::list(limits.iter().cloned()).detail("Rate-limiting libraries and limiting calls seen in server code; limits kept in an API gateway, a platform or the database are not seen."),
        );
        if calls.is_empty() {
            return;
        }
        evidence.set_fact(
            fact_name("source.paid-calls"),
            Fact::count(calls.len(), Unit::Count).detail(
                "Calls to language models and paid messaging APIs in production server code.",
            ),
        );
        let paid = paid_routes(model, routes, &calls);
        let product: Vec<_> = paid
            .iter()
            .filter(|p| p.route.class == FileClass::Production)
            .collect();
        evidence.set_fact(
            fact_name("source.paid-routes"),
            Fact::count(product.len(), Unit::Count).detail(
                "Production routes whose handler, or a local helper it imports, calls a paid API.",
            ),
        );
        let unlimited: Vec<_> = product.iter().filter(|p| p.limits.is_empty()).collect();
        evidence.set_fact(
            fact_name("source.paid-routes.unlimited"),
            Fact::count(unlimited.len(), Unit::Count)
                .heuristic(Confidence::Medium)
                .detail(
                    "Paid routes with no rate limiter seen in the handler or its local helpers.",
                ),
        );
        for route in &unlimited {
            let r = route.route;
            let providers: BTreeSet<&str> =
                route.calls.iter().map(|c| c.provider.as_str()).collect();
            let providers = providers.into_iter().collect::<Vec<_>>().join(", ");
            let (severity, who) = if r.checks_caller() {
                (
                    Severity::Medium,
                    "any signed-in user (and sign-up is usually free)",
                )
            } else {
                (
                    Severity::High,
                    "anyone who can reach it, without signing in,",
                )
            };
            let at = match r.line {
                Some(line) => Location::line(&r.file, line),
                None => Location::file(&r.file),
            };
            push(
                evidence,
                Finding::builder(rule("source.paid-route-unlimited"), severity, Confidence::Medium)
                    .message(format!("{} {} calls {providers} and no rate limit was seen: {who} can call it in a loop and the bill follows.", r.method, r.path))
                    .location(at)
                    .remediation("Limit calls per user and per IP in front of the paid call (a limiter keyed on the verified user id, with a daily quota), and set spending caps with the provider."),
            );
        }
        for call in calls.iter().filter(|c| c.model && !c.max_tokens) {
            push(
                evidence,
                Finding::builder(rule("source.llm-max-tokens-unset"), Severity::Info, Confidence::Medium)
                    .message(format!("`{}` ({}) sets no output-token cap: one call's cost is bounded only by the model's maximum.", call.call, call.provider))
                    .location(Location::line(&call.file, call.line))
                    .remediation("Set `max_tokens` (or the SDK's equivalent) to what the feature needs."),
            );
        }
        // The cost-exposure list: every paid call, with the route that
        // reaches it and the limit in front of it.
        let mut by_call: BTreeMap<(String, u32), Vec<&super::PaidRoute<'_>>> = BTreeMap::new();
        for route in &paid {
            for call in &route.calls {
                by_call
                    .entry((call.file.clone(), call.line))
                    .or_default()
                    .push(route);
            }
        }
        let describe = |reached: &[&super::PaidRoute<'_>]| -> (String, String, String) {
            let Some(first) = reached.first() else {
                return ("no route found".to_owned(), "-".to_owned(), "-".to_owned());
            };
            let mut route = format!("{} {}", first.route.method, first.route.path);
            if reached.len() > 1 {
                route.push_str(&format!(" and {} more", reached.len() - 1));
            }
            let guarded = reached.iter().filter(|r| r.route.checks_caller()).count();
            let guard = match guarded {
                0 => "none".to_owned(),
                n if n == reached.len() => "caller checked".to_owned(),
                n => format!("caller checked on {n} of {}", reached.len()),
            };
            let mut limits: Vec<String> = reached
                .iter()
                .flat_map(|r| r.limits.iter().cloned())
                .collect();
            limits.sort();
            limits.dedup();
            let limit = if limits.is_empty() {
                "none seen".to_owned()
            } else {
                limits.join(", ")
            };
            (route, guard, limit)
        };
        let rows = calls
            .iter()
            .map(|c| {
                let (route, guard, limit) = describe(
                    by_call
                        .get(&(c.file.clone(), c.line))
                        .map_or(&[][..], Vec::as_slice),
                );
                vec![
                    c.provider.clone(),
                    format!("`{}`", c.call),
                    format!("{}:{}", c.file, c.line),
                    route,
                    guard,
                    limit,
                    if !c.model {
                        "-".to_owned()
                    } else if c.max_tokens {
                        "set".to_owned()
                    } else {
                        "not set".to_owned()
                    },
                ]
            })
            .collect();
        evidence.inventories.insert(
            "cost".to_owned(),
            Inventory::Table(Table {
                title: "Paid calls".to_owned(),
                columns: [
                    "provider",
                    "call",
                    "where",
                    "route",
                    "guard",
                    "rate limit",
                    "max tokens",
                ]
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
                rows,
            }),
        );
    }
}
