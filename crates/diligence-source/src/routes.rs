//! The route inventory: every server entry point the detectors found, in
//! one shape whatever the stack.
//!
//! Each stack's detector (Supabase edge functions, FastAPI, Django,
//! Flask) turns what it found into [`Route`]s; [`routes`] gathers them,
//! and the evidence reads only this list for the inventory table and the
//! route counts. A stack adds itself by adding its detector's call to
//! [`routes`].

use diligence_model::{Confidence, FileClass};

use std::cell::RefCell;
use std::collections::HashMap;

use crate::supabase::{self, Guard};
use crate::{Arg, FileModel, SourceModel};

/// How a route checks who calls it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteGuard {
    /// A server-side check of the caller: a session or token read in the
    /// handler, in a middleware or router that covers it, or in a helper
    /// one or two calls away.
    Caller {
        /// What was seen (`supabase.auth.getUser`, `getServerSession`,
        /// `Depends(get_current_user)`, `requireAuth` middleware).
        check: String,
        /// The file the check is in, when it is not the handler's.
        via: Option<String>,
        /// High when seen on the route or its router, medium through one
        /// resolved hop, low when only a name suggests it.
        confidence: Confidence,
    },
    /// A webhook that verifies its provider's signature.
    Signature {
        /// The call (`stripe.webhooks.constructEvent`).
        check: String,
    },
    /// No check found.
    None,
    /// The handler could not be read (it failed to parse).
    NotAnalysed,
}

/// One server route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The stack that declares it (`Supabase Edge Functions`, `Next.js`,
    /// `Express`, `FastAPI` …), as named in `source.frameworks`.
    pub framework: String,
    /// `GET`, `POST` …; `ANY` when the route answers every method;
    /// `ACTION` for a server action.
    pub method: String,
    /// The path as the framework serves it (`/functions/v1/pay`,
    /// `/api/users/[id]`, `/users/:id`); the function name for a server
    /// action.
    pub path: String,
    /// The handler's file.
    pub file: String,
    /// The handler's 1-based line, when known.
    pub line: Option<u32>,
    /// The class of the handler's file: only production routes count.
    pub class: FileClass,
    /// The caller check.
    pub guard: RouteGuard,
    /// The schema library that validates the input at the boundary, when
    /// one does (`zod`, `pydantic`).
    pub validation: Option<String>,
    /// Stack-specific remarks for the inventory (`verify_jwt off`,
    /// `service role`).
    pub notes: Vec<String>,
}

impl Route {
    /// Whether the route changes state: any method but `GET`, `HEAD` and
    /// `OPTIONS` (an `ANY` route and a server action can).
    pub fn mutating(&self) -> bool {
        !matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS")
    }

    /// Whether the handler checks who calls (a caller check or a webhook
    /// signature).
    pub fn checks_caller(&self) -> bool {
        matches!(
            self.guard,
            RouteGuard::Caller { .. } | RouteGuard::Signature { .. }
        )
    }

    /// Whether the code marks the route public on purpose (a NestJS
    /// `@Public()` decorator read by a global guard): it then needs no
    /// caller check.
    pub fn declared_public(&self) -> bool {
        self.notes.iter().any(|n| n == crate::nestjs::PUBLIC_NOTE)
    }

    /// Whether the handler was read.
    pub fn analysed(&self) -> bool {
        !matches!(self.guard, RouteGuard::NotAnalysed)
    }

    /// `file:line`, or the file alone.
    pub fn handler(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }
}

/// What each middleware argument checks, read once per file and argument
/// during one reading of the routes: a file may register thousands of
/// routes behind the same middleware.
#[derive(Default)]
pub(crate) struct GuardMemo(RefCell<HashMap<(usize, String), Option<RouteGuard>>>);

impl GuardMemo {
    /// The guard of `arg` in `file`, read by `read` the first time.
    pub(crate) fn get(
        &self,
        file: &FileModel,
        arg: &Arg,
        read: impl FnOnce() -> Option<RouteGuard>,
    ) -> Option<RouteGuard> {
        let key = (std::ptr::from_ref(file) as usize, format!("{arg:?}"));
        if let Some(known) = self.0.borrow().get(&key) {
            return known.clone();
        }
        let guard = read();
        self.0.borrow_mut().insert(key, guard.clone());
        guard
    }
}

/// Every route of the target, in a stable order (by file, then line).
pub fn routes(model: &SourceModel) -> Vec<Route> {
    routes_with(model, &supabase::edge_functions(model))
}

/// Every route of the target, given its Supabase edge functions (read
/// once by the caller that also judges them).
pub(crate) fn routes_with(model: &SourceModel, functions: &[supabase::EdgeFunction]) -> Vec<Route> {
    let mut routes: Vec<Route> = functions
        .iter()
        .map(supabase::EdgeFunction::to_route)
        .collect();
    routes.extend(crate::nextjs::routes(model));
    routes.extend(crate::express::routes(model));
    routes.extend(crate::fastify::routes(model));
    routes.extend(crate::hono::routes(model));
    routes.extend(crate::koa::routes(model));
    routes.extend(crate::nestjs::routes(model));
    routes.extend(crate::cloud_functions::routes(model));
    routes.extend(crate::serverless::routes(model));
    routes.extend(crate::fastapi::routes(model));
    routes.extend(crate::django::routes(model));
    routes.extend(crate::flask::routes(model));
    routes.extend(crate::axum::routes(model));
    routes.extend(crate::actix::routes(model));
    routes.extend(crate::rocket::routes(model));
    routes.sort_by(|a, b| {
        (a.file.as_str(), a.line, a.method.as_str(), a.path.as_str()).cmp(&(
            b.file.as_str(),
            b.line,
            b.method.as_str(),
            b.path.as_str(),
        ))
    });
    routes
}

impl supabase::EdgeFunction {
    /// This function as a route of the inventory.
    pub fn to_route(&self) -> Route {
        let guard = match &self.guard {
            _ if !self.parsed => RouteGuard::NotAnalysed,
            Guard::Caller {
                call,
                path,
                confidence,
            } => RouteGuard::Caller {
                check: call.clone(),
                via: (*path != self.path).then(|| path.clone()),
                confidence: *confidence,
            },
            Guard::Signature { call } => RouteGuard::Signature {
                check: call.clone(),
            },
            Guard::None => RouteGuard::None,
        };
        let mut notes = vec![match self.verify_jwt {
            Some(true) => "verify_jwt on".to_owned(),
            Some(false) => "verify_jwt off".to_owned(),
            None => "verify_jwt on (default)".to_owned(),
        }];
        match &self.service_role {
            Some(path) if *path == self.path => notes.push("service role".to_owned()),
            Some(path) => notes.push(format!("service role (via {path})")),
            None => {}
        }
        Route {
            framework: "Supabase Edge Functions".to_owned(),
            method: "ANY".to_owned(),
            path: self.route(),
            file: self.path.clone(),
            line: self.line,
            class: self.class,
            guard,
            validation: None,
            notes,
        }
    }
}
