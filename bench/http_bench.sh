#!/usr/bin/env bash
# Throughput and latency of `hybrid-router serve` against nginx answering a static 600-byte JSON
# body, on this machine, in the same run: both servers pinned to the same core with one worker
# each, wrk pinned to the other core, the prototype's request, 1 / 50 / 256 connections.
# Also start-up time (exec -> first 200 on /predict) and resident memory under load.
# Needs: wrk, nginx (tools/setup.sh wrk nginx). Traffic stays on 127.0.0.1.
# This VM's speed drifts from minute to minute, so each connection count alternates the two
# servers ROUNDS times (default 3) and reports the median of each and the median of the per-round
# ratios.
#   bench/http_bench.sh [path/to/hybrid-router]      DURATION=5s ROUNDS=3 to change the runs,
#   ACCESS_LOG=stdout to measure with the access log on (to /dev/null; default off)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/apps/hybrid-router/hybrid-router}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
NGINX_PORT=18080
HR_PORT=18081
for tool in wrk nginx taskset; do
  command -v "$tool" >/dev/null || { echo "http_bench: $tool is missing (tools/setup.sh wrk nginx)"; exit 2; }
done
[ -x "$BIN" ] || { echo "http_bench: no binary at $BIN (cmake --preset release && cmake --build --preset release)"; exit 2; }

. bench/common.sh

body='{"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", "load_pattern": "medium_load"}'
# nginx: one worker, no access log, a fixed 600-byte JSON answer for any method.
static=$(printf '{"prediction":{"platform":"ecs","confidence":0.5093558234450611,"lambda_probability":0.49064417655493888,"ecs_probability":0.5093558234450611},"metrics":{"inference_time_ms":0.01,"inference_cost_usd":2.0e-7,"timestamp":"2025-11-24T14:21:02.000000Z"},"request_context":{"workload_type":"lightweight_api","payload_size_kb":5.0,"time_window":"midday","load_pattern":"medium_load"},"model_info":{"model_type":"Neural Network","test_accuracy":0.69,"training_date":"2025-11-25"}}')
while [ ${#static} -lt 600 ]; do static="$static "; done
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
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type application/json; return 200 '$static'; }
  }
}
CONF
taskset -c "$SERVER_CPU" nginx -c "$tmp/nginx.conf" -p "$tmp" & pids+=($!)
taskset -c "$SERVER_CPU" "$BIN" serve --port $HR_PORT --threads 1 --access-log "${ACCESS_LOG:-off}" >/dev/null 2>"$tmp/hr.err" & hr_pid=$!; pids+=($hr_pid)
sleep 0.5

cat > "$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA

run() {  # url connections -> "requests/s p99_ms"
  local out
  out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$2" -d"$DURATION" --latency -s "$tmp/post.lua" "$1")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rps $p99"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

printf '%-12s %14s %10s %14s %10s %8s\n' connections "nginx req/s" "p99 ms" "serve req/s" "p99 ms" ratio
for c in 1 50 256; do
  : > "$tmp/n"; : > "$tmp/h"; : > "$tmp/r"
  for ((i = 0; i < ROUNDS; i++)); do
    read -r n_rps n_p99 < <(run "http://127.0.0.1:$NGINX_PORT/predict" "$c")
    read -r h_rps h_p99 < <(run "http://127.0.0.1:$HR_PORT/predict" "$c")
    echo "$n_rps $n_p99" >> "$tmp/n"
    echo "$h_rps $h_p99" >> "$tmp/h"
    echo "$h_rps / $n_rps" | bc -l >> "$tmp/r"
  done
  printf '%-12s %14.0f %10.3f %14.0f %10.3f %7.2f   (ratios per round: %s)\n' "$c" \
    "$(cut -d' ' -f1 "$tmp/n" | median)" "$(cut -d' ' -f2 "$tmp/n" | median)" \
    "$(cut -d' ' -f1 "$tmp/h" | median)" "$(cut -d' ' -f2 "$tmp/h" | median)" \
    "$(median < "$tmp/r")" "$(xargs printf '%.2f ' < "$tmp/r")"
done
echo "serve resident memory after the 256-connection run: $(awk '/VmRSS/ {print $2}' /proc/$hr_pid/status) kB (peak $(awk '/VmHWM/ {print $2}' /proc/$hr_pid/status) kB)"
curl -s -o /dev/null -w 'check: serve answered %{http_code}\n' -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$HR_PORT/predict"
/usr/bin/python3 bench/startup_probe.py "$BIN" --runs 20
