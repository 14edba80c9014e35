//! Personal data: the fields a schema declares that hold it, card data and
//! passwords stored as they are, whether a data inventory exists, and the
//! code paths that delete an account.
//!
//! Schemas read here: Prisma (`schema.prisma` and `prisma/schema/*.prisma`,
//! by a small reader of our own), the tables of the SQL migrations as
//! replayed by [`crate::sql`], and Drizzle tables (`pgTable`,
//! `mysqlTable`, `sqliteTable` calls in the per-file model). Fields are
//! recognised by their names, so the result is a list to review, not a
//! verdict: a `name` column of a `Product` table is not personal data, and
//! only user-like tables count their `name`.

use std::collections::{BTreeMap, BTreeSet};

use diligence_model::FileClass;
use serde::Serialize;

use crate::model::Arg;
use crate::{Reader, SourceFile, SourceModel};

/// Largest schema file read, in bytes.
pub const MAX_SCHEMA_SIZE: u64 = 2 * 1024 * 1024;

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
    let table = table.to_ascii_lowercase();
    let ends = |s: &str| f.ends_with(s);
    let is = |s: &[&str]| s.contains(&f.as_str());
    // Flags and timestamps about a value are not the value.
    if f.ends_with("verified")
        || f.ends_with("confirmed")
        || f.ends_with("verifiedat")
        || f.ends_with("confirmedat")
        || f.ends_with("enabled")
        || f.starts_with("is")
        || f.starts_with("has")
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
    if f.contains("ssn")
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
    /// Where it is declared (`Prisma`, `Drizzle`, `SQL migrations`).
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
}

/// One model of a Prisma schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrismaModel {
    /// The model's name (or its `@@map` table name).
    pub name: String,
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
                    current = Some(PrismaModel {
                        name: name.trim_end_matches('{').to_owned(),
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

/// Prisma schema files among `files`, parsed.
pub fn find_prisma(
    files: &[SourceFile<'_>],
    read: &Reader<'_>,
) -> BTreeMap<String, Vec<PrismaModel>> {
    let mut out = BTreeMap::new();
    for file in files {
        if !file.path.ends_with(".prisma") || file.size > MAX_SCHEMA_SIZE {
            continue;
        }
        if classify_is_product(file.path)
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

fn classify_is_product(path: &str) -> bool {
    diligence_model::classify(path) == FileClass::Production
}

/// Whether a Prisma type holds text (the types personal data is kept in).
fn prisma_text(kind: &str) -> bool {
    let base = kind.trim_end_matches(['?', '[', ']']);
    matches!(base, "String" | "Json" | "Bytes")
}

/// Drizzle table constructors.
const DRIZZLE_TABLES: &[&str] = &["pgTable", "mysqlTable", "sqliteTable"];

/// Every personal-data field the schemas declare, by file and line.
pub fn personal_fields(model: &SourceModel) -> Vec<PersonalField> {
    let mut out = Vec::new();
    for (path, models) in &model.prisma {
        for m in models {
            for (field, kind, line) in &m.fields {
                let birth = kind.trim_end_matches('?') == "DateTime";
                if !prisma_text(kind) && !birth {
                    continue;
                }
                // A date field counts only as a birth date.
                let kind = match kind_of(&m.name, field) {
                    Some(k) if !birth || k == PersonalKind::BirthDate => k,
                    _ => continue,
                };
                out.push(PersonalField {
                    store: "Prisma",
                    table: m.name.clone(),
                    field: field.clone(),
                    kind,
                    file: path.clone(),
                    line: *line,
                });
            }
        }
    }
    // Tables of the SQL migrations, at their `CREATE TABLE`; Prisma's own
    // migration folders repeat its schema, which is read above.
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
            for column in &table.columns {
                if let Some(kind) = kind_of(&table.name.name, column) {
                    out.push(PersonalField {
                        store: "SQL migrations",
                        table: table.name.name.clone(),
                        field: column.clone(),
                        kind,
                        file: at.path.clone(),
                        line: at.line,
                    });
                }
            }
        }
    }
    for file in model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production)
    {
        let tables: Vec<_> = file
            .calls
            .iter()
            .filter(|c| DRIZZLE_TABLES.contains(&c.callee.as_str()))
            .collect();
        for (i, call) in tables.iter().enumerate() {
            let Some(Arg::Str(table)) = call.args.first() else {
                continue;
            };
            let end = tables.get(i + 1).map_or(u32::MAX, |next| next.offset);
            let scope_end = file
                .function_at(call.line)
                .map_or(end, |f| f.span.1.min(end));
            for property in file
                .properties
                .iter()
                .filter(|p| p.offset > call.offset && p.offset < scope_end)
            {
                if let Some(kind) = kind_of(table, &property.key) {
                    out.push(PersonalField {
                        store: "Drizzle",
                        table: table.clone(),
                        field: property.key.clone(),
                        kind,
                        file: file.path.clone(),
                        line: property.line,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, &a.field).cmp(&(&b.file, b.line, &b.field)));
    out.dedup_by(|a, b| a.file == b.file && a.line == b.line && a.field == b.field);
    out
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
                    "scrypt" | "scryptSync" | "pbkdf2" | "pbkdf2Sync" | "hashPassword"
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

/// Tables with a soft-delete column (`deleted_at`, `is_deleted`).
pub fn soft_delete_tables(model: &SourceModel) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for models in model.prisma.values() {
        for m in models {
            if m.fields.iter().any(|(f, _, _)| {
                let f = f.to_ascii_lowercase().replace('_', "");
                f == "deletedat" || f == "isdeleted" || f == "deleted"
            }) {
                out.insert(m.name.clone());
            }
        }
    }
    out
}

/// Facts, findings and the personal-data inventory.
pub(crate) fn add_evidence(model: &SourceModel, evidence: &mut diligence_model::Evidence) {
    use diligence_model::{Confidence, Fact, Finding, Inventory, Location, Severity, Table, Unit};

    use crate::evidence::{HEURISTIC, fact_name, rule};

    let fields = personal_fields(model);
    let schemas = !model.prisma.is_empty() || !model.databases.is_empty() || !fields.is_empty();
    if !schemas {
        return;
    }
    let kinds: BTreeSet<PersonalKind> = fields.iter().map(|f| f.kind).collect();
    evidence.set_fact(
        fact_name("source.personal-data.fields"),
        Fact::count(fields.len(), Unit::Count)
            .heuristic(Confidence::Medium)
            .detail("Schema fields whose names say they hold personal data (Prisma models, Drizzle tables); a list to review, recognised by name."),
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
        Fact::list(soft_delete_tables(model)).detail("Tables that mark rows deleted instead of removing them; a purge job is needed for deletion to be complete."),
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
            PersonalKind::Password if !hashed_name(&field.field) && !hashing => Finding::builder(
                rule("source.password-column-unhashed"),
                Severity::High,
                Confidence::Medium,
            )
            .message(format!("{} `{}.{}` holds passwords and no password hashing (bcrypt, argon2, scrypt, PBKDF2) appears anywhere in the code read: they may be stored as written.", field.store, field.table, field.field))
            .remediation("Hash passwords with argon2id or bcrypt before storing them, rehash existing ones at next sign-in, or move sign-in to an identity provider."),
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
