//! Fastify, Hono, Koa, NestJS, Firebase Cloud Functions, and Vercel and
//! Netlify functions on both sides: each vulnerable app's state-changing
//! routes without a server-side caller check are flagged at their
//! handlers, and each sound look-alike (a verified hook, middleware,
//! guard or handler check; a route public by path or by decorator) has no
//! finding at medium or above.

use diligence_model::{Confidence, Evidence, Severity};

use crate::nextjs::routes;
use crate::{evidence_of, found};

fn row(cells: [&str; 5]) -> [String; 5] {
    cells.map(str::to_owned)
}

/// Findings at medium severity and confidence or above, as (rule,
/// location).
fn serious(evidence: &Evidence) -> Vec<(&str, String)> {
    evidence
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium && f.confidence >= Confidence::Medium)
        .map(|f| (f.rule.as_str(), f.location.to_string()))
        .collect()
}

fn frameworks(evidence: &Evidence) -> String {
    evidence
        .facts
        .get("source.frameworks")
        .map(|f| f.value.to_string())
        .unwrap_or_default()
}

fn not_analysed(evidence: &Evidence) -> String {
    evidence
        .facts
        .get("source.not-analysed")
        .map(|f| f.value.to_string())
        .unwrap_or_default()
}

const M: Confidence = Confidence::Medium;

#[test]
fn fastify_vulnerable_routes_and_the_plugin_hook_that_checks_nothing() -> anyhow::Result<()> {
    let evidence = evidence_of("fastify/vulnerable")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/orders/:id",
                "none",
                "none seen",
                "src/app.js:10"
            ]),
            row([
                "GET",
                "/api/users",
                "none",
                "none seen",
                "src/routes/users.js:7"
            ]),
            row(["POST", "/login", "none", "none seen", "src/app.js:6"]),
            row([
                "PUT",
                "/api/users/:id",
                "none",
                "none seen",
                "src/routes/users.js:9"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/app.js", Some(10), M),
            ("src/routes/users.js", Some(9), M)
        ]
    );
    assert!(frameworks(&evidence).contains("Fastify"));
    assert!(!not_analysed(&evidence).contains("Fastify"));
    Ok(())
}

#[test]
fn fastify_sound_routes_are_guarded_by_the_authenticate_decorator() -> anyhow::Result<()> {
    let evidence = evidence_of("fastify/sound")?;
    let jwt = |var: &str| {
        format!("caller check `{var}.authenticate → request.jwtVerify` via src/plugins/auth.js")
    };
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/orders/:id",
                &jwt("app"),
                "none seen",
                "src/app.js:17"
            ]),
            row([
                "GET",
                "/api/users",
                &jwt("fastify"),
                "none seen",
                "src/routes/users.js:4"
            ]),
            row(["POST", "/login", "none", "JSON schema", "src/app.js:13"]),
            row([
                "PUT",
                "/api/users/:id",
                &jwt("fastify"),
                "JSON schema",
                "src/routes/users.js:6"
            ]),
        ]
    );
    assert_eq!(serious(&evidence), Vec::<(&str, String)>::new());
    Ok(())
}

#[test]
fn fastify_hooks_stay_in_their_plugin() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("server.js"),
        "import Fastify from 'fastify';\n\
         const app = Fastify();\n\
         app.register(async function admin(scope) {\n\
         \x20 scope.addHook('preHandler', async (request) => { await request.jwtVerify(); });\n\
         \x20 scope.delete('/users/:id', async () => ({}));\n\
         }, { prefix: '/admin' });\n\
         app.register(async (open) => {\n\
         \x20 open.put('/profile', async () => ({}));\n\
         });\n\
         app.get('config');\n",
    )?;
    let mut evidence = crate::model_of(temp.path())?.evidence();
    evidence.normalise();
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/admin/users/:id",
                "caller check `request.jwtVerify`",
                "none seen",
                "server.js:5"
            ]),
            row(["PUT", "/profile", "none", "none seen", "server.js:8"]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("server.js", Some(8), M)]
    );
    Ok(())
}

#[test]
fn hono_vulnerable_routes_and_the_mounted_sub_app_are_unguarded() -> anyhow::Result<()> {
    let evidence = evidence_of("hono/vulnerable")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/api/accounts/:id",
                "none",
                "none seen",
                "src/index.ts:16"
            ]),
            row(["GET", "/api/health", "none", "none seen", "src/index.ts:9"]),
            row([
                "GET",
                "/api/notes",
                "none",
                "none seen",
                "src/routes/notes.ts:4"
            ]),
            row([
                "POST",
                "/api/notes",
                "none",
                "none seen",
                "src/routes/notes.ts:5"
            ]),
            row([
                "POST",
                "/api/signup",
                "none",
                "none seen",
                "src/index.ts:11"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/index.ts", Some(16), M),
            ("src/routes/notes.ts", Some(5), M)
        ]
    );
    Ok(())
}

#[test]
fn hono_sound_routes_sit_behind_jwt_middleware_in_order() -> anyhow::Result<()> {
    let evidence = evidence_of("hono/sound")?;
    let via = "caller check `jwt` via src/index.ts";
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/api/accounts/:id",
                "caller check `jwt`",
                "none seen",
                "src/index.ts:24"
            ]),
            // Registered before any `use` that checks: public by design.
            row(["GET", "/api/health", "none", "none seen", "src/index.ts:14"]),
            row([
                "GET",
                "/api/notes",
                via,
                "none seen",
                "src/routes/notes.ts:8"
            ]),
            row(["POST", "/api/notes", via, "zod", "src/routes/notes.ts:9"]),
            row(["POST", "/api/signup", "none", "zod", "src/index.ts:16"]),
        ]
    );
    assert_eq!(serious(&evidence), Vec::<(&str, String)>::new());
    Ok(())
}

#[test]
fn koa_vulnerable_router_is_mounted_without_a_check() -> anyhow::Result<()> {
    let evidence = evidence_of("koa/vulnerable")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/orders/:id",
                "none",
                "none seen",
                "src/routes/orders.js:13"
            ]),
            row([
                "GET",
                "/orders",
                "none",
                "none seen",
                "src/routes/orders.js:5"
            ]),
            row([
                "POST",
                "/orders",
                "none",
                "none seen",
                "src/routes/orders.js:9"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("src/routes/orders.js", Some(9), M),
            ("src/routes/orders.js", Some(13), M)
        ]
    );
    Ok(())
}

#[test]
fn koa_sound_routes_follow_koa_jwt_and_state_checks() -> anyhow::Result<()> {
    let evidence = evidence_of("koa/sound")?;
    let via = "caller check `jwt` via src/server.js";
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/orders/:id",
                "caller check `requireOwner → ctx.state.user`",
                "none seen",
                "src/routes/orders.js:19"
            ]),
            row([
                "GET",
                "/orders",
                via,
                "none seen",
                "src/routes/orders.js:11"
            ]),
            // Mounted before `app.use(jwt(…))`.
            row([
                "POST",
                "/auth/login",
                "none",
                "none seen",
                "src/routes/auth.js:5"
            ]),
            row([
                "POST",
                "/orders",
                via,
                "none seen",
                "src/routes/orders.js:15"
            ]),
        ]
    );
    assert_eq!(serious(&evidence), Vec::<(&str, String)>::new());
    Ok(())
}

#[test]
fn nestjs_vulnerable_controllers_have_no_guard() -> anyhow::Result<()> {
    let evidence = evidence_of("nestjs/vulnerable")?;
    let users = "src/users/users.controller.ts";
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/api/users/:id",
                "none",
                "none seen",
                &format!("{users}:16")
            ]),
            row([
                "GET",
                "/api/users",
                "none",
                "none seen",
                &format!("{users}:6")
            ]),
            row([
                "POST",
                "/api/auth/login",
                "none",
                "none seen",
                "src/auth/auth.controller.ts:6"
            ]),
            row([
                "POST",
                "/api/users",
                "none",
                "none seen",
                &format!("{users}:11")
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [(users, Some(11), M), (users, Some(16), M)]
    );
    Ok(())
}

#[test]
fn nestjs_sound_global_guard_public_decorator_and_validation_pipe() -> anyhow::Result<()> {
    let evidence = evidence_of("nestjs/sound")?;
    let users = "src/users/users.controller.ts";
    let guard =
        "caller check `global JwtAuthGuard extends AuthGuard` via src/auth/jwt-auth.guard.ts";
    let pipe = "class-validator (ValidationPipe)";
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/api/users/:id",
                guard,
                pipe,
                &format!("{users}:24")
            ]),
            row(["GET", "/api/users", guard, pipe, &format!("{users}:8")]),
            row([
                "POST",
                "/api/auth/login",
                "none",
                pipe,
                "src/auth/auth.controller.ts:8"
            ]),
            row(["POST", "/api/users", guard, pipe, &format!("{users}:13")]),
            // `@Anyone()` sets the public metadata the global guard reads.
            row([
                "POST",
                "/api/users/invitations/accept",
                "none",
                pipe,
                &format!("{users}:19")
            ]),
        ]
    );
    assert_eq!(serious(&evidence), Vec::<(&str, String)>::new());
    Ok(())
}

#[test]
fn nestjs_method_and_class_guards() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("orders.controller.ts"),
        "import { Controller, Delete, Post, Put, UseGuards } from '@nestjs/common';\n\
         import { AuthGuard } from '@nestjs/passport';\n\
         @Controller({ path: 'orders' })\n\
         @UseGuards(AuthGuard('jwt'))\n\
         export class OrdersController {\n\
         \x20 @Post()\n\
         \x20 create() { return {}; }\n\
         }\n\
         @Controller('admin')\n\
         export class AdminController {\n\
         \x20 @UseGuards(AdminGuard)\n\
         \x20 @Delete(':id')\n\
         \x20 remove() { return {}; }\n\
         \x20 @Put(':id')\n\
         \x20 update() { return {}; }\n\
         }\n",
    )?;
    let mut evidence = crate::model_of(temp.path())?.evidence();
    evidence.normalise();
    assert_eq!(
        routes(&evidence),
        [
            // `AdminGuard` is not in the target: what it checks is unknown.
            row([
                "DELETE",
                "/admin/:id",
                "caller check `AdminGuard (guard not read)`",
                "none seen",
                "orders.controller.ts:13"
            ]),
            row([
                "POST",
                "/orders",
                "caller check `AuthGuard('jwt')`",
                "none seen",
                "orders.controller.ts:7"
            ]),
            row([
                "PUT",
                "/admin/:id",
                "none",
                "none seen",
                "orders.controller.ts:15"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("orders.controller.ts", Some(15), M)]
    );
    Ok(())
}

#[test]
fn cloud_functions_vulnerable_callables_and_requests_are_open() -> anyhow::Result<()> {
    let evidence = evidence_of("cloud-functions/vulnerable")?;
    // The Firestore and Auth triggers are not routes.
    assert_eq!(
        routes(&evidence),
        [
            row([
                "ANY",
                "exportOrders",
                "none",
                "none seen",
                "functions/src/index.ts:14"
            ]),
            row([
                "POST",
                "deleteAccount",
                "none",
                "none seen",
                "functions/src/index.ts:8"
            ]),
            row([
                "POST",
                "resetCounter",
                "none",
                "none seen",
                "functions/src/legacy.js:3"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("functions/src/index.ts", Some(8), M),
            ("functions/src/index.ts", Some(14), M),
            ("functions/src/legacy.js", Some(3), M),
        ]
    );
    assert!(frameworks(&evidence).contains("Firebase Cloud Functions"));
    assert!(!not_analysed(&evidence).contains("Cloud Functions"));
    Ok(())
}

#[test]
fn cloud_functions_sound_handlers_check_auth_or_verify_tokens() -> anyhow::Result<()> {
    let evidence = evidence_of("cloud-functions/sound")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "ANY",
                "exportOrders",
                "caller check `getAuth().verifyIdToken`",
                "none seen",
                "functions/src/index.ts:17"
            ]),
            row([
                "POST",
                "deleteAccount",
                "caller check `HttpsError 'unauthenticated'`",
                "none seen",
                "functions/src/index.ts:9"
            ]),
            row([
                "POST",
                "resetCounter",
                "caller check `reads context.auth.uid`",
                "none seen",
                "functions/src/legacy.js:3"
            ]),
        ]
    );
    assert_eq!(serious(&evidence), Vec::<(&str, String)>::new());
    Ok(())
}

#[test]
fn serverless_vulnerable_functions_are_open() -> anyhow::Result<()> {
    let evidence = evidence_of("serverless/vulnerable")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "ANY",
                "/.netlify/functions/subscribe",
                "none",
                "none seen",
                "netlify/functions/subscribe.js:1"
            ]),
            row([
                "ANY",
                "/api/refund",
                "none",
                "none seen",
                "netlify/functions/refund.ts:1"
            ]),
            row([
                "ANY",
                "/api/users/[id]",
                "none",
                "none seen",
                "api/users/[id].ts:4"
            ]),
            row(["GET", "/api/health", "none", "none seen", "api/health.ts:1"]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("api/users/[id].ts", Some(4), M),
            ("netlify/functions/refund.ts", Some(1), M),
        ]
    );
    let named = frameworks(&evidence);
    assert!(named.contains("Vercel Functions") && named.contains("Netlify Functions"));
    Ok(())
}

#[test]
fn serverless_sound_functions_check_the_caller() -> anyhow::Result<()> {
    let evidence = evidence_of("serverless/sound")?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "ANY",
                "/.netlify/functions/subscribe",
                "none",
                "none seen",
                "netlify/functions/subscribe.js:1"
            ]),
            row([
                "ANY",
                "/api/refund",
                "caller check `reads context.clientContext.user`",
                "none seen",
                "netlify/functions/refund.ts:3"
            ]),
            row([
                "ANY",
                "/api/users/[id]",
                "caller check `requireUser → jwtVerify` via api/_lib/auth.ts",
                "none seen",
                "api/users/[id].ts:5"
            ]),
            row(["GET", "/api/health", "none", "none seen", "api/health.ts:1"]),
        ]
    );
    assert_eq!(serious(&evidence), Vec::<(&str, String)>::new());
    Ok(())
}

#[test]
fn a_next_app_api_folder_is_not_read_as_vercel_functions() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::create_dir_all(temp.path().join("api"))?;
    std::fs::create_dir_all(temp.path().join("pages/api"))?;
    std::fs::write(temp.path().join("next.config.js"), "module.exports = {};\n")?;
    std::fs::write(
        temp.path().join("api/client.ts"),
        "export default function call(req: string, res: string) { return req + res; }\n",
    )?;
    std::fs::write(
        temp.path().join("pages/api/orders.ts"),
        "export default function handler(req, res) { res.json([]); }\n",
    )?;
    let mut evidence = crate::model_of(temp.path())?.evidence();
    evidence.normalise();
    let rows = routes(&evidence);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][1], "/api/orders");
    Ok(())
}

#[test]
fn a_vercel_function_that_hands_over_to_an_express_app_is_the_apps_routes() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "api/index.ts",
            "import { app } from '../server/app';\n\
             export default function handler(req, res) {\n\
             \x20 app(req, res);\n\
             }\n",
        ),
        (
            "server/app.ts",
            "import express from 'express';\n\
             export const app = express();\n\
             app.delete('/api/items/:id', (req, res) => res.end());\n",
        ),
    ])?;
    assert_eq!(
        routes(&evidence),
        [row([
            "DELETE",
            "/api/items/:id",
            "none",
            "none seen",
            "server/app.ts:3"
        ])]
    );
    Ok(())
}

/// Writes `files` under a temporary folder and returns its evidence.
#[test]
fn fastify_autohooks_guard_the_routes_folder_below_them() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "fastify": "^5.0.0", "@fastify/autoload": "^6.0.0" } }"#,
        ),
        (
            "src/app.ts",
            "import autoload from '@fastify/autoload';\n\
             export default async function app(fastify) {\n\
             \x20 fastify.register(autoload, { dir: 'routes', autoHooks: true, cascadeHooks: true });\n\
             }\n",
        ),
        (
            "src/routes/api/autohooks.ts",
            "export default async function (fastify) {\n\
             \x20 fastify.addHook('onRequest', async (request, reply) => {\n\
             \x20   if (!request.session.user) {\n\
             \x20     reply.unauthorized('Sign in first.');\n\
             \x20   }\n\
             \x20 });\n\
             }\n",
        ),
        (
            "src/routes/api/tasks/index.ts",
            "export default async function (fastify) {\n\
             \x20 fastify.delete('/:id', async () => ({}));\n\
             }\n",
        ),
        (
            "src/routes/home.ts",
            "export default async function (fastify) {\n\
             \x20 fastify.post('/feedback', async () => ({}));\n\
             }\n",
        ),
    ])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/api/tasks/:id",
                "caller check `refuses without request.session.user` via src/routes/api/autohooks.ts",
                "none seen",
                "src/routes/api/tasks/index.ts:2"
            ]),
            // Above the autohooks folder: not covered.
            row([
                "POST",
                "/feedback",
                "none",
                "none seen",
                "src/routes/home.ts:2"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("src/routes/home.ts", Some(2), M)]
    );
    Ok(())
}

#[test]
fn nestjs_middleware_applied_by_a_module_covers_its_routes_only() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "src/auth.middleware.ts",
            "import * as jwt from 'jsonwebtoken';\n\
             export class AuthMiddleware {\n\
             \x20 use(req, res, next) {\n\
             \x20   req.user = jwt.verify(req.headers.authorization, process.env.SECRET);\n\
             \x20   next();\n\
             \x20 }\n\
             }\n",
        ),
        (
            "src/articles.module.ts",
            "import { AuthMiddleware } from './auth.middleware';\n\
             export class ArticlesModule {\n\
             \x20 configure(consumer) {\n\
             \x20   consumer\n\
             \x20     .apply(AuthMiddleware)\n\
             \x20     .forRoutes({ path: 'articles/:slug', method: RequestMethod.DELETE });\n\
             \x20 }\n\
             }\n",
        ),
        (
            "src/articles.controller.ts",
            "@Controller('articles')\n\
             export class ArticlesController {\n\
             \x20 @Delete(':slug')\n\
             \x20 remove() { return {}; }\n\
             \x20 @Put(':slug')\n\
             \x20 update() { return {}; }\n\
             }\n",
        ),
    ])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/articles/:slug",
                "caller check `AuthMiddleware → jwt.verify` via src/auth.middleware.ts",
                "none seen",
                "src/articles.controller.ts:4"
            ]),
            row([
                "PUT",
                "/articles/:slug",
                "none",
                "none seen",
                "src/articles.controller.ts:6"
            ]),
        ]
    );
    Ok(())
}

#[test]
fn koa_nested_routers_required_middleware_and_jwt_passthrough() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "lib/app.js",
            "const Koa = require('koa');\n\
             const jwt = require('./jwt');\n\
             const routes = require('./routes');\n\
             const app = new Koa();\n\
             app.use(jwt);\n\
             app.use(routes.routes());\n",
        ),
        (
            "lib/jwt.js",
            "const koaJwt = require('koa-jwt');\n\
             module.exports = koaJwt({ secret: 'from-config', passthrough: true });\n",
        ),
        (
            "lib/required.js",
            "module.exports = function (ctx, next) {\n\
             \x20 ctx.assert(ctx.state.user, 401);\n\
             \x20 return next();\n\
             };\n",
        ),
        (
            "lib/routes.js",
            "const Router = require('koa-router');\n\
             const router = new Router();\n\
             const api = new Router();\n\
             const users = require('./users');\n\
             api.use(users);\n\
             router.use('/api', api.routes());\n\
             module.exports = router;\n",
        ),
        (
            "lib/users.js",
            "const Router = require('koa-router');\n\
             const auth = require('./required');\n\
             const router = new Router();\n\
             router.post('/users', async (ctx) => { ctx.body = {}; });\n\
             router.put('/user', auth, async (ctx) => { ctx.body = {}; });\n\
             module.exports = router.routes();\n",
        ),
    ])?;
    assert_eq!(
        routes(&evidence),
        [
            // `passthrough: true` lets anonymous callers through.
            row(["POST", "/api/users", "none", "none seen", "lib/users.js:4"]),
            row([
                "PUT",
                "/api/user",
                "caller check `auth → ctx.state.user` via lib/required.js",
                "none seen",
                "lib/users.js:5"
            ]),
        ]
    );
    Ok(())
}

#[test]
fn cloud_functions_required_by_destructuring_and_hmac_webhooks() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[(
        "functions/index.js",
        "const { onRequest } = require('firebase-functions/https');\n\
         const crypto = require('crypto');\n\
         exports.githubWebhook = onRequest((req, res) => {\n\
         \x20 const hmac = crypto.createHmac('sha256', process.env.SECRET).update(req.rawBody).digest('hex');\n\
         \x20 if (!crypto.timingSafeEqual(Buffer.from(hmac), Buffer.from(req.get('x-hub-signature-256')))) {\n\
         \x20   res.status(403).end();\n\
         \x20 }\n\
         });\n\
         exports.stripeWebhook = onRequest((req, res) => res.end());\n",
    )])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "ANY",
                "githubWebhook",
                "webhook signature `crypto.timingSafeEqual`",
                "none seen",
                "functions/index.js:3"
            ]),
            row([
                "ANY",
                "stripeWebhook",
                "none",
                "none seen",
                "functions/index.js:9"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.webhook-unverified"),
        [("functions/index.js", Some(9), M)]
    );
    Ok(())
}

#[test]
fn hono_sub_app_middleware_guards_what_is_mounted_after_it() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "src/index.ts",
            "import { Hono } from 'hono';\n\
             import { basicAuth } from 'hono/basic-auth';\n\
             import api from './api';\n\
             import todos from './todos';\n\
             const app = new Hono();\n\
             const middleware = new Hono();\n\
             middleware.use('/posts/*', async (c, next) => {\n\
             \x20 const auth = basicAuth({ username: c.env.USER, password: c.env.PASSWORD });\n\
             \x20 return auth(c, next);\n\
             });\n\
             app.route('/api', middleware);\n\
             app.route('/api', api);\n\
             app.route('/todos', todos);\n\
             export default app;\n",
        ),
        (
            "src/api.ts",
            "import { Hono } from 'hono';\n\
             const api = new Hono();\n\
             api.post('/posts', (c) => c.json({}));\n\
             api.post('/comments', (c) => c.json({}));\n\
             export default api;\n",
        ),
        (
            "src/todos.ts",
            "import { Hono } from 'hono';\n\
             import { Consumer } from '@hono/stytch-auth';\n\
             export default new Hono()\n\
             \x20 .delete('/:id', Consumer.authenticateSessionRemote(), (c) => c.json({}));\n",
        ),
    ])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/todos/:id",
                "caller check `Consumer.authenticateSessionRemote`",
                "none seen",
                "src/todos.ts:4"
            ]),
            // `/posts/*` only: the comments are open.
            row(["POST", "/api/comments", "none", "none seen", "src/api.ts:4"]),
            row([
                "POST",
                "/api/posts",
                "caller check `basicAuth` via src/index.ts",
                "none seen",
                "src/api.ts:3"
            ]),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("src/api.ts", Some(4), M)]
    );
    Ok(())
}

#[test]
fn nestjs_composed_auth_decorators_and_a_service_named_like_a_check() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "src/decorators/http.decorators.ts",
            "import { applyDecorators, UseGuards } from '@nestjs/common';\n\
             import { AuthGuard } from '@nestjs/passport';\n\
             export function Auth(roles = []) {\n\
             \x20 return applyDecorators(\n\
             \x20   UseGuards(AuthGuard('jwt'), RolesGuard),\n\
             \x20 );\n\
             }\n",
        ),
        (
            "src/main.ts",
            "async function bootstrap() {\n\
             \x20 const app = await NestFactory.create(AppModule);\n\
             \x20 app.useGlobalPipes(\n\
             \x20   new ValidationPipe({ whitelist: true }),\n\
             \x20 );\n\
             }\n",
        ),
        (
            "src/posts.controller.ts",
            "import { Auth } from './decorators/http.decorators';\n\
             @Controller('posts')\n\
             export class PostsController {\n\
             \x20 @Post()\n\
             \x20 @Auth(['user'])\n\
             \x20 create() { return {}; }\n\
             \x20 @Put(':id')\n\
             \x20 update() { return this.users.getUser(); }\n\
             }\n",
        ),
    ])?;
    let pipe = "class-validator (ValidationPipe)";
    assert_eq!(
        routes(&evidence),
        [
            row([
                "POST",
                "/posts",
                "caller check `@Auth → AuthGuard('jwt')` via src/decorators/http.decorators.ts",
                pipe,
                "src/posts.controller.ts:6"
            ]),
            // `this.users.getUser()` is the service's, not a session read.
            row([
                "PUT",
                "/posts/:id",
                "none",
                pipe,
                "src/posts.controller.ts:8"
            ]),
        ]
    );
    Ok(())
}

#[test]
fn hono_openapi_routes_made_by_a_factory_and_defined_in_another_module() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "src/lib/create-app.ts",
            "import { OpenAPIHono } from '@hono/zod-openapi';\n\
             export function createRouter() {\n\
             \x20 return new OpenAPIHono({ strict: false });\n\
             }\n",
        ),
        (
            "src/routes/tasks.routes.ts",
            "import { createRoute, z } from '@hono/zod-openapi';\n\
             import { bearerAuth } from 'hono/bearer-auth';\n\
             const auth = bearerAuth({ token: 'from-env' });\n\
             export const create = createRoute({\n\
             \x20 path: '/tasks',\n\
             \x20 method: 'post',\n\
             \x20 request: { body: { content: {} } },\n\
             \x20 responses: {},\n\
             });\n\
             export const remove = createRoute({\n\
             \x20 path: '/tasks/{id}',\n\
             \x20 method: 'delete',\n\
             \x20 middleware: [auth] as const,\n\
             \x20 responses: {},\n\
             });\n",
        ),
        (
            "src/routes/tasks.index.ts",
            "import { createRouter } from '../lib/create-app';\n\
             import * as handlers from './tasks.handlers';\n\
             import * as routes from './tasks.routes';\n\
             const router = createRouter()\n\
             \x20 .openapi(routes.create, handlers.create)\n\
             \x20 .openapi(routes.remove, handlers.remove);\n\
             export default router;\n",
        ),
    ])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/tasks/{id}",
                "caller check `auth = bearerAuth`",
                "none seen",
                "src/routes/tasks.index.ts:6"
            ]),
            row([
                "POST",
                "/tasks",
                "none",
                "zod (OpenAPI route)",
                "src/routes/tasks.index.ts:5"
            ]),
        ]
    );
    Ok(())
}

#[test]
fn fastify_made_by_require_and_a_plugin_required_from_another_file() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "fastify": "^4.0.0" } }"#,
        ),
        (
            "server.js",
            "const fastify = require('fastify')({ logger: true });\n\
             fastify.register(require('./auth'));\n\
             fastify.register(require('./orders'), { prefix: '/orders' });\n\
             fastify.post('/insert', async () => ({}));\n",
        ),
        (
            "auth.js",
            "const fp = require('fastify-plugin');\n\
             module.exports = fp(async (fastify) => {\n\
             \x20 fastify.decorate('verify', async (req) => { await req.jwtVerify(); });\n\
             });\n",
        ),
        (
            "orders.js",
            "module.exports = async function orders(fastify) {\n\
             \x20 fastify.delete('/:id', { preValidation: [fastify.verify] }, async () => ({}));\n\
             };\n",
        ),
    ])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/orders/:id",
                "caller check `fastify.verify → req.jwtVerify` via auth.js",
                "none seen",
                "orders.js:2"
            ]),
            row(["POST", "/insert", "none", "none seen", "server.js:4"]),
        ]
    );
    Ok(())
}

#[test]
fn hono_in_a_supabase_edge_function_checks_the_user_in_inline_middleware() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[(
        "supabase/functions/admin-api/index.ts",
        "import { Hono } from 'jsr:@hono/hono';\n\
         import { createClient } from 'jsr:@supabase/supabase-js@2';\n\
         const admin = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!);\n\
         const app = new Hono().basePath('/admin-api');\n\
         app.use('*', async (c, next) => {\n\
         \x20 const token = c.req.header('authorization')?.replace('Bearer ', '');\n\
         \x20 const { data } = await admin.auth.getUser(token);\n\
         \x20 if (!data.user) return c.json({}, 401);\n\
         \x20 await next();\n\
         });\n\
         app.delete('/users/:id', async (c) => c.json({}));\n\
         Deno.serve(app.fetch);\n",
    )])?;
    let rows = routes(&evidence);
    assert!(
        rows.contains(&row([
            "DELETE",
            "/admin-api/users/:id",
            "caller check `admin.auth.getUser`",
            "none seen",
            "supabase/functions/admin-api/index.ts:11"
        ])),
        "{rows:?}"
    );
    assert_eq!(found(&evidence, "source.route-unguarded"), []);
    Ok(())
}

#[test]
fn cloud_functions_callables_refusing_without_auth_by_any_error() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[(
        "functions/src/index.ts",
        "import { onCall, HttpsError } from 'firebase-functions/v1/https';\n\
         export const rename = onCall((request) => {\n\
         \x20 if (!request.auth) {\n\
         \x20   throw new HttpsError('failed-precondition', 'Sign in first.');\n\
         \x20 }\n\
         \x20 return { ok: true };\n\
         });\n\
         export const archive = onCall((request) => {\n\
         \x20 if (!request.auth) {\n\
         \x20   return { status: 'error' };\n\
         \x20 }\n\
         \x20 return { ok: true };\n\
         });\n",
    )])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "POST",
                "archive",
                "caller check `refuses without auth`",
                "none seen",
                "functions/src/index.ts:8"
            ]),
            row([
                "POST",
                "rename",
                "caller check `refuses without auth`",
                "none seen",
                "functions/src/index.ts:2"
            ]),
        ]
    );
    Ok(())
}

#[test]
fn koa_handler_that_throws_without_a_user_is_guarded() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[(
        "routes.js",
        "const Router = require('@koa/router');\n\
         const router = new Router();\n\
         router.delete('/items/:id', async (ctx) => {\n\
         \x20 if (!ctx.state.user) ctx.throw(401);\n\
         \x20 ctx.status = 204;\n\
         });\n\
         router.put('/items/:id', async (ctx) => {\n\
         \x20 ctx.status = 204;\n\
         });\n",
    )])?;
    assert_eq!(
        routes(&evidence),
        [
            row([
                "DELETE",
                "/items/:id",
                "caller check `ctx.state.user`",
                "none seen",
                "routes.js:3"
            ]),
            row(["PUT", "/items/:id", "none", "none seen", "routes.js:7"]),
        ]
    );
    Ok(())
}
