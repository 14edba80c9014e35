//! The data layer, read from SQL migrations: tables, row-level security,
//! policies, grants, functions, triggers, views and storage buckets, as
//! they stand after every migration is replayed in order.
//!
//! Migration folders: `supabase/migrations/*.sql` (at the root or in a
//! monorepo's app folder), `migrations/**/*.sql`, Prisma's
//! `prisma/migrations/*/migration.sql` and Drizzle's `drizzle/*.sql`. Each
//! folder is one database: its files are replayed in name order (their
//! names start with a timestamp), statement by statement.
//!
//! Each file is split into statements by a lexer of this module that
//! respects quotes, comments and dollar quotes (`lex`); each statement is
//! parsed with sqlparser (PostgreSQL dialect) and, where sqlparser fails,
//! read by keywords (`read`), so one statement sqlparser does not know
//! (`DO $$ … $$`, `ALTER PUBLICATION`) never loses the file. The lexer and
//! the keyword reader are iterative; sqlparser is only handed statements
//! nested at most `read::MAX_PARSER_DEPTH` parentheses deep, and its own
//! recursion limit bounds the rest.

mod evidence;
mod lex;
mod read;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use diligence_model::{FileClass, classify};
use rayon::prelude::*;

pub(crate) use evidence::database_evidence;

use crate::{Failed, MAX_FILE_SIZE, ParseError, Reader, SourceFile};
use read::{Action, ReadBy, Target};

/// Most statements read from one migration file; the rest of a longer
/// file is not read, and the file is reported.
pub const MAX_STATEMENTS: usize = 20_000;

/// A schema-qualified name, lowercased unless it was quoted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// The schema (`public` when not written).
    pub schema: String,
    /// The name.
    pub name: String,
}

impl Name {
    /// `schema.name`.
    pub fn new(schema: &str, name: &str) -> Self {
        Self {
            schema: schema.to_owned(),
            name: name.to_owned(),
        }
    }

    /// From the parts of a dotted name (the last two count).
    pub(crate) fn from_parts(parts: &[String]) -> Self {
        match parts {
            [.., schema, name] => Self::new(schema, name),
            [name] => Self::new("public", name),
            [] => Self::new("public", ""),
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// The command a policy applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Command {
    /// `FOR ALL` (the default).
    All,
    /// `FOR SELECT`.
    Select,
    /// `FOR INSERT`.
    Insert,
    /// `FOR UPDATE`.
    Update,
    /// `FOR DELETE`.
    Delete,
}

impl Command {
    /// Whether the command writes (anything but `SELECT`).
    pub fn writes(self) -> bool {
        self != Self::Select
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::All => "ALL",
            Self::Select => "SELECT",
            Self::Insert => "INSERT",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        })
    }
}

/// Where a statement is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct At {
    /// The migration file.
    pub path: String,
    /// 1-based line of the statement's first token.
    pub line: u32,
}

/// A row-level security policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Its name.
    pub name: String,
    /// `PERMISSIVE` (the default) or `RESTRICTIVE`.
    pub permissive: bool,
    /// The command.
    pub command: Command,
    /// The roles (`public` when none is named).
    pub roles: Vec<String>,
    /// The `USING` expression, as text.
    pub using: Option<String>,
    /// The `WITH CHECK` expression, as text.
    pub check: Option<String>,
    /// The `CREATE POLICY`.
    pub at: At,
}

impl Policy {
    /// Whether its `USING` lets every row through: `true`, or no `USING`
    /// at all on a command that has one (PostgreSQL then allows every row).
    pub fn using_open(&self) -> bool {
        match &self.using {
            Some(using) => always_true(using),
            None => self.command != Command::Insert && self.check.is_none(),
        }
    }

    /// Whether its `WITH CHECK` lets every new row through: `true`, or an
    /// `INSERT` policy without one, or no check on an update whose `USING`
    /// is open (the check then falls back on `USING`).
    pub fn check_open(&self) -> bool {
        match &self.check {
            Some(check) => always_true(check),
            None => match self.command {
                Command::Insert => true,
                Command::Update | Command::All => self.using_open(),
                _ => false,
            },
        }
    }

    /// Whether it applies to `anon` or to everyone.
    pub fn for_anyone(&self) -> bool {
        self.roles.iter().any(|r| r == "anon" || r == "public")
    }

    /// Its expressions, normalised (lowercase, no whitespace).
    pub fn expressions(&self) -> impl Iterator<Item = String> + '_ {
        self.using.iter().chain(&self.check).map(|e| normalise(e))
    }
}

/// Lowercase, with whitespace only between two word characters (one
/// space): expressions from sqlparser and from the keyword reader compare
/// equal, and words stay apart.
pub(crate) fn normalise(expr: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(expr.len());
    let mut pending_space = false;
    for c in expr.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && word(c) && out.chars().next_back().is_some_and(word) {
            out.push(' ');
        }
        pending_space = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Whether an expression is the constant `true` or `1 = 1` (in any
/// parentheses).
pub(crate) fn always_true(expr: &str) -> bool {
    let n = normalise(expr);
    matches!(
        n.trim_start_matches('(').trim_end_matches(')'),
        "true" | "1=1"
    )
}

/// A table after replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Its name.
    pub name: Name,
    /// Columns, lowercased, in order.
    pub columns: Vec<String>,
    /// Whether row-level security is enabled.
    pub rls: bool,
    /// Whether it is forced on the owner too.
    pub forced: bool,
    /// Policies by name.
    pub policies: BTreeMap<String, Policy>,
    /// The `CREATE TABLE`; `None` for tables the migrations only alter
    /// (`storage.objects`, `auth.users`).
    pub created: Option<At>,
    /// The last statement that disabled row-level security, if it is off
    /// because of one.
    pub disabled_at: Option<At>,
}

impl Table {
    fn new(name: Name) -> Self {
        Self {
            name,
            columns: Vec::new(),
            rls: false,
            forced: false,
            policies: BTreeMap::new(),
            created: None,
            disabled_at: None,
        }
    }
}

/// A function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// Its name.
    pub name: Name,
    /// `SECURITY DEFINER`.
    pub definer: bool,
    /// Its language, lowercased.
    pub language: String,
    /// Its body.
    pub body: String,
    /// `RETURNS TRIGGER`.
    pub trigger: bool,
    /// Roles whose `EXECUTE` was revoked after it was created.
    pub revoked: BTreeSet<String>,
    /// The (last) `CREATE FUNCTION`.
    pub at: At,
}

/// A trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    /// The table it fires on.
    pub table: Name,
    /// The function it runs.
    pub function: Name,
    /// The `CREATE TRIGGER`.
    pub at: At,
}

/// A view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// Its name.
    pub name: Name,
    /// `security_invoker = true`.
    pub invoker: bool,
    /// The `CREATE VIEW`.
    pub at: At,
}

/// A storage bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Its id.
    pub id: String,
    /// Created public.
    pub public: bool,
    /// The `INSERT`.
    pub at: At,
}

/// A grant of table privileges to a client role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The role (`anon`, `authenticated`, `public`).
    pub role: String,
    /// The privileges, lowercased.
    pub privileges: Vec<String>,
    /// What it is on, as written (`public.profiles`, `all tables in public`).
    pub object: String,
    /// The statement.
    pub at: At,
}

/// One migration folder's database, after replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Database {
    /// The migration folder.
    pub folder: String,
    /// Whether it is a Supabase project's folder.
    pub supabase: bool,
    /// The class of its files.
    pub class: FileClass,
    /// Files read, in replay order.
    pub files: Vec<String>,
    /// Tables by name (created ones and altered ones).
    pub tables: BTreeMap<Name, Table>,
    /// Functions by name.
    pub functions: BTreeMap<Name, Function>,
    /// Triggers.
    pub triggers: Vec<Trigger>,
    /// Views by name.
    pub views: BTreeMap<Name, View>,
    /// Storage buckets by id.
    pub buckets: BTreeMap<String, Bucket>,
    /// Grants of table privileges to `anon`, `authenticated` or `public`.
    pub grants: Vec<Grant>,
    /// Statements read by sqlparser.
    pub parsed: usize,
    /// Statements sqlparser could not parse, read by keywords.
    pub by_keywords: usize,
}

impl Database {
    /// Created tables in `schemas`.
    pub fn tables_in<'d>(&'d self, schemas: &'d [String]) -> impl Iterator<Item = &'d Table> + 'd {
        self.tables
            .values()
            .filter(move |t| t.created.is_some() && schemas.contains(&t.name.schema))
    }
}

/// The migration folder of a path, and whether it belongs to Supabase.
fn folder_of(path: &str) -> Option<(String, bool)> {
    if !path.ends_with(".sql") {
        return None;
    }
    let (dir, _) = path.rsplit_once('/')?;
    if dir == "supabase/migrations" || dir.ends_with("/supabase/migrations") {
        return Some((dir.to_owned(), true));
    }
    // Prisma: `prisma/migrations/<stamp>_<name>/migration.sql`.
    if path.ends_with("/migration.sql")
        && let Some((parent, _)) = dir.rsplit_once('/')
        && (parent == "prisma/migrations" || parent.ends_with("/prisma/migrations"))
    {
        return Some((parent.to_owned(), false));
    }
    if dir == "drizzle" || dir.ends_with("/drizzle") {
        return Some((dir.to_owned(), false));
    }
    // Generic `migrations/**`: the outermost `migrations` folder.
    let parts: Vec<&str> = dir.split('/').collect();
    let at = parts.iter().position(|p| *p == "migrations")?;
    Some((parts[..=at].join("/"), false))
}

/// One file's statements, read.
struct ReadFile {
    path: String,
    actions: Vec<(Action, ReadBy, u32)>,
}

/// Reads every migration folder among `files`. Files that cannot be read
/// are returned as failures; the rest of their folder is still replayed.
pub(crate) fn build(files: &[SourceFile<'_>], read: &Reader<'_>) -> (Vec<Database>, Vec<Failed>) {
    let mut folders: BTreeMap<String, (bool, Vec<SourceFile<'_>>)> = BTreeMap::new();
    for file in files {
        if matches!(
            classify(file.path),
            FileClass::Vendored | FileClass::Generated
        ) {
            continue;
        }
        if let Some((folder, supabase)) = folder_of(file.path) {
            folders
                .entry(folder)
                .or_insert_with(|| (supabase, Vec::new()))
                .1
                .push(*file);
        }
    }
    if folders.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let candidates: Vec<SourceFile<'_>> = folders.values().flat_map(|(_, f)| f.clone()).collect();
    let read_all = || {
        candidates
            .par_iter()
            .map(|file| read_file(file, read))
            .collect::<Vec<_>>()
    };
    // sqlparser recurses; give it big stacks like the JavaScript parser.
    let outcomes = match rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(crate::PARSER_STACK)
        .thread_name(|i| format!("diligence-sql-{i}"))
        .build()
    {
        Ok(pool) => pool.install(read_all),
        Err(_) => read_all(),
    };
    let mut by_path: BTreeMap<String, ReadFile> = BTreeMap::new();
    let mut failed = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(file) => {
                by_path.insert(file.path.clone(), file);
            }
            Err(failure) => failed.push(failure),
        }
    }
    let mut databases = Vec::new();
    for (folder, (supabase, mut files)) in folders {
        // Timestamps first in the names: name order is replay order.
        files.sort_by(|a, b| a.path.cmp(b.path));
        let mut db = Database {
            class: classify(&format!("{folder}/x.sql")),
            folder,
            supabase,
            files: Vec::new(),
            tables: BTreeMap::new(),
            functions: BTreeMap::new(),
            triggers: Vec::new(),
            views: BTreeMap::new(),
            buckets: BTreeMap::new(),
            grants: Vec::new(),
            parsed: 0,
            by_keywords: 0,
        };
        for file in files {
            if let Some(read) = by_path.remove(file.path) {
                db.files.push(read.path.clone());
                replay(&mut db, read);
            }
        }
        databases.push(db);
    }
    (databases, failed)
}

fn read_file(file: &SourceFile<'_>, read: &Reader<'_>) -> Result<ReadFile, Failed> {
    let fail = |error| Failed {
        path: file.path.to_owned(),
        class: classify(file.path),
        error,
    };
    if file.size > MAX_FILE_SIZE {
        return Err(fail(ParseError::Read {
            message: format!("larger than {MAX_FILE_SIZE} bytes"),
        }));
    }
    let bytes = read(file.path).map_err(|e| {
        fail(ParseError::Read {
            message: e.to_string(),
        })
    })?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(fail(ParseError::Read {
            message: format!("larger than {MAX_FILE_SIZE} bytes"),
        }));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| fail(ParseError::NotUtf8))?;
    let (statements, truncated) = lex::split(text, MAX_STATEMENTS);
    if truncated {
        return Err(fail(ParseError::Syntax {
            message: format!("more than {MAX_STATEMENTS} statements"),
            line: statements.last().map(|s| s.line),
        }));
    }
    let mut actions = Vec::new();
    for statement in &statements {
        match do_body(statement) {
            Some((body, first_line)) => {
                // Statements inside a `DO` block run like the others.
                let (inner, _) = lex::split(body, MAX_STATEMENTS);
                for inner in inner.iter().filter_map(lex::Statement::without_control) {
                    let (action, by) = read::read(&inner);
                    let line = first_line.saturating_add(inner.line.saturating_sub(1));
                    actions.push((action, by, line));
                }
            }
            None => {
                let (action, by) = read::read(statement);
                actions.push((action, by, statement.line));
            }
        }
    }
    Ok(ReadFile {
        path: file.path.to_owned(),
        actions,
    })
}

/// The body of a `DO $$ … $$` block and the line it starts on.
fn do_body<'s>(statement: &'s lex::Statement<'_>) -> Option<(&'s str, u32)> {
    let [first, rest @ ..] = statement.tokens.as_slice() else {
        return None;
    };
    if !first.is("do") {
        return None;
    }
    rest.iter().find_map(|t| match &t.tok {
        lex::Tok::Dollar(body) => Some((body.as_str(), t.line)),
        _ => None,
    })
}

const CLIENT_ROLES: &[&str] = &["anon", "authenticated", "public"];

fn replay(db: &mut Database, file: ReadFile) {
    for (action, by, line) in file.actions {
        match by {
            ReadBy::Parser => db.parsed += 1,
            ReadBy::Keywords => db.by_keywords += 1,
        }
        let at = At {
            path: file.path.clone(),
            line,
        };
        apply(db, action, at);
    }
}

fn apply(db: &mut Database, action: Action, at: At) {
    match action {
        Action::CreateTable { table, columns } => {
            let entry = db
                .tables
                .entry(table.clone())
                .or_insert_with(|| Table::new(table));
            if entry.created.is_none() {
                // A table only altered so far, now created: start afresh
                // but keep what was said about it.
                entry.columns = columns;
                entry.created = Some(at);
            }
        }
        Action::AddColumns { table, columns } => {
            let entry = db
                .tables
                .entry(table.clone())
                .or_insert_with(|| Table::new(table));
            for column in columns {
                if !entry.columns.contains(&column) {
                    entry.columns.push(column);
                }
            }
        }
        Action::Rls {
            table,
            enable,
            force,
        } => {
            let entry = db
                .tables
                .entry(table.clone())
                .or_insert_with(|| Table::new(table));
            match enable {
                Some(true) => {
                    entry.rls = true;
                    entry.disabled_at = None;
                }
                Some(false) => {
                    entry.rls = false;
                    entry.disabled_at = Some(at);
                }
                None => {}
            }
            entry.forced |= force;
        }
        Action::CreatePolicy(def) => {
            let entry = db
                .tables
                .entry(def.table.clone())
                .or_insert_with(|| Table::new(def.table));
            entry.policies.insert(
                def.name.clone(),
                Policy {
                    name: def.name,
                    permissive: def.permissive,
                    command: def.command,
                    roles: def.roles,
                    using: def.using,
                    check: def.check,
                    at,
                },
            );
        }
        Action::DropPolicy { table, name } => {
            if let Some(entry) = db.tables.get_mut(&table) {
                entry.policies.remove(&name);
            }
        }
        Action::DropTables(names) => {
            for name in names {
                db.tables.remove(&name);
                db.views.remove(&name);
            }
        }
        Action::DropSchema(schema) => {
            db.tables.retain(|name, _| name.schema != schema);
            db.views.retain(|name, _| name.schema != schema);
            db.functions.retain(|name, _| name.schema != schema);
        }
        Action::CreateFunction(def) => {
            db.functions.insert(
                def.name.clone(),
                Function {
                    name: def.name,
                    definer: def.definer,
                    language: def.language,
                    body: def.body,
                    trigger: def.trigger,
                    revoked: BTreeSet::new(),
                    at,
                },
            );
        }
        Action::CreateTrigger { table, function } => {
            db.triggers.push(Trigger {
                table,
                function,
                at,
            });
        }
        Action::View { view, invoker } => {
            let created = !db.views.contains_key(&view);
            let entry = db.views.entry(view.clone()).or_insert(View {
                name: view,
                invoker,
                at,
            });
            if !created {
                entry.invoker = invoker || entry.invoker;
            }
        }
        Action::Privileges(def) => privileges(db, def, at),
        Action::Buckets(buckets) => {
            for (id, public) in buckets {
                db.buckets.entry(id.clone()).or_insert(Bucket {
                    id,
                    public,
                    at: at.clone(),
                });
            }
        }
        Action::Other => {}
    }
}

fn privileges(db: &mut Database, def: read::PrivilegeDef, at: At) {
    let roles: Vec<&String> = def
        .grantees
        .iter()
        .filter(|g| CLIENT_ROLES.contains(&g.as_str()))
        .collect();
    if roles.is_empty() {
        return;
    }
    match &def.target {
        Target::Functions(names) if def.revoke => {
            for name in names {
                if let Some(function) = db.functions.get_mut(name) {
                    function.revoked.extend(roles.iter().map(|r| (*r).clone()));
                }
            }
        }
        Target::AllFunctions(schemas) if def.revoke => {
            for function in db.functions.values_mut() {
                if schemas.contains(&function.name.schema) {
                    function.revoked.extend(roles.iter().map(|r| (*r).clone()));
                }
            }
        }
        Target::Functions(names) => {
            for name in names {
                if let Some(function) = db.functions.get_mut(name) {
                    for role in &roles {
                        function.revoked.remove(*role);
                    }
                }
            }
        }
        Target::Tables(_) | Target::AllTables(_) => {
            let object = match &def.target {
                Target::Tables(names) => names
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                Target::AllTables(schemas) if def.default => {
                    format!("tables created later in {}", schemas.join(", "))
                }
                Target::AllTables(schemas) => format!("all tables in {}", schemas.join(", ")),
                _ => String::new(),
            };
            if def.revoke {
                let all = def.privileges.iter().any(|p| p == "all");
                for grant in &mut db.grants {
                    if grant.object == object && roles.iter().any(|r| **r == grant.role) {
                        grant
                            .privileges
                            .retain(|p| !all && !def.privileges.contains(p));
                    }
                }
                db.grants.retain(|g| !g.privileges.is_empty());
            } else {
                for role in roles {
                    db.grants.push(Grant {
                        role: role.clone(),
                        privileges: def.privileges.clone(),
                        object: object.clone(),
                        at: at.clone(),
                    });
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_expressions_keep_words_apart() {
        assert_eq!(
            normalise("bucket_id = 'ids' AND owner = auth.uid ( )"),
            "bucket_id='ids'and owner=auth.uid()"
        );
        assert!(always_true(" ( TRUE ) "));
        assert!(always_true("1 = 1"));
        assert!(!always_true("true and false"));
    }

    #[test]
    fn migration_folders() {
        assert_eq!(
            folder_of("supabase/migrations/20240101_init.sql"),
            Some(("supabase/migrations".to_owned(), true))
        );
        assert_eq!(
            folder_of("apps/web/supabase/migrations/1_a.sql"),
            Some(("apps/web/supabase/migrations".to_owned(), true))
        );
        assert_eq!(
            folder_of("prisma/migrations/2024_init/migration.sql"),
            Some(("prisma/migrations".to_owned(), false))
        );
        assert_eq!(
            folder_of("db/migrations/2024/01/a.sql"),
            Some(("db/migrations".to_owned(), false))
        );
        assert_eq!(
            folder_of("drizzle/0000_a.sql"),
            Some(("drizzle".to_owned(), false))
        );
        assert_eq!(folder_of("supabase/seed.sql"), None);
        assert_eq!(folder_of("src/app.sql"), None);
        assert_eq!(folder_of("supabase/migrations/notes.md"), None);
    }
}
