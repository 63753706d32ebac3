#!/usr/bin/env bash
# Issue 15's nested-connection attack from outside, against two replicas on PostgreSQL + Redis:
# one token sends the project → workspaces → project cycle 20 at a time while another user reads
# GET /workspaces/:id; prints the victim's p50/p99 unloaded and under attack (victim.mjs, a
# process of its own). PAUSE_MS between one loop's attacks: 5000 is the issue's pace (80 in 20 s),
# 0 sends them back to back. Uses a database wg_attack_<pid>, dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
db="wg_attack_$$"
createdb "$db"
export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$db" REDIS_URL=redis://127.0.0.1:6379
export NODE_ENV=production LOG_LEVEL=warn RATE_LIMIT_PER_MINUTE="${RATE_LIMIT_PER_MINUTE:-0}"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; dropdb --if-exists "$db"; }
trap cleanup EXIT
node bin/workspace-gateway.js migrate >/dev/null
for port in 4801 4802; do
  PORT=$port node bin/workspace-gateway.js serve >/dev/null 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 60); do
  curl -sf 127.0.0.1:4801/readyz >/dev/null && curl -sf 127.0.0.1:4802/readyz >/dev/null && break
  sleep 1
done
seed() { node bin/workspace-gateway.js seed --email "$1" --json; }
attacker=$(seed attacker@example.com) victim=$(seed victim@example.com)
field() { node -p "JSON.parse(process.argv[1]).$2" "$1"; }
for _ in $(seq 1 50); do
  curl -sf -o /dev/null -X POST "127.0.0.1:4801/projects/$(field "$attacker" project.id)/workspaces" \
    -H "Authorization: Bearer $(field "$attacker" token)"
done
workspace=$(curl -sf -X POST "127.0.0.1:4801/projects/$(field "$victim" project.id)/workspaces" \
  -H "Authorization: Bearer $(field "$victim" token)" | node -p 'JSON.parse(require("fs").readFileSync(0)).id')
node bench/fairness/victim.mjs "{\"attacker\":{\"token\":\"$(field "$attacker" token)\",\"project\":\"$(field "$attacker" project.id)\"},\"victim\":{\"token\":\"$(field "$victim" token)\",\"ws\":\"$workspace\"}}"
