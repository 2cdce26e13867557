#!/usr/bin/env bash
# What `hybrid-router route` adds to a request, against nginx proxy_pass to the same backend, in
# the same run. The backend is `hybrid-router emulate --time-scale 0` (answers at once, the ECS
# surface); nginx (one worker, upstream keep-alive) and the router (one event loop, which also
# drives its upstream transfers) are pinned to the same core, the backend and wrk to the other. The
# request is the prototype's lightweight_api request (1 KB target, a small object payload); the
# router decides it with the built-in model and route's default policy (adaptive: the tables,
# corrected as it learns) and logs nothing.
# For 1 and 50 connections, ROUNDS rounds alternate direct -> nginx -> router -> the router with
# --plain-http-client libcurl and report medians:
# throughput, mean and p99 latency, the latency each proxy adds over the direct call and the
# ratio of the router's to nginx's; then the router's own time per request (its histogram in
# /metrics: time in the router less the upstream transfer) at p50/p99. With a second binary
# (BASE: an earlier build), its router runs in every round too, after this one, and the ratios of
# this router to it are reported: a change measured against the build before it, in one run.
#   bench/route_bench.sh [path/to/hybrid-router] [path/to/base/hybrid-router]  DURATION=5s ROUNDS=3
# ROUTE_ARGS: more options for this binary's routers only (e.g. ROUTE_ARGS="--learn off" with the
# same binary as BASE measures the model policy against the adaptive default).
# Needs wrk and nginx (tools/setup.sh wrk nginx-light). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/apps/hybrid-router/hybrid-router}
BASE=${2:-}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
EMU_PORT=18190
NGINX_PORT=18180
ROUTE_PORT=18188
CURL_PORT=18186
BASE_PORT=18184
for tool in wrk nginx taskset curl; do
  command -v "$tool" >/dev/null || { echo "route_bench: $tool is missing (tools/setup.sh wrk nginx-light)"; exit 2; }
done
[ -x "$BIN" ] || { echo "route_bench: no binary at $BIN (cmake --preset release && cmake --build --preset release)"; exit 2; }
[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "route_bench: no base binary at $BASE"; exit 2; }

. bench/common.sh

taskset -c 1 "$BIN" emulate --port $EMU_PORT --threads 1 --time-scale 0 2>"$tmp/emu.err" & pids+=($!)
cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp; uwsgi_temp_path $tmp; scgi_temp_path $tmp;
  keepalive_requests 1000000;
  client_max_body_size 6m;
  client_body_buffer_size 1m;
  upstream emu { server 127.0.0.1:$EMU_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /lightweight {
      proxy_pass http://emu/lightweight/process;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
taskset -c 0 nginx -c "$tmp/nginx.conf" -p "$tmp" & pids+=($!)
# shellcheck disable=SC2086
taskset -c 0 "$BIN" route --port $ROUTE_PORT --threads 1 --access-log off ${ROUTE_ARGS:-} \
  --lambda-url "http://127.0.0.1:$EMU_PORT/prod" --ecs-url "http://127.0.0.1:$EMU_PORT" \
  2>"$tmp/route.err" & pids+=($!)
# The same router sending through libcurl (as before the loop's own client), for comparison.
# shellcheck disable=SC2086
taskset -c 0 "$BIN" route --port $CURL_PORT --threads 1 --access-log off --plain-http-client libcurl ${ROUTE_ARGS:-} \
  --lambda-url "http://127.0.0.1:$EMU_PORT/prod" --ecs-url "http://127.0.0.1:$EMU_PORT" \
  2>"$tmp/route_curl.err" & pids+=($!)
if [ -n "$BASE" ]; then
  taskset -c 0 "$BASE" route --port $BASE_PORT --threads 1 --access-log off \
    --lambda-url "http://127.0.0.1:$EMU_PORT/prod" --ecs-url "http://127.0.0.1:$EMU_PORT" \
    2>"$tmp/route_base.err" & pids+=($!)
else
  echo '"port"' > "$tmp/route_base.err"
fi
for _ in $(seq 100); do
  grep -q '"port"' "$tmp/emu.err" 2>/dev/null && grep -q '"port"' "$tmp/route.err" 2>/dev/null &&
    grep -q '"port"' "$tmp/route_curl.err" 2>/dev/null &&
    grep -q '"port"' "$tmp/route_base.err" 2>/dev/null && break
  sleep 0.1
done

body='{"request_id":"req_1","workload_type":"lightweight_api","timestamp":"2025-11-22T12:00:00","metadata":{"target_size_kb":1,"time_window":"midday","load_pattern":"medium_load"},"payload":{"user_id":"u1","action":"read","items":[1,2,3]}}'
cat > "$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA
platform=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" \
  "http://127.0.0.1:$ROUTE_PORT/lightweight" | awk -F': ' 'tolower($1)=="x-route-platform" {print $2}' | tr -d '\r')
# The model sends it to ECS; an adaptive router (the default) first tries each platform of a new
# cell --min-records times, so either is right; no platform at all is not.
case "$platform" in
  ecs | lambda) ;;
  *) echo "route_bench: the router answered without a platform ('$platform')"; cat "$tmp/route.err"; exit 1 ;;
esac

run() {  # url connections -> "requests/s mean_us p99_us"
  taskset -c 1 wrk -t1 -c"$2" -d"$DURATION" --latency -s "$tmp/post.lua" "$1" | awk '
    function us(v) { if (v ~ /us$/) { sub(/us/, "", v); return v } if (v ~ /ms$/) { sub(/ms/, "", v); return v * 1000 } sub(/s/, "", v); return v * 1e6 }
    /Requests\/sec/ { rps = $2 } $1 == "Latency" && $2 != "Distribution" { mean = us($2) } $1 == "99%" { p99 = us($2) }
    END { print rps, mean, p99 }'
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
col() { cut -d' ' -f"$2" "$1" | median; }

printf '%-6s %-7s %10s %10s %10s %12s\n' conns target "req/s" "mean us" "p99 us" "added us"
for c in 1 50; do
  : > "$tmp/d"; : > "$tmp/n"; : > "$tmp/r"; : > "$tmp/c"; : > "$tmp/ratio"; : > "$tmp/tput"
  : > "$tmp/cratio"; : > "$tmp/ctput"; : > "$tmp/b"; : > "$tmp/bratio"; : > "$tmp/btput"
  for ((i = 0; i < ROUNDS; i++)); do
    read -r d_rps d_mean d_p99 < <(run "http://127.0.0.1:$EMU_PORT/lightweight/process" "$c")
    read -r n_rps n_mean n_p99 < <(run "http://127.0.0.1:$NGINX_PORT/lightweight" "$c")
    read -r r_rps r_mean r_p99 < <(run "http://127.0.0.1:$ROUTE_PORT/lightweight" "$c")
    read -r c_rps c_mean c_p99 < <(run "http://127.0.0.1:$CURL_PORT/lightweight" "$c")
    echo "$d_rps $d_mean $d_p99" >> "$tmp/d"
    echo "$n_rps $n_mean $n_p99 $(echo "$n_mean - $d_mean" | bc -l)" >> "$tmp/n"
    echo "$r_rps $r_mean $r_p99 $(echo "$r_mean - $d_mean" | bc -l)" >> "$tmp/r"
    echo "$c_rps $c_mean $c_p99 $(echo "$c_mean - $d_mean" | bc -l)" >> "$tmp/c"
    echo "($r_mean - $d_mean) / ($n_mean - $d_mean)" | bc -l >> "$tmp/ratio"
    echo "$r_rps / $n_rps" | bc -l >> "$tmp/tput"
    echo "($c_mean - $d_mean) / ($n_mean - $d_mean)" | bc -l >> "$tmp/cratio"
    echo "$c_rps / $n_rps" | bc -l >> "$tmp/ctput"
    if [ -n "$BASE" ]; then
      read -r b_rps b_mean b_p99 < <(run "http://127.0.0.1:$BASE_PORT/lightweight" "$c")
      echo "$b_rps $b_mean $b_p99 $(echo "$b_mean - $d_mean" | bc -l)" >> "$tmp/b"
      echo "($r_mean - $d_mean) / ($b_mean - $d_mean)" | bc -l >> "$tmp/bratio"
      echo "$r_rps / $b_rps" | bc -l >> "$tmp/btput"
    fi
  done
  printf '%-6s %-12s %10.0f %10.0f %10.0f %12s\n' "$c" direct "$(col "$tmp/d" 1)" "$(col "$tmp/d" 2)" "$(col "$tmp/d" 3)" -
  printf '%-6s %-12s %10.0f %10.0f %10.0f %12.0f\n' "$c" nginx "$(col "$tmp/n" 1)" "$(col "$tmp/n" 2)" "$(col "$tmp/n" 3)" "$(col "$tmp/n" 4)"
  printf '%-6s %-12s %10.0f %10.0f %10.0f %12.0f\n' "$c" route "$(col "$tmp/r" 1)" "$(col "$tmp/r" 2)" "$(col "$tmp/r" 3)" "$(col "$tmp/r" 4)"
  printf '%-6s %-12s %10.0f %10.0f %10.0f %12.0f\n' "$c" route-libcurl "$(col "$tmp/c" 1)" "$(col "$tmp/c" 2)" "$(col "$tmp/c" 3)" "$(col "$tmp/c" 4)"
  printf '       route/nginx: added latency median %.2f (rounds: %s), throughput median %.2f (rounds: %s)\n' \
    "$(median < "$tmp/ratio")" "$(xargs printf '%.2f ' < "$tmp/ratio")" \
    "$(median < "$tmp/tput")" "$(xargs printf '%.2f ' < "$tmp/tput")"
  printf '       route-libcurl/nginx: added latency median %.2f (rounds: %s), throughput median %.2f (rounds: %s)\n' \
    "$(median < "$tmp/cratio")" "$(xargs printf '%.2f ' < "$tmp/cratio")" \
    "$(median < "$tmp/ctput")" "$(xargs printf '%.2f ' < "$tmp/ctput")"
  if [ -n "$BASE" ]; then
    printf '%-6s %-12s %10.0f %10.0f %10.0f %12.0f\n' "$c" route-base "$(col "$tmp/b" 1)" "$(col "$tmp/b" 2)" "$(col "$tmp/b" 3)" "$(col "$tmp/b" 4)"
    printf '       route/route-base: added latency median %.2f (rounds: %s), throughput median %.2f (rounds: %s)\n' \
      "$(median < "$tmp/bratio")" "$(xargs printf '%.2f ' < "$tmp/bratio")" \
      "$(median < "$tmp/btput")" "$(xargs printf '%.2f ' < "$tmp/btput")"
  fi
done
# The router's own time per request at 50 connections: a fresh router, one run, its /metrics.
taskset -c 0 "$BIN" route --port $((ROUTE_PORT + 1)) --threads 1 --access-log off \
  --lambda-url "http://127.0.0.1:$EMU_PORT/prod" --ecs-url "http://127.0.0.1:$EMU_PORT" \
  2>"$tmp/route2.err" & pids+=($!)
for _ in $(seq 100); do grep -q '"port"' "$tmp/route2.err" 2>/dev/null && break; sleep 0.1; done
taskset -c 1 wrk -t1 -c50 -d"$DURATION" -s "$tmp/post.lua" "http://127.0.0.1:$((ROUTE_PORT + 1))/lightweight" >/dev/null
echo "router's own time per request at 50 connections (its /metrics histogram, one run):"
curl -s "http://127.0.0.1:$((ROUTE_PORT + 1))/metrics" |
  awk '/^hybrid_router_route_overhead_seconds\{/ { printf "  %s %.0f us\n", $1, $2 * 1e6 }'
