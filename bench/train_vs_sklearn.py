#!/usr/bin/python3
"""Training speed and quality, hybrid-router's trainer against Debian scikit-learn's MLPClassifier,
with the same configuration on the same rows and split, in the same run.

For each seed: `hybrid-router train --split-seed S --seed S --export-rows rows.csv` (timed as a
whole: ingest of the gzip logs, labels, features and training), then scikit-learn's
Pipeline(StandardScaler, MLPClassifier) with the prototype's configuration fitted on the exported
training rows (only the fit is timed), both scored on the exported test rows.

Usage: bench/train_vs_sklearn.py --binary build/release/apps/hybrid-router/hybrid-router [--seeds 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    print(f"{'seed':>4} | {'ours s':>7} {'acc':>7} {'auc':>7} {'epochs':>6} | "
          f"{'sklearn s':>9} {'acc':>7} {'auc':>7} {'epochs':>6} | {'time ratio':>10}")
    ratios = []
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory() as tmp:
            rows, model = os.path.join(tmp, "rows.csv"), os.path.join(tmp, "m.json")
            t0 = time.perf_counter()
            subprocess.run([args.binary, "train", "-q", "--seed", str(seed), "--split-seed",
                            str(seed), "--export-rows", rows, "-o", model],
                           check=True, capture_output=True)
            ours_s = time.perf_counter() - t0
            with open(model) as f:
                md = json.load(f)["metadata"]
            data = np.genfromtxt(rows, delimiter=",", skip_header=1, dtype=None, encoding=None)
        part = np.array([r[0] for r in data])
        y = np.array([r[1] for r in data], dtype=int)
        X = np.array([list(r)[2:] for r in data], dtype=np.float64)
        train, test = part == "train", part == "test"
        clf = make_pipeline(StandardScaler(), MLPClassifier(
            hidden_layer_sizes=(64, 32, 16), activation="relu", alpha=1e-4, batch_size="auto",
            learning_rate_init=1e-3, tol=1e-4, n_iter_no_change=10, max_iter=500,
            early_stopping=True, validation_fraction=0.1, random_state=seed))
        t0 = time.perf_counter()
        clf.fit(X[train], y[train])
        sk_s = time.perf_counter() - t0
        p = clf.predict_proba(X[test])[:, 1]
        sk_acc, sk_auc = accuracy_score(y[test], p > 0.5), roc_auc_score(y[test], p)
        m = md["metrics"]["test"]
        ratios.append(sk_s / ours_s)
        print(f"{seed:>4} | {ours_s:>7.2f} {m['accuracy']:>7.4f} {m['roc_auc']:>7.4f} "
              f"{md['trainer']['epochs']:>6} | {sk_s:>9.2f} {sk_acc:>7.4f} {sk_auc:>7.4f} "
              f"{clf[-1].n_iter_:>6} | {sk_s / ours_s:>9.1f}x")
    print(f"scikit-learn took {np.mean(ratios):.1f}x our time on average "
          "(ours includes reading and labelling the logs; scikit-learn's is the fit alone)")


if __name__ == "__main__":
    main()
