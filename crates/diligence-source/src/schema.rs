//! The data models a target declares, read once for every detector that
//! asks about tables and their fields (personal data, soft delete, tenant
//! columns).
//!
//! Stores read, from production files only:
//!
//! - Prisma: `schema.prisma` and `prisma/schema/*.prisma`, by a small
//!   reader of our own ([`parse_prisma`]); a model's `@@map` names it.
//! - Drizzle: `pgTable`, `mysqlTable` and `sqliteTable` calls.
//! - Django: classes deriving from `models.Model` (or from another model),
//!   their attributes assigned a field (`models.CharField(…)`).
//! - SQLAlchemy: classes deriving from a declarative base
//!   (`declarative_base()`, `DeclarativeBase`, Flask-SQLAlchemy's
//!   `db.Model`), their `Column`, `mapped_column` and `relationship`
//!   attributes and their `Mapped[…]` annotations.
//! - SQLModel: classes declared with `table=True`, their annotated
//!   attributes and those of the SQLModel classes they derive from.
//! - TypeORM: `@Entity` classes, their properties decorated `@Column`,
//!   `@PrimaryGeneratedColumn`, `@ManyToOne` and the like.
//! - diesel: tables of `table!` (`diesel::table!`) macros.
//! - Sequelize: `sequelize.define('User', {…})`, `User.init({…}, {
//!   sequelize })`, and sequelize-typescript's `@Table` classes with
//!   their `@Column` properties.
//! - Mongoose: `new Schema({…})`, named by the `model('User', schema)`
//!   call that takes it, and NestJS's `@Schema()` classes with their
//!   `@Prop()` properties.
//! - SQL migrations: the tables the migration folders create, as replayed
//!   by [`crate::sql`] (no column types or lines there: a field is placed
//!   at its `CREATE TABLE`). A Prisma project's own `prisma/migrations`
//!   repeat its schema and are not read again.
//!
//! Abstract models (a Django `Meta` with `abstract = True`, SQLAlchemy's
//! `__abstract__`, a TypeORM class without `@Entity`) hold no table of
//! their own: their fields are listed on the concrete models that derive
//! from them, where they are declared.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diligence_model::FileClass;
use serde::Serialize;

use crate::model::{Arg, Assignment, Call, Class, FileModel, Language};
use crate::{Reader, SourceFile, SourceModel};

/// Largest schema file read, in bytes.
pub const MAX_SCHEMA_SIZE: u64 = 2 * 1024 * 1024;

/// Longest chain of base classes followed to inherit fields.
const MAX_BASES: usize = 16;

/// One table, model or collection the code declares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataModel {
    /// Where it is declared: `Prisma`, `Drizzle`, `Django`, `SQLAlchemy`,
    /// `SQLModel`, `TypeORM`, `diesel`, `Sequelize`, `Mongoose` or `SQL
    /// migrations`.
    pub store: &'static str,
    /// The table or model as the code names it (the class name, the
    /// Drizzle or diesel table name, a Prisma model's `@@map` name).
    pub name: String,
    /// The table name the code declares besides, when it differs
    /// (`__tablename__`, `Meta.db_table`, `@Entity('users')`,
    /// `#[sql_name]`, Sequelize's `tableName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Its fields, in declaration order (inherited ones first).
    pub fields: Vec<DataField>,
    /// The file.
    pub file: String,
    /// 1-based line of the declaration.
    pub line: u32,
    /// The variable the code queries it through, when that is not its
    /// name (a Drizzle table's `const projects = pgTable('projects', …)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
}

/// One field or column of a [`DataModel`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataField {
    /// Its name as the code writes it.
    pub name: String,
    /// The declared type as written (`String?`, `CharField`, `varchar`,
    /// `Nullable<Text>`); empty where the store keeps none (SQL
    /// migrations).
    pub kind: String,
    /// 1-based line.
    pub line: u32,
    /// The model it refers to, for a foreign key or relation written
    /// simply (`ForeignKey(User)`, `@ManyToOne(() => User) user: User`).
    pub relation: Option<String>,
    /// The file that declares it, when it is not the model's own (a field
    /// inherited from an abstract base in another file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The base class it comes from, when the model inherits it (an
    /// abstract model, a mixin, Django's `AbstractUser`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<String>,
}

impl DataModel {
    /// The file and line of `field`.
    pub fn place<'s>(&'s self, field: &'s DataField) -> (&'s str, u32) {
        (field.file.as_deref().unwrap_or(&self.file), field.line)
    }
}

/// Every data model of the production files, by file, line and name.
pub fn models(model: &SourceModel) -> Vec<DataModel> {
    let mut out = prisma_models(model);
    out.extend(sql_models(model));
    let production: Vec<&FileModel> = model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production)
        .collect();
    // diesel's `joinable!` may sit in another file than its tables.
    let joins: Vec<&crate::rust::RustJoin> =
        production.iter().flat_map(|f| &f.rust.joins).collect();
    for file in &production {
        match file.language {
            Language::Python => {}
            Language::Rust => out.extend(diesel_models(file, &joins)),
            _ => {
                out.extend(drizzle_models(file));
                out.extend(sequelize_models(file));
                out.extend(mongoose_models(file));
            }
        }
    }
    out.extend(python_models(&production));
    for orm in DECORATED {
        out.extend(decorated_models(&production, orm));
    }
    out.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    out
}

// ---------------------------------------------------------------- Prisma

/// One model of a Prisma schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrismaModel {
    /// The model's name (or its `@@map` table name).
    pub name: String,
    /// The model's name as declared (relations name it so).
    pub model: String,
    /// Fields: name, type, 1-based line.
    pub fields: Vec<(String, String, u32)>,
    /// 1-based line of `model`.
    pub line: u32,
}

/// Reads the models of a Prisma schema. Comments, enums, generators and
/// datasources are skipped; a model's `@@map("table")` names its table.
pub fn parse_prisma(text: &str) -> Vec<PrismaModel> {
    let mut models = Vec::new();
    let mut current: Option<PrismaModel> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let code = raw.split("//").next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        match &mut current {
            None => {
                let mut words = code.split_whitespace();
                if words.next() == Some("model")
                    && let Some(name) = words.next()
                {
                    let name = name.trim_end_matches('{').to_owned();
                    current = Some(PrismaModel {
                        model: name.clone(),
                        name,
                        fields: Vec::new(),
                        line,
                    });
                }
            }
            Some(model) => {
                if code.starts_with('}') {
                    models.extend(current.take());
                    continue;
                }
                if let Some(rest) = code.strip_prefix("@@map(") {
                    let table = rest.trim_matches(|c| c == '"' || c == ')' || c == ' ');
                    if !table.is_empty() {
                        model.name = table.to_owned();
                    }
                    continue;
                }
                if code.starts_with('@') {
                    continue;
                }
                let mut words = code.split_whitespace();
                if let (Some(name), Some(kind)) = (words.next(), words.next()) {
                    model.fields.push((name.to_owned(), kind.to_owned(), line));
                }
            }
        }
    }
    models
}

/// Prisma schema files among `files` (production ones), parsed.
pub fn find_prisma(
    files: &[SourceFile<'_>],
    read: &Reader<'_>,
) -> BTreeMap<String, Vec<PrismaModel>> {
    let mut out = BTreeMap::new();
    for file in files {
        if !file.path.ends_with(".prisma") || file.size > MAX_SCHEMA_SIZE {
            continue;
        }
        if diligence_model::classify(file.path) == FileClass::Production
            && let Ok(bytes) = read(file.path)
        {
            out.insert(
                file.path.to_owned(),
                parse_prisma(&String::from_utf8_lossy(&bytes)),
            );
        }
    }
    out
}

fn prisma_models(model: &SourceModel) -> Vec<DataModel> {
    // Relations name a model by its declared name; `@@map` renames only
    // the table, so both names are known models.
    let known: BTreeSet<&str> = model
        .prisma
        .values()
        .flatten()
        .map(|m| m.model.as_str())
        .collect();
    let mut out = Vec::new();
    for (path, models) in &model.prisma {
        for m in models {
            let fields = m
                .fields
                .iter()
                .map(|(name, kind, line)| {
                    let base = kind.trim_end_matches(['?', '[', ']']);
                    let relation = (known.contains(base) && !PRISMA_SCALARS.contains(&base))
                        .then(|| base.to_owned());
                    DataField {
                        name: name.clone(),
                        kind: kind.clone(),
                        line: *line,
                        relation,
                        file: None,
                        inherited_from: None,
                    }
                })
                .collect();
            out.push(DataModel {
                store: "Prisma",
                name: m.name.clone(),
                table: None,
                fields,
                file: path.clone(),
                line: m.line,
                binding: None,
            });
        }
    }
    out
}

/// Prisma's scalar types, which are not relations.
const PRISMA_SCALARS: &[&str] = &[
    "String",
    "Boolean",
    "Int",
    "BigInt",
    "Float",
    "Decimal",
    "DateTime",
    "Json",
    "Bytes",
    "Unsupported",
];

// --------------------------------------------------------- SQL migrations

fn sql_models(model: &SourceModel) -> Vec<DataModel> {
    let mut out = Vec::new();
    for database in &model.databases {
        if database.class != FileClass::Production
            || (!model.prisma.is_empty() && database.folder.contains("prisma/migrations"))
        {
            continue;
        }
        for table in database.tables.values() {
            if matches!(table.name.schema.as_str(), "auth" | "storage") {
                continue;
            }
            let Some(at) = &table.created else {
                continue;
            };
            out.push(DataModel {
                store: "SQL migrations",
                name: table.name.name.clone(),
                table: None,
                fields: table
                    .columns
                    .iter()
                    .map(|c| DataField {
                        name: c.clone(),
                        kind: String::new(),
                        line: at.line,
                        relation: None,
                        file: None,
                        inherited_from: None,
                    })
                    .collect(),
                file: at.path.clone(),
                line: at.line,
                binding: None,
            });
        }
    }
    out
}

// ---------------------------------------------------- object-literal ORMs

/// The root name of a column builder (`text` for `text().notNull`,
/// `DataTypes.STRING` stays whole).
fn builder_name(callee: &str) -> &str {
    callee
        .split("().")
        .next()
        .unwrap_or(callee)
        .trim_end_matches("()")
}

/// The properties of the first object literal after `call` (its object
/// argument), in order.
fn object_after<'f>(file: &'f FileModel, call: &Call) -> Vec<&'f crate::model::Property> {
    let Some(first) = file.properties.iter().find(|p| p.offset > call.offset) else {
        return Vec::new();
    };
    file.properties
        .iter()
        .filter(|p| p.object == first.object)
        .collect()
}

/// Drizzle table constructors.
const DRIZZLE_TABLES: &[&str] = &["pgTable", "mysqlTable", "sqliteTable"];

fn drizzle_models(file: &FileModel) -> Vec<DataModel> {
    let mut out = Vec::new();
    for call in file
        .calls
        .iter()
        .filter(|c| DRIZZLE_TABLES.contains(&c.method()))
    {
        let (Some(Arg::Str(table)), Some(Arg::Object(_))) = (call.args.first(), call.args.get(1))
        else {
            continue;
        };
        let fields = object_after(file, call)
            .into_iter()
            .filter_map(|p| match &p.value {
                Arg::Call { callee, .. } => Some(DataField {
                    name: p.key.clone(),
                    kind: builder_name(callee).to_owned(),
                    line: p.line,
                    relation: None,
                    file: None,
                    inherited_from: None,
                }),
                _ => None,
            })
            .collect();
        out.push(DataModel {
            store: "Drizzle",
            name: table.clone(),
            table: None,
            fields,
            file: file.path.clone(),
            line: call.line,
            binding: call.bound_to.clone(),
        });
    }
    out
}

/// The type of a Sequelize or Mongoose attribute: `DataTypes.STRING`,
/// `String`, or the `type` of an options object; and its `ref` or
/// `references.model`.
fn attribute_type(value: &Arg) -> (String, Option<String>) {
    let name = |a: &Arg| match a {
        Arg::Ident(s) | Arg::Member(s) => Some(s.clone()),
        Arg::Call { callee, .. } => Some(builder_name(callee).to_owned()),
        Arg::Array(items) => Some(format!(
            "[{}]",
            items
                .first()
                .map(|i| attribute_type(i).0)
                .unwrap_or_default()
        )),
        _ => None,
    };
    match value {
        Arg::Object(_) => {
            let kind = value.property("type").and_then(name).unwrap_or_default();
            let relation = value
                .property("ref")
                .and_then(Arg::as_str)
                .or_else(|| {
                    value
                        .property("references")
                        .and_then(|r| r.property("model"))
                        .and_then(Arg::as_str)
                })
                .map(str::to_owned);
            (kind, relation)
        }
        other => (name(other).unwrap_or_default(), None),
    }
}

fn object_fields(file: &FileModel, call: &Call) -> Vec<DataField> {
    object_after(file, call)
        .into_iter()
        .map(|p| {
            let (kind, relation) = attribute_type(&p.value);
            DataField {
                name: p.key.clone(),
                kind,
                line: p.line,
                relation,
                file: None,
                inherited_from: None,
            }
        })
        .collect()
}

/// Whether a JavaScript file imports or requires a module whose
/// specifier contains `needle`.
fn uses_module(file: &FileModel, needle: &str) -> bool {
    file.imports_module(needle)
        || file.calls.iter().any(|c| {
            c.callee == "require"
                && c.args
                    .first()
                    .and_then(Arg::as_str)
                    .is_some_and(|s| s.contains(needle))
        })
}

fn sequelize_models(file: &FileModel) -> Vec<DataModel> {
    if !uses_module(file, "sequelize") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for call in &file.calls {
        let (name, options) = match (call.method(), call.args.as_slice()) {
            ("define", [Arg::Str(name), Arg::Object(_), rest @ ..])
                if call.callee.contains('.') =>
            {
                (name.clone(), rest.first())
            }
            ("init", [Arg::Object(_), options @ Arg::Object(_), ..])
                if options.property("sequelize").is_some() =>
            {
                (call.root().to_owned(), Some(options))
            }
            _ => continue,
        };
        let table = options
            .and_then(|o| o.property("tableName"))
            .and_then(Arg::as_str)
            .map(str::to_owned);
        out.push(DataModel {
            store: "Sequelize",
            name,
            table,
            fields: object_fields(file, call),
            file: file.path.clone(),
            line: call.line,
            binding: None,
        });
    }
    out
}

fn mongoose_models(file: &FileModel) -> Vec<DataModel> {
    if !uses_module(file, "mongoose") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for call in &file.calls {
        if !matches!(call.callee.as_str(), "new Schema" | "new mongoose.Schema")
            || !matches!(call.args.first(), Some(Arg::Object(_)))
        {
            continue;
        }
        // `mongoose.model('User', userSchema)` names it; otherwise the
        // variable does (`userSchema` reads `user`).
        let named = call.bound_to.as_ref().and_then(|var| {
            file.calls.iter().find_map(|c| match c.args.as_slice() {
                [Arg::Str(name), Arg::Ident(schema), ..]
                    if c.method() == "model" && schema == var =>
                {
                    Some(name.clone())
                }
                _ => None,
            })
        });
        let Some(name) = named.or_else(|| {
            call.bound_to.as_ref().map(|v| {
                v.strip_suffix("Schema")
                    .filter(|s| !s.is_empty())
                    .unwrap_or(v)
                    .to_owned()
            })
        }) else {
            continue;
        };
        out.push(DataModel {
            store: "Mongoose",
            name,
            table: None,
            fields: object_fields(file, call),
            file: file.path.clone(),
            line: call.line,
            binding: None,
        });
    }
    out
}

// ------------------------------------------------------------------ diesel

fn diesel_models(file: &FileModel, joins: &[&crate::rust::RustJoin]) -> Vec<DataModel> {
    file.rust
        .tables
        .iter()
        .map(|t| DataModel {
            store: "diesel",
            name: t.name.clone(),
            table: t.sql_name.clone(),
            fields: t
                .columns
                .iter()
                .map(|c| DataField {
                    name: c.name.clone(),
                    kind: c.kind.clone(),
                    line: c.line,
                    relation: joins
                        .iter()
                        .find(|j| j.child == t.name && j.column == c.name)
                        .map(|j| j.parent.clone()),
                    file: None,
                    inherited_from: None,
                })
                .collect(),
            file: file.path.clone(),
            line: t.line,
            binding: None,
        })
        .collect()
}

// ------------------------------------------------------------ class-based

/// A class that may be a model, before inheritance is resolved.
struct Candidate<'f> {
    file: &'f FileModel,
    class: &'f Class,
    /// Which ORM's model it is, once known.
    store: Option<&'static str>,
    abstract_: bool,
    table: Option<String>,
    fields: Vec<DataField>,
}

/// The last name of a dotted path.
fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Marks as models the candidates that derive from one (by a base's last
/// name, anywhere in the code), to a fixed point.
fn derive(candidates: &mut [Candidate<'_>]) {
    for _ in 0..=candidates.len() {
        let known: BTreeMap<String, &'static str> = candidates
            .iter()
            .filter_map(|c| Some((c.class.name.clone(), c.store?)))
            .collect();
        let mut changed = false;
        for c in candidates.iter_mut() {
            if c.store.is_none()
                && let Some(store) = c.class.bases.iter().find_map(|b| known.get(last(b)))
            {
                c.store = Some(*store);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The concrete models among `candidates`, each with the fields of the
/// abstract bases and mixins it derives from (nearest last), then its own.
fn concrete(candidates: &[Candidate<'_>]) -> Vec<DataModel> {
    let lenders: BTreeMap<&str, &Candidate<'_>> = candidates
        .iter()
        .filter(|c| c.abstract_ || c.store.is_none())
        .map(|c| (c.class.name.as_str(), c))
        .collect();
    let mut out = Vec::new();
    for c in candidates.iter().filter(|c| !c.abstract_) {
        let Some(store) = c.store else {
            continue;
        };
        let mut chain = Vec::new();
        let mut seen = BTreeSet::new();
        let mut queue: Vec<&str> = c.class.bases.iter().map(|b| last(b)).collect();
        while let Some(base) = queue.pop() {
            if chain.len() >= MAX_BASES || !seen.insert(base) {
                continue;
            }
            if let Some(b) = lenders.get(base) {
                chain.push(*b);
                queue.extend(b.class.bases.iter().map(|x| last(x)));
            }
        }
        let mut fields: Vec<DataField> = Vec::new();
        if store == "Django" {
            fields.extend(django_auth_fields(c, &seen));
        }
        for source in chain.iter().rev().copied() {
            for f in &source.fields {
                let mut f = f.clone();
                if source.file.path != c.file.path {
                    f.file = Some(source.file.path.clone());
                }
                f.inherited_from = Some(source.class.name.clone());
                fields.retain(|g| g.name != f.name);
                fields.push(f);
            }
        }
        for f in &c.fields {
            // A field declared again replaces the inherited one.
            fields.retain(|g| g.name != f.name);
            fields.push(f.clone());
        }
        out.push(DataModel {
            store,
            name: c.class.name.clone(),
            table: c.table.clone(),
            fields,
            file: c.file.path.clone(),
            line: c.class.line,
            binding: None,
        });
    }
    out
}

/// The fields Django's own user models give a model deriving from them
/// (`AbstractUser`, `AbstractBaseUser`), placed at the model's line.
fn django_auth_fields(c: &Candidate<'_>, bases: &BTreeSet<&str>) -> Vec<DataField> {
    let (base, names): (&str, &[(&str, &str)]) = if bases.contains("AbstractUser") {
        (
            "AbstractUser",
            &[
                ("password", "CharField"),
                ("last_login", "DateTimeField"),
                ("username", "CharField"),
                ("first_name", "CharField"),
                ("last_name", "CharField"),
                ("email", "EmailField"),
            ],
        )
    } else if bases.contains("AbstractBaseUser") {
        (
            "AbstractBaseUser",
            &[("password", "CharField"), ("last_login", "DateTimeField")],
        )
    } else {
        return Vec::new();
    };
    names
        .iter()
        .map(|(name, kind)| DataField {
            name: (*name).to_owned(),
            kind: (*kind).to_owned(),
            line: c.class.line,
            relation: None,
            file: None,
            inherited_from: Some(base.to_owned()),
        })
        .collect()
}

/// A Python file with its calls by offset and its class attributes by
/// class, to look them up without scanning the file for each.
struct Py<'f> {
    file: &'f FileModel,
    calls: HashMap<u32, &'f Call>,
    attributes: HashMap<&'f str, Vec<&'f Assignment>>,
}

impl<'f> Py<'f> {
    fn new(file: &'f FileModel) -> Self {
        let mut attributes: HashMap<&str, Vec<&Assignment>> = HashMap::new();
        for a in file.python.assignments.iter().filter(|a| !a.in_function) {
            if let Some(class) = &a.class {
                attributes.entry(class.as_str()).or_default().push(a);
            }
        }
        Self {
            file,
            calls: file.calls.iter().map(|c| (c.offset, c)).collect(),
            attributes,
        }
    }

    /// The call an assignment's value is.
    fn call(&self, a: &Assignment) -> Option<&'f Call> {
        self.calls.get(&a.call?).copied()
    }

    /// Class attributes of `class` (not of a class nested in it).
    fn class_attributes(&self, class: &'f Class) -> impl Iterator<Item = &'f Assignment> + '_ {
        self.attributes
            .get(class.name.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(move |a| class.line <= a.line && a.line <= class.end_line)
    }

    /// The string or name an attribute is set to.
    fn attribute_value(&self, class: &'f Class, target: &str) -> Option<String> {
        self.class_attributes(class)
            .filter(|a| a.target == target)
            .find_map(|a| match &a.value {
                Arg::Str(s) | Arg::Ident(s) | Arg::Member(s) => Some(s.clone()),
                _ => None,
            })
    }
}

/// The classes nested in `class` named `name` (`Meta`).
fn inner_class<'f>(file: &'f FileModel, class: &'f Class, name: &str) -> Option<&'f Class> {
    file.classes
        .iter()
        .find(|c| c.name == name && class.line < c.line && c.end_line <= class.end_line)
}

/// Django field constructors that are not named `…Field`.
const DJANGO_RELATIONS: &[&str] = &["ForeignKey", "OneToOneField", "ManyToManyField"];

/// Django's own abstract models a project's models derive from.
const DJANGO_ROOTS: &[&str] = &[
    "models.Model",
    "AbstractUser",
    "AbstractBaseUser",
    "PermissionsMixin",
    "auth_models.AbstractUser",
    "auth_models.AbstractBaseUser",
];

/// A Django field: `name = models.CharField(…)`.
fn django_field(py: &Py<'_>, a: &Assignment) -> Option<DataField> {
    let call = py.call(a)?;
    let kind = last(&call.callee);
    let field = kind.ends_with("Field") || DJANGO_RELATIONS.contains(&kind);
    if !field || !kind.starts_with(char::is_uppercase) {
        return None;
    }
    let relation = DJANGO_RELATIONS
        .contains(&kind)
        .then(|| {
            call.args.first().or_else(|| {
                call.keywords
                    .iter()
                    .find(|(k, _)| k == "to")
                    .map(|(_, v)| v)
            })
        })
        .flatten()
        .and_then(|target| match target {
            Arg::Str(s) | Arg::Ident(s) | Arg::Member(s) => Some(s.clone()),
            _ => None,
        });
    Some(DataField {
        name: a.target.clone(),
        kind: kind.to_owned(),
        line: a.line,
        relation,
        file: None,
        inherited_from: None,
    })
}

/// SQLAlchemy attribute constructors.
const SQLALCHEMY_COLUMNS: &[&str] = &["Column", "mapped_column", "relationship", "column_property"];

/// A SQLAlchemy field: `email = Column(String(255))`,
/// `email: Mapped[str] = mapped_column(String(255))`,
/// `email: Mapped[str]`, `user = relationship("User")`.
fn sqlalchemy_field(py: &Py<'_>, a: &Assignment) -> Option<DataField> {
    let file = py.file;
    let mapped = a
        .annotation
        .as_deref()
        .and_then(|t| {
            t.strip_prefix("Mapped[")
                .or_else(|| t.strip_prefix("orm.Mapped["))
        })
        .map(|t| t.trim_end_matches(']').to_owned());
    let call = py.call(a);
    let constructor = call.map(|c| last(&c.callee));
    match (constructor, &mapped) {
        (Some(c), _) if SQLALCHEMY_COLUMNS.contains(&c) => {}
        (None, Some(_)) if matches!(a.value, Arg::Other) => {}
        _ => return None,
    }
    let mut kind = mapped.clone().unwrap_or_default();
    let mut relation = None;
    if let Some(call) = call {
        if last(&call.callee) == "relationship" {
            kind = "relationship".to_owned();
            relation = match call.args.first() {
                Some(Arg::Str(s) | Arg::Ident(s)) => Some(s.clone()),
                _ => mapped.as_deref().and_then(python_annotated_model),
            };
        } else {
            // The first positional argument that is a type (a leading
            // string is the column's own name).
            for (i, arg) in call.args.iter().enumerate() {
                let name = match arg {
                    Arg::Ident(s) | Arg::Member(s) => Some(s.clone()),
                    Arg::Other => file
                        .python
                        .arg_values(call, &i.to_string())
                        .and_then(|v| v.names.first().cloned()),
                    _ => None,
                };
                match name {
                    Some(n) if last(&n) == "ForeignKey" => {
                        relation = file
                            .python
                            .arg_values(call, &i.to_string())
                            .and_then(|v| v.strings.first())
                            .map(|s| s.split('.').next().unwrap_or(s).to_owned());
                    }
                    Some(n) if kind.is_empty() => kind = last(&n).to_owned(),
                    _ => {}
                }
            }
        }
    }
    Some(DataField {
        name: a.target.clone(),
        kind,
        line: a.line,
        relation,
        file: None,
        inherited_from: None,
    })
}

/// A SQLModel field: an annotated class attribute (`email: EmailStr =
/// Field(unique=True)`, `is_active: bool = True`), or a `Relationship`.
fn sqlmodel_field(py: &Py<'_>, a: &Assignment) -> Option<DataField> {
    let annotation = a.annotation.as_deref()?;
    if a.target.starts_with("__")
        || a.target == "model_config"
        || annotation.starts_with("ClassVar")
    {
        return None;
    }
    let call = py.call(a);
    let relationship = call.is_some_and(|c| last(&c.callee) == "Relationship");
    // `Field(foreign_key="user.id")` names a table.
    let key = call
        .and_then(|c| c.keywords.iter().find(|(k, _)| k == "foreign_key"))
        .and_then(|(_, v)| v.as_str())
        .map(|t| t.split('.').next().unwrap_or(t).to_owned());
    Some(DataField {
        name: a.target.clone(),
        kind: if relationship {
            "Relationship".to_owned()
        } else {
            annotation.to_owned()
        },
        line: a.line,
        relation: relationship
            .then(|| python_annotated_model(annotation))
            .flatten()
            .or(key),
        file: None,
        inherited_from: None,
    })
}

/// The model a Python annotation names (`User`, `"User" | None`,
/// `list["Item"]`, `Optional[User]`).
fn python_annotated_model(annotation: &str) -> Option<String> {
    let mut t = annotation.split('|').next().unwrap_or(annotation).trim();
    for wrapper in ["Optional[", "list[", "List[", "Mapped["] {
        if let Some(inner) = t.strip_prefix(wrapper) {
            t = inner.trim_end_matches(']');
        }
    }
    let t = t.trim_matches(['"', '\'', ' ']);
    (t.starts_with(char::is_uppercase) && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| t.to_owned())
}

fn python_models(files: &[&FileModel]) -> Vec<DataModel> {
    let mut candidates = Vec::new();
    let mut read = Vec::new();
    // Declarative bases: `Base = declarative_base()`, classes deriving
    // from `DeclarativeBase`; they are not models themselves.
    let mut bases: BTreeSet<&str> = BTreeSet::from(["Base"]);
    for file in files.iter().filter(|f| f.language == Language::Python) {
        if !file.imports_module("sqlalchemy") && !file.imports_module("flask_sqlalchemy") {
            continue;
        }
        for call in &file.calls {
            if matches!(last(&call.callee), "declarative_base" | "as_declarative")
                && let Some(var) = &call.bound_to
            {
                bases.insert(var);
            }
        }
        for class in &file.classes {
            if class
                .bases
                .iter()
                .any(|b| matches!(last(b), "DeclarativeBase" | "DeclarativeBaseNoMeta"))
            {
                bases.insert(&class.name);
            }
        }
    }
    for file in files.iter().filter(|f| f.language == Language::Python) {
        let django = file.imports_module("django");
        let sqlalchemy =
            file.imports_module("sqlalchemy") || file.imports_module("flask_sqlalchemy");
        let sqlmodel = file.imports_module("sqlmodel");
        let py = Py::new(file);
        for class in &file.classes {
            if class.name == "Meta" || bases.contains(class.name.as_str()) {
                continue;
            }
            let attributes: Vec<&Assignment> = py.class_attributes(class).collect();
            let meta = inner_class(file, class, "Meta");
            let django_abstract =
                meta.is_some_and(|m| py.attribute_value(m, "abstract").as_deref() == Some("True"));
            let sqlalchemy_abstract =
                py.attribute_value(class, "__abstract__").as_deref() == Some("True");
            let django_fields: Vec<DataField> = attributes
                .iter()
                .filter_map(|a| django_field(&py, a))
                .collect();
            let sqlalchemy_fields: Vec<DataField> = attributes
                .iter()
                .filter_map(|a| sqlalchemy_field(&py, a))
                .collect();
            let sqlmodel_fields: Vec<DataField> = if sqlmodel {
                attributes
                    .iter()
                    .filter_map(|a| sqlmodel_field(&py, a))
                    .collect()
            } else {
                Vec::new()
            };
            let table = class
                .keywords
                .iter()
                .any(|(k, v)| k == "table" && *v == Arg::Ident("True".to_owned()));
            let root = if sqlmodel && table {
                Some("SQLModel")
            } else if django
                && class
                    .bases
                    .iter()
                    .any(|b| DJANGO_ROOTS.contains(&b.as_str()) || b == "Model")
            {
                Some("Django")
            } else if sqlalchemy
                && class
                    .bases
                    .iter()
                    .any(|b| bases.contains(last(b)) || b == "db.Model" || b.ends_with(".Base"))
            {
                Some("SQLAlchemy")
            } else {
                None
            };
            candidates.push(Candidate {
                file,
                class,
                store: root,
                abstract_: django_abstract || sqlalchemy_abstract,
                table: meta
                    .and_then(|m| py.attribute_value(m, "db_table"))
                    .or_else(|| py.attribute_value(class, "__tablename__")),
                fields: Vec::new(),
            });
            read.push((django_fields, sqlalchemy_fields, sqlmodel_fields));
        }
    }
    derive(&mut candidates);
    // Fields are read the way the class's ORM declares them; a class of
    // none may be a SQLAlchemy mixin or a SQLModel class without a table,
    // whose fields the models deriving from it take.
    for (c, (django, sqlalchemy, sqlmodel)) in candidates.iter_mut().zip(read) {
        c.fields = match c.store {
            Some("Django") => django,
            Some("SQLModel") => sqlmodel,
            None if c.file.imports_module("sqlmodel") => sqlmodel,
            _ => sqlalchemy,
        };
    }
    concrete(&candidates)
}

/// TypeORM column and relation decorators.
const TYPEORM_COLUMNS: &[&str] = &[
    "Column",
    "PrimaryColumn",
    "PrimaryGeneratedColumn",
    "CreateDateColumn",
    "UpdateDateColumn",
    "DeleteDateColumn",
    "VersionColumn",
    "ObjectIdColumn",
    "ViewColumn",
];
const TYPEORM_RELATIONS: &[&str] = &["ManyToOne", "OneToMany", "OneToOne", "ManyToMany"];

/// The model a relation's annotation names (`User`, `User[]`,
/// `Promise<User>`, `User | null`).
fn annotated_model(annotation: &str) -> Option<String> {
    let t = annotation.split('|').next().unwrap_or(annotation).trim();
    let t = t
        .strip_prefix("Promise<")
        .or_else(|| t.strip_prefix("Relation<"))
        .map_or(t, |s| s.trim_end_matches('>'));
    let t = t.trim_end_matches("[]").trim();
    (t.starts_with(char::is_uppercase) && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| t.to_owned())
}

/// An ORM whose models are decorated classes.
struct Decorated {
    store: &'static str,
    /// The module its decorators come from.
    module: &'static str,
    /// Class decorators that make a model.
    models: &'static [&'static str],
    /// Property decorators that make a column.
    columns: &'static [&'static str],
    /// Property decorators that make a relation.
    relations: &'static [&'static str],
    /// The option of the class decorator that names the table.
    table_option: &'static str,
}

const DECORATED: &[Decorated] = &[
    Decorated {
        store: "TypeORM",
        module: "typeorm",
        models: &["Entity", "ChildEntity"],
        columns: TYPEORM_COLUMNS,
        relations: TYPEORM_RELATIONS,
        table_option: "name",
    },
    // NestJS's Mongoose schemas: `@Schema() class User { @Prop() email }`.
    Decorated {
        store: "Mongoose",
        module: "@nestjs/mongoose",
        models: &["Schema"],
        columns: &["Prop"],
        relations: &[],
        table_option: "collection",
    },
    Decorated {
        store: "Sequelize",
        module: "sequelize-typescript",
        models: &["Table"],
        columns: &[
            "Column",
            "PrimaryKey",
            "CreatedAt",
            "UpdatedAt",
            "DeletedAt",
        ],
        relations: &["BelongsTo", "HasMany", "HasOne", "BelongsToMany"],
        table_option: "tableName",
    },
];

/// The type a column decorator's arguments declare: `@Column('varchar')`,
/// `@Column(DataType.STRING)`, `@Column({ type: 'varchar' })`; and the
/// model an option refers to (`@Prop({ ref: 'User' })`).
fn declared_type(args: &[Arg]) -> (Option<String>, Option<String>) {
    let kind = args.iter().find_map(|a| match a {
        Arg::Str(s) | Arg::Member(s) => Some(s.clone()),
        Arg::Object(_) => a.property("type").and_then(|t| match t {
            Arg::Str(s) | Arg::Ident(s) | Arg::Member(s) => Some(s.clone()),
            _ => None,
        }),
        _ => None,
    });
    let relation = args
        .iter()
        .find_map(|a| a.property("ref").and_then(Arg::as_str).map(str::to_owned));
    (kind, relation)
}

fn decorated_models(files: &[&FileModel], orm: &Decorated) -> Vec<DataModel> {
    let mut candidates = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.language != Language::Python && f.language != Language::Rust)
    {
        if file.class_fields.is_empty() || !uses_module(file, orm.module) {
            continue;
        }
        for class in &file.classes {
            let fields: Vec<DataField> = file
                .class_fields
                .iter()
                .filter(|f| {
                    f.class == class.name
                        && class.line <= f.line
                        && f.line <= class.end_line
                        && !f.is_static
                })
                .filter_map(|f| {
                    let (decorator, args) = f
                        .decorators
                        .iter()
                        .zip(
                            f.decorator_args
                                .iter()
                                .map(Vec::as_slice)
                                .chain(std::iter::repeat(&[][..])),
                        )
                        .find(|(d, _)| {
                            orm.columns.contains(&last(d)) || orm.relations.contains(&last(d))
                        })?;
                    let decorator = last(decorator);
                    let annotation = f.annotation.clone().unwrap_or_default();
                    if orm.relations.contains(&decorator) {
                        return Some(DataField {
                            name: f.name.clone(),
                            kind: decorator.to_owned(),
                            line: f.line,
                            relation: annotated_model(&annotation),
                            file: None,
                            inherited_from: None,
                        });
                    }
                    // The decorator's type, or the property's own.
                    let (declared, relation) = declared_type(args);
                    Some(DataField {
                        name: f.name.clone(),
                        kind: declared.unwrap_or(annotation),
                        line: f.line,
                        relation,
                        file: None,
                        inherited_from: None,
                    })
                })
                .collect();
            let model = class
                .decorators
                .iter()
                .any(|d| orm.models.contains(&last(d)));
            // A class with neither the model decorator nor columns is no
            // model; one with columns only may be an abstract base.
            if !model && fields.is_empty() {
                continue;
            }
            let table = orm
                .models
                .iter()
                .find_map(|d| class.decorator(d))
                .and_then(|args| {
                    args.iter().find_map(|a| match a {
                        Arg::Str(s) => Some(s.clone()),
                        Arg::Object(_) => a
                            .property(orm.table_option)
                            .and_then(Arg::as_str)
                            .map(str::to_owned),
                        _ => None,
                    })
                });
            candidates.push(Candidate {
                file,
                class,
                store: model.then_some(orm.store),
                abstract_: !model,
                table,
                fields,
            });
        }
    }
    // A class with columns but no model decorator lends them to the
    // models deriving from it; it is no table itself.
    concrete(&candidates)
}
