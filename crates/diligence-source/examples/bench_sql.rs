//! Times the source model's build over generated Supabase migrations:
//! `cargo run --release -p diligence-source --example bench_sql -- [FILES]`.
//! The files live in memory, so the figure is parsing and replay alone.

#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::time::Instant;

use diligence_source::{SourceFile, SourceModel};

/// One migration: a table with row-level security, owner policies, a
/// function and a grant; every tenth file drops and recreates a table,
/// every seventh has a `DO` block sqlparser does not read.
fn migration(i: usize) -> String {
    let mut sql = format!(
        "-- migration {i}\ncreate table if not exists public.t{i} (\n  id uuid primary key default gen_random_uuid(),\n  user_id uuid references auth.users,\n  org_id uuid,\n  title text not null,\n  created_at timestamptz default now()\n);\nalter table public.t{i} enable row level security;\ncreate policy \"own {i}\" on public.t{i} for all to authenticated using (auth.uid() = user_id) with check (auth.uid() = user_id);\ncreate policy \"org {i}\" on public.t{i} for select using (org_id in (select org_id from public.members where user_id = auth.uid()));\ncreate or replace function public.touch_{i}() returns trigger language plpgsql security definer set search_path = '' as $$\nbegin\n  new.created_at := now();\n  return new;\nend;\n$$;\ncreate trigger touch_{i} before update on public.t{i} for each row execute function public.touch_{i}();\ngrant select on public.t{i} to authenticated;\ncreate index on public.t{i} (org_id);\n"
    );
    if i.is_multiple_of(10) && i > 0 {
        let j = i - 1;
        sql.push_str(&format!(
            "drop table if exists public.t{j};\ncreate table public.t{j} (id int);\n"
        ));
    }
    if i.is_multiple_of(7) {
        sql.push_str("do $$ begin raise notice 'ok'; end $$;\n");
    }
    sql
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let files: HashMap<String, String> = (0..count)
        .map(|i| {
            (
                format!(
                    "supabase/migrations/{:014}_m{i}.sql",
                    20_240_101_000_000u64 + i as u64
                ),
                migration(i),
            )
        })
        .collect();
    let bytes: usize = files.values().map(String::len).sum();
    let listed: Vec<SourceFile<'_>> = files
        .iter()
        .map(|(path, text)| SourceFile {
            path,
            size: text.len() as u64,
        })
        .collect();
    let read = |path: &str| {
        files
            .get(path)
            .map(|t| t.clone().into_bytes())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    };
    let started = Instant::now();
    let model = SourceModel::build(&listed, &read);
    let built = started.elapsed();
    let evidence = model.evidence();
    let total = started.elapsed();
    let db = model.databases.first();
    println!(
        "{count} migration files, {} KiB: model built in {:.0} ms, evidence in {:.0} ms; {} tables, {} statements by sqlparser, {} by keywords, {} findings",
        bytes / 1024,
        built.as_secs_f64() * 1000.0,
        (total - built).as_secs_f64() * 1000.0,
        db.map_or(0, |d| d.tables.len()),
        db.map_or(0, |d| d.parsed),
        db.map_or(0, |d| d.by_keywords),
        evidence.findings.len()
    );
}
