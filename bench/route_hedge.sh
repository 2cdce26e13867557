#!/usr/bin/env bash
# Hedging against a slow tail: `emulate` (measured response times, time scale 1) makes SLOW_SHARE
# of Lambda answers SLOW_MS slower; `route --policy lambda-only` with and without --hedge (after
# the model's p95 for each request's cell on Lambda, then ECS as well) takes the same seeded
# open-loop traffic from the load driver (bench/route_load.py, RATE requests per second for
# DURATION s, payloads up to 64 KB), ROUNDS rounds alternated. Prints the client-measured p50,
# p95, p99 and max, where answers came from, and the hedges the router sent and won.
#   bench/route_hedge.sh [path/to/hybrid-router]    RATE=4 DURATION=60 ROUNDS=2 SLOW_SHARE=0.1
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/apps/hybrid-router/hybrid-router}
RATE=${RATE:-4}
DURATION=${DURATION:-60}
ROUNDS=${ROUNDS:-2}
SLOW_SHARE=${SLOW_SHARE:-0.1}
SLOW_MS=${SLOW_MS:-20000}
EMU_PORT=18490
ROUTE_PORT=18488
[ -x "$BIN" ] || { echo "route_hedge: no binary at $BIN"; exit 2; }
. bench/common.sh

for round in $(seq "$ROUNDS"); do
  for mode in plain hedge; do
    "$BIN" emulate --port $EMU_PORT --threads 2 --time-scale 1 --seed "$round" \
      --fault "lambda:slow:$SLOW_SHARE:$SLOW_MS" 2>"$tmp/emu.err" & emu=$!
    pids=("$emu")
    wait_port "$tmp/emu.err"
    extra=()
    [ "$mode" = hedge ] && extra=(--hedge)
    "$BIN" route --port $ROUTE_PORT --threads 1 --access-log off --policy lambda-only \
      "${extra[@]}" --lambda-url "http://127.0.0.1:$EMU_PORT/prod" \
      --ecs-url "http://127.0.0.1:$EMU_PORT" 2>"$tmp/route.err" & route=$!
    pids+=("$route")
    wait_port "$tmp/route.err"
    /usr/bin/python3 bench/route_load.py --url "http://127.0.0.1:$ROUTE_PORT" --rate "$RATE" \
      --duration-s "$DURATION" --seed "$round" --max-payload-kb 64 --json \
      --out "$tmp/$mode-$round.jsonl" > "$tmp/$mode-$round.json" || true
    curl -s "http://127.0.0.1:$ROUTE_PORT/metrics" | grep -E '^hybrid_router_route_hedge' \
      > "$tmp/$mode-$round.metrics" || true
    kill "$route" "$emu"; wait "$route" "$emu" 2>/dev/null || true
  done
done
/usr/bin/python3 - "$tmp" "$ROUNDS" <<'PY'
import json, re, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
print(f"{'mode':<6} {'round':>5} {'answered':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
      f"{'max ms':>8}  platforms; hedges sent/won")
for r in range(1, rounds + 1):
    for mode in ("plain", "hedge"):
        live = json.load(open(f"{tmp}/{mode}-{r}.json"))
        ms = sorted(json.loads(l)["ms"] for l in open(f"{tmp}/{mode}-{r}.jsonl")
                    if json.loads(l).get("status") == 200)
        text = open(f"{tmp}/{mode}-{r}.metrics").read()
        sent = sum(float(v) for v in re.findall(r'hedges_total\{[^}]*\} (\S+)', text))
        won = sum(float(v) for v in re.findall(r'hedge_wins_total\{[^}]*\} (\S+)', text))
        q = live["response_ms"]
        print(f"{mode:<6} {r:>5} {live['answered']:>5}/{live['sent']:<4} {q['p50']:>8.0f} "
              f"{q['p95']:>8.0f} {q['p99']:>8.0f} {ms[-1]:>8.0f}  {live['platforms']}; "
              f"{sent:.0f}/{won:.0f}")
PY
