#!/usr/bin/python3
"""README's examples are today's output: each `curl ... /predict -d '...'` of README followed by a
```json block is sent to a real `serve` (the built-in model, a free port on 127.0.0.1), and the
answer must equal the block but for what changes per call (metrics.inference_time_ms, the cost
priced from it, and the timestamp).

    test_readme_examples.py --binary path/to/hybrid-router
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


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    args, rest = p.parse_known_args()
    BINARY = args.binary
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
