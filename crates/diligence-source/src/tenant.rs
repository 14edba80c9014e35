//! Tenant isolation in application queries: which ORM models carry a
//! tenant key, and whether the queries on them filter by it.
//!
//! Row-level security is judged from the migrations ([`crate::sql`]). An
//! app whose server reaches the database through an ORM (Prisma, Drizzle,
//! Django, SQLAlchemy and SQLModel, TypeORM, Sequelize, Mongoose) isolates
//! tenants only as well as every one of its queries filters by the tenant
//! key: this module reads those queries.
//!
//! A query counts as filtered when its `where` (Prisma, Drizzle's
//! relational API, TypeORM and Sequelize options), its filter object
//! (TypeORM's `findBy`, Mongoose), its keyword arguments (Django,
//! `filter_by`) or the function around it names a tenant or user key: a filter, a comparison after the fetch
//! (`if (project.orgId !== user.orgId)`), or a condition built elsewhere in
//! the same function. This reads names, not data flow, so the result is a
//! ratio to review, not a proof.

use std::collections::BTreeMap;

use diligence_model::FileClass;

use crate::SourceModel;
use crate::model::{Arg, Call, FileModel, Function, Language, Runtime};
use crate::schema::DataModel;

/// Tenant keys, compared without `_` and case: `org_id`, `orgId` and
/// `organizationId` all match.
const TENANT_KEYS: &[&str] = &[
    "tenantid",
    "orgid",
    "organizationid",
    "organisationid",
    "workspaceid",
    "teamid",
    "accountid",
];

/// Relations that lead to the tenant (`where: { organization: { … } }`,
/// Django's `organization=` or `project__organization=`).
const TENANT_RELATIONS: &[&str] = &[
    "tenant",
    "org",
    "organization",
    "organisation",
    "workspace",
    "team",
    "account",
];

/// Keys that tie a row to one user: a filter on them is stricter than one
/// on the tenant.
const USER_KEYS: &[&str] = &["userid", "ownerid", "createdby", "createdbyid", "profileid"];

/// Prisma client methods that read, change or remove rows.
const PRISMA_OPS: &[&str] = &[
    "findMany",
    "findFirst",
    "findFirstOrThrow",
    "findUnique",
    "findUniqueOrThrow",
    "update",
    "updateMany",
    "upsert",
    "delete",
    "deleteMany",
    "count",
    "aggregate",
    "groupBy",
];

/// Django queryset methods that read, change or remove rows.
const DJANGO_OPS: &[&str] = &[
    "filter",
    "get",
    "exclude",
    "all",
    "update",
    "delete",
    "values",
    "values_list",
    "first",
    "last",
    "get_or_create",
    "update_or_create",
];

/// Django's `get_object_or_404` and friends: the model comes first.
const DJANGO_SHORTCUTS: &[&str] = &["get_object_or_404", "get_list_or_404"];

/// SQLAlchemy and SQLModel calls that take the model first:
/// `session.query(Project)`, `session.get(Project, id)`,
/// `select(Project)`, `update(Project)`, `delete(Project)`.
const SQLALCHEMY_OPS: &[&str] = &["query", "get", "select", "update", "delete"];

/// TypeORM repository and entity-manager methods that read, change or
/// remove rows.
const TYPEORM_OPS: &[&str] = &[
    "find",
    "findOne",
    "findOneOrFail",
    "findBy",
    "findOneBy",
    "findOneByOrFail",
    "findAndCount",
    "findAndCountBy",
    "count",
    "countBy",
    "exists",
    "existsBy",
    "update",
    "delete",
    "softDelete",
];

/// Sequelize model methods (`Project.findAll({ where })`).
const SEQUELIZE_OPS: &[&str] = &[
    "findAll",
    "findOne",
    "findByPk",
    "findAndCountAll",
    "count",
    "update",
    "destroy",
];

/// Mongoose model methods (`Project.find({ orgId })`).
const MONGOOSE_OPS: &[&str] = &[
    "find",
    "findOne",
    "findById",
    "findByIdAndUpdate",
    "findByIdAndDelete",
    "findOneAndUpdate",
    "findOneAndDelete",
    "updateOne",
    "updateMany",
    "deleteOne",
    "deleteMany",
    "countDocuments",
];

/// A model or table whose rows carry a tenant key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantModel {
    /// `Prisma`, `Drizzle`, `Django`, `SQLAlchemy`, `SQLModel`, `TypeORM`,
    /// `Sequelize` or `Mongoose`.
    pub store: &'static str,
    /// The model's name as the code queries it (the Prisma model, the
    /// Drizzle table's variable, the model class).
    pub name: String,
    /// The tenant key field.
    pub field: String,
    /// Where it is declared.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

/// A query on a tenant model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantQuery {
    /// The model queried.
    pub model: String,
    /// The call, as written (`prisma.project.findMany`).
    pub call: String,
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// Whether it (or its function) filters by a tenant or user key.
    pub filtered: bool,
}

/// A name without `_`, lowercased: `org_id` and `orgId` read `orgid`.
fn flat(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether a key (a field, a keyword argument) names the tenant or a user
/// key, directly or through a relation (`project__organization_id`).
fn tenant_key(key: &str) -> bool {
    key.split("__").any(|part| {
        let flat = flat(part);
        TENANT_KEYS.contains(&flat.as_str())
            || USER_KEYS.contains(&flat.as_str())
            || TENANT_RELATIONS.contains(&flat.as_str())
            || TENANT_RELATIONS
                .iter()
                .any(|r| flat.strip_prefix(r).is_some_and(|rest| rest == "id"))
    })
}

/// Whether a field declares a tenant key (relations do not: the key
/// column does).
fn tenant_field(field: &str) -> bool {
    TENANT_KEYS.contains(&flat(field).as_str())
}

/// Whether a field names a user key (`user_id`, `ownerId`).
fn user_field(field: &str) -> bool {
    USER_KEYS.contains(&flat(field).as_str())
}

/// Whether a field is a tenant key: the key column (`org_id`), or a
/// single-valued relation to the tenant written by name (Django's
/// `organization = ForeignKey(Organization)`, TypeORM's `@ManyToOne(() =>
/// Team) team: Team`), whose column the ORM names `organization_id`.
fn tenant_key_field(field: &crate::schema::DataField) -> bool {
    tenant_field(&field.name)
        || field.relation.is_some()
            && TENANT_RELATIONS.contains(&flat(&field.name).as_str())
            && !field.kind.contains("ManyToMany")
            && !field.kind.contains("OneToMany")
}

/// The models with a tenant key among the data models
/// ([`crate::schema::models`]), by the name the code queries them with:
/// the Prisma model, the Drizzle table's variable, the model class.
pub fn tenant_models(models: &[DataModel]) -> Vec<TenantModel> {
    let mut out: Vec<TenantModel> = models
        .iter()
        .filter_map(|m| {
            let name = match m.store {
                "Drizzle" => m.binding.clone()?,
                "Prisma" | "Django" | "SQLAlchemy" | "SQLModel" | "TypeORM" | "Sequelize"
                | "Mongoose" => m.name.clone(),
                _ => return None,
            };
            let field = m.fields.iter().find(|f| tenant_key_field(f))?;
            Some(TenantModel {
                store: m.store,
                name,
                field: field.name.clone(),
                file: m.file.clone(),
                line: m.line,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    out.dedup_by(|a, b| a.name == b.name && a.store == b.store);
    out
}

/// Production files that run on a server to answer requests.
fn production(model: &SourceModel) -> impl Iterator<Item = &FileModel> {
    model.files.iter().filter(|f| {
        f.class == FileClass::Production
            && f.runtime != Runtime::Client
            && !seed_or_migration(&f.path)
            && !background_work(&f.path)
    })
}

/// Folders of background work: tasks, jobs, queue workers and scheduled
/// processors act on ids the server put in the job, not on ids a caller
/// chose, so their queries are not a request's reach into other tenants.
fn background_work(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut dirs = lower.split('/').rev().skip(1);
    dirs.any(|part| {
        matches!(
            part,
            "tasks" | "jobs" | "workers" | "queues" | "processors" | "consumers" | "cron" | "crons"
        )
    })
}

/// Names a request arrives under: a lookup keyed by one of their members
/// takes an id the caller chose.
const REQUEST_ROOTS: &[&str] = &[
    "req",
    "request",
    "ctx",
    "c",
    "context",
    "body",
    "params",
    "query",
    "input",
    "event",
    "args",
    "payload",
    "searchParams",
    "formData",
    "data",
    "kwargs",
];

/// Whether a query fetches a row by a key read from another row the
/// code already holds (`Collection.findByPk(document.collectionId)`,
/// `props.collectionId` in a mail being rendered): it follows a relation
/// of data already in the tenant, not an id the caller chose.
fn related_row_lookup(call: &Call) -> bool {
    let Some(Arg::Member(path)) = call.args.first() else {
        return false;
    };
    let parts: Vec<&str> = path.split(['.', '?']).filter(|p| !p.is_empty()).collect();
    let last = parts.last().copied().unwrap_or("");
    parts.len() > 1
        && !parts.iter().any(|p| REQUEST_ROOTS.contains(p))
        && (last.ends_with("Id") || last.ends_with("_id"))
        && matches!(
            call.method(),
            "findByPk" | "findById" | "findOneById" | "get" | "get_object_or_404"
        )
}

/// Calls of an authorisation layer that judge a fetched row for the
/// caller (`authorize(user, "read", document)`, CASL's `throwUnlessCan`,
/// Django REST framework's `check_object_permissions`): the policy
/// compares the row's tenant, so the query needs no filter of its own.
const AUTHORISE_CALLS: &[&str] = &[
    "authorize",
    "authorise",
    "authorizeOrThrow",
    "can",
    "cannot",
    "assertCan",
    "ensureCan",
    "throwUnlessCan",
    "checkAbility",
    "checkPermission",
    "checkPermissions",
    "checkAccess",
    "assertAccess",
    "canAccess",
    "check_object_permissions",
    "has_object_permission",
    "has_perm",
];

/// Whether a row bound to `row` is handed to an authorisation call in
/// `function`.
fn authorised_row(file: &FileModel, function: &Function, row: &str) -> bool {
    file.calls_in(function).any(|c| {
        AUTHORISE_CALLS.contains(&c.method())
            && c.args.iter().any(|a| {
                matches!(a, Arg::Ident(name) | Arg::Member(name)
                    if name == row || name.strip_prefix(row).is_some_and(|r| r.starts_with('.')))
            })
    })
}

/// Seed scripts and migrations touch every tenant by design.
fn seed_or_migration(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower
        .split('/')
        .any(|part| part.starts_with("seed") || part == "migrations" || part == "fixtures")
}

/// Whether `name` (a Prisma accessor, `project`) is the client accessor
/// of `model` (`Project`, or its mapped table `projects`).
fn prisma_accessor(name: &str, model: &str) -> bool {
    let (a, m) = (flat(name), flat(model));
    a == m || a.strip_suffix('s') == Some(&m) || m.strip_suffix('s') == Some(&a)
}

/// Whether an argument (an object literal, a few levels deep) has a key
/// naming the tenant or a user.
fn object_names_tenant(arg: &Arg, depth: usize) -> bool {
    match arg {
        Arg::Object(items) => items.iter().any(|(key, value)| {
            tenant_key(key) || (depth < 5 && object_names_tenant(value, depth + 1))
        }),
        Arg::Array(items) if depth < 5 => items.iter().any(|v| object_names_tenant(v, depth + 1)),
        _ => false,
    }
}

/// The innermost function around a call.
fn enclosing<'f>(file: &'f FileModel, call: &Call) -> Option<&'f Function> {
    file.functions
        .iter()
        .filter(|f| f.contains_call(call))
        .min_by_key(|f| f.span.1 - f.span.0)
}

/// Every function around a call, innermost first: a query in a callback
/// (`paginate(ctx, (opts) => Model.findAll({ where }))`) is filtered by
/// what the handler around it builds.
fn enclosing_all<'f>(file: &'f FileModel, call: &Call) -> Vec<&'f Function> {
    let mut around: Vec<&Function> = file
        .functions
        .iter()
        .filter(|f| f.contains_call(call))
        .collect();
    around.sort_by_key(|f| f.span.1 - f.span.0);
    around
}

/// Whether a name or member path names a tenant or user key in a part
/// after its first (`project.orgId`, `user.team.id`, `req.params.teamId`),
/// or is itself one (`orgId`).
fn path_names_tenant(path: &str) -> bool {
    let mut parts = path.split(['.', '?']).filter(|p| !p.is_empty());
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return tenant_field(first) || user_field(first);
    }
    rest.iter().any(|p| tenant_key(p))
}

/// Whether a function names a tenant or user key in a comparison, a
/// member path, a string key or an object key: a check after the fetch,
/// or a condition built before the call.
fn function_names_tenant(file: &FileModel, function: &Function) -> bool {
    let inside = |line: u32| function.contains(line);
    file.comparisons
        .iter()
        .filter(|c| inside(c.line))
        .any(|c| path_names_tenant(&c.left) || path_names_tenant(&c.right))
        || file.calls_in(function).any(|c| {
            c.args.iter().any(|a| match a {
                Arg::Member(path) | Arg::Ident(path) => path_names_tenant(path),
                Arg::Str(key) => tenant_field(key) || user_field(key),
                other => object_names_tenant(other, 0),
            }) || c.keywords.iter().any(|(k, _)| tenant_key(k))
        })
        || file
            .properties
            .iter()
            .filter(|p| function.span.0 <= p.offset && p.offset < function.span.1)
            .any(|p| tenant_key(&p.key))
}

/// Calls in production server code, by the callee's last name.
fn callers_by_name(model: &SourceModel) -> BTreeMap<&str, Vec<(&FileModel, &Call)>> {
    let mut out: BTreeMap<&str, Vec<(&FileModel, &Call)>> = BTreeMap::new();
    for file in production(model) {
        for call in &file.calls {
            out.entry(call.method()).or_default().push((file, call));
        }
    }
    out
}

/// Whether a data-access helper's callers all name the tenant: the
/// query in `deleteApiKey(id)` is filtered when every function that calls
/// `deleteApiKey` checks the key's team first, or passes a `where` with
/// the tenant key. False without callers.
fn callers_name_tenant(
    home: &FileModel,
    function: &Function,
    callers: &BTreeMap<&str, Vec<(&FileModel, &Call)>>,
) -> bool {
    let Some(name) = function.name.as_deref() else {
        return false;
    };
    let Some(sites) = callers.get(name) else {
        return false;
    };
    let mut any = false;
    // Calls from the helper's own file, or from files that import its
    // name: a function of the same name defined elsewhere is another one.
    let reaches = |file: &FileModel| {
        file.path == home.path
            || file
                .imports
                .iter()
                .any(|i| i.names.iter().any(|n| n == name))
    };
    for (file, call) in sites.iter().filter(|(f, _)| reaches(f)) {
        let Some(around) = enclosing(file, call) else {
            return false;
        };
        if around.span == function.span {
            continue;
        }
        if !(call.args.iter().any(|a| object_names_tenant(a, 0))
            || function_names_tenant(file, around)
            || call
                .bound_to
                .as_deref()
                .is_some_and(|row| authorised_row(file, around, row)))
        {
            return false;
        }
        any = true;
    }
    any
}

/// The queries on tenant models, in file order.
pub fn tenant_queries(model: &SourceModel, models: &[TenantModel]) -> Vec<TenantQuery> {
    let mut out = Vec::new();
    if models.is_empty() {
        return out;
    }
    let callers = callers_by_name(model);
    for file in production(model) {
        for call in &file.calls {
            let Some(queried) = query_model(file, call, models) else {
                continue;
            };
            if related_row_lookup(call) {
                continue;
            }
            let around = enclosing_all(file, call);
            let method = call.method();
            // The filter object itself: TypeORM's `…By`, Mongoose's
            // `find({ orgId })`.
            let whole = method.ends_with("By")
                || method.ends_with("ByOrFail")
                || queried.store == "Mongoose";
            let direct = call.args.iter().any(|a| match a {
                Arg::Object(items) => {
                    items
                        .iter()
                        .any(|(k, v)| k == "where" && object_names_tenant(v, 0))
                        || whole && object_names_tenant(a, 0)
                }
                _ => false,
            }) || call.keywords.iter().any(|(k, _)| tenant_key(k));
            out.push(TenantQuery {
                model: queried.name.clone(),
                call: call.callee.clone(),
                file: file.path.clone(),
                line: call.line,
                filtered: direct
                    || around.iter().any(|f| {
                        function_names_tenant(file, f)
                            || callers_name_tenant(file, f, &callers)
                            || call
                                .bound_to
                                .as_deref()
                                .is_some_and(|row| authorised_row(file, f, row))
                    }),
            });
        }
    }
    out
}

/// The model a call names as its first argument (`session.query(Project)`,
/// `manager.find(Project, …)`), among the models of these stores.
fn first_arg_model<'m>(
    call: &Call,
    models: &'m [TenantModel],
    stores: &[&str],
) -> Option<&'m TenantModel> {
    let Some(Arg::Ident(name) | Arg::Member(name)) = call.args.first() else {
        return None;
    };
    let name = name.rsplit('.').next().unwrap_or(name);
    models
        .iter()
        .find(|m| stores.contains(&m.store) && m.name == name)
}

/// The TypeORM model behind a repository the code calls: a variable or
/// property named after the model (`projectRepository`, `this.teamsRepo`),
/// or one bound to `getRepository(Project)` in the same file.
fn repository_model<'m>(
    file: &FileModel,
    receiver: &str,
    line: u32,
    models: &'m [TenantModel],
) -> Option<&'m TenantModel> {
    let typeorm = |name: &str| {
        models
            .iter()
            .find(|m| m.store == "TypeORM" && prisma_accessor(name, &m.name))
    };
    if receiver == "getRepository()" {
        // `dataSource.getRepository(Project).find(…)`, on the same line.
        return file
            .calls
            .iter()
            .filter(|c| c.line == line && c.method() == "getRepository")
            .find_map(|c| first_arg_model(c, models, &["TypeORM"]));
    }
    let lower = receiver.to_ascii_lowercase();
    for suffix in ["repository", "repo"] {
        if let Some(stem) = lower.strip_suffix(suffix)
            && !stem.is_empty()
            && let Some(m) = typeorm(stem)
        {
            return Some(m);
        }
    }
    file.calls
        .iter()
        .filter(|c| c.bound_to.as_deref() == Some(receiver) && c.method() == "getRepository")
        .find_map(|c| first_arg_model(c, models, &["TypeORM"]))
}

/// The tenant model a call queries, if it is a query.
fn query_model<'m>(
    file: &FileModel,
    call: &Call,
    models: &'m [TenantModel],
) -> Option<&'m TenantModel> {
    let method = call.method();
    if file.language == Language::Python {
        if DJANGO_SHORTCUTS.contains(&method) {
            return first_arg_model(call, models, &["Django"]);
        }
        if SQLALCHEMY_OPS.contains(&method)
            && let Some(m) = first_arg_model(call, models, &["SQLAlchemy", "SQLModel"])
        {
            return Some(m);
        }
    }
    let mut parts = call.callee.rsplit('.');
    parts.next();
    let receiver = parts.next()?;
    match file.language {
        Language::Python => {
            if !DJANGO_OPS.contains(&method) || receiver != "objects" {
                return None;
            }
            let class = parts.next()?;
            models
                .iter()
                .find(|m| m.store == "Django" && m.name == class)
        }
        _ => {
            if TYPEORM_OPS.contains(&method) {
                if let Some(m) = repository_model(file, receiver, call.line, models) {
                    return Some(m);
                }
                // `manager.find(Project, { where })`
                if let Some(m) = first_arg_model(call, models, &["TypeORM"]) {
                    return Some(m);
                }
            }
            // `Project.findAll({ where })`, `Project.find({ orgId })`
            // The model class, capitalised: `project.update(…)` on a row
            // already fetched is not a query.
            let class = receiver.starts_with(|c: char| c.is_ascii_uppercase());
            if let Some(m) = models.iter().find(|m| {
                class
                    && prisma_accessor(receiver, &m.name)
                    && (m.store == "Sequelize" && SEQUELIZE_OPS.contains(&method)
                        || m.store == "Mongoose" && MONGOOSE_OPS.contains(&method))
            }) {
                return Some(m);
            }
            if PRISMA_OPS.contains(&method) {
                // prisma.project.findMany, db.query.projects.findMany
                if let Some(m) = models
                    .iter()
                    .find(|m| m.store == "Prisma" && prisma_accessor(receiver, &m.name))
                {
                    return Some(m);
                }
                if parts.next() == Some("query") {
                    return models
                        .iter()
                        .find(|m| m.store == "Drizzle" && m.name == receiver);
                }
            }
            // db.select().from(projects), db.update(projects), db.delete(projects)
            if matches!(method, "from" | "update" | "delete")
                && let Some(Arg::Ident(table)) = call.args.first()
            {
                return models
                    .iter()
                    .find(|m| m.store == "Drizzle" && &m.name == table);
            }
            None
        }
    }
}

/// At most this many unfiltered queries are reported one by one; the
/// fact counts them all.
const MAX_FINDINGS: usize = 20;

/// Facts and findings: `source.tenant-models`, `source.tenant-queries` and
/// one `source.tenant-unfiltered-query` per query that names no tenant or
/// user key.
pub(crate) fn add_evidence(
    model: &SourceModel,
    data_models: &[DataModel],
    evidence: &mut diligence_model::Evidence,
) {
    use diligence_model::{Confidence, Fact, Finding, Location, Severity};

    use crate::evidence::{HEURISTIC, fact_name, rule};

    let models = tenant_models(data_models);
    if models.is_empty() {
        return;
    }
    evidence.set_fact(
        fact_name("source.tenant-models"),
        Fact::list(
            models
                .iter()
                .map(|m| format!("{} ({}, {})", m.name, m.field, m.store)),
        ),
    );
    let queries = tenant_queries(model, &models);
    if queries.is_empty() {
        return;
    }
    let filtered = queries.iter().filter(|q| q.filtered).count();
    let unfiltered: Vec<&TenantQuery> = queries.iter().filter(|q| !q.filtered).collect();
    let sample = unfiltered
        .iter()
        .take(5)
        .map(|q| format!("{}:{}", q.file, q.line))
        .collect::<Vec<_>>()
        .join(", ");
    evidence.set_fact(
        fact_name("source.tenant-queries"),
        Fact::ratio(filtered as u64, queries.len() as u64)
            .heuristic(Confidence::Medium)
            .detail(if unfiltered.is_empty() {
                "Every ORM query on a model with a tenant key names a tenant or user key in its filter or its function. The application enforces the isolation, not the database.".to_owned()
            } else {
                format!(
                    "ORM queries on models with a tenant key that name a tenant or user key in their filter or function; {} do not, among them {sample}.",
                    unfiltered.len()
                )
            }),
    );
    for query in unfiltered.iter().take(MAX_FINDINGS) {
        let field = models
            .iter()
            .find(|m| m.name == query.model)
            .map_or("tenant key", |m| m.field.as_str());
        if let Ok(finding) = Finding::builder(
            rule("source.tenant-unfiltered-query"),
            Severity::Medium,
            Confidence::Low,
        )
        .message(format!(
            "`{}` queries `{}`, whose rows carry `{field}`, without filtering by it or by a user key, and nothing in the function compares the tenant: if the id comes from the request, one customer can reach another's rows.",
            query.call, query.model
        ))
        .location(Location::line(&query.file, query.line))
        .remediation(format!(
            "Add `{field}` from the caller's session to the query's filter (or scope the client per tenant), or enforce the isolation in the database with row-level security."
        ))
        .tag(HEURISTIC)
        .build()
        {
            evidence.findings.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_keys_match_in_every_spelling_and_through_relations() {
        for key in [
            "org_id",
            "orgId",
            "organizationId",
            "tenant_id",
            "workspace",
            "project__organization",
            "project__organization_id",
            "userId",
            "owner_id",
        ] {
            assert!(tenant_key(key), "{key}");
        }
        for key in ["id", "name", "orgName", "accounting", "status", "organizer"] {
            assert!(!tenant_key(key), "{key}");
        }
        assert!(tenant_field("organization_id"));
        assert!(!tenant_field("organization"));
        assert!(!tenant_field("userId"));
    }

    #[test]
    fn prisma_accessors_match_models_and_mapped_tables() {
        assert!(prisma_accessor("project", "Project"));
        assert!(prisma_accessor("project", "projects"));
        assert!(prisma_accessor("apiKey", "ApiKey"));
        assert!(prisma_accessor("apiKey", "api_keys"));
        assert!(!prisma_accessor("user", "Project"));
    }

    #[test]
    fn seeds_and_migrations_are_not_request_code() {
        assert!(seed_or_migration("prisma/seed.ts"));
        assert!(seed_or_migration("src/db/seeds/orgs.ts"));
        assert!(seed_or_migration("app/migrations/0001_initial.py"));
        assert!(!seed_or_migration("src/routes/projects.ts"));
    }
}
