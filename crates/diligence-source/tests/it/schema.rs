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
                s("shop/models.py:14")
            ),
            (s("Django"), s("Product"), None, s("shop/models.py:26")),
            (s("Django"), s("Member"), None, s("shop/models.py:37")),
            (s("Django"), s("Message"), None, s("shop/models.py:41")),
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
    let customer = models
        .iter()
        .find(|m| m.name == "Customer")
        .map(|m| &m.fields[0]);
    assert_eq!(
        customer.and_then(|f| f.inherited_from.as_deref()),
        Some("Person")
    );
    let member: Vec<&str> = fields(&models, "Member").iter().map(|f| f.0).collect();
    assert_eq!(
        member,
        [
            "password",
            "last_login",
            "username",
            "first_name",
            "last_name",
            "email",
            "nickname"
        ]
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
    assert_eq!(
        fields(&diesel, "products")[3],
        ("owner_id", "Int4", Some("users"))
    );
    let sequelize = of("personal/sequelize")?;
    assert_eq!(
        heads(&sequelize),
        [
            (
                s("Sequelize"),
                s("Account"),
                Some(s("accounts")),
                s("src/account.model.ts:4")
            ),
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
    assert_eq!(
        fields(&sequelize, "Account"),
        [
            ("phone", "DataType.STRING", None),
            ("password", "string", None),
            ("owner", "BelongsTo", Some("Customer")),
        ]
    );
    assert_eq!(
        sequelize
            .iter()
            .find(|m| m.name == "Account")
            .and_then(|m| m.table.as_deref()),
        Some("accounts")
    );
    let mongoose = of("personal/mongoose")?;
    assert_eq!(
        fields(&mongoose, "CustomerDocument"),
        [
            ("email", "string", None),
            ("company", "mongoose.Schema.Types.ObjectId", Some("Company")),
            ("name", "string", None),
        ]
    );
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

/// The model of one file written at test time.
fn file_model(path: &str, text: &str) -> anyhow::Result<diligence_source::FileModel> {
    let temp = tempfile::tempdir()?;
    let at = temp.path().join(path);
    if let Some(dir) = at.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(at, text)?;
    let model = model_of(temp.path())?;
    anyhow::ensure!(model.failed.is_empty(), "failed: {:?}", model.failed);
    model
        .files
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no model"))
}

#[test]
fn python_class_attributes_keep_their_annotation_and_call() -> anyhow::Result<()> {
    let file = file_model(
        "app/models.py",
        "class User(Base):\n    email: Mapped[str] = mapped_column(String(255))\n    name: Mapped[str]\n    age = 3\n\ndef f():\n    x: int\n",
    )?;
    let attributes: Vec<(&str, Option<&str>, Option<&str>, u32)> = file
        .python
        .assignments
        .iter()
        .map(|a| {
            (
                a.target.as_str(),
                a.annotation.as_deref(),
                file.assigned_call(a).map(|c| c.callee.as_str()),
                a.line,
            )
        })
        .collect();
    // A bare annotation counts only in a class body.
    assert_eq!(
        attributes,
        [
            ("email", Some("Mapped[str]"), Some("mapped_column"), 2),
            ("name", Some("Mapped[str]"), None, 3),
            ("age", None, None, 4),
        ]
    );
    Ok(())
}

#[test]
fn class_fields_and_object_siblings_are_in_the_js_model() -> anyhow::Result<()> {
    let file = file_model(
        "src/user.ts",
        "@Entity('users')\nexport class User {\n  @Column({ type: 'varchar' })\n  email!: string | null;\n  static count = 0;\n  plain = 1;\n}\nconst o = { a: 1, b: { c: 2 }, d: 3 };\n",
    )?;
    let fields: Vec<_> = file
        .class_fields
        .iter()
        .map(|f| {
            (
                f.class.as_str(),
                f.name.as_str(),
                f.decorators.iter().map(String::as_str).collect(),
                f.annotation.as_deref(),
                f.is_static,
                f.line,
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                "User",
                "email",
                vec!["Column"],
                Some("string | null"),
                false,
                4
            ),
            ("User", "count", vec![], None, true, 5),
            ("User", "plain", vec![], None, false, 6),
        ]
    );
    let email = &file.class_fields[0];
    assert!(email.decorator("Column").is_some_and(|a| a.len() == 1));
    let objects: Vec<(&str, bool)> = file
        .properties
        .iter()
        .filter(|p| ["a", "b", "c", "d"].contains(&p.key.as_str()))
        .map(|p| (p.key.as_str(), p.object == file.properties[1].object))
        .collect();
    // `type` is property 0; `a`, `b` and `d` are siblings, `c` is not.
    assert_eq!(
        objects,
        [("a", true), ("b", true), ("c", false), ("d", true)]
    );
    Ok(())
}

#[test]
fn diesel_table_macros_are_read_with_their_columns() -> anyhow::Result<()> {
    let file = file_model(
        "src/schema.rs",
        "// @generated automatically by Diesel CLI.\n\ntable! {\n    use diesel::sql_types::*;\n\n    #[sql_name = \"people\"]\n    app.persons (id) {\n        id -> Int4,\n        /// The address.\n        email -> Nullable<Varchar>,\n        r#type -> Text,\n    }\n}\n\nmacro_rules! table { () => {} }\n",
    )?;
    let tables: Vec<_> = file
        .rust
        .tables
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.sql_name.as_deref(),
                t.line,
                t.columns
                    .iter()
                    .map(|c| (c.name.as_str(), c.kind.as_str(), c.line))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        tables,
        [(
            "persons",
            Some("people"),
            7,
            vec![
                ("id", "Int4", 8),
                ("email", "Nullable<Varchar>", 10),
                ("type", "Text", 11)
            ]
        )]
    );
    Ok(())
}

#[test]
fn a_table_the_migrations_also_create_is_listed_once_at_the_model() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[
        (
            "src/schema.rs",
            "diesel::table! {\n    users (id) {\n        id -> Int4,\n        email -> Varchar,\n    }\n}\n",
        ),
        (
            "migrations/2024-01-01-000000_users/up.sql",
            "CREATE TABLE users (id SERIAL PRIMARY KEY, email VARCHAR NOT NULL, phone TEXT);\n",
        ),
    ])?;
    let Some(diligence_model::Inventory::Table(table)) = evidence.inventories.get("personal-data")
    else {
        panic!("no personal-data table");
    };
    let rows: Vec<(&str, &str)> = table
        .rows
        .iter()
        .map(|r| (r[2].as_str(), r[4].as_str()))
        .collect();
    // The phone only the migration has stays.
    assert_eq!(
        rows,
        [
            ("phone", "migrations/2024-01-01-000000_users/up.sql:1"),
            ("email", "src/schema.rs:4"),
        ]
    );
    Ok(())
}

#[test]
fn sqlmodel_tables_take_the_fields_of_their_bases() -> anyhow::Result<()> {
    // `UserBase` and `UserCreate` are no tables: request bodies share
    // them. Their fields count on `User`, which derives from `UserBase`.
    let models = of("personal/sqlmodel")?;
    assert_eq!(
        heads(&models),
        [
            (s("SQLModel"), s("User"), None, s("app/models.py:13")),
            (s("SQLModel"), s("Item"), None, s("app/models.py:19")),
        ]
    );
    assert_eq!(
        fields(&models, "User"),
        [
            ("email", "str", None),
            ("full_name", "str | None", None),
            ("id", "int | None", None),
            ("hashed_password", "str", None),
            ("items", "Relationship", Some("Item")),
        ]
    );
    assert_eq!(
        fields(&models, "Item")[2],
        ("owner_id", "int | None", Some("user"))
    );
    let evidence = crate::evidence_of("personal/sqlmodel")?;
    let Some(diligence_model::Inventory::Table(table)) = evidence.inventories.get("personal-data")
    else {
        panic!("no personal-data table");
    };
    let rows: Vec<(&str, &str)> = table
        .rows
        .iter()
        .map(|r| (r[2].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("email", "app/models.py:5"),
            ("full_name", "app/models.py:6"),
            ("hashed_password", "app/models.py:15"),
        ]
    );
    Ok(())
}
