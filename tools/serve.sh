#!/usr/bin/env bash
# The README's main-job command: installs dependencies, builds the release binary and starts
# `hybrid-router serve` with the built-in model on 127.0.0.1:8080. Extra arguments go to serve
# (e.g. tools/serve.sh --port 9000 --threads 2; see `hybrid-router serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target hybrid-router
exec build/release/apps/hybrid-router/hybrid-router serve "$@"
