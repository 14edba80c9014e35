//! The data layer read from SQL migrations: every planted problem of
//! `supabase-db/vulnerable` is found at its statement, the `sound`
//! version yields nothing at medium or above, and hostile files are
//! bounded.

use std::time::{Duration, Instant};

use diligence_model::{Confidence, Evidence, FactValue, Inventory, Severity};

use crate::{evidence_of, model_of};

/// Findings of the `source.db.*` rules, as (rule, path, line, severity,
/// confidence), sorted.
fn db_findings(evidence: &Evidence) -> Vec<(String, String, u32, Severity, Confidence)> {
    let mut out: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str().starts_with("source.db."))
        .map(|f| {
            (
                f.rule.as_str().trim_start_matches("source.db.").to_owned(),
                f.location
                    .path
                    .as_deref()
                    .unwrap_or("")
                    .trim_start_matches("supabase/migrations/")
                    .to_owned(),
                f.location.line.unwrap_or(0),
                f.severity,
                f.confidence,
            )
        })
        .collect();
    out.sort();
    out
}

fn fact(evidence: &Evidence, name: &str) -> Option<String> {
    evidence.facts.get(name).map(|f| f.value.to_string())
}

const INIT: &str = "20240101000000_init.sql";
const INVOICES: &str = "20240115000000_invoices.sql";
const AUTH: &str = "20240201000000_auth.sql";
const STORAGE: &str = "20240301000000_storage.sql";

#[test]
fn every_planted_problem_is_found_at_its_statement() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{Critical, High, Medium};
    let evidence = evidence_of("supabase-db/vulnerable")?;
    let row = |rule: &str, file: &str, line, severity, confidence| {
        (rule.to_owned(), file.to_owned(), line, severity, confidence)
    };
    assert_eq!(
        db_findings(&evidence),
        vec![
            // The function that grants credits, callable by anyone.
            row("definer-function-callable", AUTH, 17, High, M),
            row("grant-to-anon", STORAGE, 15, Medium, H),
            // `true` on an UPDATE, and a SELECT for everyone.
            row("policy-always-true", INIT, 30, High, H),
            row("policy-always-true", INVOICES, 20, High, H),
            // Policies on tables whose RLS is off: at the first policy.
            row("policy-without-rls", INVOICES, 20, High, H),
            row("policy-without-rls", INVOICES, 23, High, H),
            row("public-bucket", STORAGE, 1, Medium, H),
            // Never enabled; and dropped, then created again without it.
            row("rls-disabled", INIT, 11, Critical, H),
            row("rls-disabled", INVOICES, 13, Critical, H),
            row("security-definer-view", STORAGE, 12, Medium, H),
            row("self-update-privileged-column", INIT, 26, Critical, M),
            row("signup-role-from-metadata", AUTH, 1, Critical, H),
            // Reading a public bucket lists it; writing is worse.
            row("storage-policy-no-owner", STORAGE, 4, Medium, H),
            row("storage-policy-no-owner", STORAGE, 8, High, H),
            // Inside a `DO` block.
            row("storage-policy-no-owner", STORAGE, 26, High, H),
            row("user-metadata-in-policy", AUTH, 27, High, H),
        ]
    );
    let heuristic = evidence
        .findings
        .iter()
        .filter(|f| f.tags.contains("heuristic"))
        .map(|f| f.rule.as_str())
        .collect::<Vec<_>>();
    assert_eq!(
        heuristic,
        [
            "source.db.self-update-privileged-column",
            "source.db.definer-function-callable"
        ]
    );
    Ok(())
}

#[test]
fn facts_count_tables_policies_and_tenants() -> anyhow::Result<()> {
    let evidence = evidence_of("supabase-db/vulnerable")?;
    assert_eq!(
        fact(&evidence, "source.db.migrations"),
        Some("4 files".into())
    );
    // profiles, messages, notes (recreated) and billing.invoices: billing
    // is exposed by `[api] schemas`.
    assert_eq!(fact(&evidence, "source.db.tables"), Some("4".into()));
    assert_eq!(
        fact(&evidence, "source.db.tables.without-rls"),
        Some("2".into())
    );
    assert_eq!(fact(&evidence, "source.db.policies"), Some("9".into()));
    assert_eq!(
        evidence
            .facts
            .get("source.db.tenant-columns")
            .map(|f| f.value.clone()),
        Some(FactValue::List {
            values: vec!["billing.invoices (org_id)".into()]
        })
    );
    assert_eq!(
        fact(&evidence, "source.db.tenant-unenforced"),
        Some("1".into())
    );
    Ok(())
}

#[test]
fn the_inventory_lists_tables_without_rls_first() -> anyhow::Result<()> {
    let evidence = evidence_of("supabase-db/vulnerable")?;
    let Some(Inventory::Table(table)) = evidence.inventories.get("data") else {
        anyhow::bail!("no data inventory");
    };
    let rows: Vec<(&str, &str, &str)> = table
        .rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("public.messages", "off", ""),
            ("public.notes", "off", ""),
            ("billing.invoices", "on", "org_id"),
            ("public.profiles", "on", ""),
        ]
    );
    assert_eq!(table.rows[0][2], "SELECT → authenticated; UPDATE → public");
    assert_eq!(
        table.rows[1][4],
        format!("supabase/migrations/{INVOICES}:13")
    );
    Ok(())
}

#[test]
fn the_sound_database_yields_nothing_at_medium_or_above() -> anyhow::Result<()> {
    let evidence = evidence_of("supabase-db/sound")?;
    let serious: Vec<_> = db_findings(&evidence)
        .into_iter()
        .filter(|f| f.3 >= Severity::Medium)
        .collect();
    assert_eq!(serious, vec![]);
    // Not even a note: every table has its policies.
    assert_eq!(db_findings(&evidence), vec![]);
    assert_eq!(
        fact(&evidence, "source.db.tables.without-rls"),
        Some("0".into())
    );
    assert_eq!(
        evidence
            .facts
            .get("source.db.tenant-unenforced")
            .map(|f| (f.value.to_string(), f.detail.clone())),
        Some((
            "0".into(),
            Some("Every table with a tenant column has a policy that reads it.".into())
        ))
    );
    assert_eq!(
        evidence
            .facts
            .get("source.db.tenant-columns")
            .map(|f| f.value.clone()),
        Some(FactValue::List {
            values: vec![
                "public.memberships (org_id)".into(),
                "public.projects (org_id)".into()
            ]
        })
    );
    assert!(
        evidence
            .findings
            .iter()
            .all(|f| f.rule.as_str() != "source.parse-failed")
    );
    Ok(())
}

#[test]
fn without_migrations_no_db_fact_is_set() -> anyhow::Result<()> {
    let evidence = evidence_of("sound")?;
    assert!(
        evidence
            .facts
            .keys()
            .all(|k| !k.as_str().starts_with("source.db."))
    );
    assert!(!evidence.inventories.contains_key("data"));
    Ok(())
}

#[test]
fn rls_with_no_policy_is_an_info_note_and_look_alikes_are_quiet() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("supabase/migrations");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("1_a.sql"),
        concat!(
            "create table public.audit (id int);\n",
            "alter table public.audit enable row level security;\n",
            // A private schema is not exposed: no finding.
            "create table private.secrets (id int);\n",
            // A SELECT `true` for signed-in users only is a low note.
            "create table public.countries (code text, role text);\n",
            "alter table public.countries enable row level security;\n",
            "create policy \"read\" on public.countries for select to authenticated using (true);\n",
            // A restrictive `true` adds nothing and opens nothing.
            "create policy \"r\" on public.countries as restrictive for update to authenticated using (true);\n",
            // A view that says security_invoker later is fine.
            "create view public.v as select 1;\n",
            "alter view public.v set (security_invoker = true);\n",
            // A definer function that only reads is fine.
            "create function public.count_rows() returns bigint language sql security definer as $$ select count(*) from public.audit $$;\n",
            // A grant of select to anon is not a write grant.
            "grant select on public.countries to anon;\n",
        ),
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    assert_eq!(
        db_findings(&evidence),
        vec![
            (
                "policy-always-true".to_owned(),
                "1_a.sql".to_owned(),
                6,
                Severity::Low,
                Confidence::High
            ),
            (
                "rls-no-policy".to_owned(),
                "1_a.sql".to_owned(),
                1,
                Severity::Info,
                Confidence::High
            ),
        ]
    );
    Ok(())
}

#[test]
fn a_public_bucket_is_medium_only_when_a_policy_lets_clients_list_it() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[(
        "supabase/migrations/1_a.sql",
        concat!(
            "insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);\n",
            "insert into storage.buckets (id, name, public) values ('logos', 'logos', true);\n",
            "insert into storage.buckets (id, name, public) values ('private', 'private', false);\n",
            // Lists every avatar: only the bucket is checked (with a cast).
            "create policy \"list avatars\" on storage.objects for select to anon\n",
            "  using ((bucket_id = 'avatars'::text));\n",
            // Look-alikes that do not list `logos`: restricted to the
            // user's folder, and a listing policy of another bucket.
            "create policy \"own logos\" on storage.objects for select to authenticated\n",
            "  using (bucket_id = 'logos' and (storage.foldername(name))[1] = auth.uid()::text);\n",
            "create policy \"list private\" on storage.objects for select to authenticated\n",
            "  using (bucket_id = 'private');\n",
        ),
    )])?;
    let buckets: Vec<(u32, Severity, &str)> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.db.public-bucket")
        .map(|f| (f.location.line.unwrap_or(0), f.severity, f.message.as_str()))
        .collect();
    assert_eq!(buckets.len(), 2, "{buckets:?}");
    assert_eq!((buckets[0].0, buckets[0].1), (1, Severity::Medium));
    assert!(buckets[0].2.contains("`list avatars`"), "{}", buckets[0].2);
    assert_eq!((buckets[1].0, buckets[1].1), (2, Severity::Low));
    assert!(buckets[1].2.contains("No policy read lets clients list"));
    Ok(())
}

#[test]
fn storage_policies_are_judged_per_command_by_owner_folder_and_role() -> anyhow::Result<()> {
    let evidence = crate::evidence_of_files(&[(
        "supabase/migrations/1_a.sql",
        concat!(
            "insert into storage.buckets (id, name, public) values ('ids', 'ids', false);\n",
            // The uploader's id in the file's metadata is an owner check.
            "create policy \"upload own ids\" on storage.objects for insert\n",
            "  with check (bucket_id = 'ids' and (metadata->>'uploader_id') = auth.uid()::text);\n",
            // The path starts with the caller's id.
            "create policy \"own prefix\" on storage.objects for all\n",
            "  using (bucket_id = 'ids' and (auth.uid()::text || '/') = substring(name from 1 for 37));\n",
            // Administrators only, by a role function.
            "create policy \"admins change ids\" on storage.objects for update\n",
            "  using (public.is_user_in_roles(auth.uid(), array['master_admin']));\n",
            // A folder per organisation, read from the caller's token.
            "create policy \"org folder\" on storage.objects for all\n",
            "  using (bucket_id = 'ids' and (storage.foldername(name))[1] = public.jwt_org_id()::text);\n",
            // Reads for administrators, but WITH CHECK (true) lets anyone
            // upload anywhere.
            "create policy \"admin all\" on storage.objects for all\n",
            "  using (public.jwt_role() = 'master_admin') with check (true);\n",
            // Any signed-in user reads every file of the bucket.
            "create policy \"read ids\" on storage.objects for select to authenticated\n",
            "  using (bucket_id = 'ids' and auth.role() = 'authenticated');\n",
        ),
    )])?;
    let found: Vec<(u32, String)> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.db.storage-policy-no-owner")
        .map(|f| (f.location.line.unwrap_or(0), f.message.clone()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, 10, "{found:?}");
    assert!(
        found[0]
            .1
            .contains("lets anyone upload every file of any bucket"),
        "{}",
        found[0].1
    );
    assert_eq!(found[1].0, 12);
    assert!(
        found[1]
            .1
            .contains("lets any signed-in user list and read every file of bucket `ids`"),
        "{}",
        found[1].1
    );
    Ok(())
}

#[test]
fn other_migration_folders_are_read_with_lower_confidence() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("prisma/migrations/20240101_init");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("migration.sql"),
        "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" TEXT NOT NULL,\n    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n",
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    assert_eq!(
        db_findings(&evidence),
        vec![(
            "rls-disabled".to_owned(),
            "prisma/migrations/20240101_init/migration.sql".to_owned(),
            2,
            Severity::Critical,
            Confidence::Low
        )]
    );
    Ok(())
}

#[test]
fn hostile_migrations_are_bounded() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("supabase/migrations");
    std::fs::create_dir_all(&dir)?;
    // 10,000 nested parentheses in a policy: read by keywords, no crash.
    let deep = format!(
        "create table public.t (id int, user_id uuid);\ncreate policy \"deep\" on public.t for select using ({}true{});\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    std::fs::write(dir.join("1_deep.sql"), deep)?;
    // A 5 MB file: refused by size, reported.
    let big = "select 1;\n".repeat(500_000);
    std::fs::write(dir.join("2_big.sql"), big)?;
    // An unterminated dollar quote swallows the rest of its file only.
    std::fs::write(
        dir.join("3_open.sql"),
        "create table public.u (id int);\ncreate function f() returns int as $$ select 1;\n",
    )?;
    let started = Instant::now();
    let model = model_of(temp.path())?;
    assert!(started.elapsed() < Duration::from_secs(20));
    let failed: Vec<(&str, String)> = model
        .failed
        .iter()
        .map(|f| (f.path.as_str(), f.error.to_string()))
        .collect();
    assert_eq!(
        failed,
        [(
            "supabase/migrations/2_big.sql",
            "could not be read: larger than 1048576 bytes".to_owned()
        )]
    );
    let mut evidence = model.evidence();
    evidence.normalise();
    let found = db_findings(&evidence);
    assert!(found.contains(&(
        "policy-always-true".to_owned(),
        "1_deep.sql".to_owned(),
        2,
        Severity::High,
        Confidence::High
    )));
    assert!(found.contains(&(
        "rls-disabled".to_owned(),
        "3_open.sql".to_owned(),
        1,
        Severity::Critical,
        Confidence::High
    )));
    assert!(
        evidence
            .findings
            .iter()
            .any(|f| f.rule.as_str() == "source.parse-failed"
                && f.location.path.as_deref() == Some("supabase/migrations/2_big.sql"))
    );
    Ok(())
}

#[test]
fn default_privileges_and_role_functions() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("supabase/migrations");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("1_a.sql"),
        concat!(
            "alter default privileges in schema public grant all on tables to anon;\n",
            "grant insert on all tables in schema public to anon;\n",
            "revoke insert on all tables in schema public from anon;\n",
            "create function public.is_admin() returns boolean language sql stable as $$\n",
            "  select coalesce((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin', false)\n",
            "$$;\n",
            // Metadata read for a display name is not a privilege.
            "create function public.display_name() returns text language sql stable as $$\n",
            "  select auth.jwt() -> 'user_metadata' ->> 'full_name'\n",
            "$$;\n",
        ),
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    assert_eq!(
        db_findings(&evidence),
        vec![
            (
                "grant-to-anon".to_owned(),
                "1_a.sql".to_owned(),
                1,
                Severity::Medium,
                Confidence::High
            ),
            (
                "user-metadata-in-policy".to_owned(),
                "1_a.sql".to_owned(),
                4,
                Severity::High,
                Confidence::Medium
            ),
        ]
    );
    Ok(())
}

/// Splinter's lint names and the rule each maps to.
const SPLINTER: &[(&str, &str)] = &[
    ("rls_disabled_in_public", "source.db.rls-disabled"),
    ("policy_exists_rls_disabled", "source.db.policy-without-rls"),
    ("rls_enabled_no_policy", "source.db.rls-no-policy"),
    ("rls_policy_always_true", "source.db.policy-always-true"),
    ("security_definer_view", "source.db.security-definer-view"),
    (
        "rls_references_user_metadata",
        "source.db.user-metadata-in-policy",
    ),
    (
        "anon_security_definer_function_executable",
        "source.db.definer-function-callable",
    ),
    (
        "authenticated_security_definer_function_executable",
        "source.db.definer-function-callable",
    ),
    ("public_bucket_allows_listing", "source.db.public-bucket"),
];

/// The object a finding is about, named as splinter names it: the
/// backticked names of its message.
fn object_of(finding: &diligence_model::Finding) -> Option<String> {
    let quoted: Vec<&str> = finding.message.split('`').skip(1).step_by(2).collect();
    Some(match finding.rule.as_str() {
        "source.db.policy-always-true" => format!("{}:{}", quoted.get(1)?, quoted.first()?),
        "source.db.user-metadata-in-policy" if finding.message.starts_with("Policy") => {
            (*quoted.get(1)?).to_owned()
        }
        "source.db.public-bucket" => format!("storage.{}", quoted.first()?),
        _ => (*quoted.first()?).to_owned(),
    })
}

/// Differences with splinter, each explained in docs/collectors/source.md
/// ("Ground truth"): (case, lint, object, whether only splinter finds it).
const EXPLAINED: &[(&str, &str, &str, bool)] = &[
    // Trigger functions cannot be called through the API: not judged.
    (
        "vulnerable",
        "anon_security_definer_function_executable",
        "public.handle_new_user",
        true,
    ),
    (
        "vulnerable",
        "authenticated_security_definer_function_executable",
        "public.handle_new_user",
        true,
    ),
    (
        "sound",
        "anon_security_definer_function_executable",
        "public.handle_new_user",
        true,
    ),
    (
        "sound",
        "authenticated_security_definer_function_executable",
        "public.handle_new_user",
        true,
    ),
    // Checks the caller with auth.uid() before it writes.
    (
        "sound",
        "anon_security_definer_function_executable",
        "public.rename_project",
        true,
    ),
    (
        "sound",
        "authenticated_security_definer_function_executable",
        "public.rename_project",
        true,
    ),
    // Splinter leaves SELECT policies and tables without RLS to other lints.
    (
        "vulnerable",
        "rls_policy_always_true",
        "public.profiles:Profiles are public",
        false,
    ),
    (
        "vulnerable",
        "rls_policy_always_true",
        "public.messages:Anyone can edit messages",
        false,
    ),
];

#[test]
fn splinter_agrees_on_every_mapped_lint() -> anyhow::Result<()> {
    use std::collections::BTreeSet;
    for case in ["vulnerable", "sound"] {
        let name = format!("supabase-db/{case}");
        let expected =
            std::fs::read_to_string(crate::fixture(&name).join("splinter-expected.txt"))?;
        let theirs: BTreeSet<(String, String)> = expected
            .lines()
            .filter_map(|l| l.split_once(", "))
            .map(|(lint, object)| (lint.to_owned(), object.to_owned()))
            .collect();
        let evidence = evidence_of(&name)?;
        let mut ours = BTreeSet::new();
        for (lint, rule) in SPLINTER {
            for finding in evidence
                .findings
                .iter()
                .filter(|f| f.rule.as_str() == *rule)
            {
                // Splinter's function lints are per role; ours names them.
                let role = lint.split('_').next().unwrap_or("");
                if lint.ends_with("function_executable") && !finding.message.contains(role) {
                    continue;
                }
                // Splinter lists public buckets only when clients can list them.
                if *lint == "public_bucket_allows_listing" && finding.severity < Severity::Medium {
                    continue;
                }
                if let Some(object) = object_of(finding) {
                    ours.insert(((*lint).to_owned(), object));
                }
            }
        }
        let explained = |only_theirs: bool| -> BTreeSet<(String, String)> {
            EXPLAINED
                .iter()
                .filter(|(c, _, _, t)| *c == case && *t == only_theirs)
                .map(|(_, lint, object, _)| ((*lint).to_owned(), (*object).to_owned()))
                .collect()
        };
        let only_theirs: BTreeSet<_> = theirs.difference(&ours).cloned().collect();
        let only_ours: BTreeSet<_> = ours.difference(&theirs).cloned().collect();
        assert_eq!(
            only_theirs,
            explained(true),
            "{case}: found by splinter only"
        );
        assert_eq!(only_ours, explained(false), "{case}: found by us only");
        // Agreement, not two empty sets.
        assert!(theirs.intersection(&ours).count() >= usize::from(case == "vulnerable") * 8);
    }
    Ok(())
}

#[test]
fn a_public_read_is_high_only_for_rows_that_are_private() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("supabase/migrations");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("1_init.sql"),
        "\
create table public.products (id text primary key, active boolean, name text, description text, image text);
alter table public.products enable row level security;
create policy \"Public read\" on public.products for select using (true);
create table public.profiles (id uuid primary key, full_name text, email text);
alter table public.profiles enable row level security;
create policy \"Public read\" on public.profiles for select using (true);
create table public.notes (id bigint primary key, user_id uuid, body text);
alter table public.notes enable row level security;
create policy \"Public read\" on public.notes for select using (true);
create policy \"Anyone writes\" on public.products for insert with check (true);
create policy \"Own pending\" on public.notes for update using (user_id = auth.uid()) with check (true);
create policy \"Own notes\" on public.notes for update using (user_id = auth.uid()) with check (user_id = auth.uid());
",
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    let found: Vec<(u32, Severity)> = db_findings(&evidence)
        .into_iter()
        .filter(|f| f.0 == "policy-always-true")
        .map(|f| (f.2, f.3))
        .collect();
    // A catalogue read by everyone is low; personal data or per-user rows
    // read by everyone, and any open write, are high.
    assert_eq!(
        found,
        [
            (3, Severity::Low),
            (6, Severity::High),
            (9, Severity::High),
            (10, Severity::High),
            (11, Severity::High)
        ]
    );
    // A write whose rows are checked but whose new values are not says so;
    // its look-alike with a real WITH CHECK is quiet.
    let rewrite = evidence
        .findings
        .iter()
        .find(|f| f.location.line == Some(11))
        .expect("the open WITH CHECK finding");
    assert!(
        rewrite.message.contains(
            "has a WITH CHECK that is always true: it lets public rewrite the rows its USING admits"
        ),
        "{}",
        rewrite.message
    );
    let products = evidence
        .findings
        .iter()
        .find(|f| f.location.line == Some(3))
        .expect("the catalogue finding");
    assert!(
        products.message.contains("public catalogue"),
        "{}",
        products.message
    );
    let profiles = evidence
        .findings
        .iter()
        .find(|f| f.location.line == Some(6) && f.rule.as_str() == "source.db.policy-always-true")
        .expect("the profiles finding");
    assert!(
        profiles.message.contains("full_name, email"),
        "{}",
        profiles.message
    );
    Ok(())
}

#[test]
fn per_user_tables_must_keep_each_user_to_their_own_rows() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("supabase/migrations");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("1_init.sql"),
        "\
create table public.notes (id bigint primary key, user_id uuid, body text);
alter table public.notes enable row level security;
create policy \"own notes\" on public.notes for all using (auth.uid() = user_id);
create table public.journal (id bigint primary key, owner_id uuid, body text);
alter table public.journal enable row level security;
create policy \"own entries\" on public.journal for select using (auth.uid() = owner_id);
create policy \"everyone reads\" on public.journal for select to authenticated using (true);
create table public.drafts (id bigint primary key, created_by uuid, body text);
alter table public.drafts enable row level security;
create policy \"signed in\" on public.drafts for select to authenticated using (auth.role() = 'authenticated');
create table public.plans (id text primary key, name text);
alter table public.plans enable row level security;
create table public.scratch (id bigint primary key, user_id uuid);
",
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    // `scratch` has no row-level security: deny-by-default's finding, not
    // listed here; `plans` has no user column.
    assert_eq!(
        evidence
            .facts
            .get("source.db.user-tables")
            .map(|f| f.value.clone()),
        Some(FactValue::List {
            values: vec![
                "public.drafts (created_by)".into(),
                "public.journal (owner_id)".into(),
                "public.notes (user_id)".into()
            ]
        })
    );
    assert_eq!(
        fact(&evidence, "source.db.user-unenforced"),
        Some("2".into())
    );
    let detail = evidence.facts["source.db.user-unenforced"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(
        detail.contains("public.journal") && detail.contains("public.drafts"),
        "{detail}"
    );
    assert!(!detail.contains("public.notes"), "{detail}");
    Ok(())
}

#[test]
fn a_self_updatable_role_is_critical_and_other_privileged_columns_are_high() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("supabase/migrations");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("1_init.sql"),
        "\
create table public.profiles (id uuid primary key, user_id uuid, role text default 'viewer');
alter table public.profiles enable row level security;
create policy \"own\" on public.profiles for update using (auth.uid() = user_id);
create table public.accounts (id uuid primary key, user_id uuid, subscription_tier text);
alter table public.accounts enable row level security;
create policy \"own\" on public.accounts for update using (auth.uid() = user_id);
create table public.settings (id uuid primary key, user_id uuid, role text);
alter table public.settings enable row level security;
create policy \"own\" on public.settings for update using (auth.uid() = user_id) with check (role = 'viewer');
",
    )?;
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    let found: Vec<(u32, Severity)> = db_findings(&evidence)
        .into_iter()
        .filter(|f| f.0 == "self-update-privileged-column")
        .map(|f| (f.2, f.3))
        .collect();
    // `settings` pins its role in WITH CHECK.
    assert_eq!(found, [(3, Severity::Critical), (6, Severity::High)]);
    Ok(())
}
