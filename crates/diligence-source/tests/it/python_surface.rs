//! CORS and rate limits in Python apps: FastAPI's `CORSMiddleware`,
//! Flask-CORS, django-cors-headers, slowapi and Django REST framework
//! throttles, on both sides.

use diligence_model::{Confidence, Evidence};

use crate::{evidence_of_files as evidence, found};

fn cors(evidence: &Evidence) -> String {
    evidence
        .facts
        .get("source.cors")
        .map(|f| f.value.to_string())
        .unwrap_or_default()
}

const FASTAPI_ROUTES: &str = "from fastapi import APIRouter\n\
     router = APIRouter()\n\
     @router.get('/items')\n\
     def items():\n\
     \x20   return []\n";

fn fastapi(main: &str) -> anyhow::Result<Evidence> {
    evidence(&[
        ("requirements.txt", "fastapi==0.115.0\n"),
        ("app/__init__.py", ""),
        ("app/items.py", FASTAPI_ROUTES),
        ("app/main.py", main),
    ])
}

#[test]
fn fastapi_cors_middleware_is_read() -> anyhow::Result<()> {
    let reflected = fastapi(
        "from fastapi import FastAPI\n\
         from fastapi.middleware.cors import CORSMiddleware\n\
         from app.items import router\n\
         app = FastAPI()\n\
         app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True, allow_methods=['*'])\n\
         app.include_router(router)\n",
    )?;
    assert_eq!(
        found(&reflected, "source.cors-reflected-credentials"),
        [("app/main.py", Some(5), Confidence::Medium)]
    );

    let wildcard = fastapi(
        "from fastapi import FastAPI\n\
         from starlette.middleware.cors import CORSMiddleware\n\
         from app.items import router\n\
         app = FastAPI()\n\
         app.add_middleware(CORSMiddleware, allow_origin_regex='.*')\n\
         app.include_router(router)\n",
    )?;
    assert_eq!(
        found(&wildcard, "source.cors-wildcard"),
        [("app/main.py", Some(5), Confidence::High)]
    );
    // The middleware covers the app's routes, wherever they are declared.
    let message = &wildcard
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.cors-wildcard")
        .expect("finding")
        .message;
    assert!(message.contains("/items"), "{message}");

    // Origins listed, or taken from the settings: not a wildcard.
    for main in [
        "from fastapi import FastAPI\n\
         from fastapi.middleware.cors import CORSMiddleware\n\
         app = FastAPI()\n\
         app.add_middleware(CORSMiddleware, allow_origins=['https://app.example.com'], allow_credentials=True)\n",
        "from fastapi import FastAPI\n\
         from fastapi.middleware.cors import CORSMiddleware\n\
         from app.config import settings\n\
         app = FastAPI()\n\
         app.add_middleware(CORSMiddleware, allow_origins=settings.all_cors_origins, allow_credentials=True)\n",
    ] {
        let listed = fastapi(main)?;
        assert_eq!(found(&listed, "source.cors-wildcard"), []);
        assert_eq!(found(&listed, "source.cors-reflected-credentials"), []);
        assert_eq!(cors(&listed), "an allow-list");
    }
    Ok(())
}

#[test]
fn flask_cors_and_django_cors_headers_are_read() -> anyhow::Result<()> {
    let flask = evidence(&[
        ("requirements.txt", "flask==3.0\nflask-cors==4.0\n"),
        (
            "shop/app.py",
            "from flask import Flask\n\
             from flask_cors import CORS\n\
             app = Flask(__name__)\n\
             CORS(app, supports_credentials=True)\n",
        ),
    ])?;
    assert_eq!(
        found(&flask, "source.cors-reflected-credentials"),
        [("shop/app.py", Some(4), Confidence::Medium)]
    );
    let flask_listed = evidence(&[
        ("requirements.txt", "flask==3.0\nflask-cors==4.0\n"),
        (
            "shop/app.py",
            "from flask import Flask\n\
             from flask_cors import CORS\n\
             app = Flask(__name__)\n\
             CORS(app, origins=['https://shop.example.com'], supports_credentials=True)\n",
        ),
    ])?;
    assert_eq!(cors(&flask_listed), "an allow-list");

    let django = evidence(&[
        (
            "requirements.txt",
            "django==5.0\ndjango-cors-headers==4.3\n",
        ),
        (
            "project/settings.py",
            "INSTALLED_APPS = ['corsheaders']\n\
             CORS_ALLOW_ALL_ORIGINS = True\n",
        ),
    ])?;
    assert_eq!(
        found(&django, "source.cors-wildcard"),
        [("project/settings.py", Some(2), Confidence::High)]
    );
    let django_listed = evidence(&[
        (
            "requirements.txt",
            "django==5.0\ndjango-cors-headers==4.3\n",
        ),
        (
            "project/settings.py",
            "CORS_ALLOW_ALL_ORIGINS = False\n\
             CORS_ALLOWED_ORIGINS = ['https://app.example.com']\n\
             CORS_ALLOW_CREDENTIALS = True\n",
        ),
    ])?;
    assert_eq!(found(&django_listed, "source.cors-wildcard"), []);
    // Base settings that allow everything, turned off for production.
    let layered = evidence(&[
        (
            "requirements.txt",
            "django==5.0\ndjango-cors-headers==4.3\n",
        ),
        (
            "config/settings/cors.py",
            "CORS_ALLOW_CREDENTIALS = True\nCORS_ALLOW_ALL_ORIGINS = True\n",
        ),
        (
            "config/django/production.py",
            "from .base import *\nCORS_ALLOW_ALL_ORIGINS = False\n",
        ),
    ])?;
    assert_eq!(found(&layered, "source.cors-reflected-credentials"), []);
    assert_eq!(cors(&layered), "an allow-list");
    assert_eq!(cors(&django_listed), "an allow-list");
    Ok(())
}

#[test]
fn python_rate_limiters_count_for_paid_routes() -> anyhow::Result<()> {
    let route = |limiter: &str| {
        format!(
            "import openai\n\
             from fastapi import APIRouter\n\
             {limiter}\n\
             router = APIRouter()\n\
             @router.post('/chat')\n\
             def chat(prompt: str):\n\
             \x20   return openai.chat.completions.create(model='gpt-4o', messages=[], max_tokens=100)\n"
        )
    };
    let unlimited = evidence(&[
        ("requirements.txt", "fastapi==0.115.0\nopenai==1.0\n"),
        ("app/chat.py", &route("")),
    ])?;
    assert_eq!(
        found(&unlimited, "source.paid-route-unlimited").len(),
        1,
        "{:?}",
        unlimited.findings
    );
    let slowapi = evidence(&[
        (
            "requirements.txt",
            "fastapi==0.115.0\nopenai==1.0\nslowapi==0.1.9\n",
        ),
        (
            "app/chat.py",
            &route("from slowapi import Limiter\nlimiter = Limiter(key_func=lambda r: 'k')"),
        ),
    ])?;
    assert_eq!(found(&slowapi, "source.paid-route-unlimited"), []);
    let django = |settings: &str| {
        evidence(&[
            (
                "requirements.txt",
                "django==5.0\ndjangorestframework==3.15\nopenai==1.0\n",
            ),
            ("project/__init__.py", ""),
            ("project/settings.py", settings),
            (
                "project/urls.py",
                "from django.urls import path\n\
                 from chat.views import ChatView\n\
                 urlpatterns = [path('chat/', ChatView.as_view())]\n",
            ),
            ("chat/__init__.py", ""),
            (
                "chat/views.py",
                "import openai\n\
                 from rest_framework.views import APIView\n\
                 from rest_framework.permissions import IsAuthenticated\n\
                 class ChatView(APIView):\n\
                 \x20   permission_classes = [IsAuthenticated]\n\
                 \x20   def post(self, request):\n\
                 \x20       return openai.chat.completions.create(model='gpt-4o', messages=[], max_tokens=100)\n",
            ),
        ])
    };
    let open = django("ROOT_URLCONF = 'project.urls'\n")?;
    assert_eq!(
        found(&open, "source.paid-route-unlimited").len(),
        1,
        "{:?}",
        open.findings
    );
    let drf = django(
        "ROOT_URLCONF = 'project.urls'\n\
         REST_FRAMEWORK = {\n\
         \x20   'DEFAULT_THROTTLE_CLASSES': ['rest_framework.throttling.UserRateThrottle'],\n\
         }\n",
    )?;
    assert_eq!(found(&drf, "source.paid-route-unlimited"), []);
    Ok(())
}

#[test]
fn rust_cors_layers_are_read() -> anyhow::Result<()> {
    let app = |body: &str| {
        evidence(&[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\naxum = \"0.8\"\ntower-http = \"0.6\"\n",
            ),
            ("src/main.rs", body),
        ])
    };
    let permissive = app("use axum::{routing::get, Router};\n\
         use tower_http::cors::CorsLayer;\n\
         fn app() -> Router {\n\
         \x20   Router::new().route(\"/items\", get(items)).layer(CorsLayer::permissive())\n\
         }\n\
         async fn items() -> &'static str { \"[]\" }\n")?;
    assert_eq!(
        found(&permissive, "source.cors-wildcard"),
        [("src/main.rs", Some(4), Confidence::High)]
    );
    let mirrored = app("use axum::{routing::get, Router};\n\
         use tower_http::cors::{AllowOrigin, CorsLayer};\n\
         fn app() -> Router {\n\
         \x20   let cors = CorsLayer::new()\n\
         \x20       .allow_origin(AllowOrigin::mirror_request())\n\
         \x20       .allow_credentials(true);\n\
         \x20   Router::new().route(\"/items\", get(items)).layer(cors)\n\
         }\n\
         async fn items() -> &'static str { \"[]\" }\n")?;
    assert_eq!(
        found(&mirrored, "source.cors-reflected-credentials").len(),
        1,
        "{:?}",
        mirrored.findings
    );
    let listed = app("use axum::{http::HeaderValue, routing::get, Router};\n\
         use tower_http::cors::CorsLayer;\n\
         fn app() -> Router {\n\
         \x20   let cors = CorsLayer::new().allow_origin(\"https://app.example.com\".parse::<HeaderValue>().unwrap());\n\
         \x20   Router::new().route(\"/items\", get(items)).layer(cors)\n\
         }\n\
         async fn items() -> &'static str { \"[]\" }\n")?;
    assert_eq!(found(&listed, "source.cors-wildcard"), []);
    assert_eq!(cors(&listed), "an allow-list");
    Ok(())
}

#[test]
fn actix_cors_is_read() -> anyhow::Result<()> {
    let app = |cors: &str| {
        evidence(&[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nactix-web = \"4\"\nactix-cors = \"0.7\"\n",
            ),
            (
                "src/main.rs",
                &format!(
                    "use actix_cors::Cors;\n\
                     use actix_web::{{App, HttpServer}};\n\
                     #[actix_web::main]\n\
                     async fn main() -> std::io::Result<()> {{\n\
                     \x20   HttpServer::new(|| App::new().wrap({cors})).bind((\"0.0.0.0\", 8080))?.run().await\n\
                     }}\n"
                ),
            ),
        ])
    };
    let permissive = app("Cors::permissive()")?;
    assert_eq!(
        found(&permissive, "source.cors-reflected-credentials"),
        [("src/main.rs", Some(5), Confidence::Medium)]
    );
    let listed =
        app("Cors::default().allowed_origin(\"https://app.example.com\").supports_credentials()")?;
    assert_eq!(found(&listed, "source.cors-reflected-credentials"), []);
    assert_eq!(cors(&listed), "an allow-list");
    Ok(())
}

#[test]
fn admin_sdks_and_database_drivers_in_browser_code_are_flagged() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "react": "^18.0.0", "vite": "^5.0.0", "firebase": "^10.0.0", "firebase-admin": "^12.0.0" } }"#,
        ),
        ("vite.config.ts", "export default {};\n"),
        (
            "src/admin.ts",
            "import { initializeApp } from 'firebase-admin/app';\nexport const app = initializeApp();\n",
        ),
        // The client SDK is meant for the browser.
        (
            "src/firebase.ts",
            "import { initializeApp } from 'firebase/app';\nexport const app = initializeApp({ apiKey: 'public' });\n",
        ),
        // The admin SDK on the server is where it belongs.
        (
            "functions/src/index.ts",
            "import { initializeApp } from 'firebase-admin/app';\ninitializeApp();\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.client-service-role"),
        [("src/admin.ts", Some(1), Confidence::Medium)]
    );
    Ok(())
}

#[test]
fn database_urls_in_browser_code_are_flagged_without_their_password() -> anyhow::Result<()> {
    // Built from parts so that no scanner reads this file as a leak.
    let password = ["Zq8", "vLm2", "Rt5x"].concat();
    let url = format!("postgres://app:{password}@db.example.com:5432/prod");
    let client = format!(
        "import {{ Client }} from './db';\nconst config = {{ connectionString: '{url}' }};\nexport const c = new Client(config);\n"
    );
    let server = format!("const pool = new Pool({{ connectionString: '{url}' }});\n");
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "react": "^18.0.0", "vite": "^5.0.0" } }"#,
        ),
        ("vite.config.ts", "export default {};\n"),
        ("src/db.ts", &client),
        // Look-alikes: placeholders, no password, a server file.
        (
            "src/docs.ts",
            "export const example = 'postgres://user:<password>@localhost/db';\nexport const local = 'postgres://localhost:5432/dev';\nexport const tpl = `mongodb+srv://app:${secret}@cluster0.example.net`;\n",
        ),
        ("server/db.ts", &server),
        // A database URL read through a client-exposed variable.
        (
            "src/env.ts",
            "export const db = import.meta.env.VITE_DATABASE_URL;\nexport const api = import.meta.env.VITE_API_URL;\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.client-service-role"),
        [("src/db.ts", Some(2), Confidence::High)]
    );
    assert_eq!(
        found(&evidence, "source.client-secret-env"),
        [("src/env.ts", Some(1), Confidence::High)]
    );
    let message = &evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.client-service-role")
        .expect("found above")
        .message;
    assert!(
        message.contains("postgres://app:****@db.example.com:5432"),
        "{message}"
    );
    assert!(!message.contains(&password));
    Ok(())
}
