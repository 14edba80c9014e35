//! Personal data in schemas, card data, passwords, deletion paths.

use diligence_model::{Confidence, FactValue, Inventory, Severity};
use diligence_source::personal::{PersonalKind, kind_of};

use crate::evidence_of;

fn list(evidence: &diligence_model::Evidence, name: &str) -> Vec<String> {
    match evidence.facts.get(name).map(|f| f.value.clone()) {
        Some(FactValue::List { values }) => values,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn personal_fields_card_data_and_bare_passwords_are_found_at_their_line() -> anyhow::Result<()> {
    let evidence = evidence_of("personal/vulnerable")?;
    let Some(Inventory::Table(table)) = evidence.inventories.get("personal-data") else {
        panic!("no personal-data table");
    };
    let rows: Vec<(&str, &str, &str)> = table
        .rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("User", "email", "prisma/schema.prisma:12"),
            ("User", "name", "prisma/schema.prisma:14"),
            ("User", "password", "prisma/schema.prisma:15"),
            ("User", "phone", "prisma/schema.prisma:16"),
            ("User", "dateOfBirth", "prisma/schema.prisma:17"),
            ("User", "cardNumber", "prisma/schema.prisma:18"),
            ("User", "cvv", "prisma/schema.prisma:19"),
            ("orders", "shippingAddress", "prisma/schema.prisma:32"),
            ("customers", "fullName", "src/db/schema.ts:5"),
            ("customers", "ipAddress", "src/db/schema.ts:6"),
        ]
    );
    let findings: Vec<(&str, u32, Severity, Confidence)> = evidence
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.location.line.unwrap_or(0),
                f.severity,
                f.confidence,
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            (
                "source.password-column-unhashed",
                15,
                Severity::High,
                Confidence::Medium
            ),
            (
                "source.card-data-stored",
                18,
                Severity::High,
                Confidence::Medium
            ),
            (
                "source.card-data-stored",
                19,
                Severity::High,
                Confidence::High
            ),
        ]
    );
    assert_eq!(list(&evidence, "source.soft-delete"), ["User"]);
    assert!(list(&evidence, "source.deletion-paths").is_empty());
    assert!(list(&evidence, "source.data-inventory").is_empty());
    Ok(())
}

#[test]
fn hashed_passwords_an_inventory_and_a_deletion_path_are_evidence() -> anyhow::Result<()> {
    let evidence = evidence_of("personal/sound")?;
    assert!(evidence.findings.is_empty(), "{:?}", evidence.findings);
    assert_eq!(
        list(&evidence, "source.deletion-paths"),
        ["src/db/users.ts:10 (`prisma.user.delete`)"]
    );
    assert_eq!(
        list(&evidence, "source.data-inventory"),
        ["docs/data-inventory.md"]
    );
    assert_eq!(
        list(&evidence, "source.personal-data.kinds"),
        ["e-mail addresses", "passwords"]
    );
    Ok(())
}

#[test]
fn field_names_are_read_with_their_table() {
    assert_eq!(kind_of("users", "email_address"), Some(PersonalKind::Email));
    assert_eq!(kind_of("users", "email_verified"), None);
    assert_eq!(kind_of("users", "is_email_confirmed"), None);
    assert_eq!(kind_of("profiles", "name"), Some(PersonalKind::Name));
    assert_eq!(kind_of("products", "name"), None);
    assert_eq!(kind_of("wallets", "wallet_address"), None);
    assert_eq!(
        kind_of("sessions", "ip_address"),
        Some(PersonalKind::IpAddress)
    );
    assert_eq!(kind_of("payments", "iban"), Some(PersonalKind::Bank));
    assert_eq!(kind_of("patients", "diagnosis"), Some(PersonalKind::Health));
    assert_eq!(
        kind_of("users", "date_of_birth"),
        Some(PersonalKind::BirthDate)
    );
    assert_eq!(kind_of("settings", "email_template"), None);
    assert_eq!(kind_of("users", "hash"), Some(PersonalKind::Password));
    assert_eq!(kind_of("UserEntity", "name"), Some(PersonalKind::Name));
    assert_eq!(kind_of("files", "hash"), None);
    assert_eq!(
        kind_of("user", "hashed_password"),
        Some(PersonalKind::Password)
    );
    assert_eq!(kind_of("users", "has_phone"), None);
    // `ssn` is a word of the name, not letters running across words.
    for field in ["ssn", "customer_ssn", "ssnLast4", "customerSsn"] {
        assert_eq!(
            kind_of("customers", field),
            Some(PersonalKind::NationalId),
            "{field}"
        );
    }
    assert_eq!(kind_of("profiles", "business_name"), None);
    assert_eq!(kind_of("widgets", "class_name"), None);
}

#[test]
fn columns_of_replayed_migrations_count_as_schema_fields() -> anyhow::Result<()> {
    let evidence = evidence_of("supabase-db/vulnerable")?;
    let Some(Inventory::Table(table)) = evidence.inventories.get("personal-data") else {
        panic!("no personal-data table");
    };
    assert!(
        table.rows.iter().any(|r| r[1] == "profiles"
            && r[2] == "full_name"
            && r[3] == "SQL migrations"
            && r[4] == "supabase/migrations/20240101000000_init.sql:4"),
        "{:?}",
        table.rows
    );
    Ok(())
}

/// The personal-data table of a fixture app, as (table, field, store,
/// where).
fn rows(name: &str) -> anyhow::Result<Vec<[String; 4]>> {
    let evidence = evidence_of(name)?;
    let Some(Inventory::Table(table)) = evidence.inventories.get("personal-data") else {
        panic!("{name}: no personal-data table");
    };
    Ok(table
        .rows
        .iter()
        .map(|r| [r[1].clone(), r[2].clone(), r[3].clone(), r[4].clone()])
        .collect())
}

fn expect(rows: &[[String; 4]], want: &[(&str, &str, &str, &str)]) {
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(got, want);
}

/// Findings as (rule, path, line).
fn findings(evidence: &diligence_model::Evidence) -> Vec<(&str, &str, u32)> {
    evidence
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.location.path.as_deref().unwrap_or(""),
                f.location.line.unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn django_models_give_their_fields_and_those_of_abstract_bases() -> anyhow::Result<()> {
    // Not found: the abstract `Person` as a table of its own, `Meta`
    // options, `Product.name`, the plain class `ContactForm`, a flag.
    // `Member` holds the fields of Django's `AbstractUser`, whose password
    // Django hashes; `Message` holds an address by its field type.
    expect(
        &rows("personal/django")?,
        &[
            ("Customer", "email", "Django", "shop/models.py:7"),
            ("Customer", "phone_number", "Django", "shop/models.py:8"),
            ("Customer", "name", "Django", "shop/models.py:15"),
            ("Customer", "date_of_birth", "Django", "shop/models.py:16"),
            ("Customer", "password", "Django", "shop/models.py:17"),
            ("Customer", "card_number", "Django", "shop/models.py:18"),
            ("Member", "email", "Django", "shop/models.py:37"),
            ("Member", "first_name", "Django", "shop/models.py:37"),
            ("Member", "last_name", "Django", "shop/models.py:37"),
            ("Member", "password", "Django", "shop/models.py:37"),
            ("Message", "to", "Django", "shop/models.py:42"),
            ("Message", "sent_from", "Django", "shop/models.py:43"),
        ],
    );
    let evidence = evidence_of("personal/django")?;
    assert_eq!(
        findings(&evidence),
        [
            ("source.password-column-unhashed", "shop/models.py", 17),
            ("source.card-data-stored", "shop/models.py", 18),
        ]
    );
    assert_eq!(list(&evidence, "source.soft-delete"), ["Product"]);
    Ok(())
}

#[test]
fn sqlalchemy_models_give_columns_mapped_annotations_and_mixins() -> anyhow::Result<()> {
    // Not found: the abstract `AuditBase`, `Order.name`, the plain class
    // `Settings`, the declarative `Base`.
    expect(
        &rows("personal/sqlalchemy")?,
        &[
            ("User", "created_by_email", "SQLAlchemy", "app/models.py:10"),
            ("User", "email", "SQLAlchemy", "app/models.py:17"),
            ("User", "full_name", "SQLAlchemy", "app/models.py:18"),
            ("User", "ssn", "SQLAlchemy", "app/models.py:19"),
        ],
    );
    Ok(())
}

#[test]
fn typeorm_entities_give_their_columns_not_other_classes() -> anyhow::Result<()> {
    // Not found: `Product.name`, the DTO without `@Entity`, the relation.
    expect(
        &rows("personal/typeorm")?,
        &[
            (
                "UserEntity",
                "name",
                "TypeORM",
                "src/entities/user.entity.ts:22",
            ),
            (
                "UserEntity",
                "email",
                "TypeORM",
                "src/entities/user.entity.ts:25",
            ),
            (
                "UserEntity",
                "password",
                "TypeORM",
                "src/entities/user.entity.ts:28",
            ),
            (
                "UserEntity",
                "cvv",
                "TypeORM",
                "src/entities/user.entity.ts:31",
            ),
        ],
    );
    let evidence = evidence_of("personal/typeorm")?;
    assert_eq!(
        findings(&evidence),
        [
            (
                "source.password-column-unhashed",
                "src/entities/user.entity.ts",
                28
            ),
            ("source.card-data-stored", "src/entities/user.entity.ts", 31),
        ]
    );
    assert_eq!(list(&evidence, "source.soft-delete"), ["UserEntity"]);
    Ok(())
}

#[test]
fn diesel_tables_are_read_from_the_generated_schema() -> anyhow::Result<()> {
    // Not found: `products.name`, `email_template`; the hashed password
    // is personal data but no finding.
    expect(
        &rows("personal/diesel")?,
        &[
            ("users", "email", "diesel", "src/schema.rs:7"),
            ("users", "password_hash", "diesel", "src/schema.rs:8"),
            ("users", "first_name", "diesel", "src/schema.rs:9"),
        ],
    );
    assert_eq!(findings(&evidence_of("personal/diesel")?), []);
    Ok(())
}

#[test]
fn sequelize_and_mongoose_models_give_their_attributes() -> anyhow::Result<()> {
    // Not found: nested options (`validate.isEmail`), `Product.name`,
    // a reference to another model, a class without `@Schema`.
    expect(
        &rows("personal/sequelize")?,
        &[
            ("Account", "phone", "Sequelize", "src/account.model.ts:6"),
            ("Account", "password", "Sequelize", "src/account.model.ts:9"),
            ("Customer", "firstName", "Sequelize", "src/models.js:6"),
            ("Customer", "email", "Sequelize", "src/models.js:7"),
            ("Customer", "iban", "Sequelize", "src/models.js:11"),
        ],
    );
    expect(
        &rows("personal/mongoose")?,
        &[
            (
                "CustomerDocument",
                "email",
                "Mongoose",
                "src/customer.schema.ts:7",
            ),
            (
                "CustomerDocument",
                "name",
                "Mongoose",
                "src/customer.schema.ts:13",
            ),
            ("User", "name", "Mongoose", "src/user.js:5"),
            ("User", "email", "Mongoose", "src/user.js:6"),
            ("User", "address", "Mongoose", "src/user.js:7"),
            ("User", "phone", "Mongoose", "src/user.js:9"),
        ],
    );
    Ok(())
}
