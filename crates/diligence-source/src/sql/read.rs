//! One statement to what it does to the database: sqlparser first, a
//! keyword reader over the statement's tokens where sqlparser fails (or
//! for statements read the same either way, such as `GRANT`).

use sqlparser::ast::{
    AlterTableOperation, CreateFunctionBody, Expr, FunctionSecurity, ObjectName, ObjectNamePart,
    ObjectType, Owner, SqlOption, Statement as Ast, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::lex::{Statement, Tok, Token};
use super::{Command, Name};

/// Deepest parenthesis nesting handed to sqlparser; deeper statements are
/// read by keywords only (sqlparser's own recursion limit is 50 calls).
pub(crate) const MAX_PARSER_DEPTH: usize = 40;

/// What a statement does, as far as the data layer cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// `CREATE TABLE`.
    CreateTable { table: Name, columns: Vec<String> },
    /// `ALTER TABLE … ADD COLUMN`.
    AddColumns { table: Name, columns: Vec<String> },
    /// `ALTER TABLE … ENABLE|DISABLE|FORCE ROW LEVEL SECURITY`.
    Rls {
        table: Name,
        enable: Option<bool>,
        force: bool,
    },
    /// `CREATE POLICY`.
    CreatePolicy(PolicyDef),
    /// `DROP POLICY`.
    DropPolicy { table: Name, name: String },
    /// `DROP TABLE`.
    DropTables(Vec<Name>),
    /// `DROP SCHEMA … CASCADE`.
    DropSchema(String),
    /// `CREATE FUNCTION`.
    CreateFunction(FunctionDef),
    /// `CREATE TRIGGER … ON table … EXECUTE FUNCTION f`.
    CreateTrigger { table: Name, function: Name },
    /// `CREATE VIEW` (and `ALTER VIEW … SET (security_invoker …)`).
    View { view: Name, invoker: bool },
    /// `GRANT`/`REVOKE`, and `ALTER DEFAULT PRIVILEGES … GRANT`.
    Privileges(PrivilegeDef),
    /// `INSERT INTO storage.buckets`.
    Buckets(Vec<(String, bool)>),
    /// Anything else.
    Other,
}

/// A `CREATE POLICY` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PolicyDef {
    pub(crate) name: String,
    pub(crate) table: Name,
    pub(crate) permissive: bool,
    pub(crate) command: Command,
    pub(crate) roles: Vec<String>,
    pub(crate) using: Option<String>,
    pub(crate) check: Option<String>,
}

/// A `CREATE FUNCTION` as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FunctionDef {
    pub(crate) name: Name,
    pub(crate) definer: bool,
    pub(crate) language: String,
    pub(crate) body: String,
    pub(crate) trigger: bool,
}

/// A `GRANT` or `REVOKE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrivilegeDef {
    pub(crate) revoke: bool,
    /// `ALTER DEFAULT PRIVILEGES`: about objects created later.
    pub(crate) default: bool,
    /// Lowercase privileges (`all`, `select`, `insert`, `execute`).
    pub(crate) privileges: Vec<String>,
    pub(crate) target: Target,
    /// Lowercase grantees (`anon`, `authenticated`, `public`).
    pub(crate) grantees: Vec<String>,
}

/// What a privilege statement is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// Named tables (or views, sequences).
    Tables(Vec<Name>),
    /// All tables of schemas, now or by default in the future.
    AllTables(Vec<String>),
    /// Named functions.
    Functions(Vec<Name>),
    /// All functions of schemas, now or by default in the future.
    AllFunctions(Vec<String>),
    /// Anything else (schemas, sequences in a schema, types).
    Other,
}

/// How a statement was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadBy {
    /// sqlparser parsed it.
    Parser,
    /// sqlparser did not; the keyword reader did.
    Keywords,
}

/// Reads one statement.
pub(crate) fn read(statement: &Statement<'_>) -> (Action, ReadBy) {
    let keywords = keywords(&statement.tokens);
    // Privileges, buckets, views' options and DO blocks read the same by
    // keywords; sqlparser is asked about the rest.
    if !matches!(
        keywords,
        Action::Other | Action::Privileges(_) | Action::Buckets(_)
    ) && statement.depth <= MAX_PARSER_DEPTH
        && let Ok(parsed) = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(statement.text)
            .and_then(|mut p| p.parse_statements())
        && let [ast] = parsed.as_slice()
        && let Some(action) = from_ast(ast)
    {
        return (action, ReadBy::Parser);
    }
    (keywords, ReadBy::Keywords)
}

fn ident_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) if ident.quote_style.is_some() => ident.value.clone(),
            ObjectNamePart::Identifier(ident) => ident.value.to_ascii_lowercase(),
            ObjectNamePart::Function(f) => f.name.value.to_ascii_lowercase(),
        })
        .collect()
}

fn name_of(name: &ObjectName) -> Name {
    Name::from_parts(&ident_parts(name))
}

fn expr_text(expr: &Expr) -> String {
    expr.to_string()
}

fn option_true(options: &[SqlOption], key: &str) -> bool {
    options.iter().any(|o| {
        let text = o.to_string().to_ascii_lowercase().replace(' ', "");
        text == format!("{key}=true")
            || text == format!("{key}=on")
            || text == format!("{key}='true'")
            || text == format!("{key}='on'")
            || text == key
    })
}

fn from_ast(ast: &Ast) -> Option<Action> {
    Some(match ast {
        Ast::CreateTable(create) => Action::CreateTable {
            table: name_of(&create.name),
            columns: create
                .columns
                .iter()
                .map(|c| c.name.value.to_ascii_lowercase())
                .collect(),
        },
        Ast::AlterTable(alter) => {
            let table = name_of(&alter.name);
            let mut columns = Vec::new();
            let mut enable = None;
            let mut force = false;
            for op in &alter.operations {
                match op {
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        columns.push(column_def.name.value.to_ascii_lowercase());
                    }
                    AlterTableOperation::EnableRowLevelSecurity => enable = Some(true),
                    AlterTableOperation::DisableRowLevelSecurity => enable = Some(false),
                    AlterTableOperation::ForceRowLevelSecurity => force = true,
                    _ => {}
                }
            }
            if enable.is_some() || force {
                Action::Rls {
                    table,
                    enable,
                    force,
                }
            } else if !columns.is_empty() {
                Action::AddColumns { table, columns }
            } else {
                Action::Other
            }
        }
        Ast::CreatePolicy(policy) => Action::CreatePolicy(PolicyDef {
            name: policy.name.value.clone(),
            table: name_of(&policy.table_name),
            permissive: !matches!(
                policy.policy_type,
                Some(sqlparser::ast::CreatePolicyType::Restrictive)
            ),
            command: match policy.command {
                Some(sqlparser::ast::CreatePolicyCommand::Select) => Command::Select,
                Some(sqlparser::ast::CreatePolicyCommand::Insert) => Command::Insert,
                Some(sqlparser::ast::CreatePolicyCommand::Update) => Command::Update,
                Some(sqlparser::ast::CreatePolicyCommand::Delete) => Command::Delete,
                _ => Command::All,
            },
            roles: match &policy.to {
                Some(owners) => owners
                    .iter()
                    .map(|o| match o {
                        Owner::Ident(ident) => ident.value.to_ascii_lowercase(),
                        other => other.to_string().to_ascii_lowercase(),
                    })
                    .collect(),
                None => vec!["public".to_owned()],
            },
            using: policy.using.as_ref().map(expr_text),
            check: policy.with_check.as_ref().map(expr_text),
        }),
        Ast::DropPolicy(drop) => Action::DropPolicy {
            table: name_of(&drop.table_name),
            name: drop.name.value.clone(),
        },
        Ast::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => Action::DropTables(names.iter().map(name_of).collect()),
        Ast::Drop {
            object_type: ObjectType::Schema,
            names,
            cascade: true,
            ..
        } => match names.as_slice() {
            [name] => Action::DropSchema(ident_parts(name).join(".")),
            _ => Action::Other,
        },
        Ast::CreateFunction(function) => {
            let body = match &function.function_body {
                Some(
                    CreateFunctionBody::AsBeforeOptions { body, .. }
                    | CreateFunctionBody::AsAfterOptions(body),
                ) => match body {
                    Expr::Value(v) => match &v.value {
                        Value::DollarQuotedString(s) => s.value.clone(),
                        Value::SingleQuotedString(s) => s.clone(),
                        other => other.to_string(),
                    },
                    other => other.to_string(),
                },
                Some(other) => format!("{other:?}"),
                None => String::new(),
            };
            let trigger = function
                .return_type
                .as_ref()
                .is_some_and(|t| t.to_string().eq_ignore_ascii_case("trigger"));
            Action::CreateFunction(FunctionDef {
                name: name_of(&function.name),
                definer: function.security == Some(FunctionSecurity::Definer),
                language: function
                    .language
                    .as_ref()
                    .map(|l| l.value.to_ascii_lowercase())
                    .unwrap_or_default(),
                body,
                trigger,
            })
        }
        Ast::CreateTrigger(trigger) => {
            let exec = trigger.exec_body.as_ref()?;
            Action::CreateTrigger {
                table: name_of(&trigger.table_name),
                function: name_of(&exec.func_desc.name),
            }
        }
        Ast::CreateView(view) => {
            let invoker = match &view.options {
                sqlparser::ast::CreateTableOptions::With(options)
                | sqlparser::ast::CreateTableOptions::Options(options)
                | sqlparser::ast::CreateTableOptions::Plain(options)
                | sqlparser::ast::CreateTableOptions::TableProperties(options) => {
                    option_true(options, "security_invoker")
                }
                sqlparser::ast::CreateTableOptions::None => false,
            };
            if view.materialized {
                return Some(Action::Other);
            }
            Action::View {
                view: name_of(&view.name),
                invoker,
            }
        }
        _ => return None,
    })
}

/// A cursor over a statement's tokens, for the keyword reader.
struct Cursor<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.at)
    }

    fn bump(&mut self) -> Option<&'t Token> {
        let token = self.tokens.get(self.at);
        self.at += 1;
        token
    }

    /// Consumes the words `words` if they come next.
    fn eat(&mut self, words: &[&str]) -> bool {
        let matches = words
            .iter()
            .enumerate()
            .all(|(i, w)| self.tokens.get(self.at + i).is_some_and(|t| t.is(w)));
        if matches {
            self.at += words.len();
        }
        matches
    }

    /// Skips to just after the next top-level word `word`.
    fn skip_past(&mut self, word: &str) -> bool {
        let mut depth = 0usize;
        while let Some(token) = self.bump() {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && token.is(word) {
                return true;
            }
        }
        false
    }

    /// A possibly qualified name (`public.profiles`, `"public"."T"`).
    fn name(&mut self) -> Option<Name> {
        let mut parts = vec![self.bump()?.name()?.to_owned()];
        while self.peek().is_some_and(|t| t.is_punct('.')) {
            self.at += 1;
            parts.push(self.bump()?.name()?.to_owned());
        }
        Some(Name::from_parts(&parts))
    }

    /// Names separated by commas.
    fn names(&mut self) -> Vec<Name> {
        let mut out = Vec::new();
        while let Some(name) = self.name() {
            out.push(name);
            // Skip a function's argument list.
            if self.peek().is_some_and(|t| t.is_punct('(')) {
                self.group();
            }
            if !self.peek().is_some_and(|t| t.is_punct(',')) {
                break;
            }
            self.at += 1;
        }
        out
    }

    /// The tokens of a parenthesised group that starts here, without the
    /// outer parentheses; the cursor ends after it.
    fn group(&mut self) -> &'t [Token] {
        if !self.peek().is_some_and(|t| t.is_punct('(')) {
            return &[];
        }
        let open = self.at + 1;
        let mut depth = 0usize;
        while let Some(token) = self.bump() {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth -= 1;
                if depth == 0 {
                    return &self.tokens[open..self.at - 1];
                }
            }
        }
        &self.tokens[open.min(self.tokens.len())..]
    }
}

/// Splits tokens at top-level commas.
fn items(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if token.is_punct('(') {
            depth += 1;
        } else if token.is_punct(')') {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && token.is_punct(',') {
            out.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(&tokens[start..]);
    }
    out
}

/// Tokens back to text, normalised: words lowercased, single spaces.
pub(crate) fn render(tokens: &[Token]) -> String {
    let mut out = String::new();
    let mut previous_word = false;
    for token in tokens {
        let (text, word) = match &token.tok {
            Tok::Word(w) => (w.clone(), true),
            Tok::Quoted(q) => (format!("\"{q}\""), true),
            Tok::Str(s) => (format!("'{}'", s.replace('\'', "''")), true),
            Tok::Dollar(d) => (format!("$${d}$$"), true),
            Tok::Num => ("0".to_owned(), true),
            Tok::Punct(c) => (c.to_string(), false),
        };
        if previous_word && word {
            out.push(' ');
        }
        out.push_str(&text);
        previous_word = word;
    }
    out
}

const COLUMN_CONSTRAINTS: &[&str] = &[
    "constraint",
    "primary",
    "unique",
    "foreign",
    "check",
    "exclude",
    "like",
];

/// The keyword reader.
fn keywords(tokens: &[Token]) -> Action {
    let read = || -> Option<Action> {
        let mut c = Cursor { tokens, at: 0 };
        if c.eat(&["create"]) {
            c.eat(&["or", "replace"]);
            c.eat(&["unlogged"]);
            if c.eat(&["table"]) {
                c.eat(&["if", "not", "exists"]);
                let table = c.name()?;
                let columns = items(c.group())
                    .iter()
                    .filter_map(|item| item.first())
                    .filter(|t| !COLUMN_CONSTRAINTS.iter().any(|k| t.is(k)))
                    .filter_map(|t| t.name().map(str::to_owned))
                    .collect();
                return Some(Action::CreateTable { table, columns });
            }
            if c.eat(&["policy"]) {
                return policy(&mut c);
            }
            if c.eat(&["function"]) || c.eat(&["procedure"]) {
                return function(&mut c);
            }
            if c.eat(&["trigger"]) || c.eat(&["constraint", "trigger"]) {
                c.skip_past("on").then_some(())?;
                let table = c.name()?;
                c.skip_past("execute").then_some(())?;
                if !(c.eat(&["function"]) || c.eat(&["procedure"])) {
                    return None;
                }
                let function = c.name()?;
                return Some(Action::CreateTrigger { table, function });
            }
            if c.eat(&["view"]) {
                c.eat(&["if", "not", "exists"]);
                let view = c.name()?;
                if c.peek().is_some_and(|t| t.is_punct('(')) {
                    c.group();
                }
                let invoker = c.eat(&["with"]) && invoker_option(c.group());
                return Some(Action::View { view, invoker });
            }
            return None;
        }
        if c.eat(&["alter", "table"]) {
            c.eat(&["if", "exists"]);
            c.eat(&["only"]);
            let table = c.name()?;
            let rest = &tokens[c.at..];
            let has = |words: &[&str]| {
                rest.windows(words.len())
                    .any(|w| w.iter().zip(words).all(|(t, word)| t.is(word)))
            };
            if has(&["row", "level", "security"]) {
                let enable = if has(&["enable", "row"]) {
                    Some(true)
                } else if has(&["disable", "row"]) {
                    Some(false)
                } else {
                    None
                };
                let force = has(&["force", "row"]) && !has(&["no", "force"]);
                return Some(Action::Rls {
                    table,
                    enable,
                    force,
                });
            }
            let columns: Vec<String> = items(rest)
                .iter()
                .filter_map(|item| {
                    let mut ic = Cursor {
                        tokens: item,
                        at: 0,
                    };
                    ic.eat(&["add"]).then_some(())?;
                    ic.eat(&["column"]);
                    ic.eat(&["if", "not", "exists"]);
                    let token = ic.bump()?;
                    if COLUMN_CONSTRAINTS.iter().any(|k| token.is(k)) {
                        return None;
                    }
                    token.name().map(str::to_owned)
                })
                .collect();
            return (!columns.is_empty()).then_some(Action::AddColumns { table, columns });
        }
        if c.eat(&["alter", "view"]) {
            c.eat(&["if", "exists"]);
            let view = c.name()?;
            if c.eat(&["set"]) {
                return Some(Action::View {
                    view,
                    invoker: invoker_option(c.group()),
                });
            }
            return None;
        }
        if c.eat(&["drop", "policy"]) {
            c.eat(&["if", "exists"]);
            let name = c.bump()?.name()?.to_owned();
            c.eat(&["on"]).then_some(())?;
            let table = c.name()?;
            return Some(Action::DropPolicy { table, name });
        }
        if c.eat(&["drop", "table"]) {
            c.eat(&["if", "exists"]);
            return Some(Action::DropTables(c.names()));
        }
        if c.eat(&["drop", "schema"]) {
            c.eat(&["if", "exists"]);
            let schema = c.bump()?.name()?.to_owned();
            let cascade = tokens.iter().any(|t| t.is("cascade"));
            return cascade.then_some(Action::DropSchema(schema));
        }
        if c.peek().is_some_and(|t| t.is("grant") || t.is("revoke")) {
            return privileges(&mut c, false);
        }
        if c.eat(&["alter", "default", "privileges"]) {
            while let Some(t) = c.peek() {
                if t.is("grant") || t.is("revoke") {
                    return privileges(&mut c, true);
                }
                c.at += 1;
            }
            return None;
        }
        if c.eat(&["insert", "into"]) {
            let table = c.name()?;
            if table != Name::new("storage", "buckets") {
                return None;
            }
            return buckets(&mut c);
        }
        None
    };
    read().unwrap_or(Action::Other)
}

fn invoker_option(tokens: &[Token]) -> bool {
    items(tokens).iter().any(|item| {
        item.first().is_some_and(|t| t.is("security_invoker"))
            && (item.len() == 1
                || item.last().is_some_and(|t| {
                    t.is("true")
                        || t.is("on")
                        || matches!(&t.tok, Tok::Str(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("on"))
                }))
    })
}

fn policy(c: &mut Cursor<'_>) -> Option<Action> {
    let name = c.bump()?.name()?.to_owned();
    c.eat(&["on"]).then_some(())?;
    let table = c.name()?;
    let mut def = PolicyDef {
        name,
        table,
        permissive: true,
        command: Command::All,
        roles: vec!["public".to_owned()],
        using: None,
        check: None,
    };
    while let Some(token) = c.bump() {
        if token.is("as") {
            def.permissive = !c.peek().is_some_and(|t| t.is("restrictive"));
            c.at += 1;
        } else if token.is("for") {
            let command = c.bump()?;
            def.command = match command.name() {
                Some("select") => Command::Select,
                Some("insert") => Command::Insert,
                Some("update") => Command::Update,
                Some("delete") => Command::Delete,
                _ => Command::All,
            };
        } else if token.is("to") {
            def.roles.clear();
            while let Some(role) = c.peek().and_then(Token::name) {
                if role == "using" || role == "with" {
                    break;
                }
                def.roles.push(role.to_ascii_lowercase());
                c.at += 1;
                if !c.peek().is_some_and(|t| t.is_punct(',')) {
                    break;
                }
                c.at += 1;
            }
        } else if token.is("using") {
            def.using = Some(render(c.group()));
        } else if token.is("with") && c.eat(&["check"]) {
            def.check = Some(render(c.group()));
        }
    }
    Some(Action::CreatePolicy(def))
}

fn function(c: &mut Cursor<'_>) -> Option<Action> {
    let name = c.name()?;
    c.group();
    let mut def = FunctionDef {
        name,
        definer: false,
        language: String::new(),
        body: String::new(),
        trigger: false,
    };
    while let Some(token) = c.bump() {
        if token.is("returns") {
            def.trigger = c.peek().is_some_and(|t| t.is("trigger"));
        } else if token.is("security") {
            def.definer = c.peek().is_some_and(|t| t.is("definer"));
        } else if token.is("language") {
            def.language = c
                .peek()
                .and_then(Token::name)
                .unwrap_or("")
                .to_ascii_lowercase();
        } else if token.is("as") {
            if let Some(Tok::Dollar(body) | Tok::Str(body)) = c.peek().map(|t| &t.tok) {
                def.body = body.clone();
            }
        } else if token.is("begin") && def.body.is_empty() {
            // A SQL-standard body (`BEGIN ATOMIC … END`).
            def.body = render(&c.tokens[c.at..]);
            break;
        }
    }
    Some(Action::CreateFunction(def))
}

fn privileges(c: &mut Cursor<'_>, default: bool) -> Option<Action> {
    let revoke = c.bump()?.is("revoke");
    c.eat(&["grant", "option", "for"]);
    let mut privileges = Vec::new();
    while let Some(token) = c.peek() {
        if token.is("on") {
            break;
        }
        if let Some(word) = token.name()
            && word != "privileges"
        {
            privileges.push(word.to_ascii_lowercase());
        }
        if token.is_punct('(') {
            c.group();
            continue;
        }
        c.at += 1;
    }
    c.eat(&["on"]).then_some(())?;
    let target = if default {
        // `ON TABLES`, `ON FUNCTIONS`: the schema was named before GRANT.
        let schemas = schemas_in(c.tokens);
        if c.eat(&["tables"]) {
            Target::AllTables(schemas)
        } else if c.eat(&["functions"]) || c.eat(&["routines"]) {
            Target::AllFunctions(schemas)
        } else {
            Target::Other
        }
    } else if c.eat(&["all", "tables", "in", "schema"]) {
        Target::AllTables(c.names().iter().map(|n| n.name.clone()).collect())
    } else if c.eat(&["all", "functions", "in", "schema"])
        || c.eat(&["all", "routines", "in", "schema"])
    {
        Target::AllFunctions(c.names().iter().map(|n| n.name.clone()).collect())
    } else if c.eat(&["function"]) || c.eat(&["routine"]) || c.eat(&["procedure"]) {
        Target::Functions(c.names())
    } else if c.eat(&["schema"])
        || c.eat(&["sequence"])
        || c.eat(&["all", "sequences"])
        || c.eat(&["type"])
    {
        Target::Other
    } else {
        c.eat(&["table"]);
        Target::Tables(c.names())
    };
    c.eat(&[if revoke { "from" } else { "to" }]).then_some(())?;
    let mut grantees = Vec::new();
    while let Some(token) = c.bump() {
        if let Some(name) = token.name() {
            if name == "with" || name == "granted" || name == "cascade" || name == "restrict" {
                break;
            }
            if name != "group" && name != "role" {
                grantees.push(name.to_ascii_lowercase());
            }
        }
    }
    Some(Action::Privileges(PrivilegeDef {
        revoke,
        default,
        privileges,
        target,
        grantees,
    }))
}

/// The schemas named by `IN SCHEMA a, b` of `ALTER DEFAULT PRIVILEGES`.
fn schemas_in(tokens: &[Token]) -> Vec<String> {
    let mut c = Cursor { tokens, at: 0 };
    while c.at < tokens.len() {
        if c.eat(&["in", "schema"]) {
            return c.names().iter().map(|n| n.name.clone()).collect();
        }
        if c.peek().is_some_and(|t| t.is("grant") || t.is("revoke")) {
            break;
        }
        c.at += 1;
    }
    vec!["public".to_owned()]
}

fn buckets(c: &mut Cursor<'_>) -> Option<Action> {
    let columns: Vec<String> = items(c.group())
        .iter()
        .filter_map(|item| item.first().and_then(Token::name).map(str::to_owned))
        .collect();
    c.eat(&["values"]).then_some(())?;
    let id_at = columns.iter().position(|col| col == "id");
    let name_at = columns.iter().position(|col| col == "name");
    let public_at = columns.iter().position(|col| col == "public");
    let mut out = Vec::new();
    while c.peek().is_some_and(|t| t.is_punct('(')) {
        let values = items(c.group());
        let text = |i: Option<usize>| {
            i.and_then(|i| values.get(i))
                .and_then(|v| v.first())
                .and_then(|t| match &t.tok {
                    Tok::Str(s) => Some(s.clone()),
                    _ => None,
                })
        };
        if let Some(id) = text(id_at).or_else(|| text(name_at)) {
            let public = public_at
                .and_then(|i| values.get(i))
                .is_some_and(|v| v.first().is_some_and(|t| t.is("true")));
            out.push((id, public));
        }
        if !c.peek().is_some_and(|t| t.is_punct(',')) {
            break;
        }
        c.at += 1;
    }
    Some(Action::Buckets(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::lex::split;

    fn both(sql: &str) -> (Action, Action) {
        let (statements, _) = split(sql, 10);
        let statement = &statements[0];
        (read(statement).0, keywords(&statement.tokens))
    }

    #[test]
    fn parser_and_keywords_agree_on_policies() {
        let (parsed, keyword) = both(
            "create policy \"own\" on public.profiles for update to authenticated using (auth.uid() = id) with check (auth.uid() = id)",
        );
        let Action::CreatePolicy(p) = &parsed else {
            panic!("not a policy: {parsed:?}");
        };
        assert_eq!(p.name, "own");
        assert_eq!(p.table, Name::new("public", "profiles"));
        assert_eq!(p.command, Command::Update);
        assert_eq!(p.roles, vec!["authenticated".to_owned()]);
        let Action::CreatePolicy(k) = &keyword else {
            panic!("not a policy: {keyword:?}");
        };
        assert_eq!(
            (&k.name, &k.table, k.command),
            (&p.name, &p.table, p.command)
        );
        assert_eq!(k.roles, p.roles);
        assert_eq!(k.using.as_deref(), Some("auth.uid()=id"));
    }

    #[test]
    fn do_blocks_and_unknown_statements_are_other() {
        assert_eq!(
            both("do $$ begin create table x(); end $$").0,
            Action::Other
        );
        assert_eq!(
            both("alter publication supabase_realtime add table public.t").0,
            Action::Other
        );
    }

    #[test]
    fn functions_read_the_same_either_way() {
        let sql = "create or replace function public.handle_new_user() returns trigger language plpgsql security definer set search_path = '' as $$ begin insert into public.profiles (id) values (new.id); return new; end; $$";
        let (parsed, keyword) = both(sql);
        let (Action::CreateFunction(p), Action::CreateFunction(k)) = (&parsed, &keyword) else {
            panic!("not functions: {parsed:?} {keyword:?}");
        };
        assert_eq!(p, k);
        assert!(p.definer && p.trigger);
        assert_eq!(p.language, "plpgsql");
    }

    #[test]
    fn grants_buckets_and_view_options() {
        let (grant, _) = both("grant all on table public.profiles to anon, authenticated");
        assert_eq!(
            grant,
            Action::Privileges(PrivilegeDef {
                revoke: false,
                default: false,
                privileges: vec!["all".to_owned()],
                target: Target::Tables(vec![Name::new("public", "profiles")]),
                grantees: vec!["anon".to_owned(), "authenticated".to_owned()],
            })
        );
        let (revoke, _) = both("revoke execute on function public.f(uuid, int) from anon, public");
        let Action::Privileges(revoke) = revoke else {
            panic!("not a revoke");
        };
        assert!(revoke.revoke);
        assert_eq!(
            revoke.target,
            Target::Functions(vec![Name::new("public", "f")])
        );
        let (buckets, _) = both(
            "insert into storage.buckets (id, name, public) values ('ids', 'ids', true), ('a', 'a', false) on conflict do nothing",
        );
        assert_eq!(
            buckets,
            Action::Buckets(vec![("ids".to_owned(), true), ("a".to_owned(), false)])
        );
        let (parsed, keyword) =
            both("create view public.v with (security_invoker = on) as select 1");
        assert_eq!(parsed, keyword);
        assert_eq!(
            parsed,
            Action::View {
                view: Name::new("public", "v"),
                invoker: true
            }
        );
    }
}
