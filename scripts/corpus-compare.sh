#!/usr/bin/env bash
# Accuracy of the secrets scan against other scanners on our labelled corpus.
#
# Runs the corpus test (`crates/diligence-secrets/tests/it/corpus.rs`) with
# DILIGENCE_CORPUS_DIR set, which writes every case as a file under
# target/bench/corpus/{positive,negative}/<family>/<NNNN>/<path> and the
# rule ids our engine flagged per file to labels.tsv. Then scans both trees
# with each tool and prints, per tool and family, positive files found and
# recall, negative files flagged and rate, the positives each tool finds that
# we miss, and the negatives each tool flags. Counting is per file: a file is
# found or flagged when the tool reports any finding in it.
#
# Tools (override with variables; a tool that is not installed is skipped):
#   GITLEAKS    gitleaks binary      (runs `gitleaks dir`)
#   BETTERLEAKS betterleaks binary   (runs `betterleaks fs`)
#   KINGFISHER  kingfisher binary    (runs `kingfisher scan --no-validate`)
# CORPUS_DIR    where the corpus and reports go (default: target/bench/corpus)
# LIST          how many files to list per tool and section (default: 40)
# PROFILE       cargo profile of the corpus test (default: release; `dev`
#               skips a release build when one is not at hand)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS_DIR:-"$root/target/bench/corpus"}
GITLEAKS=${GITLEAKS:-gitleaks}
BETTERLEAKS=${BETTERLEAKS:-betterleaks}
KINGFISHER=${KINGFISHER:-kingfisher}
LIST=${LIST:-40}
PROFILE=${PROFILE:-release}

mkdir -p "$corpus"
rm -f "$corpus/labels.tsv"
# The export is written before the test's assertions, so a failing bar still
# leaves a corpus to compare.
(cd "$root" && DILIGENCE_CORPUS_DIR="$corpus" \
    cargo test -q -p diligence-secrets --profile "$PROFILE" --test it corpus) ||
    echo "warning: the corpus test failed; comparing its export anyway" >&2
[ -f "$corpus/labels.tsv" ] || { echo "no export in $corpus" >&2; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }
reports="$corpus/reports"
rm -rf "$reports"
mkdir -p "$reports"
versions=()

for kind in positive negative; do
    if have "$GITLEAKS"; then
        "$GITLEAKS" dir --no-banner --log-level error --report-format json \
            --report-path "$reports/gitleaks-$kind.json" --exit-code 0 "$corpus/$kind"
    fi
    if have "$BETTERLEAKS"; then
        "$BETTERLEAKS" fs --no-banner --log-level error \
            --output "$reports/betterleaks-$kind.json" --exit-code 0 "$corpus/$kind" >/dev/null
    fi
    if have "$KINGFISHER"; then
        # Default rules and confidence; --no-dedup reports a secret in every
        # file it appears in, not once per scan. Exit code 200 means findings.
        "$KINGFISHER" scan "$corpus/$kind" --no-validate --no-update-check --quiet \
            --no-dedup --format json \
            --output "$reports/kingfisher-$kind.json" || [ $? -eq 200 ]
    fi
done
have "$GITLEAKS" && versions+=("gitleaks $("$GITLEAKS" version)")
have "$BETTERLEAKS" && versions+=("betterleaks $("$BETTERLEAKS" version)")
have "$KINGFISHER" && versions+=("$("$KINGFISHER" --version)")

python3 - "$corpus" "$LIST" "${versions[@]}" <<'PY'
import json, os, sys
from collections import defaultdict

corpus, limit, versions = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
reports = os.path.join(corpus, "reports")

labels = {}  # relative file -> (kind, family, our rule ids)
with open(os.path.join(corpus, "labels.tsv")) as f:
    next(f)
    for line in f:
        kind, family, rel, ids = line.rstrip("\n").split("\t")
        labels[rel] = (kind, family, [i for i in ids.split(",") if i])

def rel(path, kind):
    """A reported path relative to the corpus root, whatever form it has."""
    path = path.split("!")[0]
    if path.startswith("file://"):
        path = path[len("file://"):]
    if os.path.isabs(path):
        path = os.path.relpath(path, corpus)
    elif not path.startswith(kind + "/"):
        path = os.path.join(kind, path)
    return os.path.normpath(path)

def gitleaks_findings(data):
    for item in data or []:
        yield item.get("File", ""), item.get("RuleID", "")

def betterleaks_findings(data):
    if isinstance(data, dict):
        data = data.get("findings", [])
    for item in data or []:
        yield item.get("location", {}).get("path", ""), item.get("rule_id", "")

def kingfisher_findings(data):
    if isinstance(data, dict):
        data = data.get("findings", [])
    for item in data or []:
        rule = item.get("rule", {})
        finding = item.get("finding", item)
        path = finding.get("path") or finding.get("file") or ""
        yield path, rule.get("id") or rule.get("name") or ""

readers = {"gitleaks": gitleaks_findings, "betterleaks": betterleaks_findings,
           "kingfisher": kingfisher_findings}

hits = {"diligence": defaultdict(set)}
for name, (kind, family, ids) in labels.items():
    if ids:
        hits["diligence"][name] = set(ids)
for tool, read in readers.items():
    found = defaultdict(set)
    present = False
    for kind in ("positive", "negative"):
        report = os.path.join(reports, f"{tool}-{kind}.json")
        if not os.path.exists(report):
            continue
        present = True
        with open(report) as f:
            text = f.read().strip()
        data = json.loads(text) if text else []
        for path, rule in read(data):
            path = rel(path, kind)
            if path not in labels:
                print(f"warning: {tool} reported an unknown file {path}", file=sys.stderr)
                continue
            found[path].add(rule)
    if present:
        hits[tool] = found

tools = list(hits)
totals = defaultdict(int)
for name, (kind, family, _) in labels.items():
    totals[(kind, family)] += 1

def count(tool, kind, families):
    return sum(1 for name, (k, f, _) in labels.items()
               if k == kind and f in families and name in hits[tool])

def pct(n, d):
    return f"{100 * n / d:.1f} %" if d else "-"

def table(title, kind, rows):
    """rows: (label, set of families); one column per tool."""
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}\n")
    print(f"| {'family':<{width}} | files | " + " | ".join(f"{t:>16}" for t in tools) + " |")
    print(f"|{'-' * (width + 2)}|------:|" + "|".join("-" * 17 + ":" for _ in tools) + "|")
    for label, families in rows:
        total = sum(totals[(kind, f)] for f in families)
        cells = [f"{count(t, kind, families)} ({pct(count(t, kind, families), total)})" for t in tools]
        print(f"| {label:<{width}} | {total:>5} | " + " | ".join(f"{c:>16}" for c in cells) + " |")

print()
if versions:
    print("tools: " + "; ".join(versions))
print(f"corpus: {corpus}")

pos = sorted({f for (k, f) in totals if k == "positive"})
neg = sorted({f for (k, f) in totals if k == "negative"})
# The families with 200 generated values each; the rest hold rule examples.
bulk = [f for f in ("github", "aws", "stripe", "private-key", "jwt", "generic") if f in pos]
rest = [f for f in pos if f not in bulk]
rule_negatives = [f for f in neg if f != "fixture" and not f.startswith("generated-")]
look_alikes = [f for f in neg if f.startswith("generated-")]
table("Summary: positive files found (recall)", "positive",
      [(f, {f}) for f in bulk]
      + [(f"{len(rest)} other families", set(rest)), ("all positives", set(pos))])
table("Summary: negative files flagged", "negative",
      [(f"rule negative examples ({len(rule_negatives)} families)", set(rule_negatives)),
       ("fixtures/secrets (lines and files)", {"fixture"})]
      + [(f, {f}) for f in look_alikes]
      + [("generated look-alikes", set(look_alikes)), ("all negatives", set(neg))])
table("Positive files found, per family", "positive", [(f, {f}) for f in pos])
flagged = [f for f in neg if any(count(t, "negative", {f}) for t in tools)]
table("Negative files flagged, per family (families nobody flags left out)", "negative",
      [(f, {f}) for f in flagged])

def listing(title, names, tool):
    names = sorted(names)
    print(f"\n{tool}: {title} ({len(names)})")
    for name in names[:limit]:
        print(f"  {name}  [{', '.join(sorted(hits[tool][name]))}]")
    if len(names) > limit:
        print(f"  ... {len(names) - limit} more")

for tool in tools[1:]:
    listing("positives found that we miss",
            [n for n, (k, _, _) in labels.items()
             if k == "positive" and n in hits[tool] and n not in hits["diligence"]], tool)
    listing("negatives flagged",
            [n for n, (k, _, _) in labels.items() if k == "negative" and n in hits[tool]], tool)
listing("negatives flagged",
        [n for n, (k, _, _) in labels.items() if k == "negative" and n in hits["diligence"]],
        "diligence")
PY
