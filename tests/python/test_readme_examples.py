#!/usr/bin/python3
"""README's examples are today's output: each `curl ... /predict -d '...'` of README followed by a
```json block is sent to a real `serve` (the built-in model, a free port on 127.0.0.1), and the
answer must equal the block but for what changes per call (metrics.inference_time_ms, the cost
priced from it, and the timestamp). With --evaluate, README's table of evaluate rows is also what
`evaluate --format json` prints today, to the digits shown (14 s in a release build).

    test_readme_examples.py --binary path/to/hybrid-router [--evaluate]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BINARY = None
EVALUATE = False
PER_CALL = ("inference_time_ms", "inference_cost_usd", "timestamp")


def examples():
    """(request body, answer shown) for each /predict example of README."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    pattern = r"```sh\ncurl [^\n]*/predict[^`]*?-d '([^']*)'\n```\n```json\n(.*?)\n```"
    return [(m.group(1), m.group(2)) for m in re.finditer(pattern, text, flags=re.S)]


def comparable(answer):
    a = json.loads(answer)
    for key in PER_CALL:
        a.get("metrics", {}).pop(key, None)
    return a


class ReadmeExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = subprocess.Popen([BINARY, "serve", "--port", "0", "--threads", "1"],
                                      stderr=subprocess.PIPE, text=True)
        line = cls.server.stderr.readline()  # the 'listening' event, with the port
        cls.port = json.loads(line)["port"]

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=10)

    def post(self, body):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/predict", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read().decode()

    def test_every_predict_example_is_what_serve_answers_today(self):
        found = examples()
        self.assertGreaterEqual(len(found), 2, "README's /predict examples were not found")
        for body, shown in found:
            with self.subTest(request=body):
                self.assertEqual(comparable(self.post(body)), comparable(shown))


def readme_evaluate_rows():
    """{policy: [cells]} of README's evaluate table (the row name's first word is the policy)."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    header = "| policy | Lambda share | mean ms | p95 ms |"
    table = text[text.index(header):].split("\n\n")[0].splitlines()[2:]
    rows = {}
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].split(" ")[0]] = cells[1:]
    return rows


class ReadmeEvaluateTable(unittest.TestCase):
    def test_the_evaluate_rows_are_what_evaluate_prints_today(self):
        if not EVALUATE:
            self.skipTest("--evaluate not given")
        out = subprocess.run([BINARY, "evaluate", "-q", "--format", "json"], capture_output=True,
                             text=True, check=True).stdout
        by = {p["policy"]: p for p in json.loads(out)["policies"]}
        rows = readme_evaluate_rows()
        self.assertGreaterEqual(len(rows), 5)
        for policy, cells in rows.items():
            p = by[policy]
            share = p["lambda_share"] * 100
            shown = [f"{share:.0f} %" if share in (0, 100) else f"{share:.1f} %",
                     f"{p['response_time_ms']['mean']:,.0f}", f"{p['response_time_ms']['p95']:,.0f}"]
            shown += [f"{p['cost_per_million_usd'][m]:.2f}"
                      for m in ("seed-prorated", "seed-prorated-deployed-memory", "provisioned")]
            self.assertEqual(cells, shown, policy)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--evaluate", action="store_true")
    args, rest = p.parse_known_args()
    BINARY = args.binary
    EVALUATE = args.evaluate
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
