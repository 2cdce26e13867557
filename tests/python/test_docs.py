#!/usr/bin/python3
"""The documentation against the binary and itself: the options reference (docs/options.md) is
what each command's --help prints today; every command has its page, and README links every page;
README stays short (at most 320 lines); every relative link in README and docs/ names a file that
exists and, with a #fragment, a heading of that file.

    test_docs.py --binary path/to/hybrid-router
"""
import argparse
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DOCS = os.path.join(ROOT, "docs")
BINARY = None
# A command's page; audit and train share one.
PAGES = {"predict": "predict.md", "serve": "serve.md", "audit": "train-audit.md",
         "train": "train-audit.md", "evaluate": "evaluate.md", "emulate": "emulate.md",
         "route": "route.md", "simulate": "simulate.md", "lambda": "lambda.md",
         "promote": "promote.md"}


def anchor(heading):
    """GitHub's anchor of a Markdown heading."""
    a = heading.strip().lower()
    a = re.sub(r"[^\w\- ]", "", a)
    return a.replace(" ", "-")


def headings(path):
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"```.*?```", "", f.read(), flags=re.S)
    return {anchor(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, flags=re.M)}


class Docs(unittest.TestCase):
    def test_the_options_reference_is_what_the_binary_prints(self):
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "options_reference.py"),
                            "--binary", BINARY, "--check"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_every_command_has_its_page_linked_from_readme(self):
        out = subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout
        listed = re.findall(r"^  ([a-z][a-z0-9-]*)\s", out.split("Subcommands:")[1], flags=re.M)
        self.assertEqual(sorted(listed), sorted(PAGES), "a command without a page here")
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for page in set(PAGES.values()) | {"architecture.md", "design.md", "options.md"}:
            self.assertTrue(os.path.isfile(os.path.join(DOCS, page)), page)
            self.assertTrue("docs/" + page in readme, "README does not link docs/" + page)

    def test_readme_is_the_front_door_not_the_manual(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            self.assertLessEqual(len(f.read().splitlines()), 320)

    def test_every_relative_link_resolves(self):
        pages = [os.path.join(ROOT, "README.md")] + [
            os.path.join(DOCS, n) for n in sorted(os.listdir(DOCS)) if n.endswith(".md")]
        broken = []
        for page in pages:
            with open(page, encoding="utf-8") as f:
                text = re.sub(r"```.*?```", "", f.read(), flags=re.S)
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"^[a-z]+://|^mailto:", target):
                    continue
                path, _, fragment = target.partition("#")
                full = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                if not os.path.exists(full):
                    broken.append(f"{os.path.relpath(page, ROOT)}: {target}")
                elif fragment and full.endswith(".md") and fragment not in headings(full):
                    broken.append(f"{os.path.relpath(page, ROOT)}: {target} (no such heading)")
        self.assertEqual(broken, [])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    args, rest = p.parse_known_args()
    BINARY = args.binary
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
