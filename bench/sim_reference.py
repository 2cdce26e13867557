#!/usr/bin/python3
"""Speed against a reference: SimFaaS's example (one function, Poisson 0.9/s, exponential warm
1.991 s and cold 2.244 s, expiry 600 s, 10^6 s) in a minimal pure-Python discrete-event loop of
the same Lambda model (heapq; SimFaaS itself is Python), against `hybrid-router simulate` on the
same case, alternated for 3 rounds; prints both results and times and the ratio of medians.

  bench/sim_reference.py --binary build/release/apps/hybrid-router/hybrid-router
"""
import argparse
import heapq
import json
import random
import statistics
import subprocess
import time


def reference(seed, rate=0.9, warm=1.991, cold=2.244, expiry=600.0, horizon=1e6):
    rng = random.Random(seed)
    t, done, idle = 0.0, [], []  # completion heap; idle stack of idle-since times (newest last)
    requests = colds = 0
    area = instances = last = 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= horizon:
            break
        while done and done[0] <= t:  # finished instances go idle, newest last
            idle.append(heapq.heappop(done))
        # Expire the oldest idle instances (idle is ordered by idle-since).
        k = 0
        while k < len(idle) and idle[k] + expiry <= t:
            e = idle[k] + expiry
            area += instances * (e - last)
            last, instances = e, instances - 1
            k += 1
        del idle[:k]
        area += instances * (t - last)
        last = t
        requests += 1
        if idle:
            idle.pop()
            heapq.heappush(done, t + rng.expovariate(1 / warm))
        else:
            colds += 1
            instances += 1
            heapq.heappush(done, t + rng.expovariate(1 / cold))
    area += instances * (horizon - last)
    return colds / requests, area / horizon


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    py, cpp = [], []
    for r in range(a.rounds):
        start = time.perf_counter()
        p_cold, inst = reference(r + 1)
        py.append(time.perf_counter() - start)
        start = time.perf_counter()
        out = subprocess.run([a.binary, "simulate", "-q", "--format", "json", "--mix",
                              "lightweight_api=1", "--rate", "0.9", "--lambda-warm", "exp:1991",
                              "--lambda-cold", "exp:2244", "--keep-alive-s", "600",
                              "--duration-s", "1000000", "--seed", str(r + 1)],
                             check=True, capture_output=True, text=True).stdout
        cpp.append(time.perf_counter() - start)
        j = json.loads(out)
        print(f"round {r + 1}: python {py[-1]:.2f} s (cold {p_cold:.6f}, instances {inst:.3f}); "
              f"simulate {cpp[-1]:.3f} s (cold {j['lambda']['cold_start_probability']:.6f}, "
              f"instances {j['lambda']['instances']['mean']:.3f})")
    print(f"median: python {statistics.median(py):.2f} s, simulate {statistics.median(cpp):.3f} s "
          f"(start-up included): {statistics.median(py) / statistics.median(cpp):.0f}x")


if __name__ == "__main__":
    main()
