#!/usr/bin/python3
"""At what arrival rate does an always-on ECS service (autoscaling, at least one task) become
cheaper than Lambda, per workload, at the deployed sizes, for k requests in flight per task?

Runs `hybrid-router simulate` (service times from the shipped measurements) for lambda-only and
ecs-only over log-spaced rates and reports the lowest rate from which ECS stays cheaper, with both
policies' cost per day and p95 there. Standard library only.

  bench/sim_breakeven.py --binary build/release/apps/hybrid-router/hybrid-router [--k 2 8]
"""
import argparse
import json
import math
import subprocess
import sys

WORKLOADS = ["lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing"]


def simulate(binary, *args):
    out = subprocess.run([binary, "simulate", "--format", "json", "-q", *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--k", type=int, nargs="+", default=[2, 8])
    ap.add_argument("--rates", default="0.01:300:28", help="LOW:HIGH:N, log-spaced")
    ap.add_argument("--duration-s", type=float, default=21600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bisect", type=int, default=4, help="refinement steps at the crossing")
    ap.add_argument("--ecs-busy-response", action="store_true",
                    help="ECS slots held for the whole response time (simulate's flag)")
    a = ap.parse_args()
    low, high, n = a.rates.split(":")
    low, high, n = float(low), float(high), int(n)
    rates = [low * (high / low) ** (i / (n - 1)) for i in range(n)]
    print("| workload | k | ECS cheaper from (req/s) | there: Lambda $/day, p95 ms | "
          "ECS $/day, p95 ms, tasks |")
    print("|---|---|---|---|---|")
    for w in WORKLOADS:
        for k in a.k:
            # Mean busy seconds per request on one ECS slot (a probe run), to start each run
            # with the tasks the target needs rather than one overloaded task.
            probe = simulate(a.binary, "--policy", "ecs-only", "--mix", f"{w}=1", "--rate", "0.2",
                             "--duration-s", "20000", "--no-autoscale",
                             "--ecs-concurrency", str(k), "--seed", str(a.seed),
                             *(["--ecs-busy-response"] if a.ecs_busy_response else []))
            busy_s = probe["ecs"]["utilisation"] * k * probe["ecs"]["tasks"]["mean"] / 0.2
            def run(r):
                common = ["--mix", f"{w}=1", "--rate", f"{r:.6g}", "--duration-s",
                          str(a.duration_s), "--warmup-s", "1800", "--seed", str(a.seed),
                          "--ecs-concurrency", str(k), "--ecs-max-tasks", "10000"]
                common += ["--ecs-busy-response"] if a.ecs_busy_response else []
                tasks = min(10000, max(1, math.ceil(r * busy_s / (k * 0.7))))
                lam = simulate(a.binary, "--policy", "lambda-only", *common)
                ecs = simulate(a.binary, "--policy", "ecs-only", "--ecs-tasks", str(tasks), *common)
                return r, lam, ecs

            def ecs_cheaper(row):
                return row[2]["cost_usd"]["per_day"] < row[1]["cost_usd"]["per_day"]

            rows = [run(r) for r in rates]
            # The lowest rate from which ECS is cheaper at every higher rate simulated, refined by
            # bisection (in log rate) between it and the grid point below.
            cross = next((i for i in range(len(rows)) if all(map(ecs_cheaper, rows[i:]))), None)
            if cross is None:
                r, l, e = rows[-1]
                print(f"| {w} | {k} | never up to {high:g} (at {r:.3g}/s: Lambda "
                      f"${l['cost_usd']['per_day']:.2f}, ECS ${e['cost_usd']['per_day']:.2f}) | "
                      f"{l['response_time_ms']['p95']:.0f} | {e['response_time_ms']['p95']:.0f}, "
                      f"{e['ecs']['tasks']['mean']:.1f} |")
            else:
                hi = rows[cross]
                if cross > 0:
                    lo = rows[cross - 1]
                    for _ in range(a.bisect):
                        mid = run(math.sqrt(lo[0] * hi[0]))
                        if ecs_cheaper(mid):
                            hi = mid
                        else:
                            lo = mid
                r, l, e = hi
                print(f"| {w} | {k} | {r:.3g} | ${l['cost_usd']['per_day']:.2f}, "
                      f"{l['response_time_ms']['p95']:.0f} | ${e['cost_usd']['per_day']:.2f}, "
                      f"{e['response_time_ms']['p95']:.0f}, {e['ecs']['tasks']['mean']:.1f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
