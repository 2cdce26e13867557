#!/usr/bin/env bash
# Live versus replay: does routing real traffic give what `evaluate` predicts? The built-in
# model's held-out test split (the requests `evaluate --model builtin` replays) is sent, request
# by request, through `route` to `emulate` (which answers after a response time drawn from the
# measurements of the request's cell on the chosen platform, times SCALE), once per policy:
# lambda-only, ecs-only and model (the built-in model, objective latency). The live mean response
# time (client-measured, less the router's own time from X-Route-Overhead-Us, divided by SCALE)
# is compared with the replay's mean for the same policy over the same requests.
#   bench/route_live_vs_replay.sh [path/to/hybrid-router]     SCALE=0.05 RATE=300
# Takes about a minute per policy at the defaults (17,633 requests at 300 per second).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/apps/hybrid-router/hybrid-router}
SCALE=${SCALE:-0.05}
RATE=${RATE:-300}
EMU_PORT=18290
ROUTE_PORT=18288
[ -x "$BIN" ] || { echo "live_vs_replay: no binary at $BIN"; exit 2; }
. bench/common.sh

"$BIN" evaluate --model builtin --format json -q --export-requests "$tmp/requests.jsonl" > "$tmp/replay.json"
echo "replayed requests: $(wc -l < "$tmp/requests.jsonl")"
"$BIN" emulate --port $EMU_PORT --threads 2 --time-scale "$SCALE" --seed 11 2>"$tmp/emu.err" & pids+=($!)
for _ in $(seq 100); do grep -q '"port"' "$tmp/emu.err" 2>/dev/null && break; sleep 0.1; done
for policy in lambda-only ecs-only model; do
  "$BIN" route --port $ROUTE_PORT --threads 1 --access-log off --policy "$policy" \
    --lambda-url "http://127.0.0.1:$EMU_PORT/prod" --ecs-url "http://127.0.0.1:$EMU_PORT" \
    2>"$tmp/route.err" & route_pid=$!
  for _ in $(seq 100); do grep -q '"port"' "$tmp/route.err" 2>/dev/null && break; sleep 0.1; done
  /usr/bin/python3 bench/route_load.py --url "http://127.0.0.1:$ROUTE_PORT" --requests "$tmp/requests.jsonl" \
    --rate "$RATE" --time-scale "$SCALE" --max-payload-kb 1 --json > "$tmp/live-$policy.json" || true
  kill "$route_pid"; wait "$route_pid" 2>/dev/null || true
done
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
replay = {p["policy"]: p["objectives"]["latency"]["value"] for p in json.load(open(f"{tmp}/replay.json"))["policies"]}
print(f"{'policy':<12} {'replay ms':>10} {'live ms':>10} {'difference':>11} {'answered':>10} {'platforms'}")
worst = 0
for policy, name in (("lambda-only", "lambda-only"), ("ecs-only", "ecs-only"), ("model", "objective:latency")):
    live = json.load(open(f"{tmp}/live-{policy}.json"))
    diff = live["scaled_response_ms_mean"] / replay[name] - 1
    worst = max(worst, abs(diff))
    print(f"{policy:<12} {replay[name]:>10.1f} {live['scaled_response_ms_mean']:>10.1f} {diff:>+10.1%} "
          f"{live['answered']:>5}/{live['sent']:<5} {live['platforms']} statuses {live['statuses']}")
print(f"largest difference: {worst:.1%} (goal: within 5 %)")
PY
