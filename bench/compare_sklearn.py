#!/usr/bin/python3
"""Decision speed, ours against scikit-learn, on the same model in the same run.

Trains a prototype-shaped MLPClassifier (15-64-32-16-1, relu, raw seed-v1 features) with Debian's
scikit-learn, imports it with tools/import_sklearn.py, then times
  - scikit-learn: predict_proba on one row (what the prototype's handler did per request), and
    on a batch of 1,024 rows;
  - hybrid-router: bench/hr_bench_predict (Google Benchmark) with that model file;
and prints both and the ratios.

Usage: bench/compare_sklearn.py --bench build/release/bench/hr_bench_predict
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import test_importer as domain  # noqa: E402  (the seed-v1 feature sweep used by the parity test)


def best_per_call(fn, calls, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", required=True, help="path to hr_bench_predict (release build)")
    ap.add_argument("--min-time", default="1", help="seconds per Google Benchmark case")
    args = ap.parse_args()

    from sklearn.neural_network import MLPClassifier
    warnings.simplefilter("ignore")
    X, y = domain.training_set(5000, seed=1)
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32, 16), max_iter=50, random_state=42).fit(X, y)

    with tempfile.TemporaryDirectory() as tmp:
        pkl, model = os.path.join(tmp, "m.pkl"), os.path.join(tmp, "m.json")
        with open(pkl, "wb") as f:
            pickle.dump(mlp, f)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "import_sklearn.py"), pkl,
                        "-o", model], check=True, capture_output=True)

        rows = domain.features_of(domain.domain_requests(1024, seed=5))
        one = rows[:1]
        sk_single = best_per_call(lambda: mlp.predict_proba(one), 2000)
        sk_batch = best_per_call(lambda: mlp.predict_proba(rows), 50) / len(rows)

        env = dict(os.environ, HR_BENCH_MODEL=model)
        out = subprocess.run([args.bench, "--benchmark_format=json",
                              f"--benchmark_min_time={args.min_time}",
                              "--benchmark_filter=BM_FeaturesAndPredict|BM_Batch1024"],
                             check=True, capture_output=True, text=True, env=env).stdout
    ours = {b["name"]: b for b in json.loads(out)["benchmarks"]}
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    our_single = ours["BM_FeaturesAndPredict"]["real_time"] * scale[ours["BM_FeaturesAndPredict"]["time_unit"]]
    b = ours["BM_Batch1024"]
    our_batch = b["real_time"] * scale[b["time_unit"]] / 1024

    print(f"{'per decision':<34}{'scikit-learn':>14}{'hybrid-router':>15}{'ratio':>10}")
    print(f"{'single row (features + predict)':<34}{sk_single*1e6:>12.2f}us{our_single*1e9:>13.0f}ns"
          f"{sk_single/our_single:>9.0f}x")
    print(f"{'batch of 1,024 (per row)':<34}{sk_batch*1e6:>12.3f}us{our_batch*1e9:>13.0f}ns"
          f"{sk_batch/our_batch:>9.1f}x")
    print("(scikit-learn's single-row time excludes building the feature row; ours includes it)")


if __name__ == "__main__":
    main()
