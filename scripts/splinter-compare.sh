#!/usr/bin/env bash
# Ground truth for the data-layer rules of the source collector.
#
# For each fixture case under fixtures/source/supabase-db/ (default: all),
# starts a throwaway PostgreSQL listening on loopback only, creates a
# minimal stand-in for what the Supabase platform provides (the `anon`,
# `authenticated` and `service_role` roles, the `auth` and `storage`
# schemas, Supabase's default grants), applies the case's migrations in
# name order, runs the lint queries of Supabase's database linter
# (splinter) that the collector's rules map to, and writes one
# `lint name, object` line per result to
# fixtures/source/supabase-db/<case>/splinter-expected.txt.
# The test `data_layer::splinter_agrees` compares those lines with what the
# collector reads from the same migrations; docs/collectors/source.md lists
# the mapping and explains every difference.
#
# Usage: SPLINTER_DIR=/path/to/splinter scripts/splinter-compare.sh [CASE...]
# Needs PostgreSQL 15 or later (Debian: apt-get install postgresql) and
# python3. Nothing of splinter is copied: its lint files are read from
# SPLINTER_DIR at run time.
set -euo pipefail

: "${SPLINTER_DIR:?set SPLINTER_DIR to a checkout of supabase/splinter}"
root=$(cd "$(dirname "$0")/.." && pwd)
cases_dir="$root/fixtures/source/supabase-db"
PORT=${PORT:-54329}

LINTS=(
    0007_policy_exists_rls_disabled
    0008_rls_enabled_no_policy
    0010_security_definer_view
    0013_rls_disabled_in_public
    0015_rls_references_user_metadata
    0024_rls_policy_always_true
    0025_public_bucket_allows_listing
    0028_anon_security_definer_function_executable
    0029_authenticated_security_definer_function_executable
)

bindir=$(pg_config --bindir 2>/dev/null || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi
[ -x "$bindir/initdb" ] || { echo "PostgreSQL not found (apt-get install postgresql)" >&2; exit 1; }

tmp=$(mktemp -d)
# PostgreSQL refuses to run as root: run it as the `postgres` user then.
as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$tmp"
    as_pg=(runuser -u postgres --)
fi
cleanup() {
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres --auth=trust --no-locale -E UTF8 --no-sync >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$tmp/data" -w -l "$tmp/log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $tmp -c fsync=off" start >/dev/null

psql_in() {
    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"
}

# What the platform provides before the first migration runs. Written for
# this comparison; only what the migrations and the lints touch.
scaffold() {
    cat <<'SQL'
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create schema extensions;
create schema auth;
create table auth.users (
    id uuid primary key,
    email text,
    raw_user_meta_data jsonb,
    raw_app_meta_data jsonb
);
create function auth.uid() returns uuid language sql stable
    as $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
create function auth.jwt() returns jsonb language sql stable
    as $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
create function auth.role() returns text language sql stable
    as $$ select coalesce(auth.jwt() ->> 'role', 'anon') $$;
create schema storage;
create table storage.buckets (
    id text primary key,
    name text not null,
    public boolean default false,
    owner uuid,
    created_at timestamptz default now()
);
create table storage.objects (
    id uuid primary key default gen_random_uuid(),
    bucket_id text references storage.buckets (id),
    name text,
    owner uuid,
    created_at timestamptz default now()
);
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
create function storage.foldername(name text) returns text[] language sql immutable
    as $$ select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$;
grant usage on schema public, storage, auth to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
-- Supabase grants clients everything on what migrations create; row-level
-- security is what restricts them.
alter default privileges grant all on tables to anon, authenticated, service_role;
alter default privileges grant all on sequences to anon, authenticated, service_role;
alter default privileges grant execute on functions to anon, authenticated, service_role;
create schema lint;
SQL
}

exposed_schemas() {
    python3 - "$1" <<'PY'
import sys, tomllib
schemas = ["public"]
try:
    with open(sys.argv[1], "rb") as f:
        listed = tomllib.load(f).get("api", {}).get("schemas", [])
    schemas += [s for s in listed if s not in schemas]
except FileNotFoundError:
    pass
print(",".join(schemas))
PY
}

if [ "$#" -gt 0 ]; then
    cases=("$@")
else
    cases=()
    for dir in "$cases_dir"/*/; do
        cases+=("$(basename "$dir")")
    done
fi

for case in "${cases[@]}"; do
    dir="$cases_dir/$case"
    db="case_$(echo "$case" | tr -c 'a-z0-9\n' '_')"
    psql_in -d postgres -c "create database $db" >/dev/null
    # Roles are cluster-wide: create them once.
    if [ "$case" = "${cases[0]}" ]; then
        scaffold | psql_in -d "$db" >/dev/null
    else
        scaffold | sed '/^create role/d' | psql_in -d "$db" >/dev/null
    fi
    for migration in $(ls "$dir"/supabase/migrations/*.sql | sort); do
        psql_in -d "$db" -f "$migration" >/dev/null
    done
    query="set pgrst.db_schemas = '$(exposed_schemas "$dir/supabase/config.toml")';"
    for lint in "${LINTS[@]}"; do
        psql_in -d "$db" -f "$SPLINTER_DIR/lints/$lint.sql" >/dev/null
    done
    parts=()
    for lint in "${LINTS[@]}"; do
        parts+=("select name, metadata from lint.\"$lint\"")
    done
    union=$(IFS=$'\n'; echo "${parts[*]}" | sed '2,$s/^/union all /')
    query+="
select name || ', ' || (metadata ->> 'schema') || '.' || (metadata ->> 'name')
    || coalesce(':' || (metadata ->> 'policy_name'), '')
from ($union) found order by 1;"
    psql_in -d "$db" -At -c "$query" | sed '/^SET$/d' > "$dir/splinter-expected.txt"
    echo "$case: $(wc -l < "$dir/splinter-expected.txt") lint results -> ${dir#$root/}/splinter-expected.txt"
done
