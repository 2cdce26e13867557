#!/usr/bin/python3
"""The simulator against published numbers, through the CLI: SimFaaS's example (Lambda) and the
M/M/c, M/D/1 and M/G/1 closed forms (ECS, one shared queue), 5 seeds each, >= 10^6 requests after
warm-up. Prints a Markdown table. (tests/unit/sim/validation_test.cpp asserts the same bounds.)

  bench/sim_validate.py --binary build/release/apps/hybrid-router/hybrid-router
"""
import argparse
import json
import statistics
import subprocess


def simulate(binary, args):
    out = subprocess.run([binary, "simulate", "--format", "json", "-q", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    seeds = range(1, 6)
    print("| model | measure | simulated (5 seeds: mean, range) | reference |")
    print("|---|---|---|---|")
    runs = [simulate(a.binary, ["--mix", "lightweight_api=1", "--rate", "0.9", "--lambda-warm",
                                "exp:1991", "--lambda-cold", "exp:2244", "--keep-alive-s", "600",
                                "--duration-s", "1000000", "--seed", str(s)]) for s in seeds]
    cold = [r["lambda"]["cold_start_probability"] for r in runs]
    inst = [r["lambda"]["instances"]["mean"] for r in runs]
    little = [r["lambda"]["instances"]["running_mean"] /
              (0.9 * ((1 - p) * 1.991 + p * 2.244)) - 1 for r, p in zip(runs, cold)]
    print(f"| SimFaaS example | cold-start probability | {statistics.mean(cold):.6f} "
          f"({min(cold):.6f}-{max(cold):.6f}) | 0.001353 |")
    print(f"| SimFaaS example | mean instances | {statistics.mean(inst):.3f} "
          f"({min(inst):.3f}-{max(inst):.3f}) | 7.696 |")
    print(f"| SimFaaS example | Little's law, running / (rate x service) - 1 | "
          f"{statistics.mean(little) * 100:+.2f} % (worst {max(little, key=abs) * 100:+.2f} %) | 0 |")
    queues = [("M/M/1 rho 0.8", 8, "exp:100", 1, 0.8, 400),
              ("M/M/2 1.5/1", 1.5, "exp:1000", 2, 0.642857, 1285.714),
              ("M/M/4 3/1", 3, "exp:1000", 4, 0.509434, 509.434),
              ("M/M/10 8/1", 8, "exp:1000", 10, 0.409180, 204.590),
              ("M/D/1 rho 0.8", 8, "det:100", 1, 0.8, 200),
              ("M/G/1 U(50,150) 8/s", 8, "uniform:50-150", 1, 0.8, 216.667)]
    for name, rate, service, c, pw, wq in queues:
        warm = 20000 / rate
        runs = [simulate(a.binary, ["--policy", "ecs-only", "--mix", "lightweight_api=1",
                                    "--ecs-dispatch", "shared", "--no-autoscale", "--ecs-tasks",
                                    "1", "--ecs-concurrency", str(c), "--ecs-service", service,
                                    "--ecs-timeout-s", "1000000", "--rate", str(rate),
                                    "--warmup-s", str(warm), "--duration-s",
                                    str(warm + 1.01e6 / rate), "--seed", str(s)]) for s in seeds]
        p = [r["ecs"]["wait_probability"] for r in runs]
        w = [r["ecs"]["wait_ms"]["mean"] for r in runs]
        n = min(r["requests"] for r in runs)
        print(f"| {name} | P(wait) | {statistics.mean(p):.4f} ({min(p):.4f}-{max(p):.4f}) | {pw} |")
        print(f"| {name} | Wq ms ({n:,} requests per seed) | {statistics.mean(w):.1f} "
              f"({min(w):.1f}-{max(w):.1f}); {(statistics.mean(w) / wq - 1) * 100:+.2f} % | {wq} |")


if __name__ == "__main__":
    main()
