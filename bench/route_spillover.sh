#!/usr/bin/env bash
# Spill-over against ecs-only and lambda-only on the same traffic: `emulate` with a limited ECS
# capacity (TASKS tasks x K requests at once per workload service, FIFO queueing beyond, delays =
# measured response times x SCALE) behind `route`, the prototype's burst pattern from
# bench/route_load.py (5 -> 30 -> 5 requests per second, open loop, seeded), once per policy,
# ROUNDS rounds alternated; prints the client-measured p50/p95/p99 (divided by SCALE: the
# measurements' time), where requests went, and what ECS saw (most in service at once, requests
# that waited).
#   bench/route_spillover.sh [path/to/hybrid-router]    SCALE=0.1 TASKS=1 K=2 DURATION=60 ROUNDS=2
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/apps/hybrid-router/hybrid-router}
SCALE=${SCALE:-0.1}
TASKS=${TASKS:-1}
K=${K:-2}
DURATION=${DURATION:-60}
ROUNDS=${ROUNDS:-2}
EMU_PORT=18390
ROUTE_PORT=18388
[ -x "$BIN" ] || { echo "route_spillover: no binary at $BIN"; exit 2; }
. bench/common.sh

for round in $(seq "$ROUNDS"); do
  for policy in ecs-only spillover lambda-only; do
    "$BIN" emulate --port $EMU_PORT --threads 2 --time-scale "$SCALE" --seed "$round" \
      --ecs-tasks "$TASKS" --ecs-concurrency "$K" 2>"$tmp/emu.err" & emu=$!
    wait_port "$tmp/emu.err"
    "$BIN" route --port $ROUTE_PORT --threads 1 --access-log off --policy "$policy" \
      --ecs-capacity $((TASKS * K)) --lambda-url "http://127.0.0.1:$EMU_PORT/prod" \
      --ecs-url "http://127.0.0.1:$EMU_PORT" 2>"$tmp/route.err" & route=$!
    wait_port "$tmp/route.err"
    /usr/bin/python3 bench/route_load.py --url "http://127.0.0.1:$ROUTE_PORT" --pattern burst \
      --duration-s "$DURATION" --seed "$round" --time-scale "$SCALE" --max-payload-kb 1 --json \
      > "$tmp/$policy-$round.json" || true
    curl -s "http://127.0.0.1:$EMU_PORT/emulate/ecs" > "$tmp/$policy-$round.ecs"
    kill "$route" "$emu"; wait "$route" "$emu" 2>/dev/null || true
  done
done
/usr/bin/python3 - "$tmp" "$ROUNDS" "$SCALE" <<'PY'
import json, sys
tmp, rounds, scale = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
print(f"{'policy':<12} {'round':>5} {'answered':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  "
      f"platforms / ECS: most in service, waited")
for r in range(1, rounds + 1):
    for policy in ("ecs-only", "spillover", "lambda-only"):
        live = json.load(open(f"{tmp}/{policy}-{r}.json"))
        ecs = json.load(open(f"{tmp}/{policy}-{r}.ecs"))["services"]
        most = max(s["in_service_max"] for s in ecs.values())
        waited = sum(s["waited"] for s in ecs.values())
        q = live["response_ms"]
        print(f"{policy:<12} {r:>5} {live['answered']:>5}/{live['sent']:<4} {q['p50'] / scale:>8.0f} "
              f"{q['p95'] / scale:>8.0f} {q['p99'] / scale:>8.0f}  {live['platforms']} / {most}, {waited}")
PY
