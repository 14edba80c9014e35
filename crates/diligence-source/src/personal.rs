//! Personal data: the fields a schema declares that hold it, card data and
//! passwords stored as they are, whether a data inventory exists, and the
//! code paths that delete an account.
//!
//! The fields are those of every data model [`crate::schema::models`]
//! reads (Prisma, Drizzle, Django, SQLAlchemy, SQLModel, TypeORM, diesel,
//! Sequelize, Mongoose, the tables of the SQL migrations); a column both a model and
//! a migration declare is listed once, at the model. Fields are recognised
//! by their names (and a few types: `EmailField`, `inet`), so the result is
//! a list to review, not a verdict: a `name` column of a `Product` table is
//! not personal data, and only user-like tables count their `name`.

use std::collections::BTreeSet;

use diligence_model::FileClass;
use serde::Serialize;

use crate::model::Arg;
use crate::schema::{self, DataModel};
use crate::{SourceFile, SourceModel};

pub use crate::schema::{MAX_SCHEMA_SIZE, PrismaModel, find_prisma, parse_prisma};

/// A kind of personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonalKind {
    /// E-mail address.
    Email,
    /// Phone number.
    Phone,
    /// A person's name.
    Name,
    /// Postal address.
    Address,
    /// Birth date.
    BirthDate,
    /// National identifier (social security, passport, tax number).
    NationalId,
    /// IP address.
    IpAddress,
    /// Payment card data.
    Card,
    /// Bank account data.
    Bank,
    /// Health data.
    Health,
    /// A password or its hash.
    Password,
}

impl PersonalKind {
    /// Words for the report.
    pub fn words(self) -> &'static str {
        match self {
            Self::Email => "e-mail addresses",
            Self::Phone => "phone numbers",
            Self::Name => "names",
            Self::Address => "postal addresses",
            Self::BirthDate => "birth dates",
            Self::NationalId => "national identifiers",
            Self::IpAddress => "IP addresses",
            Self::Card => "payment card data",
            Self::Bank => "bank account data",
            Self::Health => "health data",
            Self::Password => "passwords",
        }
    }
}

/// Tables whose `name` column is a person's name.
const PERSON_TABLES: &[&str] = &[
    "user",
    "users",
    "profile",
    "profiles",
    "customer",
    "customers",
    "member",
    "members",
    "account",
    "accounts",
    "person",
    "people",
    "contact",
    "contacts",
    "employee",
    "employees",
    "patient",
    "patients",
    "client",
    "clients",
    "lead",
    "leads",
    "student",
    "students",
    "candidate",
    "candidates",
    "applicant",
    "applicants",
];

/// The personal-data kind of a field, from its table and name.
pub fn kind_of(table: &str, field: &str) -> Option<PersonalKind> {
    let f: String = field
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    let table = base_name(table);
    let ends = |s: &str| f.ends_with(s);
    let is = |s: &[&str]| s.contains(&f.as_str());
    // A user's bare `hash` is its password's (and starts like `has…`).
    if matches!(f.as_str(), "hash" | "pwhash" | "passhash")
        && PERSON_TABLES.contains(&table.as_str())
    {
        return Some(PersonalKind::Password);
    }
    // Flags and timestamps about a value are not the value.
    if f.ends_with("verified")
        || f.ends_with("confirmed")
        || f.ends_with("verifiedat")
        || f.ends_with("confirmedat")
        || f.ends_with("enabled")
        || f.starts_with("is")
        || (f.starts_with("has") && !f.starts_with("hash"))
        || f.ends_with("count")
        || f.ends_with("template")
        || f.ends_with("type")
        || f.ends_with("status")
    {
        return None;
    }
    if f.contains("password") || f == "passwd" || f == "pwd" {
        return Some(PersonalKind::Password);
    }
    if f.contains("email") || f == "mail" {
        return Some(PersonalKind::Email);
    }
    if f.contains("phone") || f.contains("mobile") || is(&["tel", "msisdn", "telephone"]) {
        return Some(PersonalKind::Phone);
    }
    if is(&["dob", "dateofbirth", "birthdate", "birthday", "birthdt"]) {
        return Some(PersonalKind::BirthDate);
    }
    // `ssn` as a word of the name (`ssn`, `customer_ssn`, `ssnLast4`),
    // not letters that run across words (`business_name`, `class_name`).
    let ssn = f.starts_with("ssn")
        || crate::supabase::name_words(field)
            .iter()
            .any(|w| w == "ssn");
    if ssn
        || f.contains("socialsecurity")
        || f.contains("passport")
        || f.contains("nationalid")
        || f.contains("taxid")
        || f.contains("taxnumber")
        || is(&[
            "nif", "cpf", "cnpj", "aadhaar", "nino", "nin", "sin", "idnumber", "idcard",
        ])
    {
        return Some(PersonalKind::NationalId);
    }
    if is(&[
        "ip",
        "ipaddress",
        "lastip",
        "clientip",
        "remoteip",
        "signupip",
        "lastloginip",
    ]) {
        return Some(PersonalKind::IpAddress);
    }
    if f.contains("cardnumber")
        || is(&[
            "pan", "cvv", "cvc", "cvv2", "cardcvc", "cardcvv", "ccnumber",
        ])
    {
        return Some(PersonalKind::Card);
    }
    if f.contains("iban")
        || f.contains("bankaccount")
        || is(&["accountnumber", "routingnumber", "sortcode", "swift", "bic"])
    {
        return Some(PersonalKind::Bank);
    }
    if f.contains("diagnos")
        || f.contains("medical")
        || f.contains("medication")
        || f.contains("allerg")
        || is(&[
            "bloodtype",
            "healthcondition",
            "healthdata",
            "conditions",
            "symptoms",
        ])
    {
        return Some(PersonalKind::Health);
    }
    if f.contains("address") && !f.contains("ipaddress") && !f.contains("walletaddress")
        || is(&["street", "postcode", "postalcode", "zipcode", "zip"])
    {
        return Some(PersonalKind::Address);
    }
    if is(&[
        "firstname",
        "lastname",
        "fullname",
        "surname",
        "givenname",
        "familyname",
        "middlename",
        "legalname",
    ]) || (f == "name" && PERSON_TABLES.contains(&table.as_str()))
        || (ends("displayname") && PERSON_TABLES.contains(&table.as_str()))
    {
        return Some(PersonalKind::Name);
    }
    None
}

/// Whether a field's name says it holds a hash, not the password itself.
fn hashed_name(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f.contains("hash") || f.contains("digest") || f.contains("encrypted") || f.contains("salt")
}

/// One field of a schema that holds personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonalField {
    /// Where it is declared ([`DataModel::store`]).
    pub store: &'static str,
    /// The table or model.
    pub table: String,
    /// The field or column.
    pub field: String,
    /// What it holds.
    pub kind: PersonalKind,
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The base class it comes from, when the model inherits it
    /// ([`crate::schema::DataField::inherited_from`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<String>,
}

/// Django's user models, which hash the passwords they hold.
const HASHING_BASES: &[&str] = &["AbstractUser", "AbstractBaseUser"];

/// Whether a declared type holds text or bytes (the types personal data
/// is kept in); `None` when the store keeps no type to judge.
fn text_type(store: &str, kind: &str) -> Option<bool> {
    // `str | None`, `Optional[str]`, `Mapped[str]` read as `str`.
    let mut kind = kind.split('|').next().unwrap_or(kind).trim();
    for wrapper in ["Optional[", "Mapped["] {
        if let Some(inner) = kind.strip_prefix(wrapper) {
            kind = inner.trim_end_matches(']');
        }
    }
    let base = kind
        .trim_end_matches(['?', '[', ']', '!'])
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(kind);
    let lower = base.to_ascii_lowercase();
    let lower = lower
        .strip_prefix("nullable<")
        .map_or(lower.as_str(), |s| s.trim_end_matches('>'));
    match store {
        "Prisma" => Some(matches!(base, "String" | "Json" | "Bytes")),
        _ if kind.is_empty() => None,
        _ => Some(
            lower.contains("char")
                || lower.contains("text")
                || lower.contains("string")
                || lower.contains("json")
                || lower.contains("email")
                || lower.contains("url")
                || lower.contains("slug")
                || lower.contains("binary")
                || lower.contains("bytea")
                || lower.contains("blob")
                || lower.contains("inet")
                || lower.contains("cidr")
                || lower.contains("ipaddress")
                || lower.contains("phone")
                || lower.contains("citext")
                || lower.contains("encrypted")
                || lower.contains("unicode")
                || lower == "str"
                || lower == "bytes"
                || lower == "enum"
                || lower == "array",
        ),
    }
}

/// Whether a declared type is a date (the type a birth date is kept in).
fn date_type(kind: &str) -> bool {
    let lower = kind.to_ascii_lowercase();
    lower.contains("date") || lower.contains("timestamp") || lower.contains("time")
}

/// Whether a field is a relation to another model, not a value.
fn relation_kind(kind: &str) -> bool {
    matches!(
        kind,
        "ForeignKey"
            | "OneToOneField"
            | "ManyToManyField"
            | "relationship"
            | "ManyToOne"
            | "OneToMany"
            | "OneToOne"
            | "ManyToMany"
    )
}

/// Every personal-data field the data models declare ([`schema::models`]),
/// by file and line.
pub fn personal_fields(model: &SourceModel) -> Vec<PersonalField> {
    personal_fields_of(&schema::models(model))
}

/// The personal-data fields among `models`.
pub fn personal_fields_of(models: &[DataModel]) -> Vec<PersonalField> {
    let mut out = Vec::new();
    for m in models {
        // A `name` counts on a user-like table, whether the code names the
        // model or the table (`UserEntity` of `@Entity('users')`).
        let table = m
            .table
            .as_deref()
            .filter(|t| person_table(t))
            .unwrap_or(&m.name);
        for field in &m.fields {
            if field.relation.is_some() || relation_kind(&field.kind) {
                continue;
            }
            let Some(kind) = kind_of(table, &field.name).or_else(|| kind_of_type(&field.kind))
            else {
                continue;
            };
            // A typed field counts when its type can hold the value: text
            // for most, a date for a birth date; a number can hold card or
            // account numbers, so types are not asked of those.
            let fits = match text_type(m.store, &field.kind) {
                None | Some(true) => true,
                Some(false) => {
                    matches!(
                        kind,
                        PersonalKind::Card
                            | PersonalKind::Bank
                            | PersonalKind::NationalId
                            | PersonalKind::Phone
                    ) && m.store != "Prisma"
                        || kind == PersonalKind::BirthDate && date_type(&field.kind)
                }
            };
            if !fits {
                continue;
            }
            let (file, line) = m.place(field);
            out.push(PersonalField {
                store: m.store,
                table: m.name.clone(),
                field: field.name.clone(),
                kind,
                file: file.to_owned(),
                line,
                inherited_from: field.inherited_from.clone(),
            });
        }
    }
    // A table an ORM declares is often created by migrations too (diesel's
    // `migrations/*/up.sql`, Django's and TypeORM's generated ones): the
    // model's line is the one to read.
    let declared: BTreeSet<(String, String)> = out
        .iter()
        .filter(|f| f.store != "SQL migrations")
        .flat_map(|f| {
            let model = models
                .iter()
                .find(|m| m.store == f.store && m.name == f.table);
            let table = model.and_then(|m| m.table.clone());
            [f.table.clone()]
                .into_iter()
                .chain(table)
                .map(|t| (t.to_ascii_lowercase(), f.field.to_ascii_lowercase()))
                .collect::<Vec<_>>()
        })
        .collect();
    out.retain(|f| {
        f.store != "SQL migrations"
            || !declared.contains(&(f.table.to_ascii_lowercase(), f.field.to_ascii_lowercase()))
    });
    out.sort_by(|a, b| {
        (&a.file, a.line, &a.table, &a.field).cmp(&(&b.file, b.line, &b.table, &b.field))
    });
    out.dedup_by(|a, b| {
        a.file == b.file && a.line == b.line && a.table == b.table && a.field == b.field
    });
    out
}

/// The personal-data kind a declared type says, whatever the field's name
/// (`to = models.EmailField()`, `last_seen_from -> Inet`).
fn kind_of_type(kind: &str) -> Option<PersonalKind> {
    let base = kind
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(kind)
        .trim_end_matches('?');
    let base = base
        .strip_prefix("Nullable<")
        .map_or(base, |b| b.trim_end_matches('>'));
    match base {
        "EmailField" => Some(PersonalKind::Email),
        "GenericIPAddressField" | "IPAddressField" | "Inet" | "inet" | "INET" | "IPAddressType" => {
            Some(PersonalKind::IpAddress)
        }
        "PhoneNumberField" => Some(PersonalKind::Phone),
        _ => None,
    }
}

/// Whether a table or model name is user-like (its `name` is a person's).
fn person_table(table: &str) -> bool {
    PERSON_TABLES.contains(&base_name(table).as_str())
}

/// A model name without the words ORMs add (`UserEntity`, `user_model`,
/// `CustomerRecord`), lowercased.
fn base_name(table: &str) -> String {
    let lower = table.to_ascii_lowercase();
    let mut base = lower.as_str();
    for suffix in [
        "class", "document", "entity", "model", "record", "schema", "table",
    ] {
        if let Some(rest) = base.strip_suffix(suffix)
            && !rest.is_empty()
        {
            base = rest.trim_end_matches(['_', '-']);
        }
    }
    base.to_owned()
}

/// Whether password hashing is seen anywhere in the code (a library
/// import or a key-derivation call).
pub fn hashes_passwords(model: &SourceModel) -> bool {
    const LIBRARIES: &[&str] = &[
        "bcrypt",
        "argon2",
        "scrypt",
        "@node-rs/argon2",
        "@node-rs/bcrypt",
        "pbkdf2",
    ];
    model.files.iter().any(|f| {
        f.imports
            .iter()
            .any(|i| LIBRARIES.iter().any(|l| i.specifier.contains(l)))
            || f.calls.iter().any(|c| {
                matches!(
                    c.method(),
                    "scrypt"
                        | "scryptSync"
                        | "pbkdf2"
                        | "pbkdf2Sync"
                        | "hashPassword"
                        | "make_password"
                        | "set_password"
                )
            })
    })
}

/// File names that say the product keeps a data inventory or a privacy
/// assessment.
const INVENTORY_NAMES: &[&str] = &[
    "data-classification",
    "data_classification",
    "dataclassification",
    "data-inventory",
    "data_inventory",
    "data-map",
    "data_map",
    "personal-data",
    "personal_data",
    "records-of-processing",
    "ropa",
    "dpia",
    "privacy-impact",
    "pii",
];

/// Documents among `files` that look like a data inventory.
pub fn inventory_documents(files: &[SourceFile<'_>]) -> Vec<String> {
    files
        .iter()
        .filter(|f| {
            let lower = f.path.to_ascii_lowercase();
            let name = lower.rsplit('/').next().unwrap_or(&lower);
            let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
            let document = [
                ".md", ".mdx", ".txt", ".pdf", ".docx", ".xlsx", ".csv", ".adoc", ".rst",
            ]
            .iter()
            .any(|e| name.ends_with(e));
            document
                && INVENTORY_NAMES.iter().any(|n| {
                    stem == *n
                        || stem.starts_with(&format!("{n}-"))
                        || stem.starts_with(&format!("{n}_"))
                        || stem.ends_with(&format!("-{n}"))
                        || stem.ends_with(&format!("_{n}"))
                })
        })
        .map(|f| f.path.to_owned())
        .collect()
}

/// Calls that delete a user account: `auth.admin.deleteUser`,
/// `deleteAccount`, `prisma.user.delete`, and deletes from a user-like
/// table (`supabase.from('profiles').delete()`).
fn deletion_call(file: &crate::FileModel, call: &crate::Call) -> bool {
    let method = call.method();
    if matches!(method, "deleteUser" | "deleteAccount" | "deleteUserById") {
        return true;
    }
    let lower = call.callee.to_ascii_lowercase();
    if (method == "delete" || method == "deleteMany")
        && (lower.contains(".user.") || lower.contains(".users.") || lower.contains(".profile."))
    {
        return true;
    }
    if lower.contains("from().delete") {
        // The table is named by the `from` call on the same line.
        return file.calls.iter().any(|c| {
            c.line == call.line
                && c.method() == "from"
                && matches!(c.args.first(), Some(Arg::Str(t)) if PERSON_TABLES.contains(&t.to_ascii_lowercase().as_str()))
        });
    }
    false
}

/// Account-deletion code: `file:line (call)` for calls that delete a user.
pub fn deletion_paths(model: &SourceModel) -> Vec<String> {
    let mut out = Vec::new();
    for file in model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production)
    {
        for call in &file.calls {
            if deletion_call(file, call) {
                out.push(format!("{}:{} (`{}`)", file.path, call.line, call.callee));
            }
        }
    }
    out
}

/// Tables with a soft-delete column (`deleted_at`, `is_deleted`, a
/// TypeORM `@DeleteDateColumn`), in every data model.
pub fn soft_delete_tables(model: &SourceModel) -> BTreeSet<String> {
    soft_delete_tables_of(&schema::models(model))
}

/// The tables among `models` with a soft-delete column.
pub fn soft_delete_tables_of(models: &[DataModel]) -> BTreeSet<String> {
    models
        .iter()
        .filter(|m| {
            m.fields.iter().any(|f| {
                let name = f.name.to_ascii_lowercase().replace('_', "");
                name == "deletedat"
                    || name == "isdeleted"
                    || name == "deleted"
                    || f.kind == "DeleteDateColumn"
            })
        })
        .map(|m| m.name.clone())
        .collect()
}

/// Facts, findings and the personal-data inventory.
pub(crate) fn add_evidence(
    model: &SourceModel,
    models: &[DataModel],
    evidence: &mut diligence_model::Evidence,
) {
    use diligence_model::{Confidence, Fact, Finding, Inventory, Location, Severity, Table, Unit};

    use crate::evidence::{HEURISTIC, fact_name, rule};

    let fields = personal_fields_of(models);
    let schemas = !model.prisma.is_empty() || !model.databases.is_empty() || !models.is_empty();
    if !schemas {
        return;
    }
    let kinds: BTreeSet<PersonalKind> = fields.iter().map(|f| f.kind).collect();
    evidence.set_fact(
        fact_name("source.personal-data.fields"),
        Fact::count(fields.len(), Unit::Count)
            .heuristic(Confidence::Medium)
            .detail("Schema fields whose names say they hold personal data (Prisma, Drizzle, Django, SQLAlchemy, SQLModel, TypeORM, diesel, Sequelize and Mongoose models, tables of SQL migrations); a list to review, recognised by name."),
    );
    evidence.set_fact(
        fact_name("source.personal-data.kinds"),
        Fact::list(kinds.iter().map(|k| k.words().to_owned())),
    );
    evidence.set_fact(
        fact_name("source.data-inventory"),
        Fact::list(model.data_inventory.iter().cloned()).detail("Documents whose names say they are a data inventory, a data classification or a privacy impact assessment."),
    );
    let deletions = deletion_paths(model);
    let shown: Vec<String> = deletions.iter().take(10).cloned().collect();
    let mut deletion_fact = Fact::list(shown);
    if deletions.len() > 10 {
        deletion_fact = deletion_fact.detail(format!("and {} more", deletions.len() - 10));
    }
    evidence.set_fact(fact_name("source.deletion-paths"), deletion_fact);
    evidence.set_fact(
        fact_name("source.soft-delete"),
        Fact::list(soft_delete_tables_of(models)).detail("Tables that mark rows deleted instead of removing them; a purge job is needed for deletion to be complete."),
    );
    let hashing = hashes_passwords(model);
    for field in &fields {
        let built = match field.kind {
            PersonalKind::Card => {
                let cvv = matches!(field.field.to_ascii_lowercase().replace('_', "").as_str(), "cvv" | "cvc" | "cvv2" | "cardcvc" | "cardcvv");
                Finding::builder(
                    rule("source.card-data-stored"),
                    Severity::High,
                    if cvv { Confidence::High } else { Confidence::Medium },
                )
                .message(format!("{} `{}.{}` stores payment card data in the product's own database: that brings the whole system into PCI DSS scope{}.", field.store, field.table, field.field, if cvv { ", and a card's security code may never be stored after authorisation" } else { "" }))
                .remediation("Keep card data with the payment provider (a token or the last four digits only) and delete the stored values.")
            }
            PersonalKind::Password
                if !hashed_name(&field.field)
                    && !hashing
                    && !field
                        .inherited_from
                        .as_deref()
                        .is_some_and(|b| HASHING_BASES.contains(&b)) =>
            {
                Finding::builder(
                rule("source.password-column-unhashed"),
                Severity::High,
                Confidence::Medium,
            )
            .message(format!("{} `{}.{}` holds passwords and no password hashing (bcrypt, argon2, scrypt, PBKDF2) appears anywhere in the code read: they may be stored as written.", field.store, field.table, field.field))
            .remediation("Hash passwords with argon2id or bcrypt before storing them, rehash existing ones at next sign-in, or move sign-in to an identity provider.")
            }
            _ => continue,
        };
        if let Ok(finding) = built
            .location(Location::line(&field.file, field.line))
            .tag(HEURISTIC)
            .build()
        {
            evidence.findings.push(finding);
        }
    }
    if !fields.is_empty() {
        evidence.inventories.insert(
            "personal-data".to_owned(),
            Inventory::Table(Table {
                title: "Personal data in schemas".to_owned(),
                columns: ["kind", "table", "field", "declared in", "where"]
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect(),
                rows: fields
                    .iter()
                    .map(|f| {
                        vec![
                            f.kind.words().to_owned(),
                            f.table.clone(),
                            f.field.clone(),
                            f.store.to_owned(),
                            format!("{}:{}", f.file, f.line),
                        ]
                    })
                    .collect(),
            }),
        );
    }
}
