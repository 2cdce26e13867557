#!/usr/bin/python3
"""The Prometheus rules in deploy/prometheus: `promtool check rules` on every *.rules.yml,
`promtool test rules` on every *.test.yml, every hybrid_router_* series a rule reads is one the
router's /metrics writes (its name in src/), and every alert has a test where it fires and one
where it stays quiet. promtool comes with Debian's `prometheus` package (tools/setup.sh).
"""

import glob
import os
import re
import shutil
import subprocess
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RULES_DIR = os.path.join(ROOT, "deploy", "prometheus")
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def rule_files():
    return sorted(glob.glob(os.path.join(RULES_DIR, "*.rules.yml")))


def test_files():
    return sorted(glob.glob(os.path.join(RULES_DIR, "*.test.yml")))


def exported_names():
    """Every hybrid_router_* name the sources write into /metrics text."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, "src", "**", "*.cpp"), recursive=True):
        with open(path, encoding="utf-8") as f:
            names.update(re.findall(r"hybrid_router_[a-z0-9_]+", f.read()))
    return names


class PrometheusRules(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.access(PROMTOOL, os.X_OK),
                        "promtool is missing: install Debian's prometheus package (tools/setup.sh)")
        self.assertTrue(rule_files(), "no deploy/prometheus/*.rules.yml")

    def run_promtool(self, *args):
        p = subprocess.run([PROMTOOL, *args], cwd=RULES_DIR, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, f"promtool {' '.join(args)}:\n{p.stdout}{p.stderr}")

    def test_check_rules(self):
        for path in rule_files():
            self.run_promtool("check", "rules", os.path.basename(path))

    def test_unit_tests_pass(self):
        self.assertTrue(test_files(), "no deploy/prometheus/*.test.yml")
        for path in test_files():
            self.run_promtool("test", "rules", os.path.basename(path))

    def test_rules_read_only_exported_series(self):
        exported = exported_names()
        for path in rule_files():
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
            recorded = {r["record"] for g in doc["groups"] for r in g["rules"] if "record" in r}
            for group in doc["groups"]:
                for rule in group["rules"]:
                    for name in re.findall(r"hybrid_router[a-z0-9_:]*", rule["expr"]):
                        if ":" in name:
                            self.assertIn(name, recorded, f"{path}: {name} is recorded nowhere")
                            continue
                        base = re.sub(r"_(bucket|sum|count)$", "", name)
                        self.assertTrue(name in exported or base in exported,
                                        f"{path}: {name} is not a series /metrics exports")

    def test_every_alert_fires_and_stays_quiet_in_a_test(self):
        alerts = set()
        for path in rule_files():
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
            alerts |= {r["alert"] for g in doc["groups"] for r in g["rules"] if "alert" in r}
        fires, quiet = set(), set()
        for path in test_files():
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
            for test in doc["tests"]:
                for case in test.get("alert_rule_test", []):
                    (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
        self.assertEqual(alerts - fires, set(), "alerts without a test where they fire")
        self.assertEqual(alerts - quiet, set(), "alerts without a test where they stay quiet")


if __name__ == "__main__":
    unittest.main()
