#!/usr/bin/python3
"""Capacity advice against the single platforms: for each workload at the deployed sizes, k = 2 and
8, over Poisson rates and the prototype's burst and ramp shapes, runs `simulate --advise` (the
cheapest ECS task count with the rest spilled over to Lambda) and reports it beside lambda-only and
ecs-only with autoscaling on the same traffic: whether either dominates it (cheaper and faster at
p95, beyond the simulation's resolution), and where the single platforms cross, whether it
strictly dominates one of them. Standard library only; Markdown on stdout.

  bench/sim_advise.py --binary build/release/apps/hybrid-router/hybrid-router
"""
import argparse
import json
import os
import subprocess
import tempfile

WORKLOADS = ["lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing"]
COST_MARGIN, P95_MARGIN = 0.005, 0.01  # as sim::Dominates


def dominates(a, b):
    ca, cb = a["cost_usd"]["total"], b["cost_usd"]["total"]
    pa, pb = a["response_time_ms"]["p95"], b["response_time_ms"]["p95"]
    return ca <= cb and pa <= pb and (ca < cb * (1 - COST_MARGIN) or pa < pb * (1 - P95_MARGIN))


def advise(binary, args):
    out = subprocess.run([binary, "simulate", "--advise", "--format", "json", "-q", *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["workloads"][0]


def row(label, a):
    adv, lam, ecs = a["advised"], a["lambda_only"], a["ecs_only"]
    dom = [n for n, r in (("lambda-only", lam), ("ecs-only", ecs)) if dominates(r, adv)]
    beats = [n for n, r in (("lambda-only", lam), ("ecs-only", ecs)) if dominates(adv, r)]
    wait = "-" if a["tasks"] == 0 else ("any" if a["wait"] < 0 else str(a["wait"]))
    return (f"| {label} | {a['tasks']}, {wait} | ${adv['cost_usd']['per_day']:.2f}, "
            f"{adv['response_time_ms']['p95']:.0f} | ${lam['cost_usd']['per_day']:.2f}, "
            f"{lam['response_time_ms']['p95']:.0f} | ${ecs['cost_usd']['per_day']:.2f}, "
            f"{ecs['response_time_ms']['p95']:.0f} | {', '.join(dom) or 'no'} | "
            f"{', '.join(beats) or '-'} |"), dom, beats, lam["cost_usd"]["total"] > ecs["cost_usd"]["total"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--rates", default="0.1,0.3,1,3,10,30,100")
    ap.add_argument("--duration-s", default="14400")
    ap.add_argument("--k", type=int, nargs="+", default=[2, 8])
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    # The prototype's shapes, repeating: burst 5 -> 30 -> 5 per s over 20 min; ramp 5 -> 25 over
    # an hour and back down.
    shapes = {"burst": "0 5\n600 5\n600 30\n900 30\n900 5\n1200 5\n",
              "ramp": "0 5\n3600 25\n7200 5\n"}
    for name, text in shapes.items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
    print("| workload, k, traffic | advised tasks, wait | advised $/day, p95 ms | lambda-only | "
          "ecs-only (autoscaling) | dominated by | strictly dominates |")
    print("|---|---|---|---|---|---|---|")
    problems = []
    for w in WORKLOADS:
        for k in a.k:
            common = ["--mix", f"{w}=1", "--ecs-concurrency", str(k), "--duration-s",
                      a.duration_s, "--ecs-max-tasks", "10000"]
            prev = None
            for r in a.rates.split(","):
                line, dom, beats, lam_dearer = row(f"{w}, k={k}, {r}/s",
                                                   advise(a.binary, ["--rate", r, *common]))
                if prev is not None and prev != lam_dearer:
                    line += " (the single platforms crossed since the rate before)"
                    if not beats:
                        problems.append(line)
                prev = lam_dearer
                if dom:
                    problems.append(line)
                print(line, flush=True)
            for name in shapes:
                line, dom, _, _ = row(f"{w}, k={k}, {name} shape",
                                   advise(a.binary, ["--profile", os.path.join(tmp, name), *common]))
                if dom:
                    problems.append(line)
                print(line, flush=True)
    print(f"\n{len(problems)} rows where the advice is dominated, or does not strictly dominate "
          "a single platform where they cross" + (":" if problems else "."))
    for p in problems:
        print(p)


if __name__ == "__main__":
    main()
