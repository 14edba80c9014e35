#!/usr/bin/env bash
# Benchmarks the dependency stage.
#
# 1. npm: a generated package-lock.json of 3,000 packages against a generated
#    OSV database of 20,000 npm advisories (GitHub's reviewed set is about
#    that size and too large to ship).
# 2. Cargo: a real Cargo.lock of 500+ crates against the RustSec database,
#    side by side with `cargo audit --no-fetch --no-yanked`, printing the
#    ratio.
# 3. Whole process: `diligence scan --only deps` on a generated repository
#    of COMMITS commits whose tree holds this workspace's Cargo.lock and
#    manifests, against `cargo audit` on the same lockfile, both with the
#    RustSec database. The tools take turns within each round (the order
#    alternates from round to round) on a shared, noisy machine; medians and
#    their ratio are printed (goal: at most 1.5). A copy of the same files
#    without git is timed too: `--only deps` must not pay for the history.
#
# Generated inputs go to target/bench/. Variables:
#   PARTS        parts to run (default "npm cargo scan")
#   AUDIT_CMD    our command for parts 1 and 2, given `--db DIR LOCKFILE`
#                (default: the audit example, built in release mode)
#   DILIGENCE    the diligence binary for part 3 (default: built with
#                `cargo build --release -p diligence-cli --no-default-features`;
#                without the `pdf` feature, since typst is most of a clean
#                release build and plays no part in a `--only deps` scan)
#   CARGO_AUDIT  cargo-audit binary (default: cargo-audit on the PATH;
#                `cargo install cargo-audit --locked` installs it)
#   RUSTSEC_DB   RustSec advisory-db directory
#                (default: ../shared/advisory-db/rustsec beside the repository)
#   CARGO_LOCKS  space-separated real Cargo.lock files merged into the part 2
#                input (default: the workspace's own Cargo.lock plus the
#                lockfiles of cargo-audit and gix in the local cargo registry,
#                when present)
#   COMMITS      commits of the part 3 repository (default 9000)
#   RUNS         timed runs per command in parts 1 and 2 (default 5; one
#                warm-up run first)
#   ROUNDS       rounds of part 3 (default 21; one warm-up round first)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/target/bench"
mkdir -p "$out"

PARTS="${PARTS:-npm cargo scan}"
RUNS="${RUNS:-5}"
ROUNDS="${ROUNDS:-21}"
COMMITS="${COMMITS:-9000}"
CARGO_AUDIT="${CARGO_AUDIT:-cargo-audit}"
RUSTSEC_DB="${RUSTSEC_DB:-$root/../shared/advisory-db/rustsec}"
part() { [[ " $PARTS " == *" $1 "* ]]; }
if [[ -z "${AUDIT_CMD:-}" ]] && { part npm || part cargo; }; then
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

# Milliseconds of one run of "$@", output discarded.
time_once() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}

# The median of the numbers on standard input.
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)) }'
}

# --- 1. npm: generated inputs -------------------------------------------------
npm_part() {
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

}

# --- 2. Cargo: a real lockfile against RustSec --------------------------------
cargo_part() {
if [[ ! -d "$RUSTSEC_DB/crates" ]]; then
    echo "cargo: skipped, no RustSec database at $RUSTSEC_DB (set RUSTSEC_DB)"
    return 0
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
    return 0
fi
read -r theirs_best theirs_median < <(time_runs "$CARGO_AUDIT" audit --db "$RUSTSEC_DB" --no-fetch --no-yanked --file "$cargo_lock")
echo "  cargo-audit: best ${theirs_best} ms, median ${theirs_median} ms"
theirs_ids=$("$CARGO_AUDIT" audit --db "$RUSTSEC_DB" --no-fetch --no-yanked --json --file "$cargo_lock" 2>/dev/null | grep -o '"id":"RUSTSEC-[0-9-]*"' | wc -l || true)
echo "  matches: ours ${ours_ids}, cargo-audit ${theirs_ids}"
awk -v a="$ours_median" -v b="$theirs_median" 'BEGIN {
    if (b > 0) printf "  ratio (ours / cargo-audit, median): %.2f\n", a / b
}'
}

# --- 3. Whole process: `diligence scan --only deps` against cargo audit --------
scan_part() {
if [[ ! -d "$RUSTSEC_DB/crates" ]]; then
    echo "scan: skipped, no RustSec database at $RUSTSEC_DB (set RUSTSEC_DB)"
    return 0
fi
if ! "$CARGO_AUDIT" audit --version >/dev/null 2>&1; then
    echo "scan: skipped, cargo-audit not found (set CARGO_AUDIT, or run"
    echo "  cargo install cargo-audit --locked)"
    return 0
fi
if [[ -z "${DILIGENCE:-}" ]]; then
    cargo build --release --quiet -p diligence-cli --no-default-features
    DILIGENCE="$root/target/release/diligence"
fi

# The workspace's lockfile and manifests, as committed.
local files
files=$(git -C "$root" ls-files 'Cargo.lock' '*Cargo.toml')
local key
key=$(for f in $files; do git -C "$root" show "HEAD:$f"; done | sha256sum | cut -c1-12)
local repo="$out/deps-scan-$COMMITS-$key"
local plain="$repo-plain"
if [[ ! -f "$repo/.git/bench-complete" ]]; then
    rm -rf "$repo" "$plain"
    git init -q -b main "$repo"
    {
        # The first commit holds the manifests; COMMITS - 1 commits follow,
        # each changing one of 300 small source files. Fixed identities and
        # dates: the repository is the same on every machine.
        local t=1600000000
        printf 'commit refs/heads/main\nauthor Bench <bench@example.com> %d +0000\ncommitter Bench <bench@example.com> %d +0000\ndata 9\nManifests\n' $t $t
        local f
        for f in $files; do
            printf 'M 100644 inline %s\ndata %d\n' "$f" "$(git -C "$root" show "HEAD:$f" | wc -c)"
            git -C "$root" show "HEAD:$f"
            printf '\n'
        done
        awk -v n="$COMMITS" -v t="$t" 'BEGIN {
            for (i = 2; i <= n; i++) {
                t += 600
                msg = sprintf("Change %d", i)
                body = sprintf("pub fn f%d() -> u32 {\n    %d\n}\n", i, i)
                printf "commit refs/heads/main\n"
                printf "author Dev%d <dev%d@example.com> %d +0000\n", i % 7, i % 7, t
                printf "committer Dev%d <dev%d@example.com> %d +0000\n", i % 7, i % 7, t
                printf "data %d\n%s\n", length(msg), msg
                printf "M 100644 inline src/m%d.rs\ndata %d\n%s\n", i % 300, length(body), body
            }
        }'
    } | git -C "$repo" fast-import --quiet
    git -C "$repo" checkout -q -f main
    mkdir -p "$plain"
    git -C "$repo" archive HEAD | tar -x -C "$plain"
    touch "$repo/.git/bench-complete"
fi
local lock="$repo/Cargo.lock"
echo "scan: $(git -C "$repo" rev-list --count HEAD) commits, $(grep -c '^\[\[package\]\]' "$lock") locked crates, database $RUSTSEC_DB"

local ours=("$DILIGENCE" scan "$repo" --only deps --advisory-db "$RUSTSEC_DB" --no-cached-db -q)
local plain_cmd=("$DILIGENCE" scan "$plain" --only deps --advisory-db "$RUSTSEC_DB" --no-cached-db -q)
local theirs=("$CARGO_AUDIT" audit --db "$RUSTSEC_DB" --no-fetch --no-yanked --file "$lock")

# Same advisories? Ours: every RustSec id in the JSON report; theirs:
# vulnerabilities and warnings (unmaintained, unsound).
local ours_ids theirs_ids
# (cargo audit exits 1 when it finds a vulnerability.)
ours_ids=$({ "${ours[@]}" -f json 2>/dev/null || true; } | { grep -o 'RUSTSEC-[0-9]*-[0-9]*' || true; } | sort -u | tr '\n' ' ')
theirs_ids=$({ "${theirs[@]}" --json 2>/dev/null || true; } | { grep -o '"id":"RUSTSEC-[0-9-]*"' || true; } | { grep -o 'RUSTSEC-[0-9-]*' || true; } | sort -u | tr '\n' ' ')
echo "  advisories, ours:        ${ours_ids:-none}"
echo "  advisories, cargo-audit: ${theirs_ids:-none}"
[[ "$ours_ids" == "$theirs_ids" ]] && echo "  same advisories" || echo "  the advisories differ"

# One warm-up round, then ROUNDS rounds; the order alternates.
local a=() b=() c=() round
time_once "${ours[@]}" >/dev/null; time_once "${plain_cmd[@]}" >/dev/null; time_once "${theirs[@]}" >/dev/null
for round in $(seq "$ROUNDS"); do
    if ((round % 2)); then
        a+=("$(time_once "${ours[@]}")"); b+=("$(time_once "${plain_cmd[@]}")"); c+=("$(time_once "${theirs[@]}")")
    else
        c+=("$(time_once "${theirs[@]}")"); b+=("$(time_once "${plain_cmd[@]}")"); a+=("$(time_once "${ours[@]}")")
    fi
done
local ma mb mc
ma=$(printf '%s\n' "${a[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
mc=$(printf '%s\n' "${c[@]}" | median)
echo "  medians of $ROUNDS rounds (wall time, whole process):"
echo "    diligence scan --only deps, git repository: ${ma} ms"
echo "    diligence scan --only deps, same files without git: ${mb} ms"
echo "    cargo audit --no-fetch --no-yanked: ${mc} ms"
awk -v a="$ma" -v b="$mb" -v c="$mc" 'BEGIN {
    if (c > 0) {
        r = a / c
        printf "  ratio (diligence / cargo-audit, medians): %.2f (goal: at most 1.50, %s)\n", r, (r <= 1.5 ? "met" : "not met")
    }
    if (b > 0) printf "  ratio (git repository / without git): %.2f\n", a / b
}'
}

part npm && npm_part
part cargo && cargo_part
part scan && scan_part
exit 0
