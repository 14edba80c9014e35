#!/usr/bin/env bash
# Speed of the source collector beside semgrep, on the same generated files.
#
# Generates a project of TS_FILES TypeScript modules (Express routers with
# handlers, helpers and imports) and PY_FILES Python modules (FastAPI
# routers), then times, in one run and alternately:
#   - ours: the `source-evidence` example (release): the whole source model
#     (one parse of every file) and every source detector, evidence included;
#   - semgrep: offline, with a local rule file that only finds the route
#     registrations (far less than our detectors do), `--jobs` = our threads,
#     `--no-git-ignore` (the tree sits in an ignored folder of this
#     repository, which semgrep would otherwise skip entirely).
# Prints each run's wall time and peak memory, and the ratio of medians.
#
#   SEMGREP=/path/to/semgrep  TS_FILES=5000 PY_FILES=2000 RUNS=3
#   scripts/bench-source.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
SEMGREP=${SEMGREP:-semgrep}
TS_FILES=${TS_FILES:-5000}
PY_FILES=${PY_FILES:-2000}
RUNS=${RUNS:-3}
JOBS=${JOBS:-$(nproc)}
work=${BENCH_DIR:-"$root/target/bench/source"}
tree="$work/tree"

cargo build --quiet --release -p diligence-source --example source-evidence
ours="${CARGO_TARGET_DIR:-$root/target}/release/examples/source-evidence"

rm -rf "$tree"
mkdir -p "$tree/src/routes" "$tree/app/routers"
cat > "$tree/package.json" <<'EOF'
{ "name": "bench", "dependencies": { "express": "^4.19.0", "zod": "^3.23.0" } }
EOF
echo "fastapi==0.115.0" > "$tree/requirements.txt"
for ((i = 0; i < TS_FILES; i++)); do
    cat > "$tree/src/routes/r$i.ts" <<EOF
import { Router } from "express";
import { z } from "zod";
import { requireUser } from "../auth";

const router = Router();
const Body$i = z.object({ name: z.string(), count: z.number().int() });

router.get("/items$i/:id", requireUser, async (req, res) => {
  const item = await db.items.findUnique({ where: { id: req.params.id } });
  if (!item) return res.status(404).json({ error: "not found" });
  res.json(item);
});

router.post("/items$i", requireUser, async (req, res) => {
  const body = Body$i.parse(req.body);
  const saved = await db.items.create({ data: { ...body, owner: req.user.id } });
  res.status(201).json(saved);
});

router.delete("/items$i/:id", async (req, res) => {
  await db.items.delete({ where: { id: req.params.id } });
  res.status(204).end();
});

export function helper$i(values: number[]): number {
  return values.filter((v) => v > $i).reduce((a, b) => a + b, 0);
}

export default router;
EOF
done
for ((i = 0; i < PY_FILES; i++)); do
    cat > "$tree/app/routers/r$i.py" <<EOF
from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from app.auth import get_current_user

router = APIRouter(prefix="/things$i")


class Thing$i(BaseModel):
    name: str
    count: int


@router.get("/{thing_id}")
async def read_thing(thing_id: int, user=Depends(get_current_user)):
    thing = await db.fetch_thing(thing_id)
    if thing is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)
    return thing


@router.post("/")
async def create_thing(body: Thing$i, user=Depends(get_current_user)):
    return await db.save_thing(body, owner=user.id)


@router.delete("/{thing_id}")
async def delete_thing(thing_id: int):
    await db.delete_thing(thing_id)
EOF
done

cat > "$work/routes.yml" <<'EOF'
rules:
  - id: express-route
    languages: [typescript]
    severity: INFO
    message: route registration
    pattern-either:
      - pattern: $R.get("$P", ...)
      - pattern: $R.post("$P", ...)
      - pattern: $R.put("$P", ...)
      - pattern: $R.patch("$P", ...)
      - pattern: $R.delete("$P", ...)
  - id: fastapi-route
    languages: [python]
    severity: INFO
    message: route registration
    pattern-either:
      - pattern: |
          @$R.get("$P", ...)
          def $F(...): ...
      - pattern: |
          @$R.post("$P", ...)
          def $F(...): ...
      - pattern: |
          @$R.delete("$P", ...)
          def $F(...): ...
EOF

measure() { # label, command...
    local label=$1
    shift
    local start end rss
    start=$(date +%s.%N)
    /usr/bin/time -o "$work/rss" -f '%M' "$@" >"$work/$label.out" 2>/dev/null || true
    rss=$(tail -n 1 "$work/rss")
    end=$(date +%s.%N)
    printf '%s %.3f %s\n' "$label" "$(echo "$end - $start" | bc)" "$rss"
}

results="$work/results.txt"
: > "$results"
for ((run = 1; run <= RUNS; run++)); do
    measure ours env RAYON_NUM_THREADS="$JOBS" "$ours" "$tree" | tee -a "$results"
    if command -v "$SEMGREP" >/dev/null; then
        measure semgrep "$SEMGREP" scan --config "$work/routes.yml" --metrics=off \
            --disable-version-check --jobs "$JOBS" --quiet --json --no-git-ignore \
            --max-target-bytes 1000000 "$tree" | tee -a "$results"
    fi
done

median() {
    grep "^$1 " "$results" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'
}
ours_median=$(median ours)
echo "files: $TS_FILES TypeScript, $PY_FILES Python; jobs: $JOBS"
echo "ours median wall: ${ours_median}s (peak RSS in KiB per run above)"
if grep -q '^semgrep ' "$results"; then
    semgrep_median=$(median semgrep)
    echo "semgrep median wall: ${semgrep_median}s"
    echo "speed-up: $(echo "scale=1; $semgrep_median / $ours_median" | bc)x"
    # A semgrep that scanned nothing (a tree it took for ignored) would
    # make the ratio meaningless: show what it found.
    echo "semgrep route registrations found: $(grep -o '"check_id"' "$work/semgrep.out" | wc -l)"
else
    echo "semgrep not found ($SEMGREP): only our time is shown"
fi
