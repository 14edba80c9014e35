//! Routes that are public by design (sign-up, sign-in, password resets),
//! routes bounded by the caller's own session, and their look-alikes that
//! must still be flagged.

use diligence_model::Confidence;

use crate::{evidence_of_files as evidence, found};

#[test]
fn fastapi_dependencies_through_a_type_alias_guard_the_route() -> anyhow::Result<()> {
    let evidence = evidence(&[
        ("requirements.txt", "fastapi==0.115.0\n"),
        ("app/__init__.py", ""),
        ("app/api/__init__.py", ""),
        (
            "app/api/deps.py",
            "from typing import Annotated\n\
             import jwt\n\
             from fastapi import Depends\n\
             \n\
             def get_db():\n    yield None\n\
             \n\
             SessionDep = Annotated[object, Depends(get_db)]\n\
             \n\
             def get_current_user(session: SessionDep, token: str) -> dict:\n\
             \x20   return jwt.decode(token, 'k', algorithms=['HS256'])\n\
             \n\
             CurrentUser = Annotated[dict, Depends(get_current_user)]\n",
        ),
        (
            "app/api/items.py",
            "from fastapi import APIRouter\n\
             from app.api.deps import CurrentUser, SessionDep\n\
             \n\
             router = APIRouter(prefix='/items')\n\
             \n\
             @router.post('/')\n\
             def create_item(*, session: SessionDep, current_user: CurrentUser, name: str):\n\
             \x20   return {'name': name}\n\
             \n\
             @router.delete('/{id}')\n\
             def delete_item(session: SessionDep, id: int):\n\
             \x20   return None\n",
        ),
    ])?;
    // The alias that reaches a verified token guards; the session alias
    // does not.
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("app/api/items.py", Some(11), Confidence::Medium)]
    );
    Ok(())
}

#[test]
fn sign_up_through_a_hashing_helper_is_public_and_other_writes_are_not() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0", "bcryptjs": "^2.4.3" } }"#,
        ),
        (
            "src/users.service.ts",
            "import bcrypt from 'bcryptjs';\n\
             export async function createUser(input: any) {\n\
             \x20 const hashed = await bcrypt.hash(input.password, 10);\n\
             \x20 return db.user.create({ data: { ...input, password: hashed } });\n\
             }\n\
             export async function renameUser(id: string, name: string) {\n\
             \x20 return db.user.update({ where: { id }, data: { name } });\n\
             }\n",
        ),
        (
            "src/users.controller.ts",
            "import { Router } from 'express';\n\
             import { createUser, renameUser } from './users.service';\n\
             const router = Router();\n\
             router.post('/users', async (req, res) => {\n\
             \x20 res.json(await createUser(req.body.user));\n\
             });\n\
             router.post('/users/rename', async (req, res) => {\n\
             \x20 res.json(await renameUser(req.body.id, req.body.name));\n\
             });\n\
             export default router;\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("src/users.controller.ts", Some(7), Confidence::Medium)]
    );
    Ok(())
}

#[test]
fn server_actions_bounded_by_the_callers_session_are_not_open() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "next": "15.0.0", "@supabase/ssr": "^0.5.0" } }"#,
        ),
        (
            "utils/supabase/server.ts",
            "import { createServerClient } from '@supabase/ssr';\n\
             import { cookies } from 'next/headers';\n\
             export function createClient() {\n\
             \x20 return createServerClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!, { cookies: cookies() });\n\
             }\n",
        ),
        (
            "utils/supabase/admin.ts",
            "import { createClient as create } from '@supabase/supabase-js';\n\
             export function createAdmin() {\n\
             \x20 return create(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);\n\
             }\n",
        ),
        (
            "app/actions.ts",
            "'use server';\n\
             import { redirect } from 'next/navigation';\n\
             import { createClient } from '@/utils/supabase/server';\n\
             import { createAdmin } from '@/utils/supabase/admin';\n\
             export async function updateName(form: FormData) {\n\
             \x20 const supabase = createClient();\n\
             \x20 return supabase.auth.updateUser({ data: { full_name: form.get('name') } });\n\
             }\n\
             export async function archiveNote(id: string) {\n\
             \x20 const supabase = createClient();\n\
             \x20 return supabase.from('notes').update({ archived: true }).eq('id', id);\n\
             }\n\
             export async function goTo(path: string) {\n\
             \x20 return redirect(path);\n\
             }\n\
             export async function purgeNote(id: string) {\n\
             \x20 const admin = createAdmin();\n\
             \x20 return admin.from('notes').delete().eq('id', id);\n\
             }\n\
             export async function requestReset(form: FormData) {\n\
             \x20 const supabase = createClient();\n\
             \x20 return supabase.auth.resetPasswordForEmail(String(form.get('email')));\n\
             }\n",
        ),
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "paths": { "@/*": ["./*"] } } }"#,
        ),
    ])?;
    // Only the action that acts with the service-role key is open.
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [("app/actions.ts", Some(16), Confidence::Medium)]
    );
    let routes = match evidence.inventories.get("routes") {
        Some(diligence_model::Inventory::Table(table)) => table.rows.clone(),
        _ => Vec::new(),
    };
    let guard_of = |name: &str| {
        routes
            .iter()
            .find(|r| r[1] == name)
            .map(|r| r[2].clone())
            .unwrap_or_default()
    };
    assert!(
        guard_of("archiveNote").contains("row-level security decides"),
        "{routes:?}"
    );
    assert!(
        guard_of("archiveNote").contains("via utils/supabase/server.ts"),
        "{routes:?}"
    );
    assert!(
        guard_of("updateName").contains("auth.updateUser"),
        "{routes:?}"
    );
    Ok(())
}

const OPEN_FUNCTION: &str = "import { createClient } from 'npm:@supabase/supabase-js@2';\n\
     Deno.serve(async (req) => {\n\
     \x20 const admin = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!);\n\
     \x20 const { userId } = await req.json();\n\
     \x20 await admin.auth.admin.deleteUser(userId);\n\
     \x20 return new Response('ok');\n\
     });\n";

#[test]
fn an_open_function_no_signed_in_page_calls_stays_unauthenticated() -> anyhow::Result<()> {
    let evidence = evidence(&[
        ("vite.config.ts", "export default {};\n"),
        (
            "supabase/config.toml",
            "[functions.delete-account]\nverify_jwt = false\n",
        ),
        ("supabase/functions/delete-account/index.ts", OPEN_FUNCTION),
        // A page that calls it without reading the user: nothing says the
        // interface hides it.
        (
            "src/Danger.tsx",
            "import { supabase } from './supabase';\n\
             export default function Danger() {\n\
             \x20 const go = () => supabase.functions.invoke('delete-account', { body: {} });\n\
             \x20 return <button onClick={go}>x</button>;\n\
             }\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.edge-function-unauthenticated"),
        [(
            "supabase/functions/delete-account/index.ts",
            Some(2),
            Confidence::High
        )]
    );
    assert_eq!(found(&evidence, "source.route-guarded-only-in-ui"), []);
    Ok(())
}

#[test]
fn routes_called_from_signed_in_pages_are_guarded_only_in_the_ui() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0", "react": "^18.0.0", "vite": "^5.0.0" } }"#,
        ),
        ("web/vite.config.ts", "export default {};\n"),
        (
            "server/app.ts",
            "import express from 'express';\n\
             const app = express();\n\
             app.delete('/api/notes/:id', async (req, res) => { await db.notes.delete(req.params.id); res.end(); });\n\
             app.post('/api/feedback', async (req, res) => { await db.feedback.create(req.body); res.end(); });\n\
             app.put('/api/profile', async (req, res) => { await db.profiles.update(req.body); res.end(); });\n\
             app.post('/api/reports', async (req, res) => { await db.reports.create(req.body); res.end(); });\n",
        ),
        (
            "web/src/pages/Notes.tsx",
            "import { useAuth } from '../auth';\n\
             export default function Notes({ id }: { id: string }) {\n\
             \x20 const { user } = useAuth();\n\
             \x20 const remove = () => fetch(`/api/notes/${id}`, { method: 'DELETE' });\n\
             \x20 const save = (p: any) => fetch('/api/profile', { method: 'PUT', body: JSON.stringify({ ...p, userId: user.id }) });\n\
             \x20 return <button onClick={remove}>x</button>;\n\
             }\n",
        ),
        // A public page posts feedback: no signed-in user is read.
        (
            "web/src/pages/Contact.tsx",
            "export default function Contact() {\n\
             \x20 const send = (body: string) => fetch('/api/feedback', { method: 'POST', body });\n\
             \x20 return <button onClick={() => send('hi')}>x</button>;\n\
             }\n",
        ),
        // Behind a guard component, without reading the user: low, so the
        // plain finding stays.
        (
            "web/src/pages/Reports.tsx",
            "import axios from 'axios';\n\
             export default function Reports() {\n\
             \x20 const make = () => axios.post('/api/reports', { kind: 'monthly' });\n\
             \x20 return <button onClick={make}>x</button>;\n\
             }\n",
        ),
        (
            "web/src/App.tsx",
            "import ProtectedRoute from './ProtectedRoute';\n\
             import Reports from './pages/Reports';\n\
             export default function App() { return <ProtectedRoute><Reports /></ProtectedRoute>; }\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.route-guarded-only-in-ui"),
        [
            ("server/app.ts", Some(3), Confidence::Medium),
            ("server/app.ts", Some(5), Confidence::High),
        ]
    );
    assert_eq!(
        found(&evidence, "source.route-unguarded"),
        [
            ("server/app.ts", Some(4), Confidence::Medium),
            ("server/app.ts", Some(6), Confidence::Medium),
        ]
    );
    let profile = evidence
        .findings
        .iter()
        .find(|f| {
            f.rule.as_str() == "source.route-guarded-only-in-ui" && f.location.line == Some(5)
        })
        .expect("finding");
    assert!(
        profile.message.contains("web/src/pages/Notes.tsx:5")
            && profile.message.contains("`useAuth`")
            && profile.message.contains("sends the user's own id"),
        "{}",
        profile.message
    );
    Ok(())
}

const REQUIRE_USER: &str = "import jwt from 'jsonwebtoken';\n\
     export function requireUser(req: any, res: any, next: any) {\n\
     \x20 req.user = jwt.verify(req.headers.authorization, process.env.JWT_SECRET!, { algorithms: ['HS256'] });\n\
     \x20 next();\n\
     }\n";

#[test]
fn signed_in_writes_to_a_record_the_request_names_must_relate_it_to_the_caller()
-> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4.19.0" } }"#,
        ),
        ("server/auth.ts", REQUIRE_USER),
        (
            "server/app.ts",
            "import express from 'express';\n\
             import { requireUser } from './auth';\n\
             const app = express();\n\
             app.delete('/api/notes/:id', requireUser, async (req, res) => {\n\
             \x20 await db.note.delete({ where: { id: req.params.id } });\n\
             \x20 res.end();\n\
             });\n\
             app.put('/api/profile', requireUser, async (req, res) => {\n\
             \x20 const { userId } = req.body;\n\
             \x20 await db.user.update({ where: { id: userId }, data: { name: req.body.name } });\n\
             \x20 res.end();\n\
             });\n\
             app.patch('/api/notes/:id', requireUser, async (req, res) => {\n\
             \x20 await db.note.update({ where: { id: req.params.id, ownerId: req.user.id }, data: req.body });\n\
             \x20 res.end();\n\
             });\n\
             app.delete('/api/tasks/:id', requireUser, async (req, res) => {\n\
             \x20 const task = await db.task.findUnique({ where: { id: req.params.id } });\n\
             \x20 if (task.ownerId !== req.user.id) return res.status(403).end();\n\
             \x20 await db.task.delete({ where: { id: req.params.id } });\n\
             \x20 res.end();\n\
             });\n\
             app.delete('/api/orders/:id', requireUser, async (req, res) => {\n\
             \x20 await pool.query('DELETE FROM orders WHERE id = $1', [req.params.id]);\n\
             \x20 res.end();\n\
             });\n\
             app.delete('/api/carts/:id', requireUser, async (req, res) => {\n\
             \x20 await pool.query('DELETE FROM carts WHERE id = $1 AND user_id = $2', [req.params.id, req.user.id]);\n\
             \x20 res.end();\n\
             });\n\
             app.delete('/api/files/:id', async (req, res) => {\n\
             \x20 const claims = jwt.verify(req.headers.authorization, process.env.JWT_SECRET!, { algorithms: ['HS256'] });\n\
             \x20 if (!claims) return res.status(401).end();\n\
             \x20 await db.file.delete({ where: { id: req.params.id } });\n\
             \x20 res.end();\n\
             });\n",
        ),
    ])?;
    // Behind a middleware the handler never learns who calls (an admin
    // area or a single-tenant app look the same): low. A handler that
    // verifies the caller itself and ignores them: medium.
    assert_eq!(
        found(&evidence, "source.object-not-owned"),
        [
            ("server/app.ts", Some(5), Confidence::Low),
            ("server/app.ts", Some(10), Confidence::Low),
            ("server/app.ts", Some(24), Confidence::Low),
            ("server/app.ts", Some(34), Confidence::Medium),
        ]
    );
    // An unguarded route is the unguarded rule's, not this one's.
    assert_eq!(found(&evidence, "source.route-unguarded"), []);
    Ok(())
}

#[test]
fn python_views_that_write_a_named_record_must_scope_it_to_the_caller() -> anyhow::Result<()> {
    let evidence = evidence(&[
        ("requirements.txt", "django==5.0\n"),
        ("project/__init__.py", ""),
        (
            "project/urls.py",
            "from django.urls import path\n\
             from notes import views\n\
             urlpatterns = [\n\
             \x20   path('notes/<int:pk>/delete/', views.delete_note),\n\
             \x20   path('notes/<int:pk>/archive/', views.archive_note),\n\
             ]\n",
        ),
        ("notes/__init__.py", ""),
        (
            "notes/views.py",
            "from django.contrib.auth.decorators import login_required\n\
             from django.views.decorators.http import require_POST\n\
             from .models import Note\n\
             \n\
             @login_required\n\
             @require_POST\n\
             def delete_note(request, pk):\n\
             \x20   Note.objects.filter(pk=pk).delete()\n\
             \x20   return None\n\
             \n\
             @login_required\n\
             @require_POST\n\
             def archive_note(request, pk):\n\
             \x20   Note.objects.filter(pk=pk, owner=request.user).update(archived=True)\n\
             \x20   return None\n",
        ),
        ("project/settings.py", "ROOT_URLCONF = 'project.urls'\n"),
    ])?;
    assert_eq!(
        found(&evidence, "source.object-not-owned"),
        [("notes/views.py", Some(8), Confidence::Low)]
    );
    Ok(())
}

#[test]
fn routes_answering_every_method_are_judged_by_what_their_handler_does() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "@netlify/functions": "^2.0.0" } }"#,
        ),
        (
            "netlify/functions/hello.ts",
            "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n",
        ),
        (
            "netlify/functions/orders.ts",
            "import { db } from '../db';\n\
             export const handler = async () => ({ statusCode: 200, body: JSON.stringify(await db.order.findMany()) });\n",
        ),
        (
            "netlify/functions/vote.ts",
            "import { db } from '../db';\n\
             export const handler = async (event: any) => {\n\
             \x20 await db.vote.create({ data: JSON.parse(event.body) });\n\
             \x20 return { statusCode: 204 };\n\
             };\n",
        ),
    ])?;
    let unguarded: Vec<(&str, String)> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.route-unguarded")
        .map(|f| (f.location.path.as_deref().unwrap_or(""), f.message.clone()))
        .collect();
    assert_eq!(unguarded.len(), 2, "{unguarded:?}");
    assert!(unguarded[0].0.ends_with("orders.ts") && unguarded[0].1.contains("reads stored data"));
    assert!(unguarded[1].0.ends_with("vote.ts") && unguarded[1].1.contains("changes state"));
    Ok(())
}

#[test]
fn guards_are_found_through_barrel_re_exports() -> anyhow::Result<()> {
    let app = |auth: &str| {
        evidence(&[
            (
                "package.json",
                r#"{ "dependencies": { "next": "15.0.0" } }"#,
            ),
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["./*"] } } }"#,
            ),
            (
                "lib/index.ts",
                "export * from './format';\nexport * from './auth';\n",
            ),
            (
                "lib/format.ts",
                "export function money(n: number) { return `${n}`; }\n",
            ),
            ("lib/auth.ts", auth),
            (
                "app/api/notes/route.ts",
                "import { requireUser } from '@/lib';\n\
                 export async function DELETE(req: Request) {\n\
                 \x20 await requireUser(req);\n\
                 \x20 await db.note.deleteMany();\n\
                 \x20 return new Response(null, { status: 204 });\n\
                 }\n",
            ),
        ])
    };
    let guarded = app("import { getServerSession } from 'next-auth';\n\
         export async function requireUser(req: Request) {\n\
         \x20 const session = await getServerSession();\n\
         \x20 if (!session) throw new Error('unauthorised');\n\
         \x20 return session.user;\n\
         }\n")?;
    assert_eq!(found(&guarded, "source.route-unguarded"), []);
    // The same barrel, a helper that checks nothing.
    let open = app(
        "export async function requireUser(req: Request) {\n  return req.headers.get('x-user');\n}\n",
    )?;
    assert_eq!(
        found(&open, "source.route-unguarded"),
        [("app/api/notes/route.ts", Some(2), Confidence::Medium)]
    );
    Ok(())
}

#[test]
fn rust_token_keys_unverified_decoding_and_weak_password_hashes() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\naxum = \"0.8\"\njsonwebtoken = \"9\"\n",
        ),
        (
            "src/auth.rs",
            "use jsonwebtoken::{decode, encode, DecodingKey, EncodingKey, Header, Validation};\n\
             pub fn sign(claims: &Claims) -> String {\n\
             \x20   encode(&Header::default(), claims, &EncodingKey::from_secret(b\"hunter2-signing\")).unwrap()\n\
             }\n\
             pub fn read(token: &str) -> Claims {\n\
             \x20   let mut validation = Validation::default();\n\
             \x20   validation.insecure_disable_signature_validation();\n\
             \x20   decode::<Claims>(token, &DecodingKey::from_secret(\"k\".as_bytes()), &validation).unwrap().claims\n\
             }\n\
             pub fn store(password: &str) -> String {\n\
             \x20   format!(\"{:x}\", md5::compute(password))\n\
             }\n",
        ),
        // The sound look-alikes: a key from the environment, a default
        // validation, argon2, and MD5 over a file's bytes.
        (
            "src/sound.rs",
            "use jsonwebtoken::{decode, DecodingKey, Validation};\n\
             pub fn read(token: &str) -> Claims {\n\
             \x20   let secret = std::env::var(\"JWT_SECRET\").unwrap();\n\
             \x20   decode::<Claims>(token, &DecodingKey::from_secret(secret.as_bytes()), &Validation::default()).unwrap().claims\n\
             }\n\
             pub fn etag(body: &[u8]) -> String {\n\
             \x20   format!(\"{:x}\", md5::compute(body))\n\
             }\n\
             pub fn strict(token: &str) -> Claims {\n\
             \x20   let key = std::env::var(\"SESSION_SECRET\").unwrap_or_default();\n\
             \x20   decode::<Claims>(token, &DecodingKey::from_secret(key.as_bytes()), &Validation::default()).unwrap().claims\n\
             }\n",
        ),
        // A key that falls back to a literal where the variable is unset,
        // bound to a name and in place.
        (
            "src/fallback.rs",
            "use jsonwebtoken::{decode, encode, DecodingKey, EncodingKey, Header, Validation};\n\
             pub fn sign(claims: &Claims) -> String {\n\
             \x20   let secret = std::env::var(\"JWT_SECRET\").unwrap_or_else(|_| \"dev-secret\".to_string());\n\
             \x20   encode(&Header::default(), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()\n\
             }\n\
             pub fn read(token: &str) -> Claims {\n\
             \x20   decode::<Claims>(token, &DecodingKey::from_secret(std::env::var(\"JWT_SECRET\").unwrap_or(String::from(\"dev-secret\")).as_bytes()), &Validation::default()).unwrap().claims\n\
             }\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.jwt-literal-secret"),
        [
            ("src/auth.rs", Some(3), Confidence::High),
            ("src/auth.rs", Some(8), Confidence::High),
            ("src/fallback.rs", Some(4), Confidence::Medium),
            ("src/fallback.rs", Some(7), Confidence::Medium),
        ]
    );
    assert_eq!(
        found(&evidence, "source.jwt-decode-unverified"),
        [("src/auth.rs", Some(7), Confidence::High)]
    );
    assert_eq!(
        found(&evidence, "source.weak-password-hash"),
        [("src/auth.rs", Some(11), Confidence::High)]
    );
    Ok(())
}

#[test]
fn guards_are_found_in_packages_of_the_workspace() -> anyhow::Result<()> {
    let app = |auth: &str| {
        evidence(&[
            (
                "package.json",
                r#"{ "name": "acme", "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
            ),
            (
                "apps/web/package.json",
                r#"{ "name": "web", "dependencies": { "next": "15.0.0", "@acme/auth": "workspace:*" } }"#,
            ),
            (
                "packages/auth/package.json",
                r#"{ "name": "@acme/auth", "main": "./src/index.ts" }"#,
            ),
            ("packages/auth/src/index.ts", auth),
            (
                "apps/web/app/api/notes/route.ts",
                "import { requireUser } from '@acme/auth';\n\
                 export async function DELETE(req: Request) {\n\
                 \x20 await requireUser(req);\n\
                 \x20 await db.note.deleteMany();\n\
                 \x20 return new Response(null, { status: 204 });\n\
                 }\n",
            ),
        ])
    };
    let guarded = app("import { getServerSession } from 'next-auth';\n\
         export async function requireUser(req: Request) {\n\
         \x20 const session = await getServerSession();\n\
         \x20 if (!session) throw new Error('unauthorised');\n\
         \x20 return session.user;\n\
         }\n")?;
    assert_eq!(found(&guarded, "source.route-unguarded"), []);
    let open = app(
        "export async function requireUser(req: Request) {\n  return req.headers.get('x-user');\n}\n",
    )?;
    assert_eq!(
        found(&open, "source.route-unguarded"),
        [(
            "apps/web/app/api/notes/route.ts",
            Some(2),
            Confidence::Medium
        )]
    );
    Ok(())
}

#[test]
fn route_kinds_not_read_yet_are_named() -> anyhow::Result<()> {
    let not_analysed = |package_json: &str| -> anyhow::Result<String> {
        let evidence = evidence(&[("package.json", package_json)])?;
        Ok(evidence
            .facts
            .get("source.not-analysed")
            .map(|f| f.value.to_string())
            .unwrap_or_default())
    };
    let named = not_analysed(
        r#"{ "dependencies": { "@trpc/server": "^11.0.0", "astro": "^5.0.0", "@sveltejs/kit": "^2.0.0" } }"#,
    )?;
    for words in [
        "tRPC procedures",
        "Astro endpoints",
        "SvelteKit endpoints and form actions",
    ] {
        assert!(named.contains(words), "{named}");
    }
    // A Worker made with Hono is read through its routes; a GraphQL client
    // names no resolver.
    let read = not_analysed(
        r#"{ "dependencies": { "hono": "^4.0.0", "graphql": "^16.0.0" }, "devDependencies": { "wrangler": "^3.0.0" } }"#,
    )?;
    assert_eq!(read, "none");
    Ok(())
}

#[test]
fn webhooks_are_told_from_webhook_settings_and_answer_only_routes_change_nothing()
-> anyhow::Result<()> {
    let hooks = "\
import Router from 'koa-router';
import { validateWebhook } from '../middlewares/webhooks';
import { requireUser } from '../middlewares/auth';
const router = new Router();
router.post('github.webhooks', validateWebhook({ secretKey: process.env.GH_SECRET }), async (ctx) => {
  await queue.add(ctx.request.body);
});
router.post('hooks.slack', async (ctx) => {
  verifySlackToken(ctx.request.body.token);
  await runCommand(ctx.request.body.text);
});
router.post('stripe.webhook', async (ctx) => {
  await markPaid(ctx.request.body.data);
});
router.post('webhookSubscriptions.create', requireUser, async (ctx) => {
  await Subscriptions.create({ url: ctx.request.body.url });
});
router.post('webhookSubscriptions.delete', async (ctx) => {
  await Subscriptions.destroy({ where: { id: ctx.request.body.id } });
});
router.post('reports.refresh', async (ctx) => {
  verifyToken(ctx.request.body.token);
  await refresh(ctx.request.body.id);
});
router.delete('/', async (ctx) => {
  ctx.status = 405;
  ctx.set('Allow', 'POST');
});
router.post('/test/error', (ctx) => ctx.throw(500, new Error()));
router.post('/purge', async (ctx) => {
  ctx.set('Cache-Control', 'no-store');
  await cache.clear();
});
router.post('installation.create', async (ctx) => {
  const user = await Users.create({ email: ctx.request.body.email });
  await signIn(ctx, 'email', { user });
});
router.post('notifications.unsubscribe', async (ctx) => {
  await Settings.update({ email: false }, { where: { token: ctx.request.body.token } });
});
export default router;
";
    let oauth = "\
import Router from 'koa-router';
const router = new Router();
router.post('/token', async (ctx) => {
  ctx.body = await server.token(ctx.request.body);
});
export default router;
";
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "koa": "^2", "koa-router": "^12" } }"#,
        ),
        ("server/routes/hooks.ts", hooks),
        ("server/routes/oauth/index.ts", oauth),
    ])?;
    let messages = |rule: &str| -> Vec<String> {
        evidence
            .findings
            .iter()
            .filter(|f| f.rule.as_str() == rule)
            .map(|f| f.message.split(" never").next().unwrap_or("").to_owned())
            .collect()
    };
    // Only the Stripe receiver verifies nothing; the GitHub one checks its
    // signature in a middleware and the Slack one the provider's token.
    assert_eq!(
        messages("source.webhook-unverified"),
        ["Koa webhook route POST stripe.webhook"]
    );
    let unguarded: Vec<String> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.route-unguarded")
        .map(|f| f.message.split(" changes").next().unwrap_or("").to_owned())
        .collect();
    // Managing webhook settings without a caller check is an open route,
    // not a webhook; a user's `verifyToken` is not a provider's check but
    // is a caller check; the 405 and test-error answers change nothing;
    // a purge that also sets a header does.
    assert_eq!(
        unguarded,
        [
            "Koa route POST webhookSubscriptions.delete",
            "Koa route POST /purge"
        ]
    );
    Ok(())
}

#[test]
fn validation_middleware_on_its_own_line_validates_the_route() -> anyhow::Result<()> {
    let schema = "\
import { z } from 'zod';
export const CreateSchema = z.object({ body: z.object({ title: z.string() }) });
";
    let koa = "\
import Router from 'koa-router';
import auth from '../middlewares/auth';
import validate from '../middlewares/validate';
import * as T from './schema';
const router = new Router();
router.post(
  'notes.create',
  auth(),
  validate(T.CreateSchema),
  async (ctx) => {
    await Note.create({ title: ctx.input.body.title });
  }
);
router.post(
  'notes.delete',
  auth(),
  async (ctx) => {
    await Note.destroy({ where: { id: ctx.request.body.id } });
  }
);
export default router;
";
    let express = "\
const express = require('express');
const { validate } = require('./validate');
const { CreateSchema } = require('./schema');
const app = express();
app.post(
  '/tags',
  validate(CreateSchema),
  (req, res) => { tags.push(req.body.name); res.end(); }
);
app.post('/flags', (req, res) => { flags.push(req.body.name); res.end(); });
";
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "koa": "^2", "koa-router": "^12", "express": "^4", "zod": "^3" } }"#,
        ),
        ("server/routes/schema.ts", schema),
        ("server/routes/notes.ts", koa),
        ("server/app/schema.js", schema),
        ("server/app/index.js", express),
    ])?;
    let rows = crate::nextjs::routes(&evidence);
    let validated: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        validated,
        [
            ("/flags", "none seen"),
            ("/tags", "zod"),
            ("notes.create", "zod"),
            ("notes.delete", "none seen")
        ],
        "{rows:?}"
    );
    Ok(())
}

#[test]
fn decoded_tokens_verified_by_the_caller_or_taken_from_the_provider_are_not_unverified()
-> anyhow::Result<()> {
    let jwt_util = "\
import JWT from 'jsonwebtoken';
export function payloadOf(token) {
  return JWT.decode(token);
}
export function claimsOf(token) {
  return JWT.decode(token);
}
export function sessionToken(user) {
  return JWT.sign({ id: user.id, expiresAt: user.sessionEnd }, user.secret);
}
export function forever(user) {
  return JWT.sign({ id: user.id }, user.secret);
}
";
    let users = "\
import JWT from 'jsonwebtoken';
import { payloadOf, claimsOf } from './jwt';
export async function userFor(token) {
  const { id } = payloadOf(token);
  const user = await Users.get(id);
  JWT.verify(token, user.secret);
  return user;
}
export async function unsafeUserFor(token) {
  const { id } = claimsOf(token);
  return Users.get(id);
}
";
    let oauth = "\
import jwt from 'jsonwebtoken';
export async function onTokens(accessToken, refreshToken, params, done) {
  const profile = jwt.decode(params.id_token);
  done(null, profile);
}
export async function onRequest(req) {
  return jwt.decode(req.body.id_token);
}
";
    let evidence = evidence(&[
        (
            "package.json",
            r#"{ "dependencies": { "jsonwebtoken": "^9" } }"#,
        ),
        ("server/jwt.ts", jwt_util),
        ("server/users.ts", users),
        ("server/passport.ts", oauth),
    ])?;
    // `payloadOf` is decoded before the caller verifies with the user's
    // key; `claimsOf` is believed as is; an ID token from the provider's
    // token response is trusted, one from the request body is not.
    assert_eq!(
        found(&evidence, "source.jwt-decode-unverified"),
        [
            ("server/jwt.ts", Some(6), Confidence::Medium),
            ("server/passport.ts", Some(7), Confidence::Medium)
        ]
    );
    // An expiry claim of the app's own is an expiry.
    assert_eq!(
        found(&evidence, "source.jwt-no-expiry"),
        [("server/jwt.ts", Some(12), Confidence::Medium)]
    );
    Ok(())
}
