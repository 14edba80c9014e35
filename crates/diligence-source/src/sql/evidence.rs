//! The data layer's findings, facts and inventory, from the replayed
//! migrations.

use diligence_model::{
    Confidence, Evidence, Fact, FileClass, Finding, Inventory, Location, Severity, Table as Rows,
    Unit,
};

use super::{At, Command, Database, Function, Policy, Table, always_true, normalise};
use crate::SourceModel;
use crate::evidence::{HEURISTIC, fact_name, rule};

/// Columns that hold a tenant key.
pub(crate) const TENANT_COLUMNS: &[&str] = &[
    "tenant_id",
    "org_id",
    "organization_id",
    "organisation_id",
    "workspace_id",
    "team_id",
    "account_id",
];

/// Columns a user must not set on their own row.
const PRIVILEGED_COLUMNS: &[&str] = &[
    "role",
    "roles",
    "user_role",
    "is_admin",
    "admin",
    "is_superuser",
    "status",
    "approved",
    "is_approved",
    "verified",
    "is_verified",
    "credits",
    "balance",
    "plan",
    "tier",
    "subscription_tier",
    "subscription_status",
    "is_premium",
];

/// Of those, the columns that grant access rights: a user who sets one
/// on their own row makes themselves an administrator.
const ROLE_COLUMNS: &[&str] = &[
    "role",
    "roles",
    "user_role",
    "is_admin",
    "admin",
    "is_superuser",
];

/// Keys of user metadata that carry a privilege when copied.
const PRIVILEGED_KEYS: &[&str] = &[
    "role",
    "user_role",
    "is_admin",
    "admin",
    "plan",
    "tier",
    "account_type",
    "permissions",
    "credits",
];

/// The markers of a caller check in SQL.
const CALLER: &[&str] = &["auth.uid()", "auth.jwt()", "auth.role()", "current_user"];

fn mentions_caller(normalised: &str) -> bool {
    CALLER.iter().any(|c| normalised.contains(c))
}

fn mentions_metadata(normalised: &str) -> bool {
    normalised.contains("user_metadata") || normalised.contains("raw_user_meta_data")
}

/// Whether normalised SQL reads a privileged key of user metadata
/// (`raw_user_meta_data->>'role'`, `auth.jwt()->'user_metadata'->>'role'`).
fn metadata_privilege(normalised: &str) -> Option<&'static str> {
    ["raw_user_meta_data", "user_metadata"]
        .iter()
        .flat_map(|m| normalised.match_indices(m))
        .find_map(|(at, m)| {
            let rest = normalised.get(at + m.len()..)?;
            let rest = rest.strip_prefix('\'').unwrap_or(rest);
            let rest = rest
                .strip_prefix("->>'")
                .or_else(|| rest.strip_prefix("->'"))?;
            PRIVILEGED_KEYS
                .iter()
                .copied()
                .find(|key| rest.strip_prefix(key).is_some_and(|r| r.starts_with('\'')))
        })
}

/// Whether a body writes rows (a word `insert`, `update` or `delete`).
fn writes(body: &str) -> bool {
    body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| {
            w.eq_ignore_ascii_case("insert")
                || w.eq_ignore_ascii_case("update")
                || w.eq_ignore_ascii_case("delete")
        })
}

fn mentions_word(normalised: &str, word: &str) -> bool {
    normalised
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w == word)
}

/// One database and how it is reached.
struct Scope<'d> {
    db: &'d Database,
    exposed: Vec<String>,
    /// How sure a table in an exposed schema is reachable from clients.
    reach: Confidence,
}

/// The exposed schemas of a migration folder: `public` and the
/// `[api] schemas` of the project's `supabase/config.toml`.
fn exposed(model: &SourceModel, db: &Database) -> Vec<String> {
    let mut schemas = vec!["public".to_owned()];
    if db.supabase {
        let project = db
            .folder
            .strip_suffix("migrations")
            .unwrap_or(&db.folder)
            .to_owned();
        let config = format!("{project}config.toml");
        if let Some(listed) = model
            .supabase
            .get(&config)
            .and_then(|c| c.api_schemas.as_ref())
        {
            for schema in listed {
                if !schemas.contains(schema) {
                    schemas.push(schema.clone());
                }
            }
        }
    }
    schemas
}

fn push(evidence: &mut Evidence, built: diligence_model::Result<Finding>) {
    if let Ok(finding) = built {
        evidence.findings.push(finding);
    }
}

fn at(location: &At) -> Location {
    Location::line(&location.path, location.line)
}

/// The data layer's findings, facts and `data` inventory. Sets no fact
/// when the target has no migrations.
pub(crate) fn database_evidence(model: &SourceModel, evidence: &mut Evidence) {
    if model.databases.is_empty() {
        return;
    }
    let uses_supabase = model
        .stacks
        .frameworks
        .iter()
        .any(|f| f.starts_with("Supabase"));
    let scopes: Vec<Scope<'_>> = model
        .databases
        .iter()
        .map(|db| Scope {
            db,
            exposed: exposed(model, db),
            reach: if db.supabase {
                Confidence::High
            } else if uses_supabase {
                Confidence::Medium
            } else {
                Confidence::Low
            },
        })
        .collect();
    for scope in &scopes {
        tables(scope, evidence);
        policies(scope, evidence);
        functions(scope, evidence);
        views_grants_buckets(scope, evidence);
    }
    facts(&scopes, evidence);
    evidence
        .inventories
        .insert("data".to_owned(), inventory(&scopes));
}

fn tables(scope: &Scope<'_>, evidence: &mut Evidence) {
    for table in scope.db.tables_in(&scope.exposed) {
        let Some(created) = &table.created else {
            continue;
        };
        if !table.rls {
            let (place, why) = match &table.disabled_at {
                Some(disabled) => (disabled, "a later migration disables row-level security"),
                None => (created, "row-level security is never enabled"),
            };
            push(
                evidence,
                Finding::builder(rule("source.db.rls-disabled"), Severity::Critical, scope.reach)
                    .message(format!(
                        "Table `{}` is in an exposed schema and {why}: anyone holding the public anon key can read and write every row through the API.",
                        table.name
                    ))
                    .location(at(place))
                    .remediation(format!(
                        "`alter table {} enable row level security;` in a new migration, then add policies for what each role may do (owner checks with `auth.uid()`).",
                        table.name
                    ))
                    .build(),
            );
            if !table.policies.is_empty() {
                let first = table.policies.values().map(|p| &p.at).min();
                push(
                    evidence,
                    Finding::builder(rule("source.db.policy-without-rls"), Severity::High, Confidence::High)
                        .message(format!(
                            "Table `{}` has {} polic{} but row-level security is off, so none of them applies.",
                            table.name,
                            table.policies.len(),
                            if table.policies.len() == 1 { "y" } else { "ies" }
                        ))
                        .location(at(first.unwrap_or(created)))
                        .remediation(format!(
                            "Enable row-level security on `{}` (`alter table … enable row level security`); the policies then take effect.",
                            table.name
                        ))
                        .build(),
                );
            }
        } else if table.policies.is_empty() {
            push(
                evidence,
                Finding::builder(rule("source.db.rls-no-policy"), Severity::Info, Confidence::High)
                    .message(format!(
                        "Table `{}` has row-level security on and no policy: clients can do nothing with it (deny-all). Safe; only the service role reaches it.",
                        table.name
                    ))
                    .location(at(created))
                    .remediation("Nothing to fix if only the server reads this table; otherwise add the policies clients need.")
                    .build(),
            );
        }
    }
}

fn policies(scope: &Scope<'_>, evidence: &mut Evidence) {
    for table in scope.db.tables.values() {
        let storage = table.name.schema == "storage" && table.name.name == "objects";
        for policy in table.policies.values() {
            if storage {
                storage_policy(scope, policy, evidence);
                continue;
            }
            if !scope.exposed.contains(&table.name.schema) {
                continue;
            }
            always_true_policy(table, policy, evidence);
            metadata_policy(table, policy, evidence);
            self_update(scope, table, policy, evidence);
        }
    }
}

fn always_true_policy(table: &Table, policy: &Policy, evidence: &mut Evidence) {
    let using_true = policy.using_open();
    let check_true = policy.check_open();
    if !(using_true || check_true) || !policy.permissive {
        return;
    }
    let roles = policy.roles.join(", ");
    let (severity, note) = if policy.command.writes()
        && !using_true
        && policy.command != Command::Insert
    {
        // USING says which rows a caller reaches; an open WITH CHECK lets
        // them rewrite those rows with any values (and, for ALL, insert
        // any row).
        let insert = if policy.command == Command::All {
            "insert any row and "
        } else {
            ""
        };
        (
            Severity::High,
            format!(
                "has a WITH CHECK that is always true: it lets {roles} {insert}rewrite the rows its USING admits with any values, so an owner can hand a row to another user or set its status or amounts"
            ),
        )
    } else if policy.command.writes() {
        (
            Severity::High,
            format!(
                "is always true: it lets {roles} {} any row",
                policy.command.to_string().to_lowercase()
            ),
        )
    } else if policy.for_anyone() {
        match private_columns(table) {
            Some(what) => (
                Severity::High,
                format!(
                    "is always true: it lets anyone ({roles}) read every row, {what} included, without signing in"
                ),
            ),
            None => (
                Severity::Low,
                format!(
                    "is always true: it lets anyone ({roles}) read every row without signing in; no column names personal or per-user data, so this reads as a public catalogue (products, prices, plans), a leak if the rows are not meant to be public"
                ),
            ),
        }
    } else {
        (
            Severity::Low,
            format!(
                "is always true: it lets every signed-in user ({roles}) read every row; fine for shared reference data, a leak for per-user data"
            ),
        )
    };
    push(
        evidence,
        Finding::builder(rule("source.db.policy-always-true"), severity, Confidence::High)
            .message(format!(
                "Policy `{}` on `{}` ({}) {note}.",
                policy.name, table.name, policy.command
            ))
            .location(at(&policy.at))
            .remediation("Replace `true` with the condition that says whose rows these are (`auth.uid() = user_id`), and use WITH CHECK on writes.")
            .build(),
    );
}

/// Columns that say a table's rows are private: personal data by name, or
/// a key tying each row to a user or a tenant. `None` when no column does,
/// or when the migrations never name the columns (a table only altered).
fn private_columns(table: &Table) -> Option<String> {
    if table.created.is_none() && table.columns.is_empty() {
        return Some("whatever its columns hold".to_owned());
    }
    let table_name = &table.name.name;
    let personal: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| crate::personal::kind_of(table_name, c).is_some())
        .map(String::as_str)
        .collect();
    if !personal.is_empty() {
        return Some(format!("personal data ({})", personal.join(", ")));
    }
    // The user and tenant keys, and two more owners of a row.
    let owner_keys = USER_COLUMNS
        .iter()
        .chain(TENANT_COLUMNS)
        .chain(&["author_id", "customer_id"]);
    table
        .columns
        .iter()
        .find(|c| {
            let flat = c.replace('_', "");
            owner_keys.clone().any(|k| k.replace('_', "") == flat)
        })
        .map(|c| format!("each user's rows (`{c}`)"))
}

fn metadata_policy(table: &Table, policy: &Policy, evidence: &mut Evidence) {
    if !policy.expressions().any(|e| mentions_metadata(&e)) {
        return;
    }
    push(
        evidence,
        Finding::builder(rule("source.db.user-metadata-in-policy"), Severity::High, Confidence::High)
            .message(format!(
                "Policy `{}` on `{}` reads user metadata, which every user can change for themselves with `auth.updateUser`.",
                policy.name, table.name
            ))
            .location(at(&policy.at))
            .remediation("Decide roles from a table users cannot write (a `user_roles` table with its own policies) or from `app_metadata`, which only the server sets.")
            .build(),
    );
}

fn self_update(scope: &Scope<'_>, table: &Table, policy: &Policy, evidence: &mut Evidence) {
    if !matches!(policy.command, Command::Update | Command::All) {
        return;
    }
    let privileged: Vec<&str> = PRIVILEGED_COLUMNS
        .iter()
        .copied()
        .filter(|c| table.columns.iter().any(|col| col == c))
        .collect();
    if privileged.is_empty() {
        return;
    }
    let Some(using) = policy.using.as_deref().map(normalise) else {
        return;
    };
    // An owner policy: the row is the caller's.
    if !mentions_caller(&using) {
        return;
    }
    let check = policy.check.as_deref().map(normalise).unwrap_or_default();
    if privileged.iter().any(|c| mentions_word(&check, c)) {
        return;
    }
    // A trigger on the table may guard the columns; say so.
    let guarded = scope.db.triggers.iter().any(|t| t.table == table.name);
    let confidence = if guarded {
        Confidence::Low
    } else {
        Confidence::Medium
    };
    // A role column makes it an escalation to administrator.
    let role = privileged.iter().find(|c| ROLE_COLUMNS.contains(c));
    let (severity, consequence) = match role {
        Some(c) => (
            Severity::Critical,
            format!(
                " Any signed-in user can make themselves an administrator by setting `{c}` with the public key."
            ),
        ),
        None => (Severity::High, String::new()),
    };
    push(
        evidence,
        Finding::builder(rule("source.db.self-update-privileged-column"), severity, confidence)
            .message(format!(
                "Policy `{}` lets users update their own row of `{}`, which holds {}; nothing stops them from setting those columns themselves.{consequence}",
                policy.name,
                table.name,
                privileged.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ))
            .location(at(&policy.at))
            .remediation("Move privileged columns to a table users cannot update, or revoke UPDATE on those columns from `authenticated` (`grant update (name, avatar_url) on … to authenticated` only), or pin them in WITH CHECK.")
            .tag(HEURISTIC)
            .build(),
    );
}

/// Whether a normalised storage-policy expression keeps each caller to
/// some files: an owner check (`owner`, `owner_id`, a column or metadata
/// key compared with `auth.uid()`, or a path that starts with the caller's
/// id: `substring(name …)`, `name like …`), a folder keyed by who calls
/// (`(storage.foldername(name))[1] = auth.uid()::text`, or the caller's
/// organisation from the JWT), or a role gate.
fn storage_restricted(e: &str) -> bool {
    let caller = mentions_caller(e) || e.contains("jwt");
    let owner = caller
        && (mentions_word(e, "owner")
            || mentions_word(e, "owner_id")
            || e.contains("storage.foldername")
            // The object's path starts with the caller's id.
            || ["substring(name", "starts_with(name", "split_part(name", "left(name", "name like"]
                .iter()
                .any(|p| e.contains(p))
            || [
                "=auth.uid()",
                "auth.uid()=",
                "auth.uid()::text=",
                "auth.uid()::uuid=",
            ]
            .iter()
            .any(|p| e.contains(p)));
    owner || role_gate(e)
}

/// Whether a normalised expression admits only privileged roles: a
/// function named for a role or an administrator (`is_admin()`,
/// `is_user_in_roles(…, array['master_admin'])`, `jwt_role()='staff'`)
/// or a `role` column, compared with or given a privileged role.
fn role_gate(e: &str) -> bool {
    const PRIVILEGED: &[&str] = &[
        "admin",
        "staff",
        "moderator",
        "manager",
        "superuser",
        "service_role",
    ];
    let literal_role = e
        .split('\'')
        .skip(1)
        .step_by(2)
        .any(|lit| PRIVILEGED.iter().any(|p| lit.contains(p)));
    let mut functions = e.match_indices('(').map(|(at, _)| {
        e[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect::<String>()
    });
    let admin_function = functions.any(|reversed| {
        let name: String = reversed.chars().rev().collect();
        name.contains("admin") || name.contains("role") || name.contains("staff")
    });
    let bare_admin_check = e.contains("is_admin()") || e.contains("is_admin(auth.uid())");
    bare_admin_check || ((admin_function || mentions_word(e, "role")) && literal_role)
}

fn storage_policy(scope: &Scope<'_>, policy: &Policy, evidence: &mut Evidence) {
    let normal = |e: &Option<String>| e.as_deref().map(normalise);
    let using = normal(&policy.using);
    let check = normal(&policy.check).or_else(|| using.clone());
    // The expression each command is judged by: the rows a read, an
    // overwrite or a delete reaches are chosen by USING; an upload is
    // judged by WITH CHECK (which falls back on USING).
    let open = |e: &Option<String>| match e {
        Some(e) => always_true(e) || !storage_restricted(e),
        None => true,
    };
    let (reads, uploads, overwrites, deletes) = match policy.command {
        Command::Select => (open(&using), false, false, false),
        Command::Insert => (false, open(&check), false, false),
        Command::Update => (false, false, open(&using), false),
        Command::Delete => (false, false, false, open(&using)),
        Command::All => (open(&using), open(&check), open(&using), open(&using)),
    };
    if !(reads || uploads || overwrites || deletes) {
        return;
    }
    let expressions: Vec<String> = policy.expressions().collect();
    let bucket = expressions.iter().find_map(|e| {
        let (_, rest) = e.split_once("bucket_id='")?;
        rest.split_once('\'').map(|(id, _)| id.to_owned())
    });
    // Reading a public bucket's files needs no policy; listing them does.
    let public_read = bucket
        .as_ref()
        .and_then(|b| scope.db.buckets.get(b))
        .is_some_and(|b| b.public)
        && !(uploads || overwrites || deletes);
    let who = if policy.for_anyone() {
        "anyone"
    } else {
        "any signed-in user"
    };
    let verbs: Vec<&str> = [
        (reads, "list and read"),
        (uploads, "upload"),
        (overwrites, "overwrite"),
        (deletes, "delete"),
    ]
    .iter()
    .filter(|(open, _)| *open)
    .map(|(_, verb)| *verb)
    .collect();
    let what = match verbs.as_slice() {
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let bucket_text = bucket
        .as_ref()
        .map_or_else(|| "any bucket".to_owned(), |b| format!("bucket `{b}`"));
    let severity = if public_read {
        Severity::Medium
    } else {
        Severity::High
    };
    push(
        evidence,
        Finding::builder(rule("source.db.storage-policy-no-owner"), severity, Confidence::High)
            .message(format!(
                "Storage policy `{}` lets {who} {what} every file of {bucket_text}, not only their own: no check against `owner`, the user's folder or a privileged role.",
                policy.name
            ))
            .location(at(&policy.at))
            .remediation("Add an owner check: `auth.uid() = owner` or `(storage.foldername(name))[1] = auth.uid()::text`, with files stored under the user's id.")
            .build(),
    );
}

fn functions(scope: &Scope<'_>, evidence: &mut Evidence) {
    for function in scope.db.functions.values() {
        let body = normalise(&function.body);
        let on_signup = scope.db.triggers.iter().any(|t| {
            t.function == function.name && t.table.schema == "auth" && t.table.name == "users"
        });
        if on_signup {
            if let Some(key) = metadata_privilege(&body) {
                push(
                    evidence,
                    Finding::builder(rule("source.db.signup-role-from-metadata"), Severity::Critical, Confidence::High)
                        .message(format!(
                            "Sign-up trigger function `{}` copies `{key}` from the new user's metadata into the database: anyone can sign up with `{{\"{key}\": \"admin\"}}` in their metadata.",
                            function.name
                        ))
                        .location(at(&function.at))
                        .remediation("Give new users a fixed default role in the trigger; grant privileges only from the server (service role) or an admin-only function.")
                        .build(),
                );
            }
            continue;
        }
        if !function.trigger && mentions_metadata(&body) && metadata_privilege(&body).is_some() {
            push(
                evidence,
                Finding::builder(rule("source.db.user-metadata-in-policy"), Severity::High, Confidence::Medium)
                    .message(format!(
                        "Function `{}` decides a privilege from user metadata, which every user can change for themselves.",
                        function.name
                    ))
                    .location(at(&function.at))
                    .remediation("Read roles from a table users cannot write, or from `app_metadata`, which only the server sets.")
                    .tag(HEURISTIC)
                    .build(),
            );
        }
        definer_callable(scope, function, &body, evidence);
    }
}

fn definer_callable(scope: &Scope<'_>, function: &Function, body: &str, evidence: &mut Evidence) {
    if !function.definer || function.trigger || !scope.exposed.contains(&function.name.schema) {
        return;
    }
    // Supabase grants EXECUTE to anon and authenticated explicitly, so a
    // revoke from PUBLIC alone leaves them able to call it.
    let callable: Vec<&str> = ["anon", "authenticated"]
        .into_iter()
        .filter(|r| !function.revoked.contains(*r))
        .collect();
    if callable.is_empty() || !writes(&function.body) || mentions_caller(body) {
        return;
    }
    push(
        evidence,
        Finding::builder(rule("source.db.definer-function-callable"), Severity::High, Confidence::Medium)
            .message(format!(
                "`{}` runs with its owner's rights (SECURITY DEFINER), writes rows, never asks who calls (`auth.uid()`), and {} can call it through the API (`rpc`).",
                function.name,
                callable.join(" and ")
            ))
            .location(at(&function.at))
            .remediation(format!(
                "`revoke execute on function {} from public, anon, authenticated;` and call it from the server, or check `auth.uid()` in its body; prefer SECURITY INVOKER.",
                function.name
            ))
            .tag(HEURISTIC)
            .build(),
    );
}

fn views_grants_buckets(scope: &Scope<'_>, evidence: &mut Evidence) {
    for view in scope.db.views.values() {
        if view.invoker || !scope.exposed.contains(&view.name.schema) {
            continue;
        }
        push(
            evidence,
            Finding::builder(rule("source.db.security-definer-view"), Severity::Medium, scope.reach)
                .message(format!(
                    "View `{}` runs with its owner's rights, so it ignores the row-level security of the tables it reads: clients see every row through it.",
                    view.name
                ))
                .location(at(&view.at))
                .remediation("Create it `with (security_invoker = true)` (PostgreSQL 15+), or move it out of the exposed schemas.")
                .build(),
        );
    }
    for grant in &scope.db.grants {
        let broad = grant.privileges.iter().any(|p| {
            matches!(
                p.as_str(),
                "all" | "insert" | "update" | "delete" | "truncate"
            )
        });
        if !broad || !(grant.role == "anon" || grant.role == "public") {
            continue;
        }
        push(
            evidence,
            Finding::builder(rule("source.db.grant-to-anon"), Severity::Medium, Confidence::High)
                .message(format!(
                    "`{}` write privileges ({}) on {} are granted to `{}`, the role of visitors who are not signed in; only row-level security stands between them and the data.",
                    grant.role,
                    grant.privileges.join(", "),
                    grant.object,
                    grant.role
                ))
                .location(at(&grant.at))
                .remediation("Grant `anon` only what visitors need (often `select` on a few tables), and keep row-level security on every table it can reach.")
                .build(),
        );
    }
    for bucket in scope.db.buckets.values() {
        if !bucket.public {
            continue;
        }
        let listing = listing_policies(scope, &bucket.id);
        let finding = if listing.is_empty() {
            Finding::builder(rule("source.db.public-bucket"), Severity::Low, Confidence::High)
                .message(format!(
                    "Storage bucket `{}` is public: anyone with a file's URL can download it, without signing in. No policy read lets clients list its files.",
                    bucket.id
                ))
                .remediation("Keep only public assets (logos, marketing images) in it; make it private and hand out signed URLs for anything else.")
        } else {
            Finding::builder(rule("source.db.public-bucket"), Severity::Medium, Confidence::High)
                .message(format!(
                    "Storage bucket `{}` is public and {} lets clients list every file in it ({}): anyone can enumerate and download its files without knowing their names.",
                    bucket.id,
                    if listing.len() == 1 { "a broad SELECT policy" } else { "broad SELECT policies" },
                    listing.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                ))
                .remediation("Drop the SELECT policy (a public bucket serves files by URL without one), or make the bucket private and hand out signed URLs.")
        };
        push(evidence, finding.location(at(&bucket.at)).build());
    }
}

/// The permissive `SELECT` policies on `storage.objects` that let clients
/// list every file of bucket `id`: for `anon`, `authenticated` or everyone,
/// with no condition, a constant `true`, or only `bucket_id = '<id>'`.
fn listing_policies<'a>(scope: &'a Scope<'_>, id: &str) -> Vec<&'a str> {
    let Some(objects) = scope
        .db
        .tables
        .values()
        .find(|t| t.name.schema == "storage" && t.name.name == "objects")
    else {
        return Vec::new();
    };
    let only_bucket = format!("bucket_id='{}'", id.replace('\'', "''"));
    objects
        .policies
        .values()
        .filter(|p| {
            p.permissive
                && matches!(p.command, Command::Select | Command::All)
                && p.roles
                    .iter()
                    .any(|r| matches!(r.as_str(), "public" | "anon" | "authenticated"))
        })
        .filter(|p| match &p.using {
            None => true,
            Some(using) => {
                let n = normalise(using);
                let bare = n.trim_start_matches('(').trim_end_matches(')');
                let bare = bare.split_once("::").map_or(bare, |(value, _)| value);
                always_true(using) || bare == only_bucket
            }
        })
        .map(|p| p.name.as_str())
        .collect()
}

fn facts(scopes: &[Scope<'_>], evidence: &mut Evidence) {
    // The product's databases: migrations in tests and examples are listed
    // in the inventory, not counted.
    let product: Vec<&Scope<'_>> = scopes
        .iter()
        .filter(|s| s.db.class == FileClass::Production)
        .collect();
    if product.is_empty() {
        return;
    }
    let exposed_tables: Vec<&Table> = product
        .iter()
        .flat_map(|s| s.db.tables_in(&s.exposed))
        .collect();
    let set = |e: &mut Evidence, name: &str, fact: Fact| e.set_fact(fact_name(name), fact);
    set(
        evidence,
        "source.db.migrations",
        Fact::count(product.iter().map(|s| s.db.files.len()).sum(), Unit::Files),
    );
    set(
        evidence,
        "source.db.tables",
        Fact::count(exposed_tables.len(), Unit::Count).detail(format!(
            "Tables in the exposed schemas after every migration is replayed ({} migration folder{}).",
            product.len(),
            if product.len() == 1 { "" } else { "s" }
        )),
    );
    set(
        evidence,
        "source.db.tables.without-rls",
        Fact::count(
            exposed_tables.iter().filter(|t| !t.rls).count(),
            Unit::Count,
        ),
    );
    set(
        evidence,
        "source.db.policies",
        Fact::count(
            product
                .iter()
                .flat_map(|s| s.db.tables.values())
                .map(|t| t.policies.len())
                .sum(),
            Unit::Count,
        ),
    );
    // Tenant isolation by policy is judged only where clients reach the
    // database (Supabase); an app whose server alone queries it is judged
    // by its queries (`crate::tenant`).
    let reached = || {
        product
            .iter()
            .filter(|s| s.reach != Confidence::Low)
            .flat_map(|s| s.db.tables_in(&s.exposed))
    };
    let tenant: Vec<(&Table, &str)> = reached()
        .filter_map(|t| key_column(t, TENANT_COLUMNS).map(|c| (t, c)))
        .collect();
    keyed_tables(
        evidence,
        &tenant,
        ("source.db.tenant-columns", "source.db.tenant-unenforced"),
        tenant_enforced,
        "Every table with a tenant column has a policy that reads it.",
        "No policy reads the tenant column of",
    );
    // Rows that belong to one user (a `user_id` column) in tables with
    // row-level security: tables without it are the deny-by-default
    // control's.
    let per_user: Vec<(&Table, &str)> = reached()
        .filter(|t| t.rls)
        .filter_map(|t| key_column(t, USER_COLUMNS).map(|c| (t, c)))
        .collect();
    keyed_tables(
        evidence,
        &per_user,
        ("source.db.user-tables", "source.db.user-unenforced"),
        user_enforced,
        "Every table with a user column keeps each signed-in user to their own rows.",
        "No policy limits these tables to the caller's own rows, or one lets every caller read every row",
    );
}

/// The first of `keys` a table has as a column.
fn key_column(table: &Table, keys: &[&'static str]) -> Option<&'static str> {
    keys.iter()
        .copied()
        .find(|c| table.columns.iter().any(|col| col == c))
}

/// Records tables keyed by a column (`table (column)`) under the first
/// fact name and, under the second, how many of them `enforced` rejects,
/// naming them in the detail. Nothing when there is no such table.
fn keyed_tables(
    evidence: &mut Evidence,
    keyed: &[(&Table, &str)],
    (list, count): (&str, &str),
    enforced: fn(&Table, &str) -> bool,
    all_enforced: &str,
    open_prefix: &str,
) {
    if keyed.is_empty() {
        return;
    }
    evidence.set_fact(
        fact_name(list),
        Fact::list(keyed.iter().map(|(t, c)| format!("{} ({c})", t.name))),
    );
    let open: Vec<String> = keyed
        .iter()
        .filter(|(t, c)| !enforced(t, c))
        .map(|(t, _)| t.name.to_string())
        .collect();
    let detail = if open.is_empty() {
        all_enforced.to_owned()
    } else {
        format!("{open_prefix}: {}.", open.join(", "))
    };
    evidence.set_fact(
        fact_name(count),
        Fact::count(open.len(), Unit::Count)
            .heuristic(Confidence::Medium)
            .detail(detail),
    );
}

/// Columns that name the row's user: a policy comparing one with the
/// caller isolates rows per user, stricter than per tenant.
const USER_COLUMNS: &[&str] = &["user_id", "owner_id", "profile_id", "created_by"];

/// Whether a table with row-level security keeps each user to their own
/// rows: a policy compares the caller with its user column, and no
/// permissive policy lets every caller read every row (policies are
/// OR-ed, so one `using (true)` opens them all).
fn user_enforced(table: &Table, column: &str) -> bool {
    let reads = |p: &Policy| matches!(p.command, Command::Select | Command::All);
    table.rls
        && table.policies.values().any(|p| {
            p.expressions()
                .any(|e| mentions_caller(&e) && mentions_word(&e, column))
        })
        && !table
            .policies
            .values()
            .any(|p| p.permissive && reads(p) && p.using_open())
}

fn tenant_enforced(table: &Table, column: &str) -> bool {
    table.rls
        && table.policies.values().any(|p| {
            p.expressions().any(|e| {
                mentions_word(&e, column)
                    || (mentions_caller(&e) && USER_COLUMNS.iter().any(|u| mentions_word(&e, u)))
            })
        })
}

fn inventory(scopes: &[Scope<'_>]) -> Inventory {
    let mut rows: Vec<(bool, Vec<String>)> = Vec::new();
    for scope in scopes {
        for table in scope.db.tables_in(&scope.exposed) {
            let Some(created) = &table.created else {
                continue;
            };
            let policies = if table.policies.is_empty() {
                "none".to_owned()
            } else {
                table
                    .policies
                    .values()
                    .map(|p| format!("{} → {}", p.command, p.roles.join("/")))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            rows.push((
                table.rls,
                vec![
                    table.name.to_string(),
                    if table.rls { "on" } else { "off" }.to_owned(),
                    policies,
                    key_column(table, TENANT_COLUMNS).unwrap_or("").to_owned(),
                    format!("{}:{}", created.path, created.line),
                ],
            ));
        }
    }
    // Exposed tables without row-level security first, then by name.
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1[0].cmp(&b.1[0])));
    Inventory::Table(Rows {
        title: "Data layer".to_owned(),
        columns: ["table", "RLS", "policies", "tenant column", "created at"]
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        rows: rows.into_iter().map(|(_, row)| row).collect(),
    })
}
