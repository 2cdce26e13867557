#!/usr/bin/python3
"""End to end on one machine: `emulate` + `route` + the load driver (bench/route_load.py) for each
of the prototype's load patterns (shortened), then the router's outcome log through `audit`,
`train` and `evaluate`. Asserts what an operator would check: every request answered 200, every
attempt in the outcome log, audit accounting for each of them, a model trained from the router's
own traffic, and an evaluation of it.

With --signed, Lambda is called by function name through the Invoke API, signed with temporary
credentials the router takes (and renews) from emulate's container credentials endpoint.

Usage: test_route_e2e.py --binary build/ci/apps/hybrid-router/hybrid-router [--seconds 5] [--signed]
"""

import argparse
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from servers import start  # noqa: E402

DRIVER = os.path.join(HERE, "..", "..", "bench", "route_load.py")


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--signed", action="store_true",
                    help="Lambda by function name through the Invoke API, SigV4-signed with "
                         "temporary credentials from emulate's container credentials endpoint")
    args = ap.parse_args()
    b = args.binary
    with tempfile.TemporaryDirectory() as tmp:
        emu_cmd = [b, "emulate", "--port", "0", "--time-scale", "0.002"]
        if args.signed:  # credentials live 6 s: the router renews them during the run
            emu_cmd += ["--aws-access-key", "AKIDE2E", "--aws-secret-key", "e2e-secret",
                        "--credentials-lifetime-s", "6", "--credentials-token", "e2e-token"]
        emu, emu_port = start(emu_cmd, f"{tmp}/emulate.log")
        emu_url = f"http://127.0.0.1:{emu_port}"
        outcomes = f"{tmp}/outcomes"
        route_cmd = [b, "route", "--port", "0", "--access-log", "off", "--policy", "model",
                     "--explore", "0.2",
                     "--seed", "5", "--outcome-log", outcomes]
        env = None
        if args.signed:
            config = f"{tmp}/route.json"
            with open(config, "w") as f:
                json.dump({"region": "eu-west-1", "lambda_endpoint": emu_url, "ecs_url": emu_url,
                           "workloads": {w: {"lambda_function": f"hr-{w.split('_')[0]}"}
                                         for w in ("lightweight_api", "thumbnail_processing",
                                                   "medium_processing", "heavy_processing")}}, f)
            route_cmd += ["--config", config, "--credentials-refresh-ahead-s", "3"]
            env = dict(os.environ,
                       AWS_CONTAINER_CREDENTIALS_FULL_URI=f"{emu_url}/emulate/credentials",
                       AWS_CONTAINER_AUTHORIZATION_TOKEN="e2e-token")
            for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                env.pop(k, None)
        else:
            route_cmd += ["--lambda-url", f"{emu_url}/prod", "--ecs-url", emu_url]
        route, port = start(route_cmd, f"{tmp}/route.log", env=env)
        try:
            sent = 0
            for pattern in ("low", "medium", "burst", "ramp"):
                out = subprocess.run([sys.executable, DRIVER, "--url", f"http://127.0.0.1:{port}",
                                      "--pattern", pattern, "--duration-s", str(args.seconds),
                                      "--seed", "3", "--json"], capture_output=True, text=True)
                print(out.stdout.strip())
                summary = json.loads(out.stdout)
                check(out.returncode == 0 and summary["answered"] == summary["sent"]
                      and summary["statuses"] == {"200": summary["sent"]},
                      f"{pattern}: all {summary['sent']} requests answered 200")
                sent += summary["sent"]
            if args.signed:
                with urllib.request.urlopen(f"{emu_url}/emulate/aws", timeout=10) as r:
                    aws = json.loads(r.read())
                check(aws["refused"] == {} and aws["verified"] > 0
                      and aws["credentials_issued"] >= 2,
                      f"every Invoke call signed and verified ({aws['verified']}), credentials "
                      f"renewed ({aws['credentials_issued']} issued)")
        finally:
            route.send_signal(signal.SIGTERM)
            check(route.wait(timeout=30) == 0, "route drained and exited 0 on SIGTERM")
            emu.send_signal(signal.SIGTERM)
            emu.wait(timeout=30)

        lines = []
        for path in glob.glob(f"{outcomes}/*.jsonl"):
            lines += [json.loads(line) for line in open(path)]
        check(len(lines) == sent, f"one outcome line per attempt ({len(lines)} for {sent} requests)")
        check({l["platform"] for l in lines} == {"lambda", "ecs"}, "both platforms measured")
        check(all(0 < l["route"]["propensity"] <= 1 for l in lines), "every decision's propensity")

        audit = subprocess.run([b, "audit", "--json", outcomes], capture_output=True, text=True)
        check(audit.returncode == 0, "audit reads the outcome log")
        s = json.loads(audit.stdout)["summary"]
        check(s["accepted"] + s["rejected"] == sent and s["routed"]["attempts"] == sent
              and s["routed"]["answered"] == sent,
              f"audit accounts for every attempt ({s['accepted']} accepted, "
              f"{s['routed']['attempts']} routed)")

        model = f"{tmp}/model.json"
        train = subprocess.run([b, "train", "-q", "--out", model, outcomes], capture_output=True,
                               text=True)
        check(train.returncode == 0 and os.path.getsize(model) > 0,
              "train gives a model from the router's own traffic")
        predict = subprocess.run([b, "predict", "--model", model,
                                  '{"workload_type":"heavy_processing","payload_size_kb":5120}'],
                                 capture_output=True, text=True)
        check(predict.returncode == 0 and '"platform"' in predict.stdout,
              "the trained model decides")
        ev = subprocess.run([b, "evaluate", "-q", "--format", "json", "--model", model, outcomes],
                            capture_output=True, text=True)
        check(ev.returncode == 0,
              f"evaluate replays that model's held-out test split {ev.stderr[-300:]}")
        policies = {p["policy"] for p in json.loads(ev.stdout)["policies"]}
        check({"lambda-only", "ecs-only", "model"} <= policies, "with every policy replayed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
