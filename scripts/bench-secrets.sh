#!/usr/bin/env bash
# Benchmark of the secrets scan of a full git history against other scanners.
#
# Generates (once, cached under target/bench/) a repository of COMMITS
# commits touching FILES files, with secrets planted in some commits and
# removed in later ones, built with `git fast-import`. Then runs each tool
# RUNS times (taking turns) and prints the median wall time, CPU time (user + system),
# peak resident memory, and ratios.
#
# Tools (override with variables; a tool that is not installed is skipped):
#   OURS        the diligence secrets scan (default: the release command line,
#               `diligence scan {repo} --only secrets`, built first);
#               `{repo}` in it stands for the repository, else the path is appended.
#               The library alone: OURS="$PWD/target/release/examples/scan"
#   GITLEAKS    gitleaks binary          (runs `gitleaks git`)
#   BETTERLEAKS betterleaks binary       (runs `betterleaks git`)
#   KINGFISHER  kingfisher binary        (runs `kingfisher scan --no-validate`)
# The floor is `git cat-file --batch-all-objects --batch > /dev/null`.
#
# REPO=path benchmarks a real repository (a clone of your choosing) instead
# of the generated one; the worktree and start-up parts are skipped.
# BENCH_TMP=dir holds the worktree part's files (default: TMPDIR or /tmp);
# it must not lie inside a git repository.
set -euo pipefail

COMMITS=${COMMITS:-20000}
FILES=${FILES:-5000}
RUNS=${RUNS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/target/bench"
repo="$bench/secrets-history-$COMMITS-$FILES"
OURS_GIVEN=${OURS:-}
OURS=${OURS:-"$root/target/release/diligence scan {repo} --only secrets -q -f json -o /dev/null"}
GITLEAKS=${GITLEAKS:-gitleaks}
BETTERLEAKS=${BETTERLEAKS:-betterleaks}
KINGFISHER=${KINGFISHER:-kingfisher}

mkdir -p "$bench"

generate() {
    local tmp="$repo.tmp"
    rm -rf "$tmp"
    git init -q -b main "$tmp"
    python3 - "$COMMITS" "$FILES" <<'PY' | git -C "$tmp" fast-import --quiet
import random, sys, zlib

commits, files = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(20240501)
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
words = ("user order item price total session cache route handler config value "
         "request response error retry limit page token_count name email date").split()

def rand(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))

def checksum(body):
    n = zlib.crc32(body.encode())
    return "".join(b62[n // 62 ** i % 62] for i in range(6))[::-1]

def secret():
    kind = rng.randrange(5)
    if kind == 0:
        body = rand(alnum, 30)
        return "GITHUB_TOKEN=" + "gh" + "p_" + body + checksum(body)
    if kind == 1:
        return "aws_access_key_id = " + "AK" + "IA" + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    if kind == 2:
        return "STRIPE_KEY=" + "sk_" + "live_" + rand(alnum, 24)
    if kind == 3:
        return "SLACK_WEBHOOK=https://hooks.slack.com/services/T" + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10) + "/B" + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10) + "/" + rand(alnum, 24)
    return "DB_PASSWORD=" + rand(alnum, 6) + "!" + rand(alnum, 8)

def line():
    w = rng.choice(words)
    return f"    const {w}_{rng.randrange(1000)} = compute('{rng.choice(words)}', {rng.randrange(100000)});"

exts = ["ts", "js", "py", "go", "rs", "yml", "md"]
paths = [f"src/mod{i % 97}/{rng.choice(words)}_{i}.{rng.choice(exts)}" for i in range(files)]
content = {p: [line() for _ in range(rng.randrange(20, 80))] for p in paths}
out = sys.stdout.buffer
mark = 0
t = 1_600_000_000

def blob(text):
    global mark
    mark += 1
    data = text.encode()
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    return mark

def commit(n, changes):
    global mark, t
    t += 600
    mark += 1
    msg = f"change {n}".encode()
    who = f"Dev {n % 13} <dev{n % 13}@acme.test> {t} +0000"
    out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
    out.write(f"author {who}\ncommitter {who}\n".encode())
    out.write(b"data %d\n" % len(msg) + msg + b"\n")
    for path, m in changes:
        out.write(f"M 100644 :{m} {path}\n".encode())
    out.write(b"\n")

commit(0, [(p, blob("\n".join(content[p]) + "\n")) for p in paths])
planted = {}
for n in range(1, commits):
    changes = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        p = rng.choice(paths)
        lines = content[p]
        if n % 97 == 0:
            lines.insert(rng.randrange(len(lines)), secret())
            planted[p] = True
        elif p in planted and rng.random() < 0.3:
            lines[:] = [l for l in lines if "=" not in l[:40] or l.startswith("    ")]
            del planted[p]
        else:
            lines[rng.randrange(len(lines))] = line()
        changes.append((p, blob("\n".join(lines) + "\n")))
    commit(n, changes)
PY
    git -C "$tmp" repack -adq
    git -C "$tmp" checkout -q -f main
    mv "$tmp" "$repo"
}

if [ -n "${REPO:-}" ]; then
    repo=$(cd "$REPO" && pwd)
else
    [ -d "$repo" ] || { echo "generating $repo ..." >&2; generate; }
fi
if [ -z "${OURS_GIVEN:-}" ]; then
    # Always through cargo: a stale binary would time old code.
    (cd "$root" && cargo build --release -q -p diligence-cli)
fi

have() { command -v "${1%% *}" >/dev/null 2>&1; }

# The tools take turns within each round (ours, theirs, ours, ...), so a
# slow spell of a shared machine falls on every tool alike instead of on
# whichever ran during it.
NAMES=()
declare -A COMMAND WALLS CPUS RSSS WALL CPU RSS
task() { # name, shell command
    NAMES+=("$1"); COMMAND[$1]=$2; WALLS[$1]=""; CPUS[$1]=""; RSSS[$1]=""
}
ours() { # target: the shell command of our scan
    if [[ $OURS == *"{repo}"* ]]; then
        printf '%s' "${OURS//\{repo\}/$1}"
    else
        printf "%s '%s'" "$OURS" "$1"
    fi
}
median() { tr ' ' '\n' | grep . | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
run_tasks() {
    local name w u s m
    for _ in $(seq "$RUNS"); do
        for name in "${NAMES[@]}"; do
            /usr/bin/time -o "$bench/time.out" -f "%e %U %S %M" sh -c "${COMMAND[$name]}" >/dev/null 2>&1 || true
            read -r w u s m < <(tail -1 "$bench/time.out")
            WALLS[$name]+=" $w"; CPUS[$name]+=" $(echo "$u + $s" | bc)"; RSSS[$name]+=" $m"
        done
    done
    for name in "${NAMES[@]}"; do
        WALL[$name]=$(echo "${WALLS[$name]}" | median)
        CPU[$name]=$(echo "${CPUS[$name]}" | median)
        RSS[$name]=$(echo "${RSSS[$name]}" | tr ' ' '\n' | grep . | sort -n | tail -1)
        printf '%-12s wall %7.2f s   cpu %7.2f s   peak rss %8.1f MiB\n' "$name" "${WALL[$name]}" "${CPU[$name]}" "$(echo "${RSS[$name]} / 1024" | bc -l)"
    done
}
ratios() {
    local name
    for name in "${NAMES[@]}"; do
        [ "$name" = diligence ] && continue
        printf 'diligence vs %-12s wall %5.2fx faster   memory %5.2fx of theirs\n' "$name" \
            "$(echo "${WALL[$name]} / ${WALL[diligence]}" | bc -l)" "$(echo "${RSS[diligence]} / ${RSS[$name]}" | bc -l)"
    done | sort
}
reset_tasks() { NAMES=(); }

echo "repository: $repo ($(git -C "$repo" rev-list --count HEAD) commits, $(git -C "$repo" ls-files | wc -l) files, $(git -C "$repo" count-objects -v | awk '/size-pack/ {print $2}') KiB packed); $RUNS rounds, median"
# A partial clone lacks some objects. `git log -p`, which gitleaks and
# betterleaks read, stops at the first it needs, and they report what they
# scanned until then: their times then cover part of the history, and the
# ratios below are not a comparison. diligence counts the missing objects
# and reads the rest.
missing=$(git -C "$repo" rev-list --all --objects --missing=print 2>/dev/null | grep -c '^?' || true)
if [ "${missing:-0}" -gt 0 ]; then
    echo "warning: $missing objects are missing (a partial clone); gitleaks and betterleaks stop at the first, so their figures cover part of the history and the ratios are not comparable"
fi
task floor "git -C '$repo' cat-file --batch-all-objects --batch > /dev/null"
task diligence "$(ours "$repo")"
have "$GITLEAKS" && task gitleaks "$GITLEAKS git --no-banner --log-level error --report-format json --report-path '$bench/gitleaks.json' --exit-code 0 '$repo'"
have "$BETTERLEAKS" && task betterleaks "$BETTERLEAKS git --no-banner --log-level error --exit-code 0 '$repo'"
have "$KINGFISHER" && task kingfisher "$KINGFISHER scan '$repo' --no-validate --no-update-check > /dev/null 2>&1 || true"
run_tasks
echo
ratios

[ -n "${REPO:-}" ] && exit 0

# A worktree of WORKTREE_FILES files (the benchmark checkout's first files,
# without .git) and a one-file repository for start-up time. The worktree
# lies outside this project: inside it, a scan finds the project's own
# repository above it and reads that history too.
WORKTREE_FILES=${WORKTREE_FILES:-1300}
tree="${BENCH_TMP:-${TMPDIR:-/tmp}}/diligence-bench-worktree-$WORKTREE_FILES"
if git -C "$(dirname "$tree")" rev-parse --git-dir > /dev/null 2>&1; then
    echo "the worktree's folder $(dirname "$tree") is inside a git repository: set BENCH_TMP" >&2
    exit 1
fi
if [ ! -d "$tree" ]; then
    mkdir -p "$tree.tmp"
    (cd "$repo" && git ls-files | awk -v n="$WORKTREE_FILES" 'NR <= n' | tar -cf - -T -) | tar -xf - -C "$tree.tmp"
    mv "$tree.tmp" "$tree"
fi
tiny="$bench/tiny-repo"
if [ ! -d "$tiny" ]; then
    git init -q -b main "$tiny.tmp"
    echo "tiny" > "$tiny.tmp/README.md"
    git -C "$tiny.tmp" add README.md
    git -C "$tiny.tmp" -c user.name=Bench -c user.email=bench@acme.test commit -q -m tiny
    mv "$tiny.tmp" "$tiny"
fi
echo
echo "worktree: $tree ($(find "$tree" -type f | wc -l) files, no history); $RUNS rounds, median"
reset_tasks
task diligence "$(ours "$tree")"
have "$GITLEAKS" && task gitleaks "$GITLEAKS dir --no-banner --log-level error --exit-code 0 '$tree'"
have "$BETTERLEAKS" && task betterleaks "$BETTERLEAKS fs --no-banner --log-level error --exit-code 0 '$tree'"
have "$KINGFISHER" && task kingfisher "$KINGFISHER scan '$tree' --no-validate --no-update-check > /dev/null 2>&1 || true"
run_tasks
echo
echo "start-up: $tiny (1 commit, 1 file)"
reset_tasks
task diligence "$(ours "$tiny")"
run_tasks
