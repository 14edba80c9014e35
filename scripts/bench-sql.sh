#!/usr/bin/env bash
# Times the source model's build over FILES generated Supabase migration
# files (default 1,000), in a release build: lexing, sqlparser, the keyword
# fallback and the replay. The goal is under one second for 1,000 files.
set -euo pipefail

FILES=${FILES:-1000}
RUNS=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build -q --release -p diligence-source --example bench_sql
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/bench_sql"
for _ in $(seq "$RUNS"); do
    "$bin" "$FILES"
done
