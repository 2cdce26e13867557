#!/usr/bin/python3
"""Load driver for `hybrid-router route`: replays the prototype's load patterns with its request
shape and the shipped data's mix of cells, open loop, and reports what the clients saw.

Patterns (the prototype's load tests): low 5 rps; medium 15 rps; burst 5 -> 30 -> 5 rps (the
middle third at 30); ramp 5 -> 25 rps (linear over the run). `--rate R` replaces the pattern's
schedule with a constant R rps (for the live-versus-replay comparison).

Each request is one of the shipped measurements drawn at random (seeded): its workload_type,
metadata.target_size_kb and time_window; metadata.load_pattern is the pattern being replayed
(or, with --cells, the record's own: its full cell). The payload is base64 of
min(target_size_kb, --max-payload-kb) KB: the router decides from metadata.target_size_kb, so a
smaller payload only spares this machine's CPU. Requests go to POST {url}/{workload} (API
Gateway's layout).

Arrivals are open loop (Poisson at the schedule's rate): a slow router makes requests late (counted),
it does not slow the schedule. Prints a summary (JSON with --json): requests sent and answered,
statuses, the platforms that answered, fallbacks, response time mean/p50/p95/p99 (ms), and the
router's own time from X-Route-Overhead-Us. --out FILE writes one JSON line per request.

--requests FILE sends the requests of a file instead, once each, in order, at --rate: one JSON
line per request, {"workload_type", "target_size_kb", "time_window", "load_pattern"} (what
`hybrid-router evaluate --export-requests` writes), so a live run and the replay judge the same
requests.

Usage: bench/route_load.py --url http://127.0.0.1:8088 --pattern burst [--duration-s 60]
           [--seed 1] [--data data/aws-measurements] [--max-payload-kb 64] [--cells] [--json]
       bench/route_load.py --url ... --requests requests.jsonl --rate 200 --time-scale 0.01
"""

import argparse
import base64
import glob
import gzip
import http.client
import json
import os
import queue
import random
import statistics
import sys
import threading
import time
import urllib.parse

PATTERNS = ("low", "medium", "burst", "ramp")
PATH_NAMES = {"lightweight_api": "lightweight", "thumbnail_processing": "thumbnail",
              "medium_processing": "medium", "heavy_processing": "heavy"}


def rate_at(pattern, t, duration):
    """Requests per second at second t of the run."""
    if pattern == "low":
        return 5.0
    if pattern == "medium":
        return 15.0
    if pattern == "burst":
        return 30.0 if duration / 3 <= t < 2 * duration / 3 else 5.0
    return 5.0 + 20.0 * min(1.0, t / duration)  # ramp


def load_cells(data_dir):
    cells = []
    for path in sorted(glob.glob(os.path.join(data_dir, "**", "*.jsonl*"), recursive=True)):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if r.get("http_status") != 200 or r.get("workload_type") not in PATH_NAMES:
                    continue
                cells.append((r["workload_type"], float(r["target_payload_size_kb"]),
                              r.get("time_window"), r.get("load_pattern")))
    if not cells:
        sys.exit(f"route_load: no measurements under {data_dir}")
    return cells


def load_requests(path):
    cells = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
                cells.append((r["workload_type"], float(r["target_size_kb"]), r.get("time_window"),
                              r.get("load_pattern")))
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"route_load: {path}:{n}: not a request line ({e})")
            if cells[-1][0] not in PATH_NAMES:
                sys.exit(f"route_load: {path}:{n}: unknown workload_type {cells[-1][0]!r}")
    return cells


def schedule(args, rng, count=0):
    """Send times (seconds from the start), Poisson at the pattern's rate; `count` of them when
    given (at --rate)."""
    times, t = [], 0.0
    while count:
        t += rng.expovariate(args.rate)
        times.append(t)
        if len(times) == count:
            return times
    while True:
        rate = args.rate if args.rate else rate_at(args.pattern, t, args.duration_s)
        t += rng.expovariate(rate)
        if t >= args.duration_s or (args.max_requests and len(times) >= args.max_requests):
            return times
        times.append(t)


def body_for(i, cell, args, payloads):
    workload, kb, tw, lp = cell
    size = int(min(kb, args.max_payload_kb) * 1024)
    if size not in payloads:
        payloads[size] = base64.b64encode(b"\x5a" * (size * 3 // 4)).decode()
    md = {"target_size_kb": kb, "time_window": tw,
          "load_pattern": lp if args.cells else args.pattern + "_load"}
    return json.dumps({"request_id": f"load-{args.seed}-{i}", "workload_type": workload,
                       "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"), "metadata": md,
                       "payload": payloads[size]})


def worker(url, jobs, results, start):
    u = urllib.parse.urlsplit(url)
    conn = None
    while True:
        job = jobs.get()
        if job is None:
            return
        i, at, path, body = job
        late = max(0.0, time.monotonic() - (start + at))
        rec = {"i": i, "path": path, "late_ms": late * 1000}
        for tries in range(2):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
                t0 = time.monotonic()
                conn.request("POST", u.path.rstrip("/") + path, body,
                             {"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                rec["ms"] = (time.monotonic() - t0) * 1000
                rec["status"] = resp.status
                rec["platform"] = resp.getheader("X-Route-Platform")
                rec["fallback"] = resp.getheader("X-Route-Fallback") == "true"
                rec["overhead_us"] = int(resp.getheader("X-Route-Overhead-Us") or 0)
                rec["decision"] = resp.getheader("X-Route-Decision")
                break
            except (OSError, http.client.HTTPException) as e:
                conn = None  # a closed keep-alive connection: reconnect once
                rec["status"] = 0
                rec["error"] = str(e)
        results.append(rec)


def quantile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the router, e.g. http://127.0.0.1:8088")
    ap.add_argument("--pattern", choices=PATTERNS, default="low")
    ap.add_argument("--rate", type=float, default=0, help="constant rps instead of the pattern")
    ap.add_argument("--duration-s", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=0, help="stop after this many (0: no limit)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "data",
                                                   "aws-measurements"))
    ap.add_argument("--max-payload-kb", type=float, default=64)
    ap.add_argument("--cells", action="store_true",
                    help="send each drawn measurement's own load_pattern (its full cell)")
    ap.add_argument("--requests", help="send these requests (JSON lines of cells) at --rate")
    ap.add_argument("--workers", type=int, default=64)
    ap.add_argument("--time-scale", type=float, default=0,
                    help="the emulator's: also report response times divided by it, less the "
                         "router's own time")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out", help="one JSON line per request")
    args = ap.parse_args()
    if args.rate < 0 or args.duration_s <= 0 or args.max_payload_kb < 0 or args.workers < 1:
        sys.exit("route_load: --rate, --duration-s, --max-payload-kb and --workers must be positive")

    rng = random.Random(args.seed)
    if args.requests:
        if not args.rate:
            sys.exit("route_load: --requests needs --rate")
        args.cells = True
        picks = load_requests(args.requests)
        times = schedule(args, rng, len(picks))
    else:
        cells = load_cells(args.data)
        times = schedule(args, rng)
        picks = [cells[rng.randrange(len(cells))] for _ in times]
    payloads = {}
    bodies = [body_for(i, c, args, payloads) for i, c in enumerate(picks)]

    jobs, results = queue.Queue(), []
    start = time.monotonic() + 0.2
    threads = [threading.Thread(target=worker, args=(args.url, jobs, results, start), daemon=True)
               for _ in range(args.workers)]
    for th in threads:
        th.start()
    for i, (at, cell, body) in enumerate(zip(times, picks, bodies)):
        delay = start + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        jobs.put((i, at, "/" + PATH_NAMES[cell[0]], body))
    for _ in threads:
        jobs.put(None)
    for th in threads:
        th.join()
    elapsed = time.monotonic() - start

    ok = sorted(r["ms"] for r in results if r.get("status") == 200)
    statuses, platforms = {}, {}
    for r in results:
        statuses[str(r.get("status"))] = statuses.get(str(r.get("status")), 0) + 1
        if r.get("platform"):
            platforms[r["platform"]] = platforms.get(r["platform"], 0) + 1
    overhead = sorted(r["overhead_us"] for r in results if r.get("status") == 200)
    summary = {
        "pattern": None if args.rate else args.pattern, "rate": args.rate or None,
        "sent": len(times), "answered": len(results), "elapsed_s": round(elapsed, 1),
        "statuses": statuses, "platforms": platforms,
        "fallbacks": sum(1 for r in results if r.get("fallback")),
        "late_over_100ms": sum(1 for r in results if r["late_ms"] > 100),
        "response_ms": {"mean": round(statistics.fmean(ok), 2) if ok else None,
                        "p50": quantile(ok, 0.5), "p95": quantile(ok, 0.95),
                        "p99": quantile(ok, 0.99)},
        "router_overhead_us": {"mean": round(statistics.fmean(overhead), 1) if overhead else None,
                               "p99": quantile(overhead, 0.99)},
    }
    if args.time_scale > 0 and ok:
        net = [(r["ms"] - r["overhead_us"] / 1000) / args.time_scale
               for r in results if r.get("status") == 200]
        summary["scaled_response_ms_mean"] = round(statistics.fmean(net), 1)
    for k in ("p50", "p95", "p99"):
        if summary["response_ms"][k] is not None:
            summary["response_ms"][k] = round(summary["response_ms"][k], 2)
    if args.out:
        with open(args.out, "w") as f:
            for r in sorted(results, key=lambda r: r["i"]):
                f.write(json.dumps(r) + "\n")
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['pattern'] or str(args.rate) + ' rps'}: {summary['sent']} sent, "
              f"{summary['answered']} answered in {summary['elapsed_s']} s; statuses {statuses}; "
              f"platforms {platforms}; fallbacks {summary['fallbacks']}; response ms "
              f"mean {summary['response_ms']['mean']} p95 {summary['response_ms']['p95']} "
              f"p99 {summary['response_ms']['p99']}; router overhead us mean "
              f"{summary['router_overhead_us']['mean']} p99 {summary['router_overhead_us']['p99']}")
    return 0 if summary["answered"] == summary["sent"] and set(statuses) == {"200"} else 1


if __name__ == "__main__":
    sys.exit(main())
