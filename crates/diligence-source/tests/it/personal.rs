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
