#!/usr/bin/env bash
# Benchmarks the dependency stage.
#
# 1. npm: a generated package-lock.json of 3,000 packages against a generated
#    OSV database of 20,000 npm advisories (GitHub's reviewed set is about
#    that size and too large to ship).
# 2. Cargo: a real Cargo.lock of 500+ crates against the RustSec database,
#    side by side with `cargo audit --no-fetch --no-yanked`, printing the
#    ratio.
#
# Generated inputs go to target/bench/. Variables:
#   AUDIT_CMD    our command, given `--db DIR LOCKFILE` (default: the audit
#                example, built in release mode)
#   CARGO_AUDIT  cargo-audit binary (default: cargo-audit on the PATH)
#   RUSTSEC_DB   RustSec advisory-db directory
#                (default: ../shared/advisory-db/rustsec beside the repository)
#   CARGO_LOCKS  space-separated real Cargo.lock files merged into the Cargo
#                input (default: the workspace's own Cargo.lock plus the
#                lockfiles of cargo-audit and gix in the local cargo registry,
#                when present)
#   RUNS         timed runs per command (default 5; one warm-up run first)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/target/bench"
mkdir -p "$out"

RUNS="${RUNS:-5}"
CARGO_AUDIT="${CARGO_AUDIT:-cargo-audit}"
RUSTSEC_DB="${RUSTSEC_DB:-$root/../shared/advisory-db/rustsec}"
if [[ -z "${AUDIT_CMD:-}" ]]; then
    cargo build --release --quiet -p diligence-deps --example audit
    AUDIT_CMD="$root/target/release/examples/audit"
fi

# Milliseconds of the best and the median of RUNS runs of "$@" (after one
# warm-up run), output discarded.
time_runs() {
    "$@" >/dev/null 2>&1 || true
    local times=()
    for _ in $(seq "$RUNS"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000000)))
    done
    local sorted
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    echo "${sorted[0]} ${sorted[$((RUNS / 2))]}"
}

# --- npm: generated inputs ---------------------------------------------------
npm_db="$out/npm-osv"
npm_lock="$out/npm/package-lock.json"
if [[ ! -f "$npm_db/.complete" ]]; then
    rm -rf "$npm_db"
    for d in $(seq -w 0 99); do mkdir -p "$npm_db/$d"; done
    # 20,000 advisories over 6,000 package names; deterministic.
    awk -v dir="$npm_db" 'BEGIN {
        for (i = 0; i < 20000; i++) {
            name = sprintf("bench-pkg-%d", (i * 7919) % 6000)
            major = i % 5; minor = (i * 13) % 20; patch = (i * 17) % 10
            file = sprintf("%s/%02d/GHSA-bench-%05d.json", dir, i % 100, i)
            printf "{\"schema_version\":\"1.6.0\",\"id\":\"GHSA-bench-%05d\",\"modified\":\"2024-01-01T00:00:00Z\",", i > file
            printf "\"aliases\":[\"CVE-2099-%05d\"],\"summary\":\"Generated advisory %d\",", i, i > file
            printf "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:%s/A:N\"}],", (i % 2 ? "H" : "N") > file
            printf "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"%s\"},", name > file
            printf "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"%d.0.0\"},{\"fixed\":\"%d.%d.%d\"}]}]}],", major, major, minor, patch > file
            printf "\"database_specific\":{\"severity\":\"HIGH\"}}\n" > file
            close(file)
        }
    }'
    touch "$npm_db/.complete"
fi
if [[ ! -f "$npm_lock" ]]; then
    mkdir -p "$(dirname "$npm_lock")"
    awk 'BEGIN {
        printf "{\n  \"name\": \"bench\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n"
        printf "    \"\": {\"name\": \"bench\", \"version\": \"1.0.0\", \"dependencies\": {\"bench-pkg-0\": \"*\"}}"
        for (i = 0; i < 3000; i++) {
            name = sprintf("bench-pkg-%d", i * 2)
            version = sprintf("%d.%d.%d", i % 5, (i * 3) % 20, i % 10)
            printf ",\n    \"node_modules/%s\": {\"version\": \"%s\", \"resolved\": \"https://registry.npmjs.org/%s/-/%s-%s.tgz\", \"license\": \"MIT\"}", name, version, name, name, version
        }
        printf "\n  }\n}\n"
    }' >"$npm_lock"
fi

echo "npm: $(find "$npm_db" -name '*.json' | wc -l) OSV advisories, 3000 packages"
read -r best median < <(time_runs $AUDIT_CMD --db "$npm_db" "$npm_lock")
echo "  ours (warm): best ${best} ms, median ${median} ms (goal: under 500 ms)"
$AUDIT_CMD --db "$npm_db" "$npm_lock" 2>&1 >/dev/null | sed 's/^/  /'
$AUDIT_CMD --db "$npm_db" "$npm_lock" 2>/dev/null | sed -n 1p | sed 's/^/  /'

# --- Cargo: a real lockfile against RustSec -----------------------------------
if [[ ! -d "$RUSTSEC_DB" ]]; then
    echo "cargo: skipped, no RustSec database at $RUSTSEC_DB (set RUSTSEC_DB)"
    exit 0
fi
if [[ -z "${CARGO_LOCKS:-}" ]]; then
    CARGO_LOCKS="$root/Cargo.lock"
    registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
    for pattern in 'cargo-audit-*' 'gix-0.*'; do
        for lock in "$registry"/*/$pattern/Cargo.lock; do
            [[ -f "$lock" ]] && CARGO_LOCKS="$CARGO_LOCKS $lock"
        done
    done
fi
cargo_lock="$out/cargo/Cargo.lock"
mkdir -p "$(dirname "$cargo_lock")"
# Union of the real lockfiles' packages (name, version, source, checksum);
# dependency lists are dropped, since several versions of one crate would
# make their short references ambiguous.
awk '
    FNR == 1 { flush() }
    /^\[\[package\]\]/ { flush(); inpkg = 1; name = version = source = checksum = ""; next }
    /^\[/ { flush(); inpkg = 0; next }
    inpkg && /^name = / { name = $0 }
    inpkg && /^version = / { version = $0 }
    inpkg && /^source = / { source = $0 }
    inpkg && /^checksum = / { checksum = $0 }
    function flush() {
        if (inpkg && name != "" && !((name version source) in seen)) {
            seen[name version source] = 1
            block = "[[package]]\n" name "\n" version "\n"
            if (source != "") block = block source "\n"
            if (checksum != "") block = block checksum "\n"
            out[n++] = block
        }
        inpkg = 0
    }
    END {
        flush()
        print "version = 3\n"
        for (i = 0; i < n; i++) print out[i]
    }
' $CARGO_LOCKS >"$cargo_lock"
crates=$(grep -c '^\[\[package\]\]' "$cargo_lock")
echo "cargo: $crates crates from: $CARGO_LOCKS"

read -r ours_best ours_median < <(time_runs $AUDIT_CMD --db "$RUSTSEC_DB" "$cargo_lock")
echo "  ours:        best ${ours_best} ms, median ${ours_median} ms"
$AUDIT_CMD --db "$RUSTSEC_DB" "$cargo_lock" 2>&1 >/dev/null | sed 's/^/  /'
ours_ids=$($AUDIT_CMD --db "$RUSTSEC_DB" --json "$cargo_lock" 2>/dev/null | grep -c '"id"' || true)
if ! "$CARGO_AUDIT" audit --version >/dev/null 2>&1; then
    echo "  cargo-audit: skipped, not found (set CARGO_AUDIT)"
    exit 0
fi
read -r theirs_best theirs_median < <(time_runs "$CARGO_AUDIT" audit --db "$RUSTSEC_DB" --no-fetch --no-yanked --file "$cargo_lock")
echo "  cargo-audit: best ${theirs_best} ms, median ${theirs_median} ms"
theirs_ids=$("$CARGO_AUDIT" audit --db "$RUSTSEC_DB" --no-fetch --no-yanked --json --file "$cargo_lock" 2>/dev/null | grep -o '"id":"RUSTSEC-[0-9-]*"' | wc -l || true)
echo "  matches: ours ${ours_ids}, cargo-audit ${theirs_ids}"
awk -v a="$ours_median" -v b="$theirs_median" 'BEGIN {
    if (b > 0) printf "  ratio (ours / cargo-audit, median): %.2f\n", a / b
}'
