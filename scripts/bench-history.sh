#!/usr/bin/env bash
# Benchmarks the history pass (walk, evidence, every blob streamed) against
# git on a synthetic history generated with `git fast-import`.
#
# Usage: scripts/bench-history.sh [runs]
# Environment:
#   BENCH_COMMITS  commits to generate (default 50000)
#   BENCH_FILES    distinct files (default 20000)
#   DILIGENCE_CMD  the command timed; it receives the repository path as its
#                  last argument (default: the walk example, release build).
#                  Later: "target/release/diligence scan --only history".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
commits=${BENCH_COMMITS:-50000}
files=${BENCH_FILES:-20000}
target_dir=${CARGO_TARGET_DIR:-$root/target}
repo="$target_dir/bench/history-$commits-$files"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null TZ=UTC LC_ALL=C

if [ ! -d "$repo/.git" ]; then
  echo "generating $commits commits over $files files in $repo" >&2
  rm -rf "$repo.tmp"
  mkdir -p "$repo.tmp"
  git -C "$repo.tmp" init -q -b main .
  # Each commit touches 1-4 files; a tenth of them are created, the rest
  # modified; every 50th commit is a merge of a short side branch.
  awk -v commits="$commits" -v files="$files" 'BEGIN {
    srand(7); t = 1500000000; created = 0; mark = 0
    for (c = 1; c <= commits; c++) {
      t += 600
      author = "dev" int(rand() * rand() * 40)
      branch = (c % 50 >= 45) ? "refs/heads/side" : "refs/heads/main"
      if (c % 50 == 45) { printf "reset refs/heads/side\nfrom :%d\n\n", mainmark }
      printf "commit %s\nmark :%d\n", branch, ++mark
      if (branch == "refs/heads/main") mainmark = mark
      printf "author %s <%s@example.com> %d +0000\n", author, author, t
      printf "committer %s <%s@example.com> %d +0000\n", author, author, t
      msg = "change " c " of the synthetic history"
      printf "data %d\n%s\n", length(msg), msg
      if (c % 50 == 0) { printf "merge :%d\n", mark - 1 }
      n = 1 + int(rand() * 4)
      for (k = 0; k < n; k++) {
        if (created < files && (created < 100 || rand() < 0.5)) { f = created++ } else { f = int(rand() * created) }
        body = "file " f " revision " c "\n"
        for (l = 0; l < 20; l++) body = body "line " l " of file " f " at " c " " rand() "\n"
        printf "M 100644 inline dir%d/sub%d/file%d.txt\ndata %d\n%s\n", f % 97, f % 13, f, length(body), body
      }
      printf "\n"
    }
  }' | git -C "$repo.tmp" fast-import --quiet
  git -C "$repo.tmp" gc -q --prune=now
  mv "$repo.tmp" "$repo"
fi

if [ -z "${DILIGENCE_CMD:-}" ]; then
  (cd "$root" && cargo build -q --release -p diligence-history --example walk)
  DILIGENCE_CMD="$target_dir/release/examples/walk"
fi

echo "repository: $(git -C "$repo" rev-list --count --all) commits, $(git -C "$repo" ls-tree -r HEAD | wc -l) files at HEAD, $(du -sh "$repo/.git" | cut -f1) .git"

measure() { # label, command...
  local label=$1; shift
  local best="" rss=""
  for _ in $(seq "$runs"); do
    local out tmp
    tmp=$(mktemp)
    /usr/bin/time -o "$tmp" -f '%e %M' "$@" >/dev/null 2>&1
    out=$(tail -1 "$tmp")
    rm -f "$tmp"
    local secs=${out% *} kb=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
    if [ -z "$rss" ] || [ "$kb" -gt "$rss" ]; then rss=$kb; fi
  done
  printf '%-34s best %6.2fs  peak RSS %6d MiB\n' "$label" "$best" $((rss / 1024)) >&2
  echo "$best"
}

rev=$(measure "git rev-list --count --all" git -C "$repo" rev-list --count --all)
numstat=$(measure "git log --all --numstat" git -C "$repo" log --all --numstat)
ours=$(measure "history pass ($(basename "${DILIGENCE_CMD%% *}"))" $DILIGENCE_CMD "$repo")
awk -v o="$ours" -v n="$numstat" -v r="$rev" 'BEGIN {
  printf "ratio to git log --all --numstat: %.2f (goal <= 2)\nratio to git rev-list --count --all: %.1f\n", o / n, o / r
}'
