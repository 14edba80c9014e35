//! The data models of every store, read once by `schema::models`.

use diligence_source::schema::{DataModel, models};

use crate::{fixture, model_of};

fn of(name: &str) -> anyhow::Result<Vec<DataModel>> {
    Ok(models(&model_of(&fixture(name))?))
}

/// (store, name, table, file:line) of each model.
fn heads(models: &[DataModel]) -> Vec<(String, String, Option<String>, String)> {
    models
        .iter()
        .map(|m| {
            (
                m.store.to_owned(),
                m.name.clone(),
                m.table.clone(),
                format!("{}:{}", m.file, m.line),
            )
        })
        .collect()
}

/// (name, kind, relation) of a model's fields.
fn fields<'m>(models: &'m [DataModel], name: &str) -> Vec<(&'m str, &'m str, Option<&'m str>)> {
    models
        .iter()
        .find(|m| m.name == name)
        .map(|m| {
            m.fields
                .iter()
                .map(|f| (f.name.as_str(), f.kind.as_str(), f.relation.as_deref()))
                .collect()
        })
        .unwrap_or_default()
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn django_models_are_concrete_classes_with_their_fields() -> anyhow::Result<()> {
    let models = of("personal/django")?;
    assert_eq!(
        heads(&models),
        [
            (
                s("Django"),
                s("Customer"),
                Some(s("customers")),
                s("shop/models.py:13")
            ),
            (s("Django"), s("Product"), None, s("shop/models.py:25")),
        ]
    );
    assert_eq!(
        fields(&models, "Product"),
        [
            ("name", "CharField", None),
            ("owner", "ForeignKey", Some("settings.AUTH_USER_MODEL")),
            ("deleted_at", "DateTimeField", None),
        ]
    );
    assert_eq!(
        fields(&models, "Customer")[0],
        ("email", "EmailField", None)
    );
    Ok(())
}

#[test]
fn sqlalchemy_models_give_types_relations_and_table_names() -> anyhow::Result<()> {
    let models = of("personal/sqlalchemy")?;
    assert_eq!(
        heads(&models),
        [
            (
                s("SQLAlchemy"),
                s("User"),
                Some(s("users")),
                s("app/models.py:13")
            ),
            (
                s("SQLAlchemy"),
                s("Order"),
                Some(s("orders")),
                s("app/models.py:23")
            ),
        ]
    );
    assert_eq!(
        fields(&models, "User"),
        [
            ("created_by_email", "String", None),
            ("id", "int", None),
            ("email", "str", None),
            ("full_name", "str", None),
            ("ssn", "String", None),
            ("orders", "relationship", Some("Order")),
        ]
    );
    assert_eq!(
        fields(&models, "Order"),
        [
            ("id", "Integer", None),
            ("user_id", "Integer", Some("users")),
            ("name", "String", None),
        ]
    );
    Ok(())
}

#[test]
fn typeorm_entities_inherit_columns_from_a_base_class() -> anyhow::Result<()> {
    let models = of("personal/typeorm")?;
    assert_eq!(
        heads(&models),
        [
            (
                s("TypeORM"),
                s("UserEntity"),
                Some(s("users")),
                s("src/entities/user.entity.ts:20")
            ),
            (
                s("TypeORM"),
                s("Product"),
                None,
                s("src/entities/user.entity.ts:41")
            ),
        ]
    );
    assert_eq!(
        fields(&models, "UserEntity"),
        [
            ("id", "uuid", None),
            ("createdAt", "Date", None),
            ("name", "string", None),
            ("email", "string", None),
            ("password", "string", None),
            ("cvv", "varchar", None),
            ("organization", "ManyToOne", Some("Organization")),
            ("deletedAt", "Date", None),
        ]
    );
    Ok(())
}

#[test]
fn diesel_sequelize_mongoose_and_prisma_models_are_read() -> anyhow::Result<()> {
    let diesel = of("personal/diesel")?;
    assert_eq!(
        heads(&diesel),
        [
            (s("diesel"), s("users"), None, s("src/schema.rs:4")),
            (s("diesel"), s("products"), None, s("src/schema.rs:16")),
        ]
    );
    assert_eq!(
        fields(&diesel, "users")[4..],
        [
            ("first_name", "Nullable<Text>", None),
            ("kind", "Text", None)
        ]
    );
    let sequelize = of("personal/sequelize")?;
    assert_eq!(
        heads(&sequelize),
        [
            (s("Sequelize"), s("Customer"), None, s("src/models.js:5")),
            (
                s("Sequelize"),
                s("Product"),
                Some(s("products")),
                s("src/models.js:15")
            ),
        ]
    );
    assert_eq!(
        fields(&sequelize, "Customer"),
        [
            ("firstName", "DataTypes.STRING", None),
            ("email", "DataTypes.STRING", None),
            ("iban", "DataTypes.STRING", None),
        ]
    );
    let mongoose = of("personal/mongoose")?;
    assert_eq!(
        fields(&mongoose, "User")[3],
        ("company", "Schema.Types.ObjectId", Some("Company"))
    );
    assert_eq!(
        fields(&mongoose, "Product"),
        [("name", "String", None), ("sku", "String", None)]
    );
    let prisma = of("personal/vulnerable")?;
    assert_eq!(
        fields(&prisma, "User")[9..],
        [
            ("orders", "Order[]", Some("Order")),
            ("deletedAt", "DateTime?", None)
        ]
    );
    assert_eq!(fields(&prisma, "orders")[2], ("user", "User", Some("User")));
    assert!(
        heads(&prisma).contains(&(s("Drizzle"), s("customers"), None, s("src/db/schema.ts:3"))),
        "{:?}",
        heads(&prisma)
    );
    Ok(())
}

#[test]
fn test_files_hold_no_models() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("tests");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("models_test.py"),
        "from django.db import models\n\nclass User(models.Model):\n    email = models.EmailField()\n",
    )?;
    assert_eq!(models(&model_of(temp.path())?), []);
    Ok(())
}
