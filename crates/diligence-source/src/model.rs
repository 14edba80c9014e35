//! The per-file model: what one parse of a source file leaves behind.
//!
//! Owned data only, so detectors run after the parser's arena is gone and
//! the model can be saved or compared. Everything is in source order.

use diligence_model::FileClass;
use serde::Serialize;

pub use crate::rust::RustModel;

/// The language a file was parsed as.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Language {
    /// `.js`, `.mjs`, `.cjs`.
    JavaScript,
    /// `.jsx`.
    Jsx,
    /// `.ts`, `.mts`, `.cts`.
    TypeScript,
    /// `.tsx`.
    Tsx,
    /// `.py` (stubs, `.pyi`, hold no code and are not read).
    Python,
    /// `.rs`.
    Rust,
}

impl Language {
    /// The language of a path, by extension; `None` for files this crate
    /// does not parse (declaration files `.d.ts` included: they hold no code).
    pub fn of(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "js" | "mjs" | "cjs" => Some(Self::JavaScript),
            "jsx" => Some(Self::Jsx),
            "ts" | "mts" | "cts" => Some(Self::TypeScript),
            "tsx" => Some(Self::Tsx),
            "py" => Some(Self::Python),
            "rs" => Some(Self::Rust),
            _ => None,
        }
    }
}

/// Where a file's code runs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Runtime {
    /// Shipped to the browser: a `'use client'` module, or the `src/` of a
    /// Vite app.
    Client,
    /// Runs on a server: a `'use server'` module, a Supabase edge function.
    Server,
    /// Not decided from the path or the directives.
    Unknown,
}

/// One `import` (or `export … from`) of a module.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Import {
    /// The module specifier as written (`npm:@supabase/supabase-js@2`,
    /// `../_shared/auth.ts`).
    pub specifier: String,
    /// Local names bound by the import (`createClient`, `* as x` gives `x`).
    pub names: Vec<String>,
    /// 1-based line.
    pub line: u32,
}

/// A value passed to a call, as far as a detector cares.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
#[non_exhaustive]
pub enum Arg {
    /// A string literal (or a template literal without expressions).
    Str(String),
    /// A plain identifier.
    Ident(String),
    /// A boolean literal (`shell: true`).
    Bool(bool),
    /// A member path (`user.id`, `body.userId`).
    Member(String),
    /// An environment variable read in place (`Deno.env.get('X')`,
    /// `process.env.X`, `import.meta.env.X`): its name.
    Env(String),
    /// A template literal with expressions, or a string concatenation
    /// (`'a' + id`): its literal parts, and its expressions as paths
    /// (`req.query.id`, `searchParams.get()`; `?` when not a path).
    Template {
        /// The literal parts, in order.
        parts: Vec<String>,
        /// The expressions, in order.
        exprs: Vec<String>,
    },
    /// An object literal: its properties with a static key, their values
    /// read like arguments (a few levels deep, a bounded number of items).
    Object(Vec<(String, Self)>),
    /// An array literal, its items read like arguments.
    Array(Vec<Self>),
    /// A call's result (`searchParams.get('next')`,
    /// `new TextEncoder().encode('x')`): its callee and arguments.
    Call {
        /// The callee as a dotted path, as in [`Call::callee`].
        callee: String,
        /// Its arguments.
        args: Vec<Self>,
    },
    /// Anything else.
    Other,
}

impl Arg {
    /// The statement verb of SQL text written as a string or template
    /// (`UPDATE` for `"update users set …"`), uppercased, after leading
    /// whitespace and `--` comments; `None` for anything else.
    pub fn sql_verb(&self) -> Option<String> {
        let text = match self {
            Self::Str(s) => s.as_str(),
            Self::Template { parts, .. } => parts.first()?.as_str(),
            _ => return None,
        };
        let mut rest = text.trim_start();
        while let Some(comment) = rest.strip_prefix("--") {
            rest = comment.split_once('\n').map_or("", |(_, r)| r).trim_start();
        }
        let word: String = rest
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_uppercase();
        const VERBS: &[&str] = &[
            "SELECT", "INSERT", "UPDATE", "DELETE", "UPSERT", "MERGE", "WITH", "REPLACE",
        ];
        VERBS.contains(&word.as_str()).then_some(word)
    }

    /// The value of property `key`, for an object literal.
    pub fn property(&self, key: &str) -> Option<&Self> {
        match self {
            Self::Object(properties) => properties.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, for a string literal.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// One call (or `new`) expression.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Call {
    /// The callee as a dotted path; calls inside a chain read `name()`
    /// (`supabase.from().select().eq`), `new` callees start with `new `,
    /// and parts that are not names read `?`.
    pub callee: String,
    /// The arguments.
    pub args: Vec<Arg>,
    /// The variable the (awaited) result is bound to, when the call (or
    /// `new`) is the whole initialiser of a declaration (`const admin =
    /// createClient(…)`, `const router = new Router()`), or the name a
    /// CommonJS module exports it as (`exports.api = onRequest(…)`).
    pub bound_to: Option<String>,
    /// 1-based line of the call.
    pub line: u32,
    /// Byte offset of the call in the file (where its callee's last name
    /// starts), to place it inside or outside a function exactly.
    pub offset: u32,
    /// Keyword arguments (`prefix="/users"`, `shell=True`), in order;
    /// empty for languages without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<(String, Arg)>,
}

impl Call {
    /// The callee's first name (`supabase` for `supabase.from().eq`).
    pub fn root(&self) -> &str {
        let end = self.callee.find(['.', '(']).unwrap_or(self.callee.len());
        &self.callee[..end]
    }

    /// The callee's last name (`eq` for `supabase.from().eq`).
    pub fn method(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }

    /// The callee's last name across Rust paths too (`from_secret` for
    /// `EncodingKey::from_secret`, where [`method`](Self::method) keeps
    /// the path).
    pub fn last_name(&self) -> &str {
        self.callee
            .rsplit([':', '.'])
            .next()
            .unwrap_or(&self.callee)
    }
}

/// A property of an object literal whose key is a name or a string
/// (`'Access-Control-Allow-Origin': '*'`, `dangerouslyAllowBrowser: true`,
/// `max_tokens: 500`): the raw material of configuration detectors.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Property {
    /// The key as written.
    pub key: String,
    /// The value, as far as a detector cares.
    pub value: Arg,
    /// 1-based line.
    pub line: u32,
    /// Byte offset of the property in the file.
    pub offset: u32,
    /// Byte offset of the object literal that holds it: properties with
    /// the same `object` are siblings.
    pub object: u32,
}

/// A variable bound directly to an environment variable
/// (`const key = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct EnvBinding {
    /// The variable.
    pub name: String,
    /// The environment variable.
    pub env: String,
    /// 1-based line.
    pub line: u32,
}

/// An environment variable read anywhere in the file.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct EnvRead {
    /// Its name.
    pub name: String,
    /// 1-based line.
    pub line: u32,
    /// The string literal the read falls back to where the variable is
    /// unset (`process.env.JWT_SECRET || 'secret'`), if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// A variable bound to a value other than a function
/// (`const sql = \`SELECT … ${id}\``, `const config = { matcher: […] }`),
/// or a name destructured from a path (`const { id } = req.query` binds
/// `id` to the member `req.query.id`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Binding {
    /// The variable.
    pub name: String,
    /// Its value, read like an argument.
    pub value: Arg,
    /// 1-based line.
    pub line: u32,
}

/// A field taken from a request's parsed JSON body
/// (`const { userId } = await req.json()`, `body.userId`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct BodyField {
    /// The field's name in the body.
    pub field: String,
    /// The expression that holds it in the code (`userId`, `body.userId`).
    pub local: String,
    /// 1-based line.
    pub line: u32,
}

/// An equality comparison of two names (`user.id !== userId`): the raw
/// material of ownership checks.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Comparison {
    /// Left operand as a name or member path.
    pub left: String,
    /// Right operand as a name or member path.
    pub right: String,
    /// 1-based line.
    pub line: u32,
}

/// A function, method or callback: the unit detectors attribute calls to.
///
/// Calls, body fields and comparisons stay flat lists on the file in source
/// order; a function records its line range, so a detector asks
/// [`FileModel::calls_in`] for the calls made inside it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Function {
    /// Its name: the declared name, the variable or property it is bound
    /// to, `default` for an anonymous default export, or `None` for an
    /// anonymous callback.
    pub name: Option<String>,
    /// The enclosing class, for a method.
    pub class: Option<String>,
    /// The callee of the call this function is passed to, for a callback
    /// (`app.post`, `router.get`, `Deno.serve`, `serve`).
    pub passed_to: Option<String>,
    /// Names of its parameters, in order (`?` for a destructured one).
    pub params: Vec<String>,
    /// Decorators, as callee paths (`Get`, `UseGuards`, `app.post`).
    pub decorators: Vec<String>,
    /// The arguments of each decorator, in the order of
    /// [`decorators`](Self::decorators) (empty for one that is not called);
    /// kept for JavaScript and TypeScript only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decorator_args: Vec<Vec<Arg>>,
    /// Whether the module exports it (by name or as its default export).
    pub exported: bool,
    /// Whether it is `async`.
    pub is_async: bool,
    /// 1-based first line.
    pub line: u32,
    /// 1-based last line.
    pub end_line: u32,
    /// Byte offsets of its start and end in the file.
    pub span: (u32, u32),
}

impl Function {
    /// The arguments of its decorator named `name` (the decorator's last
    /// path segment), if it has one.
    pub fn decorator(&self, name: &str) -> Option<&[Arg]> {
        decorator_of(&self.decorators, &self.decorator_args, name)
    }

    /// Whether a 1-based line falls inside this function.
    pub fn contains(&self, line: u32) -> bool {
        self.line <= line && line <= self.end_line
    }

    /// Whether a call is made inside this function (its body or its
    /// parameters' defaults), not by the expression the function is
    /// passed to.
    pub fn contains_call(&self, call: &Call) -> bool {
        self.span.0 <= call.offset && call.offset < self.span.1
    }
}

/// A class: its decorators and bases say what a framework makes of it
/// (a NestJS controller, a Django REST framework view).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Class {
    /// Its name (`default` for an anonymous default export).
    pub name: String,
    /// Base classes, as paths (`APIView`, `generics.ListAPIView`).
    pub bases: Vec<String>,
    /// Keywords of a Python class statement (`table=True` of
    /// `class User(SQLModel, table=True)`); empty for other languages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<(String, Arg)>,
    /// Decorators, as callee paths (`Controller`, `UseGuards`).
    pub decorators: Vec<String>,
    /// The arguments of each decorator, as in
    /// [`Function::decorator_args`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decorator_args: Vec<Vec<Arg>>,
    /// 1-based first line.
    pub line: u32,
    /// 1-based last line.
    pub end_line: u32,
}

impl Class {
    /// The arguments of its decorator named `name`, as
    /// [`Function::decorator`].
    pub fn decorator(&self, name: &str) -> Option<&[Arg]> {
        decorator_of(&self.decorators, &self.decorator_args, name)
    }
}

/// A field declared in a JavaScript or TypeScript class body
/// (`@Column() email: string;`): the raw material of ORM entity readers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ClassField {
    /// The enclosing class (`default` for an anonymous one).
    pub class: String,
    /// Its name.
    pub name: String,
    /// Decorators, as callee paths (`Column`, `ManyToOne`).
    pub decorators: Vec<String>,
    /// The arguments of each decorator, as in [`Function::decorator_args`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decorator_args: Vec<Vec<Arg>>,
    /// Its type annotation as written, without the colon (`string`,
    /// `User[]`).
    pub annotation: Option<String>,
    /// Whether it is `static`.
    pub is_static: bool,
    /// 1-based line of its name.
    pub line: u32,
}

impl ClassField {
    /// The arguments of its decorator named `name`, as
    /// [`Function::decorator`].
    pub fn decorator(&self, name: &str) -> Option<&[Arg]> {
        decorator_of(&self.decorators, &self.decorator_args, name)
    }
}

/// What one parse of one file yields.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct FileModel {
    /// Path relative to the target's root, `/`-separated.
    pub path: String,
    /// The language it was parsed as.
    pub language: Language,
    /// Its class (always production, test, example or template here:
    /// vendored and generated files are skipped before parsing).
    pub class: FileClass,
    /// Where it runs.
    pub runtime: Runtime,
    /// Module directives (`use client`, `use server`).
    pub directives: Vec<String>,
    /// Imports and re-exports.
    pub imports: Vec<Import>,
    /// Names of exported functions (and of exported variables bound to
    /// functions or calls).
    pub exports: Vec<String>,
    /// Calls and `new` expressions.
    pub calls: Vec<Call>,
    /// Environment variables read.
    pub env_reads: Vec<EnvRead>,
    /// Variables bound to an environment variable.
    pub env_bindings: Vec<EnvBinding>,
    /// Fields read from a request's JSON body.
    pub body_fields: Vec<BodyField>,
    /// Equality comparisons of names.
    pub comparisons: Vec<Comparison>,
    /// Names and member paths tested for absence (`!request.auth`,
    /// `!ctx.state.user`), as `(path, line)`: the raw material of "refuse
    /// without a user" checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub negations: Vec<(String, u32)>,
    /// Functions, methods and callbacks, in source order (an outer function
    /// before the functions nested in it).
    pub functions: Vec<Function>,
    /// Classes, in source order.
    pub classes: Vec<Class>,
    /// Fields declared in JavaScript and TypeScript class bodies, in source
    /// order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class_fields: Vec<ClassField>,
    /// What only a Python file has to say (parameter annotations and
    /// defaults, assignments, strings built for a call); empty otherwise.
    #[serde(skip_serializing_if = "PythonModel::is_empty")]
    pub python: PythonModel,
    /// What only a Rust file has to say (parameter types, modules, `impl`
    /// blocks, macro blocks, doc-comment code blocks); empty otherwise.
    #[serde(skip_serializing_if = "RustModel::is_empty")]
    pub rust: RustModel,
    /// Properties of object literals, in source order.
    pub properties: Vec<Property>,
    /// Variables bound to values (not functions), in source order.
    pub bindings: Vec<Binding>,
    /// 1-based lines of error handlers that drop the error: an empty
    /// `catch {}` block, `.catch(() => {})`, `except …: pass`.
    pub swallowed: Vec<u32>,
}

impl FileModel {
    /// Gives the first read of `name` recorded from index `since` on (the
    /// reads a walk of one expression recorded) the literal it falls back
    /// to.
    pub(crate) fn set_env_fallback(&mut self, since: usize, name: &str, literal: String) {
        if let Some(read) = self.env_reads[since..].iter_mut().find(|r| r.name == name) {
            read.fallback = Some(literal);
        }
    }

    /// An empty model of the file at `path`, for a parser to fill.
    pub(crate) fn new(path: &str, language: Language, class: FileClass, runtime: Runtime) -> Self {
        Self {
            path: path.to_owned(),
            language,
            class,
            runtime,
            directives: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
            calls: Vec::new(),
            env_reads: Vec::new(),
            env_bindings: Vec::new(),
            body_fields: Vec::new(),
            comparisons: Vec::new(),
            negations: Vec::new(),
            functions: Vec::new(),
            classes: Vec::new(),
            class_fields: Vec::new(),
            python: PythonModel::default(),
            rust: RustModel::default(),
            properties: Vec::new(),
            bindings: Vec::new(),
            swallowed: Vec::new(),
        }
    }

    /// Calls whose callee is `name` or ends with `.name`.
    pub fn calls_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Call> + 's {
        self.calls.iter().filter(move |c| {
            c.callee == name
                || c.callee
                    .strip_suffix(name)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }

    /// Calls made inside `function` (nested functions included).
    pub fn calls_in<'s>(&'s self, function: &'s Function) -> impl Iterator<Item = &'s Call> + 's {
        self.calls.iter().filter(|c| function.contains_call(c))
    }

    /// The innermost function containing a 1-based line.
    pub fn function_at(&self, line: u32) -> Option<&Function> {
        self.functions
            .iter()
            .filter(|f| f.contains(line))
            .min_by_key(|f| f.end_line - f.line)
    }

    /// Properties whose key is `key`, compared without regard to case.
    pub fn properties_named<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s Property> + 's {
        self.properties
            .iter()
            .filter(move |p| p.key.eq_ignore_ascii_case(key))
    }

    /// Exported functions named `name`.
    pub fn exported_function(&self, name: &str) -> Option<&Function> {
        self.functions
            .iter()
            .find(|f| f.exported && f.name.as_deref() == Some(name))
    }

    /// The value of the last binding of `name` at or before a 1-based
    /// line.
    pub fn binding(&self, name: &str, line: u32) -> Option<&Binding> {
        self.bindings
            .iter()
            .rfind(|b| b.name == name && b.line <= line)
    }

    /// The first path tested for absence inside `function` that names a
    /// signed-in user or session (`!request.session.user`, `!ctx.state.user`,
    /// `!request.auth`, `!user`).
    pub fn refuses_without_user(&self, function: &Function) -> Option<&str> {
        self.negations
            .iter()
            .filter(|(_, line)| function.contains(*line))
            .map(|(path, _)| path.as_str())
            .find(|path| {
                let last = path.rsplit('.').next().unwrap_or(path);
                matches!(last, "user" | "auth" | "session" | "userId" | "currentUser")
            })
    }

    /// The call a Python assignment's value is, if it is one.
    pub fn assigned_call(&self, assignment: &Assignment) -> Option<&Call> {
        let at = assignment.call?;
        self.calls.iter().find(|c| c.offset == at)
    }

    /// Whether the file imports a module whose specifier contains `needle`.
    pub fn imports_module(&self, needle: &str) -> bool {
        self.imports.iter().any(|i| i.specifier.contains(needle))
    }
}

/// The arguments of the decorator named `name` among `names`.
pub(crate) fn decorator_of<'s>(
    names: &'s [String],
    args: &'s [Vec<Arg>],
    name: &str,
) -> Option<&'s [Arg]> {
    let at = names
        .iter()
        .position(|d| d.rsplit('.').next() == Some(name))?;
    Some(args.get(at).map_or(&[][..], Vec::as_slice))
}

/// A parameter of a Python function, with the source text of its
/// annotation and default (`Depends(get_current_user)`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Param {
    /// The start of the function's span ([`Function::span`]).
    pub function: u32,
    /// Its name.
    pub name: String,
    /// Its annotation as written (`User`, `Annotated[User, Depends(auth)]`).
    pub annotation: Option<String>,
    /// Its default as written (`Depends(get_current_user)`).
    pub default: Option<String>,
    /// 1-based line.
    pub line: u32,
}

/// An assignment to a name or attribute (`permission_classes = [...]`,
/// `q = f"... {x}"`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Assignment {
    /// The target as a dotted path (`permission_classes`, `self.x`).
    pub target: String,
    /// The class whose body holds it, for a class attribute.
    pub class: Option<String>,
    /// Whether it is made inside a function.
    pub in_function: bool,
    /// Names, member paths and callees read by the value, in order
    /// (`IsAuthenticated`, `request.args.get`).
    pub names: Vec<String>,
    /// For a dict value: each string key with the names its value reads,
    /// then the string literals it holds (`DEFAULT_PERMISSION_CLASSES` →
    /// `rest_framework.permissions.AllowAny`).
    pub entries: Vec<(String, Vec<String>)>,
    /// How the value builds a string from other values, when it does
    /// (`f-string`, `%`, `format`, `+`).
    pub built: Option<String>,
    /// The value read like an argument (a literal, a name; `True` and
    /// `False` read as the names they are written with).
    pub value: Arg,
    /// The annotation as written, for an annotated assignment
    /// (`email: Mapped[str] = mapped_column()`); a class attribute that is
    /// only annotated (`email: Mapped[str]`) is kept too, with the value
    /// [`Arg::Other`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<String>,
    /// The [`Call::offset`] of the value, when it is a call
    /// (`models.CharField(max_length=100)`), to read its arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<u32>,
    /// 1-based line.
    pub line: u32,
    /// Byte offset.
    pub offset: u32,
}

/// A string built from other values and passed straight to a call
/// (`cursor.execute(f"... {name}")`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct BuiltArg {
    /// The call's [`Call::offset`].
    pub call: u32,
    /// The argument's position.
    pub index: usize,
    /// How it is built (`f-string`, `%`, `format`, `+`).
    pub how: String,
    /// Names, member paths and callees it reads.
    pub names: Vec<String>,
    /// 1-based line.
    pub line: u32,
}

/// What a compound argument holds (`dependencies=[Depends(auth)]`,
/// `methods=["GET", "POST"]`, `[IsAuthenticated]`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ArgValues {
    /// The call's [`Call::offset`].
    pub call: u32,
    /// The keyword, or the position (`0`) of a positional argument.
    pub arg: String,
    /// Names, member paths and callees it reads, in order (a callee comes
    /// before its arguments: `Depends`, `auth`).
    pub names: Vec<String>,
    /// String literals in it, in order.
    pub strings: Vec<String>,
}

/// The Python part of a [`FileModel`].
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
pub struct PythonModel {
    /// Parameters of every function, in source order.
    pub params: Vec<Param>,
    /// Assignments, in source order.
    pub assignments: Vec<Assignment>,
    /// Built strings passed to calls, in source order.
    pub built_args: Vec<BuiltArg>,
    /// Compound arguments of calls (lists, tuples, dicts, calls), in
    /// source order.
    pub arg_values: Vec<ArgValues>,
}

impl PythonModel {
    /// Whether it holds nothing (every non-Python file).
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
            && self.assignments.is_empty()
            && self.built_args.is_empty()
            && self.arg_values.is_empty()
    }

    /// The compound argument `arg` (a keyword or a position) of `call`.
    pub fn arg_values(&self, call: &Call, arg: &str) -> Option<&ArgValues> {
        self.arg_values
            .iter()
            .find(|v| v.call == call.offset && v.arg == arg)
    }

    /// The parameters of `function`.
    pub fn params_of<'s>(&'s self, function: &'s Function) -> impl Iterator<Item = &'s Param> + 's {
        self.params.iter().filter(|p| p.function == function.span.0)
    }
}

/// The nesting of a file's functions, to find the functions around an
/// offset without scanning them all (a file may hold tens of thousands).
pub(crate) struct Nesting<'f> {
    functions: &'f [Function],
    /// Indices into `functions`, by start offset (outer first on a tie).
    order: Vec<usize>,
    /// Start offsets in `order`.
    starts: Vec<u32>,
    /// The enclosing function of each position of `order`, as a position.
    parent: Vec<Option<usize>>,
}

impl<'f> Nesting<'f> {
    pub(crate) fn new(functions: &'f [Function]) -> Self {
        let mut order: Vec<usize> = (0..functions.len()).collect();
        order.sort_by_key(|&i| (functions[i].span.0, std::cmp::Reverse(functions[i].span.1)));
        let starts = order.iter().map(|&i| functions[i].span.0).collect();
        let mut parent = vec![None; order.len()];
        let mut stack: Vec<usize> = Vec::new();
        for (pos, &i) in order.iter().enumerate() {
            let f = &functions[i];
            while let Some(&top) = stack.last() {
                let t = &functions[order[top]];
                if t.span.0 <= f.span.0 && f.span.1 <= t.span.1 {
                    break;
                }
                stack.pop();
            }
            parent[pos] = stack.last().copied();
            stack.push(pos);
        }
        Self {
            functions,
            order,
            starts,
            parent,
        }
    }

    /// The functions containing `offset`, innermost first.
    pub(crate) fn around(&self, offset: u32) -> impl Iterator<Item = &'f Function> + '_ {
        let mut current = self.starts.partition_point(|&s| s <= offset).checked_sub(1);
        std::iter::from_fn(move || {
            while let Some(pos) = current {
                current = self.parent[pos];
                let f = &self.functions[self.order[pos]];
                if f.span.0 <= offset && offset < f.span.1 {
                    return Some(f);
                }
            }
            None
        })
    }

    /// The functions starting after `from` and before `to`, in order.
    pub(crate) fn between(&self, from: u32, to: u32) -> impl Iterator<Item = &'f Function> + '_ {
        let first = self.starts.partition_point(|&s| s <= from);
        self.order[first..]
            .iter()
            .map(|&i| &self.functions[i])
            .take_while(move |f| f.span.0 < to)
    }
}

/// Byte offsets of line starts, for 1-based line numbers.
pub(crate) struct Lines(Vec<u32>);

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        Self(starts)
    }

    pub(crate) fn line(&self, offset: u32) -> u32 {
        let index = self.0.partition_point(|&start| start <= offset);
        u32::try_from(index).unwrap_or(u32::MAX).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::Arg;

    #[test]
    fn sql_verbs_are_read_from_the_statement_head_only() {
        let verb = |s: &str| Arg::Str(s.to_owned()).sql_verb();
        assert_eq!(
            verb("  update users set role = $1").as_deref(),
            Some("UPDATE")
        );
        assert_eq!(verb("-- remove\nDELETE FROM t").as_deref(), Some("DELETE"));
        assert_eq!(
            Arg::Template {
                parts: vec!["insert into t values (".to_owned(), ")".to_owned()],
                exprs: vec!["id".to_owned()],
            }
            .sql_verb()
            .as_deref(),
            Some("INSERT")
        );
        // Words that start like a verb, prose and non-strings are not SQL.
        assert_eq!(verb("updated at 5pm"), None);
        assert_eq!(verb("Selected items"), None);
        assert_eq!(verb("please delete this"), None);
        assert_eq!(Arg::Ident("update".to_owned()).sql_verb(), None);
    }
}
