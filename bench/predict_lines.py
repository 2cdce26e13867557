#!/usr/bin/python3
"""`predict` on JSON lines against the prototype's handler path, same requests, same run.

The prototype answered each request in Python: parse the JSON, build the seed-v1 feature row,
then `model.predict` and `model.predict_proba` on a scikit-learn MLPClassifier (15-64-32-16-1,
relu). This script trains such a classifier with Debian's scikit-learn, imports it with
tools/import_sklearn.py, writes N requests as JSON lines, and times, alternating A and B for
--rounds rounds:
  - python: the handler path per request over the same lines (in this process, no start-up);
  - each binary given: `BINARY predict --model M < lines > /dev/null` (wall time, start-up included).
Prints medians and spread, and each binary's ratio to Python.

Usage: bench/predict_lines.py --binary build/release/apps/hybrid-router/hybrid-router
                              [--binary OTHER] [--lines 20000] [--rounds 5]
"""

import argparse
import datetime
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import test_importer as domain  # noqa: E402  (the seed-v1 contract in Python)


def python_handler(mlp, lines):
    """The prototype's per-request work for every line."""
    for line in lines:
        r = json.loads(line)
        when = datetime.datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        row = np.array([domain.seed_v1(r["workload_type"], r["payload_size_kb"], r["time_window"],
                                       r["load_pattern"], when)], dtype=np.float64)
        platform = mlp.predict(row)[0]
        proba = mlp.predict_proba(row)[0]
        json.dumps({"platform": "lambda" if platform == 1 else "ecs",
                    "confidence": float(max(proba))})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", action="append", required=True, help="hybrid-router binary")
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    from sklearn.neural_network import MLPClassifier
    warnings.simplefilter("ignore")
    X, y = domain.training_set(5000, seed=1)
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32, 16), max_iter=50, random_state=42).fit(X, y)
    reqs = domain.domain_requests(args.lines, seed=7)
    lines = [json.dumps(r) for r in reqs]
    with tempfile.TemporaryDirectory() as tmp:
        pkl, model, path = (os.path.join(tmp, n) for n in ("m.pkl", "m.json", "lines.jsonl"))
        with open(pkl, "wb") as f:
            pickle.dump(mlp, f)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "import_sklearn.py"), pkl,
                        "-o", model], check=True, capture_output=True)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        times = {"python": []}
        for b in args.binary:
            times[b] = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            python_handler(mlp, lines)
            times["python"].append(time.perf_counter() - t0)
            for b in args.binary:
                with open(path) as stdin:
                    t0 = time.perf_counter()
                    subprocess.run([b, "predict", "--model", model], stdin=stdin,
                                   stdout=subprocess.DEVNULL, check=True)
                    times[b].append(time.perf_counter() - t0)
    py = statistics.median(times["python"])
    print(f"{args.lines} lines, {args.rounds} rounds alternated; median (min-max) seconds")
    for name, t in times.items():
        med = statistics.median(t)
        ratio = "" if name == "python" else f"  {py / med:6.1f}x faster than python"
        print(f"{name:<60} {med:8.4f} ({min(t):.4f}-{max(t):.4f}){ratio}")


if __name__ == "__main__":
    main()
