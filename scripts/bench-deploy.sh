#!/usr/bin/env bash
# Benchmarks the deploy collector on a generated tree of N files (default
# 2,000): a quarter each GitHub Actions workflows, Dockerfiles, compose
# files and Kubernetes manifests (three documents each), each a few dozen
# lines with findings in them. Prints the
# collector's own time (files listed beforehand), best and median of RUNS
# runs, from a release build of the `collect` example.
#
# Generated inputs go to a temporary directory outside any git repository
# (inside one, the collector would assess the enclosing repository).
# Variables:
#   N     files to generate (default 2000)
#   RUNS  timed runs (default 5, after one warm-up run)
#   TF_N  Terraform files generated on top of the N files, one module per
#         ten files (default N / 4)
#   FULL_SCAN_REPO  a git checkout: also times a whole default scan of it
#         (release CLI, every collector) against the same scan without the
#         deploy collector, RUNS alternating pairs, and prints the share the
#         deploy collector adds (goal: under 10 %)
# Then times hadolint and zizmor on the files of their type beside the
# collector on the whole tree, as ratios from one run.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
N="${N:-2000}"
RUNS="${RUNS:-5}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/.github/workflows"

for ((i = 0; i < N; i++)); do
    case $((i % 4)) in
    0)
        cat >"$tree/.github/workflows/w$i.yml" <<YAML
name: Workflow $i
on:
  push:
    branches: [main]
  pull_request_target:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: |
          npm ci
          npm test
          echo "\${{ github.event.pull_request.title }}"
  deploy:
    needs: test
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: someone/deploy-action@main
      - run: flyctl deploy --remote-only
YAML
        ;;
    1)
        mkdir -p "$tree/svc$i"
        cat >"$tree/svc$i/Dockerfile" <<DOCKER
FROM node AS build
WORKDIR /app
COPY package.json ./
RUN apt-get update && apt-get install -y curl git
RUN curl -fsSL https://example.com/install.sh | bash
RUN npm ci && npm run build

FROM node:20-alpine
ENV API_TOKEN=placeholder NODE_ENV=production
COPY --from=build /app/dist /app
CMD ["node", "/app/server.js"]
DOCKER
        ;;
    2)
        mkdir -p "$tree/stack$i"
        cat >"$tree/stack$i/docker-compose.yml" <<COMPOSE
services:
  db:
    image: postgres
    ports:
      - "5432:5432"
    environment:
      POSTGRES_PASSWORD: postgres
  api:
    build: .
    ports:
      - "127.0.0.1:8080:8080"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
COMPOSE
        ;;
    3)
        mkdir -p "$tree/k8s$i"
        cat >"$tree/k8s$i/app.yaml" <<KUBE
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app$i
spec:
  replicas: 2
  template:
    spec:
      hostNetwork: true
      containers:
        - name: app
          image: registry.example.com/app$i
          env:
            - name: DB_PASSWORD
              value: placeholder
          securityContext:
            privileged: true
      volumes:
        - name: logs
          hostPath:
            path: /var/log
---
apiVersion: v1
kind: Service
metadata:
  name: app$i
spec:
  ports:
    - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app$i
data:
  LOG_LEVEL: info
KUBE
        ;;
    esac
done

TF_N="${TF_N:-$((N / 4))}"
for ((i = 0; i < TF_N; i++)); do
    mkdir -p "$tree/infra/m$((i / 10))"
    cat >"$tree/infra/m$((i / 10))/r$i.tf" <<TF
variable "public_$i" {
  default = true
}

resource "aws_db_instance" "db$i" {
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  publicly_accessible     = var.public_$i
  backup_retention_period = 0
}

resource "aws_security_group" "sg$i" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_policy" "p$i" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_s3_bucket" "b$i" {
  bucket = "bucket-\${var.public_$i}-$i"
  acl    = "public-read"
}
TF
done

cargo build --release --quiet -p diligence-deploy --example collect
bin="$target_dir/release/examples/collect"

"$bin" "$tree" >/dev/null
results=()
for ((r = 0; r < RUNS; r++)); do
    line="$("$bin" "$tree")"
    results+=("${line##*ms=}")
    last="$line"
done
sorted=($(printf '%s\n' "${results[@]}" | sort -n))
echo "deploy collector on $N generated files and $TF_N Terraform files: $last"
echo "best ${sorted[0]} ms, median ${sorted[$((RUNS / 2))]} ms over $RUNS runs"

# Side by side, in the same run: whole-directory wall time of a process
# (start-up and file listing included) for the collector on every file,
# hadolint on the Dockerfiles and zizmor (offline) on the workflows. Each
# reference tool is taken from DILIGENCE_HADOLINT / DILIGENCE_ZIZMOR, the
# CI's virtual environment under target/reference-tools, or PATH; a missing
# one is skipped with a message. Best of RUNS, ratios against it.
tool() {
    local var="$1" name="$2"
    if [[ -n "${!var:-}" && -x "${!var}" ]]; then
        echo "${!var}"
    elif [[ -x "$target_dir/reference-tools/bin/$name" ]]; then
        echo "$target_dir/reference-tools/bin/$name"
    else
        command -v "$name" || true
    fi
}
best_wall() {
    local best="" start end ms
    for ((r = 0; r < RUNS; r++)); do
        start="$(date +%s%N)"
        "$@" >/dev/null 2>&1 || true
        end="$(date +%s%N)"
        ms=$(((end - start) / 1000000))
        if [[ -z "$best" || "$ms" -lt "$best" ]]; then best="$ms"; fi
    done
    echo "$best"
}
ours="$(best_wall "$bin" "$tree")"
echo "wall, best of $RUNS: diligence deploy collector on all $((N + TF_N)) files: $ours ms"
hadolint="$(tool DILIGENCE_HADOLINT hadolint)"
if [[ -n "$hadolint" ]]; then
    mapfile -t dockerfiles < <(find "$tree" -name Dockerfile | sort)
    theirs="$(best_wall "$hadolint" --no-fail "${dockerfiles[@]}")"
    echo "wall, best of $RUNS: hadolint $("$hadolint" --version | head -n 1) on ${#dockerfiles[@]} Dockerfiles: $theirs ms (ratio ours/hadolint $(awk "BEGIN { printf \"%.2f\", $ours / ($theirs > 0 ? $theirs : 1) }"))"
else
    echo "hadolint not found: its comparison is skipped"
fi
zizmor="$(tool DILIGENCE_ZIZMOR zizmor)"
if [[ -n "$zizmor" ]]; then
    theirs="$(best_wall "$zizmor" --offline --no-exit-codes "$tree/.github/workflows")"
    echo "wall, best of $RUNS: $("$zizmor" --version) --offline on $(find "$tree/.github/workflows" -name '*.yml' | wc -l) workflows: $theirs ms (ratio ours/zizmor $(awk "BEGIN { printf \"%.2f\", $ours / ($theirs > 0 ? $theirs : 1) }"))"
else
    echo "zizmor not found: its comparison is skipped"
fi

# The deploy collector's share of a whole scan of a real repository.
if [[ -n "${FULL_SCAN_REPO:-}" ]]; then
    cargo build --release --quiet -p diligence-cli
    cli="$target_dir/release/diligence"
    out="$(mktemp -d)"
    without=(--only git --only secrets --only deps --only tests --only source)
    scan_ms() {
        local start end
        start="$(date +%s%N)"
        "$cli" scan "$FULL_SCAN_REPO" -f json -o "$out/report.json" --as-of 2026-12-01 "$@" >/dev/null 2>&1
        end="$(date +%s%N)"
        echo $(((end - start) / 1000000))
    }
    median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
    scan_ms >/dev/null # warm the page cache
    all=() base=()
    for ((r = 0; r < RUNS; r++)); do
        base+=("$(scan_ms "${without[@]}")")
        all+=("$(scan_ms)")
    done
    rm -rf "$out"
    b="$(median "${base[@]}")" a="$(median "${all[@]}")"
    echo "whole scan of $FULL_SCAN_REPO, median of $RUNS alternating runs: without deploy $b ms (${base[*]}), every collector $a ms (${all[*]}): deploy adds $(awk "BEGIN { printf \"%.1f\", ($a - $b) * 100 / ($b > 0 ? $b : 1) }") %"
fi
