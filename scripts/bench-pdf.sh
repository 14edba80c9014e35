#!/usr/bin/env bash
# Times the PDF renderer on a generated assessment with 2,000 findings (the
# basic fixture's real scan plus synthetic findings): best of three renders.
# Usage: scripts/bench-pdf.sh [FINDINGS] [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
findings="${1:-2000}"
profile="--release"
if [[ "${2:-}" == "--debug" ]]; then profile=""; fi
cargo run -q $profile -p diligence-pdf --example bench -- "$findings"
