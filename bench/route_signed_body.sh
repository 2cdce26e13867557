#!/usr/bin/env bash
# The router's own time for signed Lambda calls with large bodies: 1 MB and 5 MB requests routed
# to a Lambda function by name (Invoke API, SigV4 by libcurl) at `emulate`'s AWS stand-in, which
# checks every signature. The router's own time is its X-Route-Overhead-Us answer header (time in
# the router less the upstream transfer; a hash libcurl makes while sending counts as upstream,
# one the router makes before counts as its own), and the client's whole call (curl's
# time_total: everything, the emulator's verification included). With a second binary (BASE: an earlier build) both
# routers run side by side and are called alternately, request by request; medians, p10-p90 and
# the ratio of this router to BASE are printed per size. Then the event loop's availability: while
# a client sends 5 MB signed calls back to back, another asks the same one-thread router for
# /healthz, M times per round 2 ms apart, rounds alternating between the routers; the /healthz times' median,
# p90, p99 and max show how long the large calls hold the loop.
#   bench/route_signed_body.sh [path/to/hybrid-router] [path/to/base/hybrid-router]  N=30 ROUNDS=6 M=300
# Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/release/apps/hybrid-router/hybrid-router}
BASE=${2:-}
N=${N:-30}
EMU_PORT=18290
ROUTE_PORT=18288
BASE_PORT=18284
[ -x "$BIN" ] || { echo "route_signed_body: no binary at $BIN"; exit 2; }
[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "route_signed_body: no base binary at $BASE"; exit 2; }
command -v curl >/dev/null || { echo "route_signed_body: curl is missing"; exit 2; }

. bench/common.sh

key=AKIDBENCHSIGNED
secret=bench-secret-key
"$BIN" emulate --port $EMU_PORT --threads 1 --time-scale 0 --aws-access-key $key \
  --aws-secret-key $secret 2>"$tmp/emu.err" & pids+=($!)
cat > "$tmp/route.json" <<JSON
{"region":"eu-west-1","lambda_endpoint":"http://127.0.0.1:$EMU_PORT",
 "ecs_url":"http://127.0.0.1:$EMU_PORT",
 "workloads":{"lightweight_api":{"lambda_function":"hr-lightweight"}}}
JSON
start_router() {  # BIN PORT LOG
  AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret "$1" route --port "$2" --threads 1 \
    --access-log off --policy lambda-only --max-body-mb 6 --config "$tmp/route.json" \
    2>"$3" & pids+=($!)
}
start_router "$BIN" $ROUTE_PORT "$tmp/route.err"
[ -z "$BASE" ] || start_router "$BASE" $BASE_PORT "$tmp/base.err"
wait_port "$tmp/emu.err"
wait_port "$tmp/route.err"
[ -z "$BASE" ] || wait_port "$tmp/base.err"

python3 - "$tmp" <<'PY'
import base64, os, sys
for mb in (1, 5):
    payload = base64.b64encode(os.urandom(mb * 1024 * 1024 * 3 // 4)).decode()
    with open(f"{sys.argv[1]}/body{mb}.json", "w") as f:
        f.write('{"workload_type":"lightweight_api","metadata":{"target_size_kb":%d},'
                '"payload":"%s"}' % (mb * 1024, payload))
PY

overhead() {  # PORT FILE: "own-µs total-s" (exits non-zero unless answered 200)
  curl -s -o /dev/null -D - -w 'total %{time_total}\n' --data-binary "@$2" \
    -H 'Content-Type: application/json' "http://127.0.0.1:$1/lightweight" | tr -d '\r' |
    awk '$1 ~ /^HTTP\// {status=$2}  # the last status line (after any 100 Continue)
         tolower($1)=="x-route-overhead-us:" {own=$2} $1=="total" {total=$2}
         END {if (status != 200) {print "status " status > "/dev/stderr"; exit 1} print own, total}'
}
for mb in 1 5; do
  : > "$tmp/a$mb"; : > "$tmp/b$mb"
  for _ in $(seq "$N"); do
    overhead $ROUTE_PORT "$tmp/body$mb.json" >> "$tmp/a$mb"
    [ -z "$BASE" ] || overhead $BASE_PORT "$tmp/body$mb.json" >> "$tmp/b$mb"
  done
done
python3 - "$tmp" "${BASE:+yes}" <<'PY'
import statistics, sys
tmp, base = sys.argv[1], sys.argv[2] == "yes"
def stats(path, col, scale):
    v = sorted(float(x.split()[col]) * scale for x in open(path) if x.strip())
    q = statistics.quantiles(v, n=10)
    return statistics.median(v), q[0], q[-1], len(v)
for col, scale, title in ((0, 1e-3, "router's own time (X-Route-Overhead-Us)"),
                          (1, 1e3, "the client's whole call (curl time_total)")):
    print(f"{title} per signed Lambda call (ms): median [p10, p90] (n)")
    for mb in (1, 5):
        m, lo, hi, n = stats(f"{tmp}/a{mb}", col, scale)
        line = f"  {mb} MB  this {m:7.2f} [{lo:.2f}, {hi:.2f}] ({n})"
        if base:
            bm, blo, bhi, bn = stats(f"{tmp}/b{mb}", col, scale)
            line += f"   base {bm:7.2f} [{blo:.2f}, {bhi:.2f}] ({bn})   ratio {m / bm:.2f}"
        print(line)
PY

python3 - "$tmp" "$ROUTE_PORT" "${BASE:+$BASE_PORT}" "${ROUNDS:-6}" "${M:-300}" <<'PY'
import http.client, statistics, sys, threading, time
tmp, port, base_port, rounds, m = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
body = open(f"{tmp}/body5.json", "rb").read()
def round_on(p):
    stop = threading.Event()
    def load():
        c = http.client.HTTPConnection("127.0.0.1", p)
        while not stop.is_set():
            c.request("POST", "/lightweight", body, {"Content-Type": "application/json"})
            r = c.getresponse(); r.read()
            assert r.status == 200, r.status
    t = threading.Thread(target=load); t.start()
    time.sleep(0.2)
    c = http.client.HTTPConnection("127.0.0.1", p)
    times = []
    for _ in range(m):  # spread over the round (a 5 MB call takes ~85 ms), 2 ms apart
        time.sleep(0.002)
        t0 = time.perf_counter()
        c.request("GET", "/healthz"); r = c.getresponse(); r.read()
        times.append((time.perf_counter() - t0) * 1e3)
    stop.set(); t.join()
    return times
ports = [("this", port)] + ([("base", int(base_port))] if base_port else [])
res = {name: [] for name, _ in ports}
for _ in range(rounds):
    for name, p in ports:
        res[name] += round_on(p)
print("/healthz on the router's one thread while 5 MB signed calls stream: median, p99, p99.9, max (ms);"
      " calls held over 1 ms: share, their mean (ms) (n)")
meds = {}
for name, v in res.items():
    v.sort(); q = statistics.quantiles(v, n=1000)
    held = [x for x in v if x > 1.0]
    meds[name] = (statistics.median(v), q[989], q[998], v[-1])
    print(f"  {name}  {meds[name][0]:.3f}  {meds[name][1]:.2f}  {meds[name][2]:.2f}  {meds[name][3]:.2f}"
          f"   held {100 * len(held) / len(v):.1f} %  {statistics.mean(held) if held else 0:.2f}  ({len(v)})")
if "base" in meds:
    print("  ratio this/base  " + "  ".join(f"{a / b:.2f}" for a, b in zip(meds["this"], meds["base"])))
PY
